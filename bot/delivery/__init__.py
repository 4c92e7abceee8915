"""Delivery: messages written to the outbox with the change that causes them, sent later."""

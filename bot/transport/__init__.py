"""Telegram glue: typed context, long polling with an inbox, per-chat order, HTTP client."""

"""Webhook mode: the aiohttp server (server), its health check (health) and metrics (metrics)."""

"""Prometheus metrics: this process's updates and delivery attempts, and database-wide
outbox and report figures.

Each web application has its own registry (no global state), so two bots in one test
process, or a restart, never share counters. The database figures are read at scrape
time and are the same from every process: scrape one.
"""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core.lifecycle import Status
from bot.delivery.dispatcher import RESULTS
from bot.services import Services
from storage import monitoring

log = logging.getLogger(__name__)

# Outbox rows end in one of these; "pending" is the backlog.
DELIVERY_RESULTS = ("sent", "failed", "unreachable")
# Handling a citizen's message takes milliseconds; a slow database or Telegram, seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The metrics of one web application, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates = Counter(
            "lapor_updates_handled",
            "Updates received by the webhook and handled, by outcome",
            ["outcome"],
            registry=registry,
        )
        self.rejected = Counter(
            "lapor_webhook_rejected",
            "Webhook requests refused before handling, by reason",
            ["reason"],
            registry=registry,
        )
        self.latency = Histogram(
            "lapor_update_handling_seconds",
            "Time from receiving an update to answering Telegram",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.database_up = Gauge(
            "lapor_database_up", "1 if the database answered this scrape", registry=registry
        )
        self.backlog = Gauge(
            "lapor_outbox_backlog", "Outbox rows not yet sent (due or waiting)", registry=registry
        )
        self.oldest = Gauge(
            "lapor_outbox_oldest_pending_seconds",
            "How long the longest-waiting due outbox row has waited",
            registry=registry,
        )
        self.attempts = Counter(
            "lapor_delivery_attempts",
            "Outbox delivery attempts by this process's dispatcher, by result",
            ["result"],
            registry=registry,
        )
        self.deliveries = Gauge(
            "lapor_outbox_deliveries",
            "Outbox rows finished, by result (database-wide)",
            ["result"],
            registry=registry,
        )
        self.reports = Gauge(
            "lapor_reports",
            "Reports by status (database-wide)",
            ["status"],
            registry=registry,
        )
        for outcome in ("ok", "retry"):
            self.updates.labels(outcome)
        for reason in ("secret", "malformed", "stopping"):
            self.rejected.labels(reason)
        for result in RESULTS:
            self.attempts.labels(result)

    def delivery_attempted(self, result: str) -> None:
        """Count one attempt of the dispatcher (its observer)."""
        self.attempts.labels(result).inc()

    async def refresh(self, services: Services) -> None:
        """Read the database figures; on failure keep the last ones and say it is down."""
        try:
            async with services.sessionmaker() as session:
                states = await monitoring.outbox_by_state(session)
                oldest = await monitoring.oldest_pending(session, services.clock())
                statuses = await monitoring.reports_by_status(session)
        except Exception as error:
            log.warning("metrics: the database did not answer: %s", type(error).__name__)
            self.database_up.set(0)
            return
        self.database_up.set(1)
        self.backlog.set(states.get("pending", 0))
        self.oldest.set(oldest)
        for result in DELIVERY_RESULTS:
            self.deliveries.labels(result).set(states.get(result, 0))
        for status in Status:
            self.reports.labels(status.value).set(statuses.get(status.value, 0))

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)

"""The Prometheus series every process role exports, and how they are exposed.

The series are module-level objects, as prometheus-client intends: a series is named once per
process, and every instrument writes to the process's one registry (or, with
``PROMETHEUS_MULTIPROC_DIR`` set, to that folder's files, which ``exposition_registry`` sums
over the server's worker processes). Recording is a lock and an addition; anything that
needs a query (outbox backlog, pool occupancy, consumer lag) is sampled off the request path.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, multiprocess

GRAPHQL_REQUESTS = Counter(
    "alliance_graphql_requests",
    "GraphQL operations served over HTTP, by operation name and outcome (ok, error, rejected).",
    ["operation", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "alliance_graphql_request_duration_seconds",
    "Time to parse, validate and execute one GraphQL operation over HTTP.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)
GRAPHQL_ERRORS = Counter(
    "alliance_graphql_errors",
    "Errors in GraphQL answers, by extensions.code.",
    ["code"],
)
PARTNER_REFUSED_EARLY = Counter(
    "alliance_partner_refused_before_authentication",
    "Partner requests answered 429 from a refusal the process holds, before authentication.",
)
PARTNER_HELD = Gauge(
    "alliance_partner_refusals_held",
    "Partner refusals being held before they are answered (RATE_LIMIT_HOLD_MS).",
    multiprocess_mode="livesum",
)
DB_POOL_CONNECTIONS = Gauge(
    "alliance_db_pool_connections",
    "Connections of the process's database pool, by state (in_use, idle).",
    ["state"],
    multiprocess_mode="livesum",
)
DB_POOL_WAITING = Gauge(
    "alliance_db_pool_waiting",
    "Callers waiting for a connection of the process's database pool.",
    multiprocess_mode="livesum",
)
OUTBOX_BACKLOG = Gauge(
    "alliance_outbox_backlog",
    "Outbox rows not yet sent to Kafka, as a relay last counted them.",
    multiprocess_mode="livemostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "alliance_outbox_oldest_unsent_age_seconds",
    "Age of the oldest outbox row not yet sent (0 when none), as a relay last saw it.",
    multiprocess_mode="livemostrecent",
)
RELAY_BATCHES = Counter(
    "alliance_relay_batches",
    "Batches the relay sent to Kafka and marked sent.",
)
RELAY_EVENTS = Counter(
    "alliance_relay_events",
    "Events the relay sent to Kafka and marked sent.",
)
RELAY_FAILURES = Counter(
    "alliance_relay_failures",
    "Relay rounds that failed and will be retried, by reason (broker, database, other).",
    ["reason"],
)
RELAY_BATCH_DURATION = Histogram(
    "alliance_relay_batch_duration_seconds",
    "Time from claiming a batch to committing it as sent.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)
CONSUMER_LAG = Gauge(
    "alliance_consumer_lag",
    "Messages of a partition not yet handled by the consumer group (high watermark - next offset).",
    ["group", "topic", "partition"],
    multiprocess_mode="livemostrecent",
)
CONSUMER_EVENTS = Counter(
    "alliance_consumer_events",
    "Events a consumer group handled (or skipped as duplicates).",
    ["group"],
)
DEAD_LETTERS = Counter(
    "alliance_dead_letters",
    "Events a consumer group gave up on and recorded as dead letters.",
    ["group"],
)
LIVE_SUBSCRIBERS = Gauge(
    "alliance_live_subscribers",
    "Open live-event subscriptions in the process.",
    multiprocess_mode="livesum",
)
BOOKING_CONFLICTS = Counter(
    "alliance_booking_conflicts",
    "Bookings refused with CONFLICT because the database found a collision (overlap, stock).",
    ["constraint"],
)

# Operation names come from clients; past this many distinct names a process counts the rest
# as "other", so a client inventing names cannot grow the series without bound.
MAX_OPERATION_NAMES = 200
_OUTCOMES = frozenset({"ok", "error", "rejected"})


class OperationNames:
    """The bounded set of operation-name labels one process has handed out."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if name in self._seen:
            return name
        if len(self._seen) >= self._limit:
            return "other"
        self._seen.add(name)
        return name


OPERATION_NAMES = OperationNames()


def observe_graphql(operation: str | None, outcome: str, seconds: float, codes: Iterable[str]) -> None:
    """Record one GraphQL operation: its count, latency and the codes of its errors."""
    assert outcome in _OUTCOMES
    label = OPERATION_NAMES.label(operation)
    GRAPHQL_REQUESTS.labels(label, outcome).inc()
    GRAPHQL_DURATION.labels(label).observe(seconds)
    for code in codes:
        GRAPHQL_ERRORS.labels(code).inc()


def multiprocess_dir() -> str | None:
    """The folder of the server workers' shared metric files, when several workers serve."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition_registry() -> CollectorRegistry:
    """The registry ``/metrics`` renders: this process's, or every worker's files summed."""
    if multiprocess_dir() is None:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return registry


def mark_process_dead(pid: int) -> None:
    """Drop a stopped worker's live gauges from the shared files (no-op outside multiprocess mode)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]

"""Webhook delivery: one pass sends each receiver the outbox events it still lacks.

Each event is POSTed with its JSON payload as the body and the headers `X-CDP-Event-Id`,
`X-CDP-Event-Type`, `X-CDP-Timestamp` and `X-CDP-Signature` (see `signing`). A 2xx answer
delivers it; any other answer, a refused connection or a timeout is a failed attempt, retried
after an exponentially growing delay, and after `max_attempts` the event is dead for that
receiver until replayed.

A customer's events reach a receiver in order: while one of them is undelivered there (dead,
or waiting for its retry), the later ones wait too. Receivers see every event at least once
and deduplicate by `X-CDP-Event-Id`, since a pass interrupted before saving its state sends
again what it had sent.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from cdp_assets.propagation.delivery_state import (
    DEAD,
    DELIVERED,
    PENDING,
    DeliveryState,
    read_delivery_state,
    save_delivery_state,
)
from cdp_assets.propagation.endpoints import WebhookEndpoint
from cdp_assets.propagation.outbox import read_outbox
from cdp_assets.propagation.signing import sign_body

logger = logging.getLogger(__name__)

USER_AGENT = "cdp-webhooks/1"
_MAX_ERROR_LENGTH = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class DeliveryCounts:
    """What one pass did for one receiver, and what it left behind."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    pending: int = 0
    dead_letters: int = 0


@dataclass
class DeliveryReport:
    """Counts of a delivery pass, in total and per receiver.

    `delivered`, `failed` (attempts to retry later) and `dead` (given up on) count what
    this pass did; `pending` counts the events still to deliver after it, and
    `dead_letters` every dead event waiting for a replay. `next_retry_at` is when the
    earliest waiting retry falls due (microseconds since the epoch), None when no event
    waits for one.
    """

    delivered: int = 0
    failed: int = 0
    dead: int = 0
    pending: int = 0
    dead_letters: int = 0
    by_endpoint: dict[str, DeliveryCounts] = field(default_factory=dict)
    next_retry_at: int | None = None

    def as_metadata(self) -> dict[str, int]:
        """Flat counts for a materialization's metadata."""
        metadata = {
            "delivered": self.delivered,
            "failed": self.failed,
            "dead": self.dead,
            "pending": self.pending,
            "dead_letters": self.dead_letters,
        }
        for name, counts in sorted(self.by_endpoint.items()):
            metadata[f"{name}_delivered"] = counts.delivered
            metadata[f"{name}_pending"] = counts.pending
            metadata[f"{name}_dead_letters"] = counts.dead_letters
        return metadata


@dataclass(frozen=True)
class _QueuedEvent:
    """An outbox event not yet delivered to one receiver, with its state there."""

    event_id: str
    customer_id: str
    event_type: str
    sequence: int
    payload: str
    state: DeliveryState


def deliver(
    spark: SparkSession,
    outbox_path: str,
    state_path: str,
    endpoints: Sequence[WebhookEndpoint],
    now: datetime | None = None,
    max_attempts: int = 8,
    base_delay_seconds: float = 30.0,
    max_delay_seconds: float = 3600.0,
    timeout: float = 10.0,
    max_workers: int = 4,
) -> DeliveryReport:
    """Sends every receiver the outbox events due for it, and saves the outcome.

    Args:
        spark: The Spark session.
        outbox_path: Location of the outbox table.
        state_path: Location of the delivery state table; created on first use.
        endpoints: The receivers; none means nothing to do.
        now: The time retries are scheduled from and compared with; the clock by default,
            and UTC when naive.
        max_attempts: Failed attempts after which an event is dead for a receiver.
        base_delay_seconds: Wait after the first failure; it doubles with each further one.
        max_delay_seconds: The longest wait between two attempts.
        timeout: Seconds to wait for a receiver to connect and to answer.
        max_workers: Customers served at the same time; one customer's events go in turn.

    Returns:
        The counts of this pass.
    """
    report = DeliveryReport()
    if not endpoints:
        logger.info("No webhooks configured: nothing to deliver")
        return report

    now_micros = _micros(now or datetime.now(UTC))
    queues = _queues(spark, outbox_path, state_path, endpoints)
    by_name = {endpoint.name: endpoint for endpoint in endpoints}

    def work_through(key: tuple[str, str]) -> list[DeliveryState]:
        return _deliver_in_order(
            by_name[key[0]],
            queues[key],
            now_micros,
            max_attempts=max_attempts,
            base_delay_seconds=base_delay_seconds,
            max_delay_seconds=max_delay_seconds,
            timeout=timeout,
        )

    changed: list[DeliveryState] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, max_workers)) as pool:
            for states in pool.map(work_through, list(queues)):
                changed.extend(states)
    finally:
        # Whatever was sent before an interruption is recorded, so it is not sent again.
        save_delivery_state(spark, state_path, changed)

    _count(report, endpoints, queues, changed)
    for name, counts in sorted(report.by_endpoint.items()):
        logger.info(
            "Webhook %s: %d delivered, %d failed, %d dead, %d pending, %d dead letters",
            name,
            counts.delivered,
            counts.failed,
            counts.dead,
            counts.pending,
            counts.dead_letters,
        )
    return report


def retry_delay_seconds(
    attempts: int, base_delay_seconds: float, max_delay_seconds: float
) -> float:
    """Wait before the next try after `attempts` failed ones: doubling, capped."""
    return min(base_delay_seconds * 2 ** max(attempts - 1, 0), max_delay_seconds)


def _queues(
    spark: SparkSession,
    outbox_path: str,
    state_path: str,
    endpoints: Sequence[WebhookEndpoint],
) -> dict[tuple[str, str], list[_QueuedEvent]]:
    """Per (endpoint, customer), the events not yet delivered there, in customer order."""
    receivers = spark.createDataFrame(
        [(endpoint.name,) for endpoint in endpoints], "endpoint string"
    )
    state = read_delivery_state(spark, state_path)
    undelivered = (
        read_outbox(spark, outbox_path)
        .select("event_id", "customer_id", "event_type", "sequence", "payload")
        .crossJoin(F.broadcast(receivers))
        .join(state, ["event_id", "endpoint"], "left")
        .where(F.col("status").isNull() | (F.col("status") != DELIVERED))
        .select(
            "endpoint",
            "event_id",
            "customer_id",
            "event_type",
            "sequence",
            "payload",
            F.coalesce("status", F.lit(PENDING)).alias("status"),
            F.coalesce("attempts", F.lit(0)).alias("attempts"),
            "last_error",
            # Epoch microseconds avoid any time zone conversion on the way to Python.
            F.unix_micros("last_attempt_at").alias("last_attempt_at"),
            F.unix_micros("next_attempt_at").alias("next_attempt_at"),
        )
    )

    queues: dict[tuple[str, str], list[_QueuedEvent]] = defaultdict(list)
    for row in undelivered.toLocalIterator():
        state = DeliveryState(
            event_id=row["event_id"],
            endpoint=row["endpoint"],
            status=row["status"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            last_attempt_at=row["last_attempt_at"],
            next_attempt_at=row["next_attempt_at"],
        )
        queues[(row["endpoint"], row["customer_id"])].append(
            _QueuedEvent(
                event_id=row["event_id"],
                customer_id=row["customer_id"],
                event_type=row["event_type"],
                sequence=row["sequence"],
                payload=row["payload"],
                state=state,
            )
        )
    for queue in queues.values():
        queue.sort(key=lambda event: (event.sequence, event.event_id))
    return queues


def _deliver_in_order(
    endpoint: WebhookEndpoint,
    queue: list[_QueuedEvent],
    now_micros: int,
    max_attempts: int,
    base_delay_seconds: float,
    max_delay_seconds: float,
    timeout: float,
) -> list[DeliveryState]:
    """Sends one customer's waiting events to one receiver until one of them cannot go."""
    changed = []
    for event in queue:
        state = event.state
        if state.status == DEAD:
            break
        if state.next_attempt_at is not None and state.next_attempt_at > now_micros:
            break

        error = _post(endpoint, event, timeout)
        if error is None:
            changed.append(
                replace(
                    state,
                    status=DELIVERED,
                    attempts=state.attempts + 1,
                    last_attempt_at=now_micros,
                    next_attempt_at=None,
                    delivered_at=now_micros,
                )
            )
            continue

        attempts = state.attempts + 1
        delay = retry_delay_seconds(attempts, base_delay_seconds, max_delay_seconds)
        changed.append(
            replace(
                state,
                status=DEAD if attempts >= max_attempts else PENDING,
                attempts=attempts,
                last_error=error[:_MAX_ERROR_LENGTH],
                last_attempt_at=now_micros,
                next_attempt_at=None if attempts >= max_attempts else now_micros + int(delay * 1e6),
            )
        )
        break
    return changed


def _post(endpoint: WebhookEndpoint, event: _QueuedEvent, timeout: float) -> str | None:
    """POSTs one event; None when the receiver accepted it, else what went wrong."""
    body = event.payload.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CDP-Event-Id": event.event_id,
        "X-CDP-Event-Type": event.event_type,
        "X-CDP-Timestamp": str(int(time.time())),
        "X-CDP-Signature": sign_body(endpoint.secret, body),
    }
    url = urlsplit(endpoint.url)
    connection_class = (
        http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    )
    target = (url.path or "/") + (f"?{url.query}" if url.query else "")
    connection = connection_class(url.hostname, url.port, timeout=timeout)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as error:
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()

    # Redirects are not followed: a POST turned into a GET would lose the event.
    if 200 <= response.status < 300:
        return None
    return f"HTTP {response.status}"


def _count(
    report: DeliveryReport,
    endpoints: Sequence[WebhookEndpoint],
    queues: dict[tuple[str, str], list[_QueuedEvent]],
    changed: list[DeliveryState],
) -> None:
    final = {
        (event.state.endpoint, event.event_id): event.state
        for queue in queues.values()
        for event in queue
    }
    for state in changed:
        final[(state.endpoint, state.event_id)] = state
    # A queue moves again when its first waiting event's backoff has passed; the events
    # behind it have no time of their own yet.
    report.next_retry_at = min(
        (
            state.next_attempt_at
            for state in final.values()
            if state.status == PENDING and state.next_attempt_at is not None
        ),
        default=None,
    )

    report.by_endpoint = {endpoint.name: DeliveryCounts() for endpoint in endpoints}
    for state in changed:
        counts = report.by_endpoint[state.endpoint]
        if state.status == DELIVERED:
            counts.delivered += 1
        elif state.status == DEAD:
            counts.dead += 1
        else:
            counts.failed += 1
    for (name, _event_id), state in final.items():
        if state.status == PENDING:
            report.by_endpoint[name].pending += 1
        elif state.status == DEAD:
            report.by_endpoint[name].dead_letters += 1

    for counts in report.by_endpoint.values():
        report.delivered += counts.delivered
        report.failed += counts.failed
        report.dead += counts.dead
        report.pending += counts.pending
        report.dead_letters += counts.dead_letters


def _micros(moment: datetime) -> int:
    """Microseconds since the epoch; a naive `moment` is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(microseconds=1)

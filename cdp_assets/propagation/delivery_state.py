"""Delivery state: per event and receiver, whether it arrived, and when to try again.

One row per (event_id, endpoint) that has been attempted. An event without a row has not
been tried yet. `status` is `pending` (to be retried at `next_attempt_at`), `delivered` or
`dead` (gave up after the maximum attempts; `replay_dead_letters` revives it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets import lake

logger = logging.getLogger(__name__)

PENDING = "pending"
DELIVERED = "delivered"
DEAD = "dead"

DELIVERY_STATE_SCHEMA = T.StructType(
    [
        T.StructField("event_id", T.StringType(), nullable=False),
        T.StructField("endpoint", T.StringType(), nullable=False),
        T.StructField("status", T.StringType()),
        T.StructField("attempts", T.IntegerType()),
        T.StructField("last_error", T.StringType()),
        T.StructField("last_attempt_at", T.TimestampType()),
        T.StructField("next_attempt_at", T.TimestampType()),
        T.StructField("delivered_at", T.TimestampType()),
    ]
)

_TIMESTAMP_FIELDS = ("last_attempt_at", "next_attempt_at", "delivered_at")

_SAME_DELIVERY = "target.event_id = source.event_id AND target.endpoint = source.endpoint"


@dataclass(frozen=True)
class DeliveryState:
    """The state of one event at one receiver; times are microseconds since the epoch."""

    event_id: str
    endpoint: str
    status: str
    attempts: int
    last_error: str | None = None
    last_attempt_at: int | None = None
    next_attempt_at: int | None = None
    delivered_at: int | None = None


def read_delivery_state(spark: SparkSession, path: str) -> DataFrame:
    """The delivery state table, empty before the first delivery pass."""
    if not lake.table_exists(spark, path):
        return spark.createDataFrame([], DELIVERY_STATE_SCHEMA)
    return spark.read.format("delta").load(path)


def save_delivery_state(spark: SparkSession, path: str, states: Iterable[DeliveryState]) -> int:
    """Upserts `states` by (event_id, endpoint); returns how many rows were written."""
    rows = [
        (s.event_id, s.endpoint, s.status, s.attempts, s.last_error, *_times(s)) for s in states
    ]
    if not rows:
        return 0

    micros_schema = T.StructType(
        [
            *DELIVERY_STATE_SCHEMA.fields[:5],
            *[T.StructField(name, T.LongType()) for name in _TIMESTAMP_FIELDS],
        ]
    )
    updates = spark.createDataFrame(rows, micros_schema).select(
        *[field.name for field in DELIVERY_STATE_SCHEMA.fields[:5]],
        *[F.timestamp_micros(name).alias(name) for name in _TIMESTAMP_FIELDS],
    )
    lake.create_if_missing(spark, path, DELIVERY_STATE_SCHEMA)
    lake.merge(
        updates,
        path,
        _SAME_DELIVERY,
        "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *",
    )
    return len(rows)


def replay_dead_letters(
    spark: SparkSession,
    state_path: str,
    endpoint: str | None = None,
    event_ids: Iterable[str] | None = None,
) -> int:
    """Sets dead events back to pending with a fresh count of attempts; returns how many.

    Args:
        spark: The Spark session.
        state_path: Location of the delivery state table.
        endpoint: Only this receiver's dead letters; all receivers when None.
        event_ids: Only these events; all dead events when None.
    """
    if not lake.table_exists(spark, state_path):
        return 0

    condition = F.col("status") == DEAD
    if endpoint is not None:
        condition &= F.col("endpoint") == endpoint
    if event_ids is not None:
        condition &= F.col("event_id").isin(list(event_ids))
    dead = lake.read_table(spark, state_path).where(condition).select("event_id", "endpoint")
    revived = lake.merge(
        dead,
        state_path,
        f"{_SAME_DELIVERY} AND target.status = '{DEAD}'",
        f"WHEN MATCHED THEN UPDATE SET status = '{PENDING}', attempts = 0, next_attempt_at = NULL",
    ).get("num_updated_rows", 0)
    logger.info("Replaying %d dead letters", revived)
    return revived


def _times(state: DeliveryState) -> tuple[int | None, ...]:
    return tuple(getattr(state, name) for name in _TIMESTAMP_FIELDS)

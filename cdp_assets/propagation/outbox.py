"""The outbox: every change event ever derived, kept until each receiver has it.

Events are recorded before anything is sent, so a receiver that is down loses nothing: the
delivery pass reads the outbox and its own state, and sends what a receiver still lacks.
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets import lake
from cdp_assets.propagation.events import EVENT_COLUMNS

logger = logging.getLogger(__name__)

OUTBOX_SCHEMA = T.StructType(
    [
        T.StructField("event_id", T.StringType(), nullable=False),
        T.StructField("customer_id", T.StringType()),
        T.StructField("event_type", T.StringType()),
        T.StructField("occurred_at", T.TimestampType()),
        T.StructField("payload", T.StringType()),
        T.StructField("sequence", T.LongType()),
        T.StructField("recorded_at", T.TimestampType()),
    ]
)


def append_to_outbox(spark: SparkSession, events: DataFrame, path: str) -> int:
    """Adds the events whose event_id the outbox lacks; returns how many were added.

    Appending the same events again adds nothing, so rerunning a derivation is harmless.
    """
    new_events = (
        events.select(*EVENT_COLUMNS)
        .dropDuplicates(["event_id"])
        .withColumn("recorded_at", F.current_timestamp())
    )
    lake.create_if_missing(spark, path, OUTBOX_SCHEMA)
    added = lake.merge(
        new_events,
        path,
        "target.event_id = source.event_id",
        "WHEN NOT MATCHED THEN INSERT *",
    ).get("num_inserted_rows", 0)
    logger.info("Outbox: %d new events recorded", added)
    return added


def read_outbox(spark: SparkSession, path: str) -> DataFrame:
    """The outbox table, empty when nothing has been recorded yet."""
    if not lake.table_exists(spark, path):
        return spark.createDataFrame([], OUTBOX_SCHEMA)
    return spark.read.format("delta").load(path)

"""customer_events: each customer's journey, the steps its records report, in time order."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from cdp_assets.sources.base import EVENT_TYPES

EVENT_COLUMNS = ("customer_id", "sequence", "event_ts", "event_type", "source", "record_key")


def _reported_event() -> Column:
    # A consent flag on a record with no event of its own (a DND box ticked on an export
    # row) is still a step an agent must see before calling.
    from_consent = F.when(F.col("opt_out"), F.lit("opt_out")).when(
        ~F.col("opt_out"), F.lit("re_consent")
    )
    return F.coalesce(F.col("event_type"), from_consent)


def build_customer_events(contact_sources: DataFrame) -> DataFrame:
    """One row per record reporting a journey step, numbered per customer in time order.

    Args:
        contact_sources: The `build_contact_sources` table.

    Returns:
        `EVENT_COLUMNS`; sequence runs 1.. per customer by event_ts, then record_key, so
        the order is the same on every rebuild.
    """
    events = contact_sources.where(F.col("customer_id").isNotNull()).select(
        "customer_id",
        F.coalesce("event_ts", "opt_out_ts").alias("event_ts"),
        _reported_event().alias("event_type"),
        "source",
        "record_key",
    )
    in_time_order = Window.partitionBy("customer_id").orderBy(
        F.col("event_ts").asc_nulls_last(), "record_key"
    )
    return (
        events.where(F.col("event_type").isin(*EVENT_TYPES))
        .withColumn("sequence", F.row_number().over(in_time_order))
        .select(*EVENT_COLUMNS)
    )

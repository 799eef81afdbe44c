"""Which of a customer's records supplies each golden field.

The most recent non-null value wins, among records linked with high confidence; source
priority breaks an exact tie of time, and the record key any tie left after that. A value
from a weaker link counts only when no high-confidence record has one.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column
from pyspark.sql import functions as F

from cdp_assets.golden.config import HIGH_CONFIDENCE


def is_high_confidence(confidence: Column) -> Column:
    """True where a link's confidence reaches the auto-merge threshold."""
    return F.coalesce(confidence >= F.lit(HIGH_CONFIDENCE), F.lit(False))


def source_priority_rank(source: Column, source_priority: Mapping[str, int]) -> Column:
    """The priority of a record's source, 0 for a source the mapping does not name."""
    if not source_priority:
        return F.lit(0)
    pairs = [item for name, rank in source_priority.items() for item in (F.lit(name), F.lit(rank))]
    return F.coalesce(F.create_map(*pairs)[source], F.lit(0))


def survivor_order(source_priority: Mapping[str, int]) -> Column:
    """A per-record struct whose maximum is the record golden fields prefer.

    Struct fields compare in order: confidence band, then time, then source priority,
    then record key so the choice never depends on row order.
    """
    return F.struct(
        is_high_confidence(F.col("match_confidence")).alias("high_confidence"),
        F.col("event_ts").alias("event_ts"),
        source_priority_rank(F.col("source"), source_priority).alias("priority"),
        F.col("record_key").alias("record_key"),
    )


def surviving_value(field: str, order: str = "survivor_order") -> Column:
    """Aggregate: the field's value from the preferred record among those that have one.

    Args:
        field: Column holding the field's value on each record.
        order: Column holding each record's `survivor_order`.

    Returns:
        An aggregate expression for use in `groupBy(...).agg(...)`.
    """
    # max_by skips rows whose ordering is null, so records without a value never win.
    ordering = F.when(F.col(field).isNotNull(), F.col(order))
    return F.max_by(F.col(field), ordering)

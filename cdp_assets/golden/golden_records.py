"""golden_records: one row per customer, the view of it every downstream system shares.

A materialized view over contact_sources, never a merge that loses data: rebuilding it
from contact_sources at any time gives the same table.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from cdp_assets.golden.config import SOURCE_PRIORITY
from cdp_assets.golden.opt_out import consent_aggregates, consent_columns, with_consent_context
from cdp_assets.golden.survivorship import surviving_value, survivor_order

# Fields that show one surviving value.
SURVIVING_FIELDS = ("name", "phone", "email", "city", "locality", "project")

# Array columns: every distinct value any record of the customer carries.
COLLECTED_FIELDS = {
    "phones": "phone",
    "emails": "email",
    "projects": "project",
    "localities": "locality",
    "sources": "source",
}

# Change events are computed by diffing these columns, so their set and order are fixed.
GOLDEN_COLUMNS = (
    "customer_id",
    *SURVIVING_FIELDS,
    *COLLECTED_FIELDS,
    "record_count",
    "first_seen",
    "last_seen",
    "min_link_confidence",
    "opted_out",
    "opted_out_at",
    "opted_out_source",
    "re_consented_at",
    "updated_at",
)


def _sorted_distinct(field: str) -> Column:
    return F.array_sort(F.collect_set(F.col(field)))


def _profile_aggregates() -> list[Column]:
    """Surviving fields, collected arrays, counts and the time span a customer was seen."""
    return [
        *[surviving_value(field).alias(field) for field in SURVIVING_FIELDS],
        *[_sorted_distinct(field).alias(name) for name, field in COLLECTED_FIELDS.items()],
        F.count("*").cast("int").alias("record_count"),
        F.min("event_ts").alias("first_seen"),
        F.max("event_ts").alias("last_seen"),
        F.min("match_confidence").cast("double").alias("min_link_confidence"),
    ]


def build_golden_records(
    contact_sources: DataFrame, source_priority: Mapping[str, int] | None = None
) -> DataFrame:
    """One golden record per customer, with exactly `GOLDEN_COLUMNS`.

    Args:
        contact_sources: The `build_contact_sources` table.
        source_priority: Source name to rank, higher wins a tie of equal time; the
            configured `SOURCE_PRIORITY` when omitted.

    Returns:
        The golden records. Each single-valued field is the most recent value from a
        high-confidence link (a weaker link's only when nothing stronger has one);
        updated_at is the later of last_seen and the latest consent change.
    """
    priority = SOURCE_PRIORITY if source_priority is None else source_priority
    placed = contact_sources.where(F.col("customer_id").isNotNull())
    ranked = with_consent_context(placed).withColumn("survivor_order", survivor_order(priority))

    # One aggregation over records already partitioned by customer for the consent window.
    return (
        ranked.groupBy("customer_id")
        .agg(*_profile_aggregates(), *consent_aggregates())
        .select("*", *consent_columns())
        .withColumn("updated_at", F.greatest("last_seen", "consent_changed_at"))
        .select(*GOLDEN_COLUMNS)
    )

"""cdp_metrics: the case study's results table, measured on our own tables."""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame, Row, Window
from pyspark.sql import functions as F

from cdp_assets.golden.opt_out import customer_identifiers

logger = logging.getLogger(__name__)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _record_counts(contact_sources: DataFrame) -> Row:
    """Counts records, customers and existing_leads (records whose customer already had a
    record with an earlier event time).

    One shuffle by customer serves all three: the window leaves the rows partitioned by
    customer, so counting per customer needs no second one.
    """
    per_customer = Window.partitionBy("customer_id")
    later = F.col("customer_id").isNotNull() & (
        F.col("event_ts") > F.min("event_ts").over(per_customer)
    )
    by_customer = (
        contact_sources.select("customer_id", "event_ts")
        .withColumn("later", later)
        .groupBy("customer_id")
        .agg(F.count("*").alias("records"), F.count_if("later").alias("existing"))
    )
    return by_customer.agg(
        F.coalesce(F.sum("records"), F.lit(0)).alias("records"),
        F.count("customer_id").alias("customers"),
        F.coalesce(F.sum("existing"), F.lit(0)).alias("existing_leads"),
    ).first()


def _opt_out_propagation(
    golden_records: DataFrame, contact_sources: DataFrame, suppression_list: DataFrame
) -> tuple[int, int]:
    """Opted-out customers, and how many have every phone and email suppressed."""
    opted_out = golden_records.where(F.col("opted_out")).select("customer_id")
    # Opted-out customers are a small share of all: their records are picked out first,
    # so only theirs are shuffled.
    their_records = contact_sources.join(F.broadcast(opted_out), "customer_id", "left_semi")
    # A value is suppressed whichever customer put it on the list.
    suppressed = suppression_list.select("channel", "value", F.lit(True).alias("suppressed"))
    missed = (
        customer_identifiers(their_records)
        .join(suppressed.distinct(), ["channel", "value"], "left")
        .where(F.col("suppressed").isNull())
        .select("customer_id")
        .distinct()
    )
    opted_out_count = opted_out.count()
    return opted_out_count, opted_out_count - missed.count()


def compute_metrics(
    contact_sources: DataFrame,
    golden_records: DataFrame,
    suppression_list: DataFrame,
    review_queue_size: int,
    review_weeks: float,
) -> dict[str, int | float | None]:
    """The case study's results, measured on this platform's tables.

    Args:
        contact_sources: The `build_contact_sources` table (every processed record).
        golden_records: The `build_golden_records` table.
        suppression_list: The `build_suppression_list` table.
        review_queue_size: Pairs waiting in or decided from the review queue.
        review_weeks: Weeks of data those pairs came from.

    Returns:
        records_processed, customers, duplicate_identities_resolved (records minus
        customers), existing_customer_leads and existing_customer_share (records whose
        customer already had an earlier record), review_pairs_per_week, opted_out_customers,
        suppressed_values and opt_out_propagation (share of opted-out customers with every
        phone and email suppressed). A share over nothing is None.
    """
    counts = _record_counts(contact_sources)
    records, customers, existing = counts["records"], counts["customers"], counts["existing_leads"]
    opted_out, propagated = _opt_out_propagation(golden_records, contact_sources, suppression_list)

    metrics = {
        "records_processed": records,
        "customers": customers,
        "duplicate_identities_resolved": records - customers,
        "existing_customer_leads": existing,
        "existing_customer_share": _share(existing, records),
        "review_pairs_per_week": review_queue_size / review_weeks if review_weeks else None,
        "opted_out_customers": opted_out,
        "suppressed_values": suppression_list.count(),
        "opt_out_propagation": _share(propagated, opted_out),
    }
    logger.info(
        "Measured %d records in %d customers, %d opted out",
        records,
        customers,
        opted_out,
    )
    return metrics

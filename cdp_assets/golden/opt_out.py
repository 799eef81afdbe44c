"""Consent per customer, and the suppression list every downstream system must honour.

An opt-out on any record opts the whole customer out, whatever the link's confidence:
suppressing a message wrongly costs far less than sending one. Only an explicit consent
later than every opt-out lifts it, and only from a high-confidence record, so that a
weakly linked stranger's subscription never speaks for the customer.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from cdp_assets.golden.survivorship import is_high_confidence

CONSENT_COLUMNS = (
    "customer_id",
    "opted_out",
    "opted_out_at",
    "opted_out_source",
    "re_consented_at",
    "consent_changed_at",
)
SUPPRESSION_COLUMNS = ("customer_id", "channel", "value", "opted_out_at", "opted_out_source")


def with_consent_context(contact_sources: DataFrame) -> DataFrame:
    """contact_sources with the columns `consent_aggregates` reads.

    Adds consent_ts (when the record said something about consent) and
    last_consent_at (the customer's latest consent that can lift an opt-out).
    """
    consent_ts = F.when(F.col("opt_out").isNotNull(), F.coalesce("opt_out_ts", "event_ts"))
    counted_consent = ~F.col("opt_out") & is_high_confidence(F.col("match_confidence"))
    per_customer = Window.partitionBy("customer_id")
    return contact_sources.withColumn("consent_ts", consent_ts).withColumn(
        "last_consent_at", F.max(F.when(counted_consent, F.col("consent_ts"))).over(per_customer)
    )


def consent_aggregates() -> list[Column]:
    """Aggregates over `with_consent_context` rows that `consent_columns` finishes."""
    is_opt_out = F.coalesce(F.col("opt_out"), F.lit(False))
    untimed = F.col("consent_ts").isNull()
    since_last_consent = F.col("consent_ts") >= F.col("last_consent_at")
    in_force = is_opt_out & (F.col("last_consent_at").isNull() | untimed | since_last_consent)
    # Earliest timed opt-out of the episode first; an untimed one speaks only when alone.
    earliest = F.when(
        in_force,
        F.struct(untimed.alias("untimed"), F.col("consent_ts"), F.col("record_key")),
    )
    return [
        F.max(F.when(is_opt_out, True)).alias("has_opt_out"),
        F.max(F.when(is_opt_out & untimed, True)).alias("has_untimed_opt_out"),
        F.max(F.when(is_opt_out, F.col("consent_ts"))).alias("last_opt_out_at"),
        F.max("last_consent_at").alias("last_consent_at"),
        F.min_by("consent_ts", earliest).alias("episode_started_at"),
        F.min_by("source", earliest).alias("episode_source"),
    ]


def consent_columns() -> list[Column]:
    """The consent columns of a golden record, from `consent_aggregates`."""
    has_opt_out = F.coalesce(F.col("has_opt_out"), F.lit(False))
    # An opt-out without a time cannot be shown to precede a consent, so it stays in force.
    lifted = (
        F.col("last_consent_at").isNotNull()
        & F.col("has_untimed_opt_out").isNull()
        & F.coalesce(F.col("last_consent_at") > F.col("last_opt_out_at"), F.lit(True))
    )
    opted_out = has_opt_out & ~lifted
    return [
        opted_out.alias("opted_out"),
        F.when(opted_out, F.col("episode_started_at")).alias("opted_out_at"),
        F.when(opted_out, F.col("episode_source")).alias("opted_out_source"),
        F.when(has_opt_out & lifted, F.col("last_consent_at")).alias("re_consented_at"),
        F.greatest("last_opt_out_at", "last_consent_at").alias("consent_changed_at"),
    ]


def consent_state(contact_sources: DataFrame) -> DataFrame:
    """Per customer: whether, since when and where opted out, and any re-consent.

    Args:
        contact_sources: The `build_contact_sources` table.

    Returns:
        `CONSENT_COLUMNS` for every customer. opted_out_at and opted_out_source name the
        first opt-out of the episode still in force; re_consented_at is the consent that
        ended the last episode, null while opted out or when never opted out;
        consent_changed_at is the latest opt-out or counted consent.
    """
    return (
        with_consent_context(contact_sources.where(F.col("customer_id").isNotNull()))
        .groupBy("customer_id")
        .agg(*consent_aggregates())
        .select("customer_id", *consent_columns())
    )


def customer_identifiers(contact_sources: DataFrame) -> DataFrame:
    """Every real phone and email on a customer's records, one row per channel and value."""
    phones = contact_sources.where(
        F.col("phone").isNotNull() & ~F.coalesce(F.col("phone_placeholder"), F.lit(False))
    ).select("customer_id", F.lit("phone").alias("channel"), F.col("phone").alias("value"))
    emails = contact_sources.where(
        F.col("email").isNotNull() & ~F.coalesce(F.col("email_placeholder"), F.lit(False))
    ).select("customer_id", F.lit("email").alias("channel"), F.col("email").alias("value"))
    return phones.unionByName(emails).where(F.col("customer_id").isNotNull()).distinct()


def build_suppression_list(golden_records: DataFrame, contact_sources: DataFrame) -> DataFrame:
    """Every phone and email of every opted-out customer, with when and where it opted out.

    Args:
        golden_records: The `build_golden_records` table.
        contact_sources: The `build_contact_sources` table the golden records came from.

    Returns:
        `SUPPRESSION_COLUMNS`, one row per customer, channel (phone or email) and value.
    """
    opted_out = golden_records.where(F.col("opted_out")).select(
        "customer_id", "opted_out_at", "opted_out_source"
    )
    return (
        customer_identifiers(contact_sources)
        .join(opted_out, "customer_id")
        .select(*SUPPRESSION_COLUMNS)
    )

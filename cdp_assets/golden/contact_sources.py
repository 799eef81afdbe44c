"""contact_sources: every source record with the customer it belongs to and how it got there.

Golden records are rebuilt from this table, so it keeps every field value a record
contributed; a merge changes the customer id on records, never removes one.
"""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

LINK_COLUMNS = ("customer_id", "link_type", "match_confidence", "linked_at")


def build_contact_sources(contacts: DataFrame, customers: DataFrame) -> DataFrame:
    """Every contact joined to its customer, link type, confidence and linked_at.

    Args:
        contacts: Standardized contacts, one row per record_key.
        customers: record_key, customer_id, match_confidence, link_type, created_at; a
            `linked_at` column is used when present.

    Returns:
        One row per contact: the link columns, then every contact column. A contact that
        identity resolution has not placed yet keeps null link columns.
    """
    if "linked_at" in customers.columns:
        linked_at = F.col("linked_at")
    else:
        # A record joins a customer no earlier than it arrived and the customer existed.
        linked_at = F.greatest(F.col("created_at"), F.col("event_ts"))

    links = customers.select(
        "record_key",
        "customer_id",
        "link_type",
        F.col("match_confidence").cast("double").alias("match_confidence"),
        *[column for column in ("created_at", "linked_at") if column in customers.columns],
    )
    joined = contacts.join(links, on="record_key", how="left")
    contact_columns = [F.col(column) for column in contacts.columns]
    return joined.select(
        "customer_id",
        "link_type",
        "match_confidence",
        linked_at.alias("linked_at"),
        *contact_columns,
    )

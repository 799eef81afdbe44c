"""A resolution's customers and match pairs read back as plain Python, for assertions."""

from __future__ import annotations

from pyspark.sql import DataFrame, Row
from pyspark.sql import functions as F


def customer_ids(customers: DataFrame) -> dict[str, str]:
    """Each record's customer id, by record key."""
    return {row["record_key"]: row["customer_id"] for row in customers.collect()}


def customer_groups(customers: DataFrame) -> set[frozenset[str]]:
    """The records of each customer: how the records were grouped, whatever the ids."""
    members: dict[str, set[str]] = {}
    for key, customer in customer_ids(customers).items():
        members.setdefault(customer, set()).add(key)
    return {frozenset(keys) for keys in members.values()}


def match_pair(resolution, left: str, right: str) -> Row | None:
    """The match pair of two records, named in either order; None if they were not paired."""
    rows = resolution.match_pairs.where(
        (F.col("record_key_l") == min(left, right)) & (F.col("record_key_r") == max(left, right))
    ).collect()
    assert len(rows) <= 1, f"{len(rows)} match pairs for {left} and {right}"
    return rows[0] if rows else None

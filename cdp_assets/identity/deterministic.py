"""Deterministic links: records sharing a phone or an email are the same person.

A phone or email on leads of many unrelated names (an agent typing their own number into
every form) identifies nobody; such hubs are reported and link nothing.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from cdp_assets.identity.policy import MatchPolicy

# Identifier columns in the order their links are preferred when a pair shares both.
IDENTIFIERS = ("phone", "email")

LINK_COLUMNS = ["record_key_l", "record_key_r", "identifier"]


def _name_key() -> F.Column:
    last_name = F.lower(F.trim(F.col("last_name")))
    full_name = F.lower(F.trim(F.col("name")))
    return F.when(last_name != "", last_name).otherwise(F.when(full_name != "", full_name))


def _identifier_values(contacts: DataFrame, identifier: str) -> DataFrame:
    value = F.trim(F.col(identifier))
    return contacts.select(
        "record_key",
        F.lit(identifier).alias("identifier"),
        value.alias("value"),
        _name_key().alias("name_key"),
    ).where(F.col("value").isNotNull() & (F.col("value") != ""))


def identifier_hubs(contacts: DataFrame, policy: MatchPolicy) -> DataFrame:
    """Phones and emails shared by more distinct last names than `policy` allows one person.

    Returns one row per hub: identifier (phone or email), value, records and distinct_names.
    """
    values = None
    for identifier in IDENTIFIERS:
        frame = _identifier_values(contacts, identifier)
        values = frame if values is None else values.unionByName(frame)

    return (
        values.groupBy("identifier", "value")
        .agg(
            F.count("*").alias("records"),
            F.countDistinct("name_key").alias("distinct_names"),
        )
        .where(F.col("distinct_names") > policy.hub_max_distinct_names)
    )


def deterministic_links(contacts: DataFrame, hubs: DataFrame) -> DataFrame:
    """Links every record to the anchor of each phone or email group it belongs to.

    The anchor is the group's smallest record key, so a group of n records yields n - 1
    links instead of n * (n - 1) / 2 pairs; connected components recover the rest. A pair
    linked by both identifiers keeps the phone link.

    Returns:
        record_key_l (the anchor, always the smaller key), record_key_r and identifier.
    """
    links = None
    for identifier in IDENTIFIERS:
        values = _identifier_values(contacts, identifier).join(
            hubs.select("identifier", "value"), on=["identifier", "value"], how="left_anti"
        )
        group = Window.partitionBy("value")
        frame = (
            values.withColumn("anchor", F.min("record_key").over(group))
            .where(F.col("record_key") != F.col("anchor"))
            .select(
                F.col("anchor").alias("record_key_l"),
                F.col("record_key").alias("record_key_r"),
                F.lit(identifier).alias("identifier"),
            )
        )
        links = frame if links is None else links.unionByName(frame)

    priority = F.array_position(
        F.array(*[F.lit(name) for name in IDENTIFIERS]), F.col("identifier")
    )
    preferred = Window.partitionBy("record_key_l", "record_key_r").orderBy(priority)
    return (
        links.withColumn("rank", F.row_number().over(preferred))
        .where(F.col("rank") == 1)
        .select(*LINK_COLUMNS)
    )

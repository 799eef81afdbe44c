"""Deterministic links: records sharing a phone or an email are the same person.

A phone or email on leads of many unrelated names (an agent typing their own number into
every form) identifies nobody; such hubs are reported and link nothing. Below that limit,
a site office's number typed in for a few visitors still must not make them one person:
under the focused profile a shared identifier links only records whose names agree, and
the identifiers that kept names apart are reported.
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


def _token(column: str) -> F.Column:
    value = F.lower(F.trim(F.col(column)))
    return F.when(value != "", value)


def _tokens_agree(left: F.Column, right: F.Column, least_similarity: float) -> F.Column:
    """Two name tokens agree when either is missing, one is the other's initial, or their
    Jaro-Winkler similarity reaches `least_similarity`."""
    initial = ((F.length(left) == 1) | (F.length(right) == 1)) & (
        F.substring(left, 1, 1) == F.substring(right, 1, 1)
    )
    similar = F.call_function("jaro_winkler", left, right) >= F.lit(least_similarity)
    return left.isNull() | right.isNull() | initial | similar


def names_agree(policy: MatchPolicy) -> F.Column:
    """Whether the two records of a pair (columns `first_l`, `last_l`, `first_r`, `last_r`)
    could be one person by their names: first names agree and last names agree."""
    least = policy.shared_identifier_name_similarity
    if least is None:
        return F.lit(True)
    return _tokens_agree(F.col("first_l"), F.col("first_r"), least) & _tokens_agree(
        F.col("last_l"), F.col("last_r"), least
    )


def identifier_pairs(contacts: DataFrame, hubs: DataFrame, policy: MatchPolicy) -> DataFrame:
    """Every pair of records sharing a phone or an email that is not a hub.

    Returns:
        record_key_l (the smaller key), record_key_r, identifier, value and names_agree.
    """
    pairs = None
    for identifier in IDENTIFIERS:
        values = (
            _identifier_values(contacts, identifier)
            .join(hubs.select("identifier", "value"), on=["identifier", "value"], how="left_anti")
            .join(
                contacts.select(
                    "record_key",
                    _token("first_name").alias("first"),
                    _token("last_name").alias("last"),
                ),
                on="record_key",
            )
            .select("record_key", "value", "first", "last")
        )
        left = values.select(*[F.col(name).alias(f"{name}_l") for name in values.columns])
        right = values.select(*[F.col(name).alias(f"{name}_r") for name in values.columns])
        frame = left.join(
            right,
            (F.col("value_l") == F.col("value_r"))
            & (F.col("record_key_l") < F.col("record_key_r")),
        ).select(
            "record_key_l",
            "record_key_r",
            F.lit(identifier).alias("identifier"),
            F.col("value_l").alias("value"),
            names_agree(policy).alias("names_agree"),
        )
        pairs = frame if pairs is None else pairs.unionByName(frame)
    return pairs


def shared_identifiers(pairs: DataFrame) -> DataFrame:
    """Phones and emails on records of clearly different names, from `identifier_pairs`:
    identifier, value and the number of pairs the names kept apart."""
    return (
        pairs.where(~F.col("names_agree"))
        .groupBy("identifier", "value")
        .agg(F.count("*").alias("pairs_kept_apart"))
    )


def deterministic_links(pairs: DataFrame) -> DataFrame:
    """The links `identifier_pairs` makes: pairs whose names agree. A pair sharing both a
    phone and an email keeps the phone link.

    Returns:
        record_key_l (always the smaller key), record_key_r and identifier.
    """
    priority = F.array_position(
        F.array(*[F.lit(name) for name in IDENTIFIERS]), F.col("identifier")
    )
    preferred = Window.partitionBy("record_key_l", "record_key_r").orderBy(priority)
    return (
        pairs.where(F.col("names_agree"))
        .withColumn("rank", F.row_number().over(preferred))
        .where(F.col("rank") == 1)
        .select(*LINK_COLUMNS)
    )

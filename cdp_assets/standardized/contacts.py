"""The contacts table: every standardized record of every source, initials spelled out.

A run takes in only the days whose standardized records changed since the last run, read
from each source table's change feed. Those days' records replace the ones contacts held
for them, and the records sharing a phone or an email with them have their initials
worked out again, since a new spelling of a name can spell one out or make it ambiguous.
Without a usable change feed (the first run, or a lake made before contacts was kept this
way) the table is rebuilt from every source.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets import changes, lake
from cdp_assets.standardize import EXPANDED_FLAG, as_standardized, expand_initials_marked

logger = logging.getLogger(__name__)

CONSUMER = "contacts"
FULL = "full"
INCREMENTAL = "incremental"


@dataclass(frozen=True)
class ContactsUpdate:
    """What one run did to the contacts table."""

    mode: str
    days_taken_in: int
    inserted: int
    updated: int
    deleted: int


def _union(frames: list[DataFrame]) -> DataFrame:
    return reduce(DataFrame.unionByName, frames)


def rebuild_contacts(
    spark: SparkSession, inputs: dict[str, str], versions: dict[str, int], path: str
) -> ContactsUpdate:
    """Writes contacts from every record of `inputs` (source name to standardized table) as
    of `versions` (table to version)."""
    union = _union([lake.read_version(spark, table, versions[table]) for table in inputs.values()])
    contacts = expand_initials_marked(union)
    lake.overwrite(contacts, path, change_data_feed=True, deletion_vectors=True)
    lake.ensure_properties(spark, path, change_data_feed=True, deletion_vectors=True)
    rows = int(lake.latest_commit(spark, path)["operationMetrics"].get("numOutputRows", 0))
    return ContactsUpdate(FULL, 0, rows, 0, 0)


def changed_days(feed: changes.Feed) -> list[date] | None:
    """Days of a day-partitioned table the feed's commits touched; None when it cannot say."""
    if feed.unchanged:
        return []
    if not feed.complete:
        return None
    return sorted(row["day"] for row in feed.rows.select("day").distinct().collect())


def _all_days(spark: SparkSession, table: str, version: int) -> list[date]:
    days = lake.read_version(spark, table, version).select("day").distinct().collect()
    return sorted(row["day"] for row in days)


def _slice(days_by_source: dict[str, list[date]]) -> Column:
    conditions = [
        (F.col("source") == source) & F.col("day").isin(*days)
        for source, days in days_by_source.items()
        if days
    ]
    return reduce(lambda left, right: left | right, conditions, F.lit(False))


# Up to this many fresh records, their phones and emails are sent to every task of the
# scan over contacts instead of shuffling contacts to meet them. A checkpointed frame has
# no size Spark could judge that by, so it is decided here.
BROADCAST_RECORDS = 200_000


def _holders(contacts: DataFrame, records: DataFrame, broadcast: bool) -> DataFrame:
    """Contacts sharing a phone or an email with any of `records`."""
    by_identifier = []
    for identifier in ("phone", "email"):
        values = records.select(identifier).where(F.col(identifier).isNotNull()).distinct()
        if broadcast:
            values = F.broadcast(values)
        by_identifier.append(contacts.join(values, identifier, "left_semi"))
    return _union(by_identifier).dropDuplicates(["record_key"])


def refresh_contacts(
    spark: SparkSession,
    inputs: dict[str, str],
    versions: dict[str, int],
    days_by_source: dict[str, list[date]],
    path: str,
) -> ContactsUpdate:
    """Replaces the records of the changed days and re-expands the initials around them.

    Args:
        spark: The Spark session.
        inputs: Source name to its standardized table.
        versions: Each standardized table's version to read.
        days_by_source: The days whose records changed, per source.
        path: The contacts table.
    """
    current = lake.read_table(spark, path)
    columns = current.columns
    in_slice = _slice(days_by_source)
    fresh = _union(
        [
            lake.read_version(spark, inputs[source], versions[inputs[source]]).where(
                F.col("day").isin(*days)
            )
            for source, days in days_by_source.items()
            if days
        ]
    ).localCheckpoint()
    replaced = current.where(in_slice).select("record_key", "phone", "email").localCheckpoint()
    rest = current.where(~in_slice)
    small = fresh.count() + replaced.count() <= BROADCAST_RECORDS

    # Records whose initials may read differently now, and everything their expansion reads.
    fresh_identifiers = fresh.select("phone", "email")
    affected = _holders(rest, fresh_identifiers.unionByName(replaced.drop("record_key")), small)
    affected = affected.localCheckpoint()
    small = small and affected.count() <= BROADCAST_RECORDS
    around = _holders(
        rest, fresh_identifiers.unionByName(affected.select("phone", "email")), small
    ).localCheckpoint()
    recomputed = expand_initials_marked(
        as_standardized(around).unionByName(fresh, allowMissingColumns=False)
    )
    wanted_keys = fresh.select("record_key").unionByName(affected.select("record_key"))
    rows = recomputed.join(wanted_keys.distinct(), "record_key", "left_semi").select(*columns)

    gone = replaced.select("record_key").join(fresh.select("record_key"), "record_key", "left_anti")
    counts = lake.upsert(rows, gone, path, "record_key")
    days = sum(len(days) for days in days_by_source.values())
    return ContactsUpdate(
        INCREMENTAL,
        days,
        counts.get("num_inserted_rows", 0),
        counts.get("num_updated_rows", 0),
        counts.get("num_deleted_rows", 0),
    )


def update_contacts(spark: SparkSession, inputs: dict[str, str], path: str) -> ContactsUpdate:
    """Brings contacts up to date with `inputs` (source name to standardized table)."""
    feeds = changes.changes_since(spark, CONSUMER, list(inputs.values()))
    versions = changes.versions_of(feeds)
    usable = (
        lake.table_exists(spark, path) and EXPANDED_FLAG in lake.read_table(spark, path).columns
    )
    marked = any(feed.after_version is not None for feed in feeds.values())
    days_by_source = {}
    for source, table in inputs.items():
        feed = feeds[table]
        if feed.after_version is None and usable and marked:
            # A source seen for the first time brings all its days.
            days_by_source[source] = _all_days(spark, table, feed.version)
        else:
            days_by_source[source] = changed_days(feed)
    usable = usable and all(days is not None for days in days_by_source.values())
    if not usable:
        for table in inputs.values():
            lake.ensure_properties(spark, table, change_data_feed=True)
        # Switching a feed on is a commit of its own: take in the versions after it.
        versions = {table: changes.current_version(spark, table) for table in inputs.values()}
        update = rebuild_contacts(spark, inputs, versions, path)
    elif any(days_by_source.values()):
        update = refresh_contacts(spark, inputs, versions, days_by_source, path)
    else:
        update = ContactsUpdate(INCREMENTAL, 0, 0, 0, 0)
    changes.record_consumed(spark, CONSUMER, versions)
    logger.info(
        "contacts: %s, %d days taken in, %d inserted, %d updated, %d deleted",
        update.mode,
        update.days_taken_in,
        update.inserted,
        update.updated,
        update.deleted,
    )
    return update

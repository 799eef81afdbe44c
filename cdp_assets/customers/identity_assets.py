"""Identity resolution in the graph: which contacts are the same person."""

import json
import os

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets import changes, lake, settings
from cdp_assets.customers import tables
from cdp_assets.identity.customers import CUSTOMER_COLUMNS
from cdp_assets.identity.incremental import resolve_new_records
from cdp_assets.identity.policy import REVIEW
from cdp_assets.identity.resolve import Resolution, present_decisions, resolve
from cdp_assets.identity.review import (
    build_review_queue,
    latest_decisions,
    read_review_decisions,
)
from cdp_assets.standardized.assets import contacts_table_path

LARGEST_CUSTOMER_CHECK = "no_oversized_customer"
EVERY_CONTACT_CHECK = "every_contact_has_a_customer"


def max_customer_records() -> int:
    """More records than this in one customer means something merged strangers."""
    return int(os.environ.get("CDP_MAX_CUSTOMER_RECORDS", "50"))


FULL = "full"
INCREMENTAL = "incremental"
CONSUMER = "identity"

MERGES_SCHEMA = T.StructType(
    [
        T.StructField("from_customer_id", T.StringType()),
        T.StructField("into_customer_id", T.StringType()),
        T.StructField("merged_at", T.TimestampType()),
        T.StructField("reason", T.StringType()),
    ]
)


def identity_mode() -> str:
    """`incremental` resolves only records no customer holds yet; `full` resolves them all."""
    mode = os.environ.get("CDP_IDENTITY_MODE", INCREMENTAL)
    if mode not in (FULL, INCREMENTAL):
        raise ValueError(f"CDP_IDENTITY_MODE must be {FULL} or {INCREMENTAL}, not {mode!r}")
    return mode


def _checkpoint_dir(context) -> str:
    """Splink's scratch folder for one run, removed once the run has written its tables."""
    return lake.table_path("_checkpoints", "identity", context.run_id)


def _new_records(contacts: DataFrame, previous: DataFrame, feed: changes.Feed) -> DataFrame:
    """Contacts no customer holds yet, found through the contacts feed where it can say."""
    if feed.complete:
        if feed.unchanged:
            return contacts.limit(0)
        written = feed.rows.where(
            F.col(changes.CHANGE_TYPE).isin("insert", "update_postimage")
        ).select("record_key")
        contacts = contacts.join(F.broadcast(written.distinct()), "record_key", "left_semi")
        contacts = contacts.localCheckpoint()
        previous = previous.join(
            F.broadcast(contacts.select("record_key")), "record_key", "left_semi"
        )
    return contacts.join(previous.select("record_key"), "record_key", "left_anti")


def _resolve(context, spark, contacts, previous, decisions, feed):
    """Resolves the new records against the existing customers, or everything when needed.

    Returns:
        The resolution, its mode, and the new records (None after a full resolution).
    """
    checkpoint_dir = _checkpoint_dir(context)
    pairs_path = tables.path(tables.MATCH_PAIRS)
    if (
        previous is not None
        and identity_mode() == INCREMENTAL
        and lake.table_exists(spark, pairs_path)
    ):
        new = _new_records(contacts, previous, feed).localCheckpoint()
        if not new.isEmpty():
            existing = contacts.join(
                F.broadcast(new.select("record_key")), "record_key", "left_anti"
            )
            resolution = resolve_new_records(
                spark,
                new,
                existing,
                previous,
                previous_match_pairs=lake.read_table(spark, pairs_path),
                review_decisions=decisions,
                checkpoint_dir=checkpoint_dir,
            )
            if not resolution.stats.get("full_rebuild_needed"):
                return resolution, INCREMENTAL, new
            context.log.warning(
                "An identifier became a hub with the new records: rebuilding all customers"
            )
        elif feed.complete:
            return _nothing_new(spark, previous), INCREMENTAL, new
    resolution = resolve(
        spark,
        contacts,
        previous_customers=previous,
        review_decisions=decisions,
        checkpoint_dir=checkpoint_dir,
    )
    return resolution, FULL, None


def _nothing_new(spark, previous: DataFrame) -> Resolution:
    """A resolution of no new records: nothing to write but the unchanged tables."""
    empty_pairs = lake.read_table(spark, tables.path(tables.MATCH_PAIRS)).limit(0)
    empty_customers = previous.limit(0)
    empty_merges = spark.createDataFrame([], MERGES_SCHEMA)
    hubs = lake.read_table(spark, tables.path(tables.IDENTIFIER_HUBS)).limit(0)
    stats = {
        "records": 0,
        "identifier_hubs": 0,
        "shared_identifiers": 0,
        "links_by_rule": {},
        "comparisons_per_blocking_rule": {},
        "merges": 0,
        "seconds": 0.0,
    }
    return Resolution(
        match_pairs=empty_pairs,
        customers=previous,
        customer_merges=empty_merges,
        review_queue=lake.read_table(spark, tables.path(tables.REVIEW_QUEUE)).limit(0),
        identifier_hubs=hubs,
        stats=stats,
        changed_customers=empty_customers,
    )


def _merge_customers(changed: DataFrame, path: str) -> dict[str, int]:
    """Writes the re-clustered records' rows; every other row of the table stays as it is."""
    values = [column for column in CUSTOMER_COLUMNS if column != "record_key"]
    differs = " OR ".join(f"NOT (target.{column} <=> source.{column})" for column in values)
    return lake.merge(
        changed.select(*CUSTOMER_COLUMNS),
        path,
        "target.record_key = source.record_key",
        f"WHEN MATCHED AND ({differs}) THEN UPDATE SET *  WHEN NOT MATCHED THEN INSERT *",
    )


def _ends(pairs: DataFrame) -> DataFrame:
    return (
        pairs.select(F.col("record_key_l").alias("record_key"))
        .unionByName(pairs.select(F.col("record_key_r").alias("record_key")))
        .distinct()
    )


def _refreshed_review_queue(spark, changed_keys: DataFrame, contacts: DataFrame, decisions):
    """The open review queue after a batch: pairs of re-clustered records built again,
    every other open pair kept, and every pair decided since taken out."""
    keys = F.broadcast(changed_keys.select("record_key").distinct())
    pairs = lake.read_table(spark, tables.path(tables.MATCH_PAIRS)).where(
        F.col("decision") == REVIEW
    )
    touching = (
        pairs.join(keys.withColumnRenamed("record_key", "record_key_l"), "record_key_l", "semi")
        .unionByName(
            pairs.join(keys.withColumnRenamed("record_key", "record_key_r"), "record_key_r", "semi")
        )
        .distinct()
        .localCheckpoint()
    )
    ends = F.broadcast(_ends(touching).localCheckpoint())
    owners = lake.read_table(spark, tables.path(tables.CUSTOMERS)).join(ends, "record_key", "semi")
    records = contacts.join(ends, "record_key", "semi")
    rebuilt = build_review_queue(touching, owners, records, present_decisions(decisions, records))

    queue = lake.read_table(spark, tables.path(tables.REVIEW_QUEUE))
    kept = queue.join(
        keys.withColumnRenamed("record_key", "record_key_l"), "record_key_l", "left_anti"
    ).join(keys.withColumnRenamed("record_key", "record_key_r"), "record_key_r", "left_anti")
    if decisions is not None:
        decided = latest_decisions(decisions).select("record_key_l", "record_key_r")
        kept = kept.join(decided, ["record_key_l", "record_key_r"], "left_anti")
    return kept.unionByName(rebuilt.select(*queue.columns))


def _merged_hubs(spark, found: DataFrame) -> DataFrame:
    """Every hub known so far, with the batch's counts for the hubs it touched."""
    path = tables.path(tables.IDENTIFIER_HUBS)
    if not lake.table_exists(spark, path):
        return found
    earlier = lake.read_table(spark, path).join(found, ["identifier", "value"], "left_anti")
    return earlier.unionByName(found.select(*earlier.columns))


def _write_incremental(spark, resolution: Resolution, contacts, decisions) -> None:
    if not resolution.stats["records"]:
        return
    changed = resolution.changed_customers.localCheckpoint()
    resolution.customer_merges.write.format("delta").mode("append").save(
        tables.path(tables.CUSTOMER_MERGES)
    )
    resolution.match_pairs.write.format("delta").mode("append").save(
        tables.path(tables.MATCH_PAIRS)
    )
    customers_path = tables.path(tables.CUSTOMERS)
    # The golden tables follow the customers table through its change feed.
    lake.ensure_properties(spark, customers_path, change_data_feed=True, deletion_vectors=True)
    _merge_customers(changed, customers_path)
    # Both tables are read by what replaces them: pinned first, as Spark would otherwise
    # read them again after the overwrite began.
    queue = _refreshed_review_queue(spark, changed, contacts, decisions).localCheckpoint()
    lake.overwrite(queue, tables.path(tables.REVIEW_QUEUE))
    hubs = _merged_hubs(spark, resolution.identifier_hubs).localCheckpoint()
    lake.overwrite(hubs, tables.path(tables.IDENTIFIER_HUBS))


def _write_full(spark, resolution: Resolution, customers_path: str) -> None:
    # Customers and merges are computed from the previous customers table, and Spark
    # recomputes cached results when a table they read is overwritten: pin them first,
    # and replace the customers table last.
    customers = resolution.customers.localCheckpoint()
    merges = resolution.customer_merges.localCheckpoint()
    merges.write.format("delta").mode("append").save(tables.path(tables.CUSTOMER_MERGES))
    lake.overwrite(resolution.match_pairs, tables.path(tables.MATCH_PAIRS))
    lake.overwrite(resolution.review_queue.localCheckpoint(), tables.path(tables.REVIEW_QUEUE))
    lake.overwrite(resolution.identifier_hubs, tables.path(tables.IDENTIFIER_HUBS))
    lake.overwrite(customers, customers_path, change_data_feed=True, deletion_vectors=True)
    lake.ensure_properties(spark, customers_path, change_data_feed=True, deletion_vectors=True)


def _customer_checks(spark, resolution: Resolution, mode: str, contacts, new) -> dict:
    """Figures for the checks: over every customer after a full run, over the customers
    the batch re-clustered after an incremental one (no other customer changed)."""
    written = lake.read_table(spark, tables.path(tables.CUSTOMERS))
    if mode == FULL:
        scope = written
        unassigned = contacts.join(written, "record_key", "left_anti").count()
    else:
        scope = resolution.changed_customers
        unassigned = new.join(scope.select("record_key"), "record_key", "left_anti").count()
    sizes = scope.groupBy("customer_id").count()
    largest = sizes.agg(F.max("count")).first()[0] or 0
    duplicated = scope.groupBy("record_key").count().where(F.col("count") > 1).count()
    totals = written.agg(
        F.count("*").alias("records"), F.countDistinct("customer_id").alias("customers")
    ).first()
    return {
        "records": totals["records"],
        "customers": totals["customers"],
        "largest": largest,
        "unassigned": unassigned,
        "duplicated": duplicated,
    }


def _markdown_counts(counts: dict) -> dg.MetadataValue:
    rows = "\n".join(f"| {key} | {value} |" for key, value in counts.items())
    return dg.MetadataValue.md("| rule | count |\n| --- | --- |\n" + rows)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            tables.MATCH_PAIRS,
            deps=["contacts"],
            group_name="identity",
            kinds={"spark", "delta", "splink"},
            description="Every linked or scored pair, with each feature and why it merged.",
        ),
        dg.AssetSpec(
            tables.CUSTOMERS,
            deps=["contacts"],
            group_name="identity",
            kinds={"spark", "delta"},
            description="Each contact's customer id, link type and match confidence.",
        ),
        dg.AssetSpec(
            tables.CUSTOMER_MERGES,
            deps=["contacts"],
            group_name="identity",
            kinds={"spark", "delta"},
            description="Customers absorbed into older ones: from, into, when and why.",
        ),
        dg.AssetSpec(
            tables.REVIEW_QUEUE,
            deps=["contacts"],
            group_name="identity",
            kinds={"spark", "delta"},
            description="Pairs scoring between review and merge, side by side, undecided.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            LARGEST_CUSTOMER_CHECK,
            asset=tables.CUSTOMERS,
            description="No customer holds more records than the configured limit.",
        ),
        dg.AssetCheckSpec(
            EVERY_CONTACT_CHECK,
            asset=tables.CUSTOMERS,
            description="Every contact belongs to exactly one customer.",
        ),
    ],
)
def identity(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """Deterministic links, Splink's probabilistic links and stable customer ids."""
    spark = pyspark.spark_session
    contacts_path = contacts_table_path()
    contacts = lake.read_table(spark, contacts_path)
    customers_path = tables.path(tables.CUSTOMERS)
    previous = (
        lake.read_table(spark, customers_path) if lake.table_exists(spark, customers_path) else None
    )
    feed = changes.changes_since(spark, CONSUMER, [contacts_path])[contacts_path]
    decisions = read_review_decisions(spark)
    resolution, mode, new = _resolve(context, spark, contacts, previous, decisions, feed)

    if mode == INCREMENTAL:
        _write_incremental(spark, resolution, contacts, decisions)
    else:
        _write_full(spark, resolution, customers_path)
    changes.record_consumed(spark, CONSUMER, {contacts_path: feed.version})

    stats = resolution.stats
    figures = _customer_checks(spark, resolution, mode, contacts, new)
    records, customer_count = figures["records"], figures["customers"]
    largest, unassigned, duplicated = (
        figures["largest"],
        figures["unassigned"],
        figures["duplicated"],
    )
    open_pairs = lake.read_table(spark, tables.path(tables.REVIEW_QUEUE)).count()
    limit = max_customer_records()
    # Everything above that read Splink's intermediate tables has been written or counted.
    lake.remove_scratch(_checkpoint_dir(context))
    context.log.info(
        f"Resolved {records} records into {customer_count} customers ({mode}) "
        f"in {stats['seconds']} seconds"
    )
    yield dg.MaterializeResult(
        asset_key=tables.CUSTOMERS,
        metadata={
            "mode": mode,
            "records": records,
            "customers": customer_count,
            "duplicate_identities_resolved": records - customer_count,
            "largest_customer": largest,
            "customers_checked": "all" if mode == FULL else "re-clustered this run",
            "records_resolved_this_run": stats["records"],
            "identifier_hubs": stats["identifier_hubs"],
            "shared_identifiers": stats["shared_identifiers"],
            "match_profile": settings.match_profile(),
            "seconds": stats["seconds"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=tables.MATCH_PAIRS,
        metadata={
            "links_by_rule": _markdown_counts(stats["links_by_rule"]),
            "comparisons_per_blocking_rule": _markdown_counts(
                stats["comparisons_per_blocking_rule"]
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=tables.CUSTOMER_MERGES, metadata={"merges_this_run": stats["merges"]}
    )
    yield dg.MaterializeResult(asset_key=tables.REVIEW_QUEUE, metadata={"open_pairs": open_pairs})
    yield dg.AssetCheckResult(
        check_name=LARGEST_CUSTOMER_CHECK,
        asset_key=tables.CUSTOMERS,
        passed=largest <= limit,
        metadata={"largest_customer": largest, "limit": limit},
    )
    yield dg.AssetCheckResult(
        check_name=EVERY_CONTACT_CHECK,
        asset_key=tables.CUSTOMERS,
        passed=unassigned == 0 and duplicated == 0,
        metadata={
            "contacts_without_customer": unassigned,
            "contacts_in_two_customers": duplicated,
            "links_by_rule": json.dumps(stats["links_by_rule"]),
        },
    )

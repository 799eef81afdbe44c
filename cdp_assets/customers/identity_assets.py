"""Identity resolution in the graph: which contacts are the same person."""

import json
import os

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import functions as F

from cdp_assets import lake, settings
from cdp_assets.customers import tables
from cdp_assets.identity.incremental import resolve_new_records
from cdp_assets.identity.resolve import Resolution, present_decisions, resolve
from cdp_assets.identity.review import build_review_queue, read_review_decisions
from cdp_assets.standardized.assets import contacts_table_path

LARGEST_CUSTOMER_CHECK = "no_oversized_customer"
EVERY_CONTACT_CHECK = "every_contact_has_a_customer"


def max_customer_records() -> int:
    """More records than this in one customer means something merged strangers."""
    return int(os.environ.get("CDP_MAX_CUSTOMER_RECORDS", "50"))


FULL = "full"
INCREMENTAL = "incremental"


def identity_mode() -> str:
    """`incremental` resolves only records no customer holds yet; `full` resolves them all."""
    mode = os.environ.get("CDP_IDENTITY_MODE", INCREMENTAL)
    if mode not in (FULL, INCREMENTAL):
        raise ValueError(f"CDP_IDENTITY_MODE must be {FULL} or {INCREMENTAL}, not {mode!r}")
    return mode


def _checkpoint_dir(context) -> str:
    """Splink's scratch folder for one run, removed once the run has written its tables."""
    return lake.table_path("_checkpoints", "identity", context.run_id)


def _resolve(context, spark, contacts, previous, decisions) -> tuple[Resolution, str]:
    """Resolves the new records against the existing customers, or everything when needed."""
    checkpoint_dir = _checkpoint_dir(context)
    pairs_path = tables.path(tables.MATCH_PAIRS)
    if (
        previous is not None
        and identity_mode() == INCREMENTAL
        and lake.table_exists(spark, pairs_path)
    ):
        known = previous.select("record_key")
        new = contacts.join(known, "record_key", "left_anti")
        if not new.isEmpty():
            resolution = resolve_new_records(
                spark,
                new,
                contacts.join(known, "record_key", "left_semi"),
                previous,
                previous_match_pairs=lake.read_table(spark, pairs_path),
                review_decisions=decisions,
                checkpoint_dir=checkpoint_dir,
            )
            if not resolution.stats.get("full_rebuild_needed"):
                return resolution, INCREMENTAL
            context.log.warning(
                "An identifier became a hub with the new records: rebuilding all customers"
            )
    resolution = resolve(
        spark,
        contacts,
        previous_customers=previous,
        review_decisions=decisions,
        checkpoint_dir=checkpoint_dir,
    )
    return resolution, FULL


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
    contacts = lake.read_table(spark, contacts_table_path())
    customers_path = tables.path(tables.CUSTOMERS)
    previous = (
        lake.read_table(spark, customers_path) if lake.table_exists(spark, customers_path) else None
    )
    decisions = read_review_decisions(spark)
    resolution, mode = _resolve(context, spark, contacts, previous, decisions)

    # Customers and merges are computed from the previous customers table, and Spark
    # recomputes cached results when a table they read is overwritten: pin them first,
    # and replace the customers table last.
    customers = resolution.customers.localCheckpoint()
    merges = resolution.customer_merges.localCheckpoint()
    merges.write.format("delta").mode("append").save(tables.path(tables.CUSTOMER_MERGES))
    pairs_path = tables.path(tables.MATCH_PAIRS)
    if mode == INCREMENTAL:
        resolution.match_pairs.write.format("delta").mode("append").save(pairs_path)
    else:
        lake.overwrite(resolution.match_pairs, pairs_path)
    if mode == INCREMENTAL:
        # The run's own queue holds only pairs with a new record; the open queue is every
        # undecided pair not yet one customer.
        queue = build_review_queue(
            lake.read_table(spark, pairs_path),
            customers,
            contacts,
            present_decisions(decisions, contacts),
        )
    else:
        queue = resolution.review_queue
    queue = queue.localCheckpoint()
    lake.overwrite(queue, tables.path(tables.REVIEW_QUEUE))
    lake.overwrite(resolution.identifier_hubs, tables.path(tables.IDENTIFIER_HUBS))
    lake.overwrite(customers, customers_path)

    stats = resolution.stats
    written = lake.read_table(spark, customers_path)
    sizes = written.groupBy("customer_id").count()
    records = written.count()
    customer_count = sizes.count()
    largest = sizes.agg(F.max("count")).first()[0] or 0
    open_pairs = lake.read_table(spark, tables.path(tables.REVIEW_QUEUE)).count()
    unassigned = contacts.join(written, "record_key", "left_anti").count()
    duplicated = written.groupBy("record_key").count().where(F.col("count") > 1).count()
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

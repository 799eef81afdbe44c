"""Golden records and what hangs off them: lineage, suppression, journey and metrics."""

from datetime import UTC, datetime

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets import changes, lake
from cdp_assets.customers import tables
from cdp_assets.golden import (
    GOLDEN_COLUMNS,
    build_contact_sources,
    build_customer_events,
    build_golden_records,
    build_suppression_list,
    compute_metrics,
)
from cdp_assets.standardized.assets import contacts_table_path

GROUP = "golden"

FULL = "full"
INCREMENTAL = "incremental"
UNCHANGED = "unchanged"


def _read(spark: SparkSession, table: str) -> DataFrame:
    return lake.read_table(spark, tables.path(table))


# Past this share of a table's rows changing, rebuilding it whole is cheaper than a MERGE.
REBUILD_SHARE = 0.2


def merge_golden_records(
    spark: SparkSession, snapshot: DataFrame, path: str, scope: DataFrame | None = None
) -> dict[str, int]:
    """Brings the golden table to `snapshot` with one MERGE, touching only changed rows.

    Unchanged customers keep their rows, so the change data feed holds exactly the
    customers that were created, changed or merged away.

    Args:
        spark: The Spark session.
        snapshot: Golden records as they should now be.
        path: The golden records table.
        scope: When given (column customer_id), `snapshot` covers only these customers: a
            customer in scope without a snapshot row is deleted, and every customer out of
            scope is left alone. When omitted, the snapshot is the whole table.
    """
    if not lake.table_exists(spark, path):
        lake.overwrite(snapshot, path, change_data_feed=True, deletion_vectors=True)
        return {"inserted": snapshot.count(), "updated": 0, "deleted": 0}
    # With deletion vectors a MERGE marks the few changed rows instead of rewriting every
    # file that holds one; a table made without them gets them here.
    lake.ensure_properties(spark, path, change_data_feed=True, deletion_vectors=True)

    changed = " OR ".join(
        f"NOT (target.{column} <=> source.{column})"
        for column in GOLDEN_COLUMNS
        if column != "customer_id"
    )
    if scope is None:
        counts = lake.merge(
            snapshot,
            path,
            "target.customer_id = source.customer_id",
            f"WHEN MATCHED AND ({changed}) THEN UPDATE SET *"
            " WHEN NOT MATCHED THEN INSERT *"
            " WHEN NOT MATCHED BY SOURCE THEN DELETE",
        )
    else:
        gone = scope.select("customer_id").distinct().join(snapshot, "customer_id", "left_anti")
        counts = lake.upsert(snapshot.select(*GOLDEN_COLUMNS), gone, path, "customer_id")
    return {
        "inserted": counts.get("num_inserted_rows", 0),
        "updated": counts.get("num_updated_rows", 0),
        "deleted": counts.get("num_deleted_rows", 0),
    }


def _changed_keys(feeds: dict[str, changes.Feed], column: str) -> DataFrame | None:
    """Distinct non-null `column` values the feeds' rows hold, before and after each change;
    None when a feed cannot say."""
    if not all(feed.complete for feed in feeds.values()):
        return None
    frames = [
        feed.rows.select(column).where(F.col(column).isNotNull())
        for feed in feeds.values()
        if not feed.unchanged
    ]
    union = frames[0]
    for frame in frames[1:]:
        union = union.unionByName(frame)
    return union.distinct().localCheckpoint()


class _Scope:
    """The keys whose rows a table must rebuild this run, or None for the whole table."""

    def __init__(self, spark: SparkSession, consumer: str, inputs: list[str], key: str, target):
        self.feeds = changes.changes_since(spark, consumer, inputs)
        self.versions = changes.versions_of(self.feeds)
        self.key = key
        self.keys: DataFrame | None = None
        self.unchanged = False
        if not lake.table_exists(spark, target) or not all(
            feed.complete for feed in self.feeds.values()
        ):
            return
        if all(feed.unchanged for feed in self.feeds.values()):
            self.unchanged = True
            return
        keys = _changed_keys(self.feeds, key)
        rows = lake.read_table(spark, target).count()
        if keys is not None and keys.count() <= max(rows * REBUILD_SHARE, 1):
            self.keys = keys

    @property
    def mode(self) -> str:
        if self.unchanged:
            return UNCHANGED
        return FULL if self.keys is None else INCREMENTAL

    def only(self, frame: DataFrame) -> DataFrame:
        """`frame` restricted to the keys in scope (all of it for a full rebuild)."""
        if self.keys is None:
            return frame
        return frame.join(F.broadcast(self.keys), self.key, "left_semi")


@dg.asset(
    name=tables.CONTACT_SOURCES,
    deps=["contacts", tables.CUSTOMERS],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def contact_sources(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """Every source record with its customer, link type, confidence and field values."""
    spark = pyspark.spark_session
    path = tables.path(tables.CONTACT_SOURCES)
    contacts_path, customers_path = contacts_table_path(), tables.path(tables.CUSTOMERS)
    inputs = [contacts_path, customers_path]
    scope = _Scope(spark, tables.CONTACT_SOURCES, inputs, "record_key", path)
    contacts = lake.read_version(spark, contacts_path, scope.versions[contacts_path])
    customers = lake.read_version(spark, customers_path, scope.versions[customers_path])
    counts = {}
    if scope.mode == FULL:
        junction = build_contact_sources(contacts, customers)
        lake.overwrite(junction, path, change_data_feed=True, deletion_vectors=True)
        lake.ensure_properties(spark, path, change_data_feed=True, deletion_vectors=True)
    elif scope.mode == INCREMENTAL:
        records = scope.only(contacts).localCheckpoint()
        junction = build_contact_sources(records, scope.only(customers))
        gone = scope.keys.join(records.select("record_key"), "record_key", "left_anti")
        counts = lake.upsert(junction, gone, path, "record_key")
    changes.record_consumed(spark, tables.CONTACT_SOURCES, scope.versions)

    written = _read(spark, tables.CONTACT_SOURCES)
    totals = written.agg(
        F.count("*").alias("rows"),
        F.count_if(F.col("customer_id").isNull()).alias("unlinked"),
    ).first()
    context.log.info(f"contact_sources holds {totals['rows']} records ({scope.mode})")
    return dg.MaterializeResult(
        metadata={
            "rows": totals["rows"],
            "records_without_customer": totals["unlinked"],
            "mode": scope.mode,
            "rows_inserted": counts.get("num_inserted_rows", 0),
            "rows_updated": counts.get("num_updated_rows", 0),
            "rows_deleted": counts.get("num_deleted_rows", 0),
        }
    )


def _customer_scope(spark: SparkSession, consumer: str, input_path: str, target: str) -> _Scope:
    return _Scope(spark, consumer, [input_path], "customer_id", target)


@dg.asset(
    name=tables.GOLDEN_RECORDS,
    deps=[tables.CONTACT_SOURCES],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def golden_records(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """One row per customer: surviving field values, interests, consent, first and last seen."""
    spark = pyspark.spark_session
    path = tables.path(tables.GOLDEN_RECORDS)
    junction_path = tables.path(tables.CONTACT_SOURCES)
    scope = _customer_scope(spark, tables.GOLDEN_RECORDS, junction_path, path)
    changes_made = {"inserted": 0, "updated": 0, "deleted": 0}
    if scope.mode != UNCHANGED:
        junction = lake.read_version(spark, junction_path, scope.versions[junction_path])
        snapshot = build_golden_records(scope.only(junction))
        changes_made = merge_golden_records(spark, snapshot, path, scope.keys)
    changes.record_consumed(spark, tables.GOLDEN_RECORDS, scope.versions)

    written = _read(spark, tables.GOLDEN_RECORDS)
    totals = written.agg(
        F.count("*").alias("customers"), F.count_if(F.col("opted_out")).alias("opted_out")
    ).first()
    context.log.info(
        f"golden_records: {totals['customers']} customers ({scope.mode}), changes {changes_made}"
    )
    return dg.MaterializeResult(
        metadata={
            "customers": totals["customers"],
            "opted_out": totals["opted_out"],
            "mode": scope.mode,
            **{f"rows_{kind}": count for kind, count in changes_made.items()},
        }
    )


@dg.asset(
    name=tables.SUPPRESSION_LIST,
    deps=[tables.GOLDEN_RECORDS, tables.CONTACT_SOURCES],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def suppression_list(pyspark: PySparkResource):
    """Every phone and email of opted-out customers, for marketing to exclude."""
    spark = pyspark.spark_session
    path = tables.path(tables.SUPPRESSION_LIST)
    golden_path = tables.path(tables.GOLDEN_RECORDS)
    scope = _customer_scope(spark, tables.SUPPRESSION_LIST, golden_path, path)
    if scope.mode != UNCHANGED:
        golden = lake.read_version(spark, golden_path, scope.versions[golden_path])
        suppressed = build_suppression_list(
            scope.only(golden), scope.only(_read(spark, tables.CONTACT_SOURCES))
        )
        if scope.keys is None:
            lake.overwrite(suppressed, path)
        else:
            lake.replace_rows(suppressed, path, "customer_id", scope.keys)
    changes.record_consumed(spark, tables.SUPPRESSION_LIST, scope.versions)

    written = _read(spark, tables.SUPPRESSION_LIST)
    by_channel = {
        row["channel"]: row["count"] for row in written.groupBy("channel").count().collect()
    }
    return dg.MaterializeResult(
        metadata={
            "phones": by_channel.get("phone", 0),
            "emails": by_channel.get("email", 0),
            "mode": scope.mode,
        }
    )


@dg.asset(
    name=tables.CUSTOMER_EVENTS,
    deps=[tables.CONTACT_SOURCES],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def customer_events(pyspark: PySparkResource):
    """The journey: enquiries, site visits, calls, pricing talks and opt-outs, in order."""
    spark = pyspark.spark_session
    path = tables.path(tables.CUSTOMER_EVENTS)
    junction_path = tables.path(tables.CONTACT_SOURCES)
    scope = _customer_scope(spark, tables.CUSTOMER_EVENTS, junction_path, path)
    if scope.mode != UNCHANGED:
        junction = lake.read_version(spark, junction_path, scope.versions[junction_path])
        events = build_customer_events(scope.only(junction))
        if scope.keys is None:
            lake.overwrite(events, path, deletion_vectors=True)
            lake.ensure_properties(spark, path, deletion_vectors=True)
        else:
            lake.replace_rows(events, path, "customer_id", scope.keys)
    changes.record_consumed(spark, tables.CUSTOMER_EVENTS, scope.versions)

    written = _read(spark, tables.CUSTOMER_EVENTS)
    by_type = written.groupBy("event_type").count().orderBy("event_type").collect()
    return dg.MaterializeResult(
        metadata={
            "events": sum(row["count"] for row in by_type),
            "mode": scope.mode,
            **{f"events_{row['event_type']}": row["count"] for row in by_type},
        }
    )


def _weeks_of_data(contact_sources: DataFrame) -> float:
    first, last = contact_sources.agg(F.min("day"), F.max("day")).first()
    if first is None:
        return 1.0
    return max(((last - first).days + 1) / 7, 1.0)


@dg.asset(
    name=tables.CDP_METRICS,
    deps=[
        tables.CONTACT_SOURCES,
        tables.GOLDEN_RECORDS,
        tables.SUPPRESSION_LIST,
        tables.REVIEW_QUEUE,
    ],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def cdp_metrics(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """The case study's results table, measured on this platform's own tables."""
    spark = pyspark.spark_session
    junction = _read(spark, tables.CONTACT_SOURCES)
    metrics = compute_metrics(
        junction,
        _read(spark, tables.GOLDEN_RECORDS),
        _read(spark, tables.SUPPRESSION_LIST),
        review_queue_size=_read(spark, tables.REVIEW_QUEUE).count(),
        review_weeks=_weeks_of_data(junction),
    )
    # Every metric is a double, even one that is null this time (no review weeks yet).
    schema = ", ".join(["measured_at timestamp", *(f"{key} double" for key in metrics)])
    row = (datetime.now(UTC), *(_as_float(value) for value in metrics.values()))
    spark.createDataFrame([row], schema).write.format("delta").mode("append").option(
        "mergeSchema", "true"
    ).save(tables.path(tables.CDP_METRICS))
    context.log.info(f"cdp_metrics: {metrics}")
    return dg.MaterializeResult(
        metadata={key: value for key, value in metrics.items() if value is not None}
    )


def _as_float(value) -> float | None:
    return None if value is None else float(value)

"""Golden records and what hangs off them: lineage, suppression, journey and metrics."""

from datetime import UTC, datetime

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets import lake
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


def _read(spark: SparkSession, table: str) -> DataFrame:
    return lake.read_table(spark, tables.path(table))


def merge_golden_records(spark: SparkSession, snapshot: DataFrame, path: str) -> dict[str, int]:
    """Brings the golden table to `snapshot` with one MERGE, touching only changed rows.

    Unchanged customers keep their rows, so the change data feed holds exactly the
    customers that were created, changed or merged away.
    """
    if not lake.table_exists(spark, path):
        lake.overwrite(snapshot, path, change_data_feed=True)
        return {"inserted": snapshot.count(), "updated": 0, "deleted": 0}

    changed = " OR ".join(
        f"NOT (target.{column} <=> source.{column})"
        for column in GOLDEN_COLUMNS
        if column != "customer_id"
    )
    counts = lake.merge(
        snapshot,
        path,
        "target.customer_id = source.customer_id",
        f"WHEN MATCHED AND ({changed}) THEN UPDATE SET *"
        " WHEN NOT MATCHED THEN INSERT *"
        " WHEN NOT MATCHED BY SOURCE THEN DELETE",
    )
    return {
        "inserted": counts.get("num_inserted_rows", 0),
        "updated": counts.get("num_updated_rows", 0),
        "deleted": counts.get("num_deleted_rows", 0),
    }


@dg.asset(
    name=tables.CONTACT_SOURCES,
    deps=["contacts", tables.CUSTOMERS],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def contact_sources(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """Every source record with its customer, link type, confidence and field values."""
    spark = pyspark.spark_session
    contacts = lake.read_table(spark, contacts_table_path())
    junction = build_contact_sources(contacts, _read(spark, tables.CUSTOMERS))
    lake.overwrite(junction, tables.path(tables.CONTACT_SOURCES))
    written = _read(spark, tables.CONTACT_SOURCES)
    rows = written.count()
    unlinked = written.where(F.col("customer_id").isNull()).count()
    context.log.info(f"contact_sources holds {rows} records")
    return dg.MaterializeResult(metadata={"rows": rows, "records_without_customer": unlinked})


@dg.asset(
    name=tables.GOLDEN_RECORDS,
    deps=[tables.CONTACT_SOURCES],
    group_name=GROUP,
    kinds={"spark", "delta"},
)
def golden_records(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """One row per customer: surviving field values, interests, consent, first and last seen."""
    spark = pyspark.spark_session
    snapshot = build_golden_records(_read(spark, tables.CONTACT_SOURCES))
    changes = merge_golden_records(spark, snapshot, tables.path(tables.GOLDEN_RECORDS))
    written = _read(spark, tables.GOLDEN_RECORDS)
    customers = written.count()
    opted_out = written.where(F.col("opted_out")).count()
    context.log.info(f"golden_records: {customers} customers, changes {changes}")
    return dg.MaterializeResult(
        metadata={
            "customers": customers,
            "opted_out": opted_out,
            **{f"rows_{kind}": count for kind, count in changes.items()},
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
    suppressed = build_suppression_list(
        _read(spark, tables.GOLDEN_RECORDS), _read(spark, tables.CONTACT_SOURCES)
    )
    lake.overwrite(suppressed, tables.path(tables.SUPPRESSION_LIST))
    written = _read(spark, tables.SUPPRESSION_LIST)
    by_channel = {
        row["channel"]: row["count"] for row in written.groupBy("channel").count().collect()
    }
    return dg.MaterializeResult(
        metadata={
            "phones": by_channel.get("phone", 0),
            "emails": by_channel.get("email", 0),
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
    events = build_customer_events(_read(spark, tables.CONTACT_SOURCES))
    lake.overwrite(events, tables.path(tables.CUSTOMER_EVENTS))
    written = _read(spark, tables.CUSTOMER_EVENTS)
    by_type = written.groupBy("event_type").count().orderBy("event_type").collect()
    return dg.MaterializeResult(
        metadata={
            "events": sum(row["count"] for row in by_type),
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

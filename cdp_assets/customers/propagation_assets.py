"""Propagation in the graph: golden-record changes to the outbox, then to every webhook."""

import os
from datetime import UTC, datetime

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import SparkSession

from cdp_assets import lake
from cdp_assets.customers import tables
from cdp_assets.propagation import (
    append_to_outbox,
    deliver,
    events_from_change_feed,
    load_endpoints,
)

OUTBOX = "outbox"
WEBHOOK_DELIVERIES = "webhook_deliveries"
PROGRESS = "outbox_progress"
NO_DEAD_LETTERS_CHECK = "no_dead_letters"


def outbox_path() -> str:
    return tables.path(OUTBOX)


def delivery_state_path() -> str:
    return tables.path(WEBHOOK_DELIVERIES)


def _last_published_version(spark: SparkSession) -> int:
    """The last golden-records version whose changes are already in the outbox, or -1."""
    path = tables.path(PROGRESS)
    if not lake.table_exists(spark, path):
        return -1
    row = lake.read_table(spark, path).agg({"golden_version": "max"}).first()
    return -1 if row[0] is None else int(row[0])


def _record_published_version(spark: SparkSession, version: int, events: int) -> None:
    row = [(version, events, datetime.now(UTC))]
    frame = spark.createDataFrame(row, "golden_version long, events long, published_at timestamp")
    frame.write.format("delta").mode("append").save(tables.path(PROGRESS))


@dg.asset(
    name=OUTBOX,
    deps=[tables.GOLDEN_RECORDS, tables.CUSTOMER_MERGES],
    group_name="propagation",
    kinds={"spark", "delta"},
)
def outbox(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """Change events (created, updated, merged, opted out, re-consented), once each."""
    spark = pyspark.spark_session
    golden_path = tables.path(tables.GOLDEN_RECORDS)
    current = lake.latest_commit(spark, golden_path)["version"]
    start = _last_published_version(spark) + 1
    if start > current:
        context.log.info(f"No golden-record change since version {current}")
        return dg.MaterializeResult(metadata={"new_events": 0, "golden_version": current})

    merges_path = tables.path(tables.CUSTOMER_MERGES)
    merges = lake.read_table(spark, merges_path) if lake.table_exists(spark, merges_path) else None
    events = events_from_change_feed(spark, golden_path, start, current, merges)
    added = append_to_outbox(spark, events, outbox_path())
    _record_published_version(spark, current, added)

    by_type = {
        row["event_type"]: row["count"] for row in events.groupBy("event_type").count().collect()
    }
    context.log.info(f"Golden versions {start}..{current}: {added} new events")
    return dg.MaterializeResult(
        metadata={
            "new_events": added,
            "golden_versions": f"{start}..{current}",
            **{f"events_{kind.replace('customer.', '')}": n for kind, n in by_type.items()},
        }
    )


NEXT_RETRY_AT = "next_retry_at"


def max_delivery_attempts() -> int:
    return int(os.environ.get("CDP_WEBHOOK_MAX_ATTEMPTS", "8"))


@dg.asset(
    name=WEBHOOK_DELIVERIES,
    deps=[OUTBOX],
    group_name="propagation",
    kinds={"spark", "delta"},
    check_specs=[
        dg.AssetCheckSpec(
            NO_DEAD_LETTERS_CHECK,
            asset=WEBHOOK_DELIVERIES,
            description="No event has given up on an endpoint; replay with `cdp webhooks replay`.",
        )
    ],
)
def webhook_deliveries(context: dg.AssetExecutionContext, pyspark: PySparkResource):
    """Every outbox event posted, signed, to every configured webhook; state per endpoint."""
    spark = pyspark.spark_session
    endpoints = load_endpoints()
    if not endpoints:
        context.log.info("No webhook endpoint configured (CDP_WEBHOOKS); nothing to deliver")
    report = deliver(
        spark,
        outbox_path(),
        delivery_state_path(),
        endpoints,
        max_attempts=max_delivery_attempts(),
        base_delay_seconds=float(os.environ.get("CDP_WEBHOOK_BASE_DELAY_SECONDS", "30")),
    )
    metadata = {"endpoints": len(endpoints), **report.as_metadata()}
    if report.next_retry_at is not None:
        # What the retry sensor reads, so it starts Spark only when a retry is due.
        metadata[NEXT_RETRY_AT] = dg.MetadataValue.timestamp(report.next_retry_at / 1_000_000)
    context.log.info(f"Webhook delivery: {metadata}")
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name=NO_DEAD_LETTERS_CHECK,
        passed=report.dead_letters == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"dead_letters": report.dead_letters},
    )

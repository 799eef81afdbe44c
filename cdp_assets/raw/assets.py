"""One bronze asset per source, `raw_<source>`, partitioned by day."""

import os
from datetime import date

import dagster as dg
from dagster_pyspark import PySparkResource
from pyspark.sql import functions as F

from cdp_assets import lake
from cdp_assets.landing import LandingZone
from cdp_assets.partitions import daily_partitions
from cdp_assets.raw.ingest import IngestReport, ingest, raw_table_path
from cdp_assets.sources import SOURCES, Source

QUARANTINE_RATE_CHECK = "quarantine_rate_below_limit"
UNIQUE_IDS_CHECK = "record_ids_unique"


def max_quarantine_rate() -> float:
    """Share of rejected rows above which a source's partition is flagged."""
    return float(os.environ.get("CDP_MAX_QUARANTINE_RATE", "0.01"))


def partition_days(context: dg.AssetExecutionContext) -> tuple[date, date]:
    keys = context.partition_key_range
    return date.fromisoformat(keys.start), date.fromisoformat(keys.end)


def _duplicate_ids(spark, source: Source, first: date, last: date) -> int:
    rows = lake.read_table(spark, raw_table_path(source.name)).where(
        lake.day_range_predicate("day", first, last)
    )
    return rows.groupBy("record_id").count().where(F.col("count") > 1).count()


def _metadata(report: IngestReport) -> dict:
    reasons = "\n".join(f"| {reason} | {count} |" for reason, count in report.reasons.most_common())
    return {
        "rows_written": dg.MetadataValue.int(report.rows),
        "rows_quarantined": dg.MetadataValue.int(report.quarantined),
        "files_read": dg.MetadataValue.int(len(report.files)),
        "quarantine_rate": dg.MetadataValue.float(round(report.quarantine_rate, 6)),
        "quarantine_reasons": dg.MetadataValue.md(
            "| reason | rows |\n| --- | --- |\n" + reasons if reasons else "none"
        ),
        "seconds": dg.MetadataValue.float(round(report.seconds, 2)),
        "table_path": dg.MetadataValue.path(raw_table_path(report.source)),
    }


def build_raw_asset(source: Source) -> dg.AssetsDefinition:
    """The bronze asset of one source: its day's landing files, parsed, in Delta."""

    @dg.asset(
        name=source.raw_asset_name,
        group_name="raw",
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"spark", "delta"},
        description=f"Leads from {source.title} as delivered, one row per record, by day.",
        metadata={"source": source.name, "table_path": raw_table_path(source.name)},
        check_specs=[
            dg.AssetCheckSpec(
                QUARANTINE_RATE_CHECK,
                asset=source.raw_asset_name,
                description="Rejected rows stay under the allowed share of the partition.",
            ),
            dg.AssetCheckSpec(
                UNIQUE_IDS_CHECK,
                asset=source.raw_asset_name,
                description="No record id appears twice in the partition.",
            ),
        ],
    )
    def raw_source(
        context: dg.AssetExecutionContext,
        pyspark: PySparkResource,
        landing_zone: LandingZone,
    ) -> dg.MaterializeResult:
        first, last = partition_days(context)
        context.log.info(f"Ingesting {source.title} for {first}..{last}")
        spark = pyspark.spark_session
        report = ingest(spark, source, landing_zone, first, last)
        duplicates = _duplicate_ids(spark, source, first, last)
        limit = max_quarantine_rate()
        return dg.MaterializeResult(
            metadata=_metadata(report),
            check_results=[
                dg.AssetCheckResult(
                    check_name=QUARANTINE_RATE_CHECK,
                    passed=report.quarantine_rate <= limit,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "quarantine_rate": report.quarantine_rate,
                        "limit": limit,
                    },
                ),
                dg.AssetCheckResult(
                    check_name=UNIQUE_IDS_CHECK,
                    passed=duplicates == 0,
                    metadata={"duplicate_record_ids": duplicates},
                ),
            ],
        )

    return raw_source


raw_assets = [build_raw_asset(source) for source in SOURCES]

"""Standardized contacts: one asset per source in one schema, and `contacts`, all of them."""

import os

import dagster as dg
from dagster_pyspark import PySparkResource

from cdp_assets import lake
from cdp_assets.partitions import daily_partitions
from cdp_assets.raw.assets import partition_days
from cdp_assets.raw.ingest import raw_table_path
from cdp_assets.sources import SOURCES, Source
from cdp_assets.standardize import standardization_stats, standardize_contacts
from cdp_assets.standardized.contacts import update_contacts

VALID_PHONE_CHECK = "valid_phone_share"
RECORD_KEYS_CHECK = "record_keys_present"


def standardized_table_path(source_name: str) -> str:
    return lake.table_path("standardized", source_name)


def contacts_table_path() -> str:
    return lake.table_path("contacts")


def min_valid_phone_share() -> float:
    """Share of records that must carry a usable phone; below it the source looks broken."""
    return float(os.environ.get("CDP_MIN_VALID_PHONE_SHARE", "0.5"))


def build_standardized_asset(source: Source) -> dg.AssetsDefinition:
    """Standardized records of one source, partitioned by day like its raw asset."""
    name = f"standardized_{source.name}"

    @dg.asset(
        name=name,
        group_name="standardized",
        deps=[dg.AssetKey(source.raw_asset_name)],
        partitions_def=daily_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"spark", "delta"},
        description=f"{source.title} leads in the common contact schema, by day.",
        metadata={"table_path": standardized_table_path(source.name)},
        check_specs=[
            dg.AssetCheckSpec(
                VALID_PHONE_CHECK,
                asset=name,
                description="Enough records carry a phone that normalizes to E.164.",
            ),
            dg.AssetCheckSpec(
                RECORD_KEYS_CHECK, asset=name, description="Every record has a record key."
            ),
        ],
    )
    def standardized(
        context: dg.AssetExecutionContext, pyspark: PySparkResource
    ) -> dg.MaterializeResult:
        first, last = partition_days(context)
        spark = pyspark.spark_session
        days = lake.day_range_predicate("day", first, last)
        raw = lake.read_table(spark, raw_table_path(source.name)).where(days)

        path = standardized_table_path(source.name)
        lake.replace_where(standardize_contacts(raw), path, days, change_data_feed=True)

        written = lake.read_table(spark, path).where(days)
        stats = standardization_stats(written)
        valid_share = stats["phones_valid"] / stats["rows"] if stats["rows"] else 1.0
        context.log.info(f"Standardized {stats['rows']} {source.title} records, {first}..{last}")
        return dg.MaterializeResult(
            metadata={
                **{key: dg.MetadataValue.int(value) for key, value in stats.items()},
                "placeholders_removed": dg.MetadataValue.int(
                    stats["phones_placeholder"] + stats["emails_placeholder"]
                ),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=VALID_PHONE_CHECK,
                    passed=valid_share >= min_valid_phone_share(),
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"valid_phone_share": round(valid_share, 4)},
                ),
                dg.AssetCheckResult(
                    check_name=RECORD_KEYS_CHECK,
                    passed=stats["record_keys_empty"] == 0,
                    metadata={"empty_record_keys": stats["record_keys_empty"]},
                ),
            ],
        )

    return standardized


standardized_assets = [build_standardized_asset(source) for source in SOURCES]


@dg.asset(
    group_name="standardized",
    deps=[asset.key for asset in standardized_assets],
    kinds={"spark", "delta"},
    metadata={"table_path": contacts_table_path()},
)
def contacts(context: dg.AssetExecutionContext, pyspark: PySparkResource) -> dg.MaterializeResult:
    """Every standardized record of every source, initials expanded: what identity reads.

    Only the days whose standardized records changed since the last run are taken in.
    """
    spark = pyspark.spark_session
    inputs = {
        source.name: standardized_table_path(source.name)
        for source in SOURCES
        if lake.table_exists(spark, standardized_table_path(source.name))
    }
    if not inputs:
        raise RuntimeError("No standardized source table exists yet: materialize them first")
    update = update_contacts(spark, inputs, contacts_table_path())

    written = lake.read_table(spark, contacts_table_path())
    by_source = written.groupBy("source").count().orderBy("source").collect()
    rows = sum(row["count"] for row in by_source)
    context.log.info(
        f"contacts holds {rows} records from {len(by_source)} sources ({update.mode}:"
        f" {update.days_taken_in} changed days, {update.inserted} inserted,"
        f" {update.updated} updated, {update.deleted} deleted)"
    )
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(rows),
            "mode": update.mode,
            "days_taken_in": dg.MetadataValue.int(update.days_taken_in),
            "rows_inserted": dg.MetadataValue.int(update.inserted),
            "rows_updated": dg.MetadataValue.int(update.updated),
            "rows_deleted": dg.MetadataValue.int(update.deleted),
            "rows_by_source": dg.MetadataValue.md(
                "| source | rows |\n| --- | --- |\n"
                + "\n".join(f"| {row['source']} | {row['count']} |" for row in by_source)
            ),
        }
    )

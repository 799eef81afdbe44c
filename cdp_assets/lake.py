"""Delta tables of the lake: where each lives and how a run writes its slice of it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from cdp_assets import settings


def table_path(*parts: str) -> str:
    """Location of a Delta table under the lake root, e.g. `table_path("raw", "99acres")`."""
    return "/".join([settings.lake_root().rstrip("/"), *parts])


def table_exists(spark: SparkSession, path: str) -> bool:
    from delta.tables import DeltaTable

    return DeltaTable.isDeltaTable(spark, path)


def read_table(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.format("delta").load(path)


def day_range_predicate(column: str, first: date, last: date) -> str:
    """SQL predicate selecting the days `first..last` of a day-partitioned table."""
    return f"{column} >= DATE'{first.isoformat()}' AND {column} <= DATE'{last.isoformat()}'"


def replace_where(
    df: DataFrame,
    path: str,
    predicate: str,
    partition_by: list[str],
    change_data_feed: bool = False,
) -> None:
    """Replaces exactly the rows matching `predicate` with `df`, creating the table if needed.

    Every row of `df` must match the predicate; Delta refuses the write otherwise, so a run
    can never spill outside the slice it owns. Rerunning the same slice leaves the same rows.
    """
    writer = df.write.format("delta").mode("overwrite").option("replaceWhere", predicate)
    if not table_exists(df.sparkSession, path):
        writer = writer.partitionBy(*partition_by)
        if change_data_feed:
            writer = writer.option("delta.enableChangeDataFeed", "true")
    writer.save(path)


def overwrite(df: DataFrame, path: str, change_data_feed: bool = False) -> None:
    """Replaces a whole (unpartitioned) table with `df`, keeping its history."""
    writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    if change_data_feed:
        writer = writer.option("delta.enableChangeDataFeed", "true")
    writer.save(path)


def remove_scratch(path: str) -> bool:
    """Deletes a scratch folder under a local lake root; returns whether it did.

    Folders on object storage (`abfss://`, `s3a://`) are left to the storage's lifecycle
    rules: the driver has no file system client for them.
    """
    if "://" in path and not path.startswith("file://"):
        return False
    folder = Path(path.removeprefix("file://"))
    if not folder.exists():
        return False
    shutil.rmtree(folder)
    return True

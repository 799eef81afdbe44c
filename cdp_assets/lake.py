"""Delta tables of the lake: where each lives and how a run writes its slice of it."""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets import settings


def table_path(*parts: str) -> str:
    """Location of a Delta table under the lake root, e.g. `table_path("raw", "99acres")`."""
    return "/".join([settings.lake_root().rstrip("/"), *parts])


# Tables are read and changed through the DataFrame API and Delta's SQL, never through
# `delta.tables.DeltaTable`: over Spark Connect that API needs a plugin on the server.


def delta_ref(path: str) -> str:
    """The SQL name of the Delta table at `path`."""
    return "delta.`" + path.replace("`", "``") + "`"


def table_exists(spark: SparkSession, path: str) -> bool:
    try:
        spark.read.format("delta").load(path).schema  # noqa: B018 - resolving is the check
    except AnalysisException:
        return False
    return True


def create_if_missing(spark: SparkSession, path: str, schema: T.StructType) -> None:
    """Creates an empty Delta table with `schema` at `path` unless one is there."""
    columns = ", ".join(
        f"`{field.name}` {field.dataType.simpleString()}{'' if field.nullable else ' NOT NULL'}"
        for field in schema.fields
    )
    spark.sql(f"CREATE TABLE IF NOT EXISTS {delta_ref(path)} ({columns}) USING delta")


def latest_commit(spark: SparkSession, path: str) -> dict:
    """The table's last commit: version, operation, operationMetrics and the rest."""
    return spark.sql(f"DESCRIBE HISTORY {delta_ref(path)} LIMIT 1").first().asDict()


def merge(source: DataFrame, path: str, condition: str, clauses: str) -> dict[str, int]:
    """Runs `MERGE INTO` the table at `path` (alias `target`) from `source` (alias `source`).

    Args:
        source: The rows to merge.
        path: The target Delta table.
        condition: The ON condition, e.g. `target.id = source.id`.
        clauses: The WHEN clauses, e.g. `WHEN NOT MATCHED THEN INSERT *`.

    Returns:
        Delta's counts: num_affected_rows, num_updated_rows, num_deleted_rows and
        num_inserted_rows.
    """
    spark = source.sparkSession
    view = f"merge_source_{uuid.uuid4().hex}"
    source.createOrReplaceTempView(view)
    try:
        row = spark.sql(
            f"MERGE INTO {delta_ref(path)} AS target USING {view} AS source"
            f" ON {condition} {clauses}"
        ).first()
    finally:
        spark.catalog.dropTempView(view)
    return {key: int(value or 0) for key, value in (row.asDict() if row else {}).items()}


def read_table(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.format("delta").load(path)


def day_range_predicate(column: str, first: date, last: date) -> str:
    """SQL predicate selecting the days `first..last` of a day-partitioned table."""
    return f"{column} >= DATE'{first.isoformat()}' AND {column} <= DATE'{last.isoformat()}'"


def _table_properties(change_data_feed: bool, deletion_vectors: bool) -> dict[str, str]:
    properties = {}
    if change_data_feed:
        properties["delta.enableChangeDataFeed"] = "true"
    if deletion_vectors:
        # A MERGE touching a few rows then marks them deleted instead of rewriting the
        # files that hold them.
        properties["delta.enableDeletionVectors"] = "true"
    return properties


def replace_where(
    df: DataFrame,
    path: str,
    predicate: str,
    partition_by: tuple[str, ...] = (),
    change_data_feed: bool = False,
) -> None:
    """Replaces exactly the rows matching `predicate` with `df`, creating the table if needed.

    Every row of `df` must match the predicate; Delta refuses the write otherwise, so a run
    can never spill outside the slice it owns. Rerunning the same slice leaves the same rows.
    The predicate need not name partition columns: Delta finds the files holding matching
    rows from their column statistics, so a table written a day at a time and read by day
    needs no directory per day. `partition_by` applies only when the write creates the table.
    """
    writer = df.write.format("delta").mode("overwrite").option("replaceWhere", predicate)
    if not table_exists(df.sparkSession, path):
        if partition_by:
            writer = writer.partitionBy(*partition_by)
        for key, value in _table_properties(change_data_feed, False).items():
            writer = writer.option(key, value)
    writer.save(path)


def delete_where(spark: SparkSession, path: str, predicate: str) -> None:
    """Deletes the rows matching `predicate`; a delete that matches no file writes nothing.

    For a slice with no new rows this does what `replace_where` with an empty DataFrame
    does, without writing an empty commit when the slice was empty already.
    """
    spark.sql(f"DELETE FROM {delta_ref(path)} WHERE {predicate}")


def overwrite(
    df: DataFrame, path: str, change_data_feed: bool = False, deletion_vectors: bool = False
) -> None:
    """Replaces a whole (unpartitioned) table with `df`, keeping its history.

    The properties are set when the write creates the table; an existing table keeps its
    own.
    """
    writer = df.write.format("delta").mode("overwrite").option("overwriteSchema", "true")
    for key, value in _table_properties(change_data_feed, deletion_vectors).items():
        writer = writer.option(key, value)
    writer.save(path)


def ensure_properties(
    spark: SparkSession, path: str, change_data_feed: bool = False, deletion_vectors: bool = False
) -> None:
    """Sets the properties an existing table made before it was kept incrementally lacks."""
    wanted = _table_properties(change_data_feed, deletion_vectors)
    present = {
        row["key"]: row["value"]
        for row in spark.sql(f"SHOW TBLPROPERTIES {delta_ref(path)}").collect()
    }
    missing = {key: value for key, value in wanted.items() if present.get(key) != value}
    if missing:
        assignments = ", ".join(f"{key} = {value}" for key, value in missing.items())
        spark.sql(f"ALTER TABLE {delta_ref(path)} SET TBLPROPERTIES ({assignments})")


def read_version(spark: SparkSession, path: str, version: int) -> DataFrame:
    return spark.read.format("delta").option("versionAsOf", version).load(path)


def upsert(rows: DataFrame, gone: DataFrame, path: str, key: str) -> dict[str, int]:
    """Brings the rows of some keys of a table to `rows` with one MERGE.

    Args:
        rows: The rows as they should now be, at most one per `key`; a row equal to the
            table's is left alone, so the change feed shows only real changes.
        gone: Keys (column `key`) whose rows are to be deleted.
        path: An existing Delta table with the columns of `rows`.
        key: The column identifying a row.

    Returns:
        Delta's counts: num_inserted_rows, num_updated_rows, num_deleted_rows and the rest.
    """
    columns = rows.columns
    flag = "_cdp_deleted"
    deletions = gone.select(
        *[
            F.col(column)
            if column == key
            else F.lit(None).cast(rows.schema[column].dataType).alias(column)
            for column in columns
        ]
    )
    source = rows.withColumn(flag, F.lit(False)).unionByName(
        deletions.withColumn(flag, F.lit(True))
    )
    values = [column for column in columns if column != key]
    differs = " OR ".join(f"NOT (target.`{column}` <=> source.`{column}`)" for column in values)
    return merge(
        source,
        path,
        f"target.`{key}` = source.`{key}`",
        f"WHEN MATCHED AND source.{flag} THEN DELETE"
        f" WHEN MATCHED AND NOT source.{flag} AND ({differs}) THEN UPDATE SET "
        + ", ".join(f"`{column}` = source.`{column}`" for column in values)
        + f" WHEN NOT MATCHED AND NOT source.{flag} THEN INSERT ("
        + ", ".join(f"`{column}`" for column in columns)
        + ") VALUES ("
        + ", ".join(f"source.`{column}`" for column in columns)
        + ")",
    )


def replace_rows(df: DataFrame, path: str, key: str, keys: DataFrame) -> dict[str, int]:
    """Replaces every row whose `key` is among `keys` with the rows of `df`.

    Two commits: the rows of those keys are deleted, then `df` is appended. A run that
    stops between them leaves the keys without rows until the next run writes them again.

    Args:
        df: The new rows; each one's `key` must be among `keys`.
        path: An existing Delta table.
        key: The column naming what the rows belong to, e.g. `customer_id`.
        keys: The keys being replaced, column `key`; the distinct values are used.

    Returns:
        deleted and inserted row counts.
    """
    deleted = merge(
        keys.select(key).distinct(),
        path,
        f"target.`{key}` = source.`{key}`",
        "WHEN MATCHED THEN DELETE",
    ).get("num_deleted_rows", 0)
    df.write.format("delta").mode("append").save(path)
    inserted = int(latest_commit(df.sparkSession, path)["operationMetrics"]["numOutputRows"])
    return {"deleted": deleted, "inserted": inserted}


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

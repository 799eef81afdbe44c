"""Resolve one CSV or Parquet file of contacts into customer ids, without a lake."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from cdp_assets.identity.policy import MatchPolicy
from cdp_assets.identity.resolve import resolve
from cdp_assets.standardize import standardize_contacts

logger = logging.getLogger(__name__)

FILE_COLUMNS = (
    "record_id",
    "source",
    "name",
    "phone",
    "email",
    "city",
    "locality",
    "project",
    "event_ts",
)

REVIEW_FILE_FIELDS = ("name", "phone", "email", "source", "event_ts", "interests")


class ContactFileError(ValueError):
    """A contacts file that cannot be resolved at all; the message says why."""


@dataclass(frozen=True)
class RejectedRow:
    """A row left out of resolution: its line in the file (a row number for Parquet)."""

    line: int
    reason: str


@dataclass
class FileResolution:
    """What `resolve_file` wrote and what it had to leave out."""

    output_path: Path
    review_path: Path
    records: int
    customers: int
    review_pairs: int
    rejected: list[RejectedRow] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def _file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise ContactFileError(f"{path.name}: expected a .csv or .parquet file")


def _read_rows(spark: SparkSession, path: Path) -> DataFrame:
    """The file's rows as strings, each with the line it came from."""
    if _file_format(path) == "csv":
        frame = spark.read.option("header", True).option("inferSchema", False).csv(str(path))
        # Line 1 is the header, and without multi-line values each row is one line.
        first_line = 2
    else:
        frame = spark.read.parquet(str(path))
        first_line = 1

    missing = [column for column in FILE_COLUMNS if column not in frame.columns]
    if missing:
        raise ContactFileError(f"{path.name} lacks the columns: {', '.join(missing)}")

    # Rows keep the file's order in the ids, partition after partition; numbering them in
    # one window is fine for the one file this command reads.
    ordered = frame.withColumn("_position", F.monotonically_increasing_id())
    return ordered.select(
        *[F.col(column).cast("string") for column in FILE_COLUMNS],
        (F.row_number().over(Window.orderBy("_position")) + first_line - 1)
        .cast("long")
        .alias("line"),
    )


def _blank(column: str) -> F.Column:
    return F.coalesce(F.trim(F.col(column)) == "", F.lit(True))


def _with_rejection_reasons(rows: DataFrame) -> DataFrame:
    """Adds the parsed event_time, and why a row cannot be resolved (null when it can)."""
    event_ts = F.expr("try_cast(trim(event_ts) AS timestamp)")
    return rows.withColumn("event_time", event_ts).withColumn(
        "reason",
        F.when(_blank("record_id"), F.lit("empty record_id"))
        .when(_blank("source"), F.lit("empty source"))
        .when(F.col("event_time").isNull(), F.lit("event_ts is not an ISO 8601 timestamp")),
    )


def _raw_contacts(parsed: DataFrame) -> DataFrame:
    """Parsed rows in the shape `standardize_contacts` takes."""
    return parsed.select(
        F.trim("source").alias("source"),
        F.trim("record_id").alias("record_id"),
        "event_time",
        "name",
        "phone",
        "email",
        "city",
        "locality",
        "project",
        F.lit("enquiry").alias("event_type"),
        F.lit(None).cast("boolean").alias("opt_out"),
        F.to_date("event_time").alias("day"),
    )


def _write(frame: DataFrame, path: Path) -> None:
    table = frame.toPandas()
    path.parent.mkdir(parents=True, exist_ok=True)
    if _file_format(path) == "csv":
        table.to_csv(path, index=False)
    else:
        table.to_parquet(path, index=False)


def _review_rows(review_queue: DataFrame) -> DataFrame:
    """Review pairs flattened so a CSV can hold them: interests joined with `;`."""
    columns = [
        "pair_id",
        F.col("record_key_l").alias("record_id_l"),
        F.col("record_key_r").alias("record_id_r"),
        "score",
    ]
    for name in REVIEW_FILE_FIELDS:
        for side in ("l", "r"):
            column = F.col(f"{name}_{side}")
            if name == "interests":
                column = F.array_join(column, ";")
            columns.append(column.alias(f"{name}_{side}"))
    return review_queue.select(*columns).orderBy(F.desc("score"), "pair_id")


def review_path_for(output_path: Path) -> Path:
    """Where the review pairs go by default: beside the output, `_review` added to its name."""
    return output_path.with_name(f"{output_path.stem}_review{output_path.suffix}")


def resolve_file(
    spark: SparkSession,
    input_path: str | Path,
    output_path: str | Path,
    review_path: str | Path | None = None,
    policy: MatchPolicy | None = None,
) -> FileResolution:
    """Standardizes and resolves one file of contacts, writing customer ids and review pairs.

    The output holds `record_id` (as `<source>:<record_id>`, unique across sources),
    `customer_id` and `match_confidence`, in CSV or Parquet after its extension. Rows with
    an empty record_id or source or an unreadable event_ts are left out and reported with
    their line.

    Args:
        spark: The SparkSession to run on.
        input_path: A .csv (with a header) or .parquet file with `FILE_COLUMNS`.
        output_path: Where the customer ids go (.csv or .parquet).
        review_path: Where the review pairs go; beside the output by default.
        policy: The match policy; the project's by default.

    Raises:
        ContactFileError: The file is missing, has another extension or lacks columns.
    """
    input_path, output_path = Path(input_path), Path(output_path)
    review_path = Path(review_path) if review_path else review_path_for(output_path)
    _file_format(output_path)
    _file_format(review_path)
    if not input_path.exists():
        raise ContactFileError(f"{input_path}: no such file")

    rows = _with_rejection_reasons(_read_rows(spark, input_path)).persist()
    rejected = [
        RejectedRow(line=row["line"], reason=row["reason"])
        for row in rows.where(F.col("reason").isNotNull()).orderBy("line").collect()
    ]
    if rejected:
        logger.warning("Left out %d unreadable rows of %s", len(rejected), input_path.name)

    # Resolution reads the contacts many times; standardize them once, not at every read.
    contacts = standardize_contacts(
        _raw_contacts(rows.where(F.col("reason").isNull()))
    ).localCheckpoint()
    with tempfile.TemporaryDirectory(prefix="cdp-identity-") as checkpoints:
        resolution = resolve(spark, contacts, policy=policy, checkpoint_dir=checkpoints)
        _write(
            resolution.customers.select(
                F.col("record_key").alias("record_id"), "customer_id", "match_confidence"
            ).orderBy("record_id"),
            output_path,
        )
        _write(_review_rows(resolution.review_queue), review_path)
        stats = resolution.stats
    rows.unpersist()

    return FileResolution(
        output_path=output_path,
        review_path=review_path,
        records=stats["records"],
        customers=stats["customers"],
        review_pairs=stats["review_queue"],
        rejected=rejected,
        stats=stats,
    )

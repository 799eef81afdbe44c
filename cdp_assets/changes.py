"""Which commits of its inputs an incrementally kept table has taken in, and what changed since.

A table kept up to date incrementally (contacts, customers, contact_sources and the golden
tables) reads its inputs' Delta change data feed from the commit after the last one it
consumed. Marks are appended to one small Delta table at the lake root; the latest mark per
consumer and input counts. A consumer that writes its table and fails before recording the
mark reads the same changes again on its next run. Every consumer recomputes the rows those
changes touch from its inputs as they now are, so reading a change twice changes nothing.

When an input's feed cannot answer (no mark yet, the feed was switched on later, or the
commits were vacuumed) the consumer rebuilds its table whole, as on a first run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from cdp_assets import lake

logger = logging.getLogger(__name__)

MARKS_TABLE = "_consumed_versions"

MARKS_SCHEMA = T.StructType(
    [
        T.StructField("consumer", T.StringType(), nullable=False),
        T.StructField("input_path", T.StringType(), nullable=False),
        T.StructField("version", T.LongType(), nullable=False),
        T.StructField("recorded_at", T.TimestampType()),
    ]
)

CHANGE_TYPE = "_change_type"
CHANGE_VERSION = "_commit_version"


def marks_path() -> str:
    return lake.table_path(MARKS_TABLE)


def consumed_versions(spark: SparkSession, consumer: str) -> dict[str, int]:
    """The last version of each input that `consumer` recorded as taken in."""
    path = marks_path()
    if not lake.table_exists(spark, path):
        return {}
    rows = (
        lake.read_table(spark, path)
        .where(F.col("consumer") == consumer)
        .groupBy("input_path")
        .agg(F.max_by("version", "recorded_at").alias("version"))
        .collect()
    )
    return {row["input_path"]: int(row["version"]) for row in rows}


def record_consumed(spark: SparkSession, consumer: str, versions: dict[str, int]) -> None:
    """Records that `consumer` has taken in `versions` (input path to version) of its inputs."""
    if not versions:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [(consumer, path, int(version), now) for path, version in versions.items()]
    spark.createDataFrame(rows, MARKS_SCHEMA).write.format("delta").mode("append").save(
        marks_path()
    )


def current_version(spark: SparkSession, path: str) -> int:
    return int(lake.latest_commit(spark, path)["version"])


@dataclass(frozen=True)
class Feed:
    """An input's changes between the version a consumer took in and the current one."""

    path: str
    after_version: int | None
    version: int
    rows: DataFrame | None

    @property
    def complete(self) -> bool:
        """Whether the rows cover every commit since the mark (false means: rebuild)."""
        return self.after_version is not None and (
            self.rows is not None or self.after_version >= self.version
        )

    @property
    def unchanged(self) -> bool:
        return self.after_version is not None and self.after_version >= self.version


def _feed_rows(spark: SparkSession, path: str, first: int, last: int) -> DataFrame | None:
    reader = (
        spark.read.format("delta")
        .option("readChangeFeed", "true")
        .option("startingVersion", first)
        .option("endingVersion", last)
    )
    try:
        rows = reader.load(path)
        rows.schema  # noqa: B018 - resolving is when Delta checks the range
    except AnalysisException as error:
        logger.info("No change feed for %s %d..%d: %s", path, first, last, error)
        return None
    return rows


def changes_since(spark: SparkSession, consumer: str, paths: list[str]) -> dict[str, Feed]:
    """Each input's changes since `consumer` last took it in.

    Returns:
        A `Feed` per path: `rows` are the change data feed rows (with `_change_type` and
        `_commit_version`) of the commits after the mark up to `version`; None where the
        feed cannot cover them.
    """
    marks = consumed_versions(spark, consumer)
    feeds = {}
    for path in paths:
        version = current_version(spark, path)
        after = marks.get(path)
        rows = None
        if after is not None and after < version:
            rows = _feed_rows(spark, path, after + 1, version)
        feeds[path] = Feed(path=path, after_version=after, version=version, rows=rows)
    return feeds


def versions_of(feeds: dict[str, Feed]) -> dict[str, int]:
    return {path: feed.version for path, feed in feeds.items()}

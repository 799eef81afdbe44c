"""The review queue of pairs the policy leaves to a person, and the decisions taken on it.

Decisions are appended to a Delta table and never edited; the latest decision on a pair
counts. An accepted pair joins its two customers on the next resolution, a rejected one
never links them through that pair again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from cdp_assets import lake, settings
from cdp_assets.identity.policy import REVIEW
from cdp_assets.identity.probabilistic import FEATURE_COLUMNS

logger = logging.getLogger(__name__)

ACCEPT = "accept"
REJECT = "reject"

# What a reviewer supplies; the stored table adds the pair_id in front.
DECISION_FIELDS_SCHEMA = (
    "record_key_l string, record_key_r string, decision string,"
    " decided_by string, decided_at timestamp, note string"
)

# Fields shown side by side so a reviewer can judge the pair without another lookup.
RECORD_FIELDS = ("name", "phone", "email", "source", "event_ts", "interests")


class UnknownReviewPair(LookupError):
    """No pair with the given id is waiting in the review queue."""


def pair_id(record_key_l: Column, record_key_r: Column) -> Column:
    """A short stable id for a pair of records, the handle reviewers type."""
    return F.substring(F.sha2(F.concat_ws("|", record_key_l, record_key_r), 256), 1, 12)


def review_queue_path(lake_root: str | None = None) -> str:
    """The review_queue Delta table, beside the other identity tables at the lake root."""
    return f"{(lake_root or settings.lake_root()).rstrip('/')}/review_queue"


def review_decisions_path(lake_root: str | None = None) -> str:
    """The review_decisions Delta table at the lake root."""
    return f"{(lake_root or settings.lake_root()).rstrip('/')}/review_decisions"


def latest_decisions(decisions: DataFrame) -> DataFrame:
    """The most recent decision on each pair, oriented so record_key_l < record_key_r."""
    oriented = decisions.select(
        F.least("record_key_l", "record_key_r").alias("record_key_l"),
        F.greatest("record_key_l", "record_key_r").alias("record_key_r"),
        "decision",
        "decided_by",
        "decided_at",
        "note",
    )
    newest_first = Window.partitionBy("record_key_l", "record_key_r").orderBy(F.desc("decided_at"))
    return (
        oriented.withColumn("rank", F.row_number().over(newest_first))
        .where(F.col("rank") == 1)
        .drop("rank")
    )


def build_review_queue(
    match_pairs: DataFrame,
    customers: DataFrame,
    contacts: DataFrame,
    decisions: DataFrame | None = None,
) -> DataFrame:
    """Undecided review pairs whose records still belong to two customers.

    Each row holds the pair's score and feature breakdown, both customers, and both
    records' `RECORD_FIELDS` as `<field>_l` / `<field>_r`.
    """
    pairs = match_pairs.where(F.col("decision") == REVIEW)
    if decisions is not None:
        pairs = pairs.join(
            latest_decisions(decisions).select("record_key_l", "record_key_r"),
            on=["record_key_l", "record_key_r"],
            how="left_anti",
        )

    queue = pairs.select("pair_id", "record_key_l", "record_key_r", "score", *FEATURE_COLUMNS)
    for side in ("l", "r"):
        record = contacts.select(
            F.col("record_key").alias(f"record_key_{side}"),
            *[F.col(field).alias(f"{field}_{side}") for field in RECORD_FIELDS],
        )
        owner = customers.select(
            F.col("record_key").alias(f"record_key_{side}"),
            F.col("customer_id").alias(f"customer_id_{side}"),
        )
        queue = queue.join(record, f"record_key_{side}").join(owner, f"record_key_{side}")

    side_by_side = [f"{field}_{side}" for field in RECORD_FIELDS for side in ("l", "r")]
    return queue.where(F.col("customer_id_l") != F.col("customer_id_r")).select(
        "pair_id",
        "record_key_l",
        "record_key_r",
        "score",
        "customer_id_l",
        "customer_id_r",
        *side_by_side,
        *FEATURE_COLUMNS,
    )


def read_review_decisions(spark: SparkSession, path: str | None = None) -> DataFrame | None:
    """Every decision taken so far, or None when nobody has decided anything yet."""
    path = path or review_decisions_path()
    if not lake.table_exists(spark, path):
        return None
    return spark.read.format("delta").load(path)


def list_review_queue(spark: SparkSession, limit: int = 50, path: str | None = None) -> list[dict]:
    """The highest-scoring pairs waiting for review, as plain dicts."""
    queue = spark.read.format("delta").load(path or review_queue_path())
    rows = queue.orderBy(F.desc("score"), "pair_id").limit(limit).collect()
    return [row.asDict(recursive=True) for row in rows]


def show_review_pair(spark: SparkSession, review_pair_id: str, path: str | None = None) -> dict:
    """One pair of the review queue with both records and the feature breakdown."""
    queue = spark.read.format("delta").load(path or review_queue_path())
    rows = queue.where(F.col("pair_id") == review_pair_id).limit(1).collect()
    if not rows:
        raise UnknownReviewPair(f"No pair {review_pair_id!r} is waiting for review")
    return rows[0].asDict(recursive=True)


def record_decision(
    spark: SparkSession,
    record_key_l: str,
    record_key_r: str,
    decision: str,
    decided_by: str,
    note: str = "",
    path: str | None = None,
    decided_at: datetime | None = None,
) -> dict:
    """Appends one decision on a pair of records to the review_decisions Delta table.

    Returns:
        The stored decision.
    """
    if decision not in (ACCEPT, REJECT):
        raise ValueError(f"A decision is {ACCEPT!r} or {REJECT!r}, not {decision!r}")
    if not decided_by:
        raise ValueError("A decision needs the name of who took it")

    left, right = sorted((record_key_l, record_key_r))
    stored = {
        "record_key_l": left,
        "record_key_r": right,
        "decision": decision,
        "decided_by": decided_by,
        "decided_at": decided_at or datetime.now(UTC).replace(tzinfo=None),
        "note": note,
    }
    row = spark.createDataFrame([stored], DECISION_FIELDS_SCHEMA)
    row = row.select(pair_id(F.col("record_key_l"), F.col("record_key_r")).alias("pair_id"), "*")
    row.write.format("delta").mode("append").save(path or review_decisions_path())
    logger.info("Recorded a %s decision on one review pair", decision)
    return row.first().asDict()


def _decide(
    spark: SparkSession,
    review_pair_id: str,
    decision: str,
    decided_by: str,
    note: str,
    queue_path: str | None,
    decisions_path: str | None,
) -> dict:
    pair = show_review_pair(spark, review_pair_id, queue_path)
    return record_decision(
        spark,
        pair["record_key_l"],
        pair["record_key_r"],
        decision,
        decided_by,
        note,
        path=decisions_path,
    )


def accept_review_pair(
    spark: SparkSession,
    review_pair_id: str,
    decided_by: str,
    note: str = "",
    queue_path: str | None = None,
    decisions_path: str | None = None,
) -> dict:
    """Accepts a queued pair: its two customers merge on the next resolution."""
    return _decide(spark, review_pair_id, ACCEPT, decided_by, note, queue_path, decisions_path)


def reject_review_pair(
    spark: SparkSession,
    review_pair_id: str,
    decided_by: str,
    note: str = "",
    queue_path: str | None = None,
    decisions_path: str | None = None,
) -> dict:
    """Rejects a queued pair: the two records are never merged through this pair."""
    return _decide(spark, review_pair_id, REJECT, decided_by, note, queue_path, decisions_path)

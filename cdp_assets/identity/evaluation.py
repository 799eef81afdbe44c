"""Pairwise precision and recall of customers against known true people."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def _pairs_within(groups: DataFrame, *keys: str) -> int:
    """Sum of n * (n - 1) / 2 over groups: the record pairs they hold, never enumerated."""
    sizes = groups.groupBy(*keys).count()
    total = sizes.agg(F.sum(F.col("count") * (F.col("count") - 1) / 2)).first()[0]
    return int(total or 0)


def evaluate(truth: DataFrame, clusters: DataFrame) -> dict:
    """Scores clusters against the true people behind each record.

    A pair of records counts as found when both share a customer, and as true when both
    belong to one person. Records missing from `clusters` are left out and counted.

    Args:
        truth: source, source_record_id and person_id per record.
        clusters: record_id (`<source>:<source_record_id>`) and customer_id.

    Returns:
        precision, recall and f1 over record pairs, true_pairs, predicted_pairs,
        correct_pairs, over_merged_clusters (customers holding more than one person),
        split_people (people spread over more than one customer), largest_cluster,
        records and unclustered_records.
    """
    labelled = truth.select(
        F.concat_ws(":", "source", "source_record_id").alias("record_id"), "person_id"
    )
    joined = labelled.join(clusters.select("record_id", "customer_id"), "record_id")

    correct = _pairs_within(joined, "customer_id", "person_id")
    predicted = _pairs_within(joined, "customer_id")
    true = _pairs_within(joined, "person_id")
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    per_customer = joined.groupBy("customer_id").agg(
        F.count("*").alias("size"), F.countDistinct("person_id").alias("people")
    )
    customer_summary = per_customer.agg(
        F.max("size").alias("largest"),
        F.sum(F.when(F.col("people") > 1, 1).otherwise(0)).alias("over_merged"),
    ).first()
    split_people = (
        joined.groupBy("person_id")
        .agg(F.countDistinct("customer_id").alias("customers"))
        .where(F.col("customers") > 1)
        .count()
    )
    records = joined.count()

    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true,
        "predicted_pairs": predicted,
        "correct_pairs": correct,
        "over_merged_clusters": int(customer_summary["over_merged"] or 0),
        "split_people": split_people,
        "largest_cluster": int(customer_summary["largest"] or 0),
        "records": records,
        "unclustered_records": labelled.count() - records,
    }

"""Pairwise precision and recall against known people."""

from __future__ import annotations

import pytest

from cdp_assets.identity.evaluation import evaluate


@pytest.fixture
def truth(spark):
    # Person p1 has three records, p2 two, p3 one.
    return spark.createDataFrame(
        [
            ("99acres", "1", "p1"),
            ("99acres", "2", "p1"),
            ("housing", "3", "p1"),
            ("housing", "4", "p2"),
            ("website", "5", "p2"),
            ("website", "6", "p3"),
        ],
        "source string, source_record_id string, person_id string",
    )


def test_evaluate_counts_pairs_per_cluster_exactly(spark, truth):
    # c1 misses p1's third record, c2 wrongly joins it with p2 and p3.
    clusters = spark.createDataFrame(
        [
            ("99acres:1", "c1"),
            ("99acres:2", "c1"),
            ("housing:3", "c2"),
            ("housing:4", "c2"),
            ("website:5", "c2"),
            ("website:6", "c2"),
        ],
        "record_id string, customer_id string",
    )

    scores = evaluate(truth, clusters)

    # Predicted pairs: 1 (c1) + 6 (c2); correct: 1 (p1 in c1) + 1 (p2 in c2); true: 3 + 1.
    assert scores["predicted_pairs"] == 7
    assert scores["correct_pairs"] == 2
    assert scores["true_pairs"] == 4
    assert scores["precision"] == pytest.approx(2 / 7)
    assert scores["recall"] == pytest.approx(2 / 4)
    assert scores["f1"] == pytest.approx(2 * (2 / 7) * (1 / 2) / (2 / 7 + 1 / 2))
    assert scores["over_merged_clusters"] == 1
    assert scores["split_people"] == 1
    assert scores["largest_cluster"] == 4


def test_perfect_clusters_score_one(spark, truth):
    clusters = spark.createDataFrame(
        [
            ("99acres:1", "a"),
            ("99acres:2", "a"),
            ("housing:3", "a"),
            ("housing:4", "b"),
            ("website:5", "b"),
        ],
        "record_id string, customer_id string",
    )

    scores = evaluate(truth, clusters)

    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 1.0, 1.0)
    assert scores["over_merged_clusters"] == 0
    assert scores["unclustered_records"] == 1

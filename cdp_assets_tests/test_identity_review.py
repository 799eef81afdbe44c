"""Review decisions stored in Delta, and the queue functions the command line calls."""

from __future__ import annotations

from datetime import datetime

import pytest

from cdp_assets.identity.review import (
    ACCEPT,
    REJECT,
    UnknownReviewPair,
    accept_review_pair,
    latest_decisions,
    list_review_queue,
    read_review_decisions,
    record_decision,
    reject_review_pair,
    review_queue_path,
    show_review_pair,
)


@pytest.fixture
def queue(spark, lake_root):
    rows = [
        ("p-low", "99acres:d1", "housing:d2", 0.70, "karan mehta", "karan m"),
        ("p-high", "website:e1", "website:e2", 0.80, "lata rao", "lata rao"),
    ]
    frame = spark.createDataFrame(
        rows,
        "pair_id string, record_key_l string, record_key_r string, score double,"
        " name_l string, name_r string",
    )
    frame.write.format("delta").save(review_queue_path())
    return rows


def test_no_decisions_yet_reads_as_none(spark, lake_root):
    assert read_review_decisions(spark) is None


def test_latest_decision_on_a_pair_counts(spark, lake_root):
    record_decision(spark, "b:2", "a:1", ACCEPT, "asha", decided_at=datetime(2026, 11, 1, 10, 0))
    record_decision(
        spark, "a:1", "b:2", REJECT, "ravi", "different people", decided_at=datetime(2026, 11, 2)
    )

    stored = read_review_decisions(spark)
    latest = latest_decisions(stored).collect()

    assert stored.count() == 2
    assert [(row["record_key_l"], row["record_key_r"], row["decision"]) for row in latest] == [
        ("a:1", "b:2", REJECT)
    ]
    assert latest[0]["decided_by"] == "ravi"


def test_decision_other_than_accept_or_reject_is_refused(spark, lake_root):
    with pytest.raises(ValueError, match="accept"):
        record_decision(spark, "a:1", "b:2", "maybe", "asha")


def test_queue_lists_highest_scores_first(spark, queue):
    listed = list_review_queue(spark)

    assert [row["pair_id"] for row in listed] == ["p-high", "p-low"]


def test_accepting_a_queued_pair_stores_its_records(spark, queue):
    stored = accept_review_pair(spark, "p-low", "asha", "same buyer")

    assert (stored["record_key_l"], stored["record_key_r"]) == ("99acres:d1", "housing:d2")
    assert stored["decision"] == ACCEPT
    assert read_review_decisions(spark).count() == 1


def test_rejecting_a_queued_pair_stores_a_rejection(spark, queue):
    reject_review_pair(spark, "p-high", "ravi")

    (row,) = read_review_decisions(spark).collect()
    assert (row["record_key_l"], row["decision"], row["decided_by"]) == (
        "website:e1",
        REJECT,
        "ravi",
    )


def test_unknown_pair_id_is_refused(spark, queue):
    with pytest.raises(UnknownReviewPair):
        show_review_pair(spark, "p-missing")

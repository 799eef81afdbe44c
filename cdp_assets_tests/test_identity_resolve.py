"""Resolution of one small scenario holding every kind of link the policy knows, under the
exhaustive profile: the design's policy to the letter."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import functions as F

from cdp_assets.identity import MatchPolicy, resolve
from cdp_assets.identity.contacts import contacts_frame
from cdp_assets.identity.review import ACCEPT, REJECT

from resolution_rows import match_pair

POLICY = MatchPolicy.exhaustive()
FIRST_RUN = datetime(2026, 11, 2, 6, 0)
SECOND_RUN = datetime(2026, 11, 3, 6, 0)

SCENARIO = [
    # One buyer on two portals with the same mobile.
    {"record_key": "99acres:a1", "name": "rahul sharma", "phone": "+919876543210"},
    {
        "record_key": "magicbricks:a2",
        "name": "rahul s",
        "phone": "+919876543210",
        "event_ts": datetime(2026, 11, 5, 9, 0),
    },
    # One buyer with the same email and two different phones.
    {
        "record_key": "website:b1",
        "name": "priya nair",
        "email": "priya.nair@gmail.com",
        "phone": "+919811111111",
    },
    {
        "record_key": "housing:b2",
        "name": "priya nair",
        "email": "priya.nair@gmail.com",
        "phone": "+919822222222",
    },
    # A slip in the leading digits, same form, same evening, same interests.
    {
        "record_key": "website:c1",
        "name": "anita desai",
        "phone": "+919833445566",
        "project": "lodha park",
        "locality": "worli",
    },
    {
        "record_key": "website:c2",
        "name": "anita desai",
        "phone": "+918833445566",
        "project": "lodha park",
        "locality": "worli",
        "event_ts": datetime(2026, 11, 1, 20, 0),
    },
    # The same slip across two portals: without the same-source feature it scores 0.80.
    {
        "record_key": "99acres:d1",
        "name": "karan mehta",
        "phone": "+919844556677",
        "project": "godrej hills",
        "locality": "kharghar",
    },
    {
        "record_key": "housing:d2",
        "name": "karan mehta",
        "phone": "+917844556677",
        "project": "godrej hills",
        "locality": "kharghar",
    },
    # Two enquiries on one portal an afternoon apart, from two different mobiles.
    {
        "record_key": "housing:g1",
        "name": "sunita rao",
        "phone": "+919855667788",
        "project": "hiranandani estate",
        "locality": "thane west",
        "event_ts": datetime(2026, 11, 1, 13, 0),
    },
    {
        "record_key": "housing:g2",
        "name": "sunita rao",
        "phone": "+919866112233",
        "project": "hiranandani estate",
        "locality": "thane west",
        "event_ts": datetime(2026, 11, 1, 18, 0),
    },
    # An agent's own number typed into seven strangers' referrals.
    *[
        {
            "record_key": f"referral:h{index}",
            "name": f"{first} {last}",
            "phone": "+919800000001",
            "event_ts": datetime(2026, 11, 1 + index, 11, 0),
        }
        for index, (first, last) in enumerate(
            [
                ("amit", "verma"),
                ("sneha", "kulkarni"),
                ("rohit", "bora"),
                ("meera", "iyer"),
                ("farhan", "khan"),
                ("divya", "menon"),
                ("sanjay", "patil"),
            ]
        )
    ],
]


@pytest.fixture(scope="module")
def contacts(spark):
    return contacts_frame(spark, SCENARIO)


@pytest.fixture(scope="module")
def first_run(spark, contacts, tmp_path_factory):
    checkpoints = tmp_path_factory.mktemp("checkpoints")
    return resolve(spark, contacts, policy=POLICY, checkpoint_dir=checkpoints, run_at=FIRST_RUN)


@pytest.fixture(scope="module")
def customer_of(first_run):
    rows = first_run.customers.collect()
    return {row["record_key"]: row for row in rows}


def test_same_phone_is_one_customer_with_full_confidence(customer_of):
    first, second = customer_of["99acres:a1"], customer_of["magicbricks:a2"]

    assert first["customer_id"] == second["customer_id"]
    assert first["match_confidence"] == second["match_confidence"] == 1.0
    assert first["link_type"] == second["link_type"] == "deterministic_phone"


def test_same_email_is_one_customer_with_full_confidence(customer_of):
    first, second = customer_of["website:b1"], customer_of["housing:b2"]

    assert first["customer_id"] == second["customer_id"]
    assert first["match_confidence"] == second["match_confidence"] == 1.0
    assert first["link_type"] == second["link_type"] == "deterministic_email"


def test_deterministic_link_is_recorded_with_its_identifier(first_run):
    pair = match_pair(first_run, "website:b1", "housing:b2")

    assert pair["deterministic"] is True
    assert pair["deterministic_identifier"] == "email"
    assert pair["score"] == 1.0
    assert pair["decision"] == "merge"


def test_agent_hub_phone_does_not_merge_strangers(customer_of):
    hub_customers = {customer_of[f"referral:h{index}"]["customer_id"] for index in range(7)}

    assert len(hub_customers) == 7
    assert {customer_of[f"referral:h{index}"]["link_type"] for index in range(7)} == {"singleton"}


def test_agent_hub_phone_is_reported(first_run):
    hubs = first_run.identifier_hubs.collect()

    assert [(hub["identifier"], hub["value"], hub["records"]) for hub in hubs] == [
        ("phone", "+919800000001", 7)
    ]
    assert first_run.stats["identifier_hubs"] == 1


def test_leading_digit_slip_from_one_form_auto_merges(first_run, customer_of):
    pair = match_pair(first_run, "website:c1", "website:c2")

    assert pair["decision"] == "merge"
    assert pair["score"] >= POLICY.merge_threshold
    assert customer_of["website:c1"]["customer_id"] == customer_of["website:c2"]["customer_id"]
    assert customer_of["website:c2"]["link_type"] == "probabilistic"
    assert customer_of["website:c2"]["match_confidence"] == pytest.approx(pair["score"])


def test_pair_between_review_and_merge_waits_in_review_queue(first_run, customer_of):
    pair = match_pair(first_run, "99acres:d1", "housing:d2")
    queued = {row["pair_id"]: row for row in first_run.review_queue.collect()}

    assert POLICY.review_threshold <= pair["score"] < POLICY.merge_threshold
    assert pair["decision"] == "review"
    assert customer_of["99acres:d1"]["customer_id"] != customer_of["housing:d2"]["customer_id"]
    assert pair["pair_id"] in queued
    assert queued[pair["pair_id"]]["name_l"] == "karan mehta"
    assert queued[pair["pair_id"]]["source_r"] == "housing"
    assert queued[pair["pair_id"]]["phone_last7_contribution"] == POLICY.phone_last7_weight


def test_same_source_pair_without_shared_digits_is_found_and_reviewed(first_run, customer_of):
    pair = match_pair(first_run, "housing:g1", "housing:g2")

    assert pair["blocking_rule"] == "same_source_window"
    assert pair["phone_last7_match"] == 0.0
    assert pair["score"] == pytest.approx(0.75)
    assert pair["decision"] == "review"
    assert customer_of["housing:g1"]["customer_id"] != customer_of["housing:g2"]["customer_id"]


def test_policy_score_is_the_weighted_sum_of_features(first_run):
    pairs = first_run.match_pairs.where(~F.col("deterministic")).collect()

    assert pairs
    for pair in pairs:
        weighted = (
            POLICY.name_weight * pair["name_similarity"]
            + POLICY.interest_weight * pair["interest_overlap"]
            + POLICY.phone_last7_weight * pair["phone_last7_match"]
            + POLICY.same_source_weight * pair["same_source_window"]
        )
        assert pair["score"] == pytest.approx(weighted, abs=1e-6)


def test_splink_match_weight_tracks_the_policy_score(first_run):
    pairs = first_run.match_pairs.where(~F.col("deterministic")).collect()

    for pair in pairs:
        banded_score = pair["match_weight"] / POLICY.splink_scale + POLICY.merge_threshold
        assert banded_score <= pair["score"] + 1e-6
        assert banded_score >= pair["score"] - POLICY.max_band_error - 1e-6


def test_comparisons_are_counted_per_blocking_rule(first_run):
    assert first_run.stats["comparisons_per_blocking_rule"] == {
        "phone_last7": 2,
        "same_source_window": 1,
    }


def test_rerun_on_the_same_data_keeps_every_customer_id(spark, contacts, first_run, tmp_path):
    rerun = resolve(
        spark,
        contacts,
        previous_customers=first_run.customers,
        policy=POLICY,
        checkpoint_dir=tmp_path,
        run_at=SECOND_RUN,
    )

    before = {row["record_key"]: row["customer_id"] for row in first_run.customers.collect()}
    after = {row["record_key"]: row["customer_id"] for row in rerun.customers.collect()}
    assert after == before
    assert rerun.customer_merges.count() == 0


def test_accepted_pair_merges_and_rejected_pair_splits_on_next_run(
    spark, contacts, first_run, customer_of, tmp_path
):
    decisions = spark.createDataFrame(
        [
            ("99acres:d1", "housing:d2", ACCEPT, "asha", SECOND_RUN, "same buyer, called back"),
            ("website:c1", "website:c2", REJECT, "asha", SECOND_RUN, "mother and daughter"),
        ],
        "record_key_l string, record_key_r string, decision string, decided_by string,"
        " decided_at timestamp, note string",
    )

    decided = resolve(
        spark,
        contacts,
        previous_customers=first_run.customers,
        review_decisions=decisions,
        policy=POLICY,
        checkpoint_dir=tmp_path,
        run_at=SECOND_RUN,
    )

    after = {row["record_key"]: row for row in decided.customers.collect()}
    assert after["99acres:d1"]["customer_id"] == after["housing:d2"]["customer_id"]
    assert after["housing:d2"]["link_type"] == "review_accepted"
    assert after["website:c1"]["customer_id"] != after["website:c2"]["customer_id"]
    assert after["website:c1"]["customer_id"] == customer_of["website:c1"]["customer_id"]
    assert [row["record_key_l"] for row in decided.review_queue.collect()] == ["housing:g1"]

"""Resolution of a new batch of records against the customers already known."""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import functions as F

from cdp_assets.identity import MatchPolicy, resolve
from cdp_assets.identity.contacts import contacts_frame
from cdp_assets.identity.incremental import resolve_new_records

from resolution_rows import customer_groups

# The scenario is written for the design's policy to the letter; the focused profile's
# incremental runs are checked in test_identity_profiles.py.
POLICY = MatchPolicy.exhaustive()
FIRST_RUN = datetime(2026, 11, 2, 6, 0)
SECOND_RUN = datetime(2026, 11, 3, 6, 0)
THIRD_RUN = datetime(2026, 11, 4, 6, 0)

AGENT_PHONE = "+919800000001"
AGENT_CLIENTS = [
    ("amit", "verma"),
    ("sneha", "kulkarni"),
    ("rohit", "bora"),
    ("meera", "iyer"),
    ("farhan", "khan"),
    ("divya", "menon"),
    ("sanjay", "patil"),
]

BASE = [
    {"record_key": "99acres:a1", "name": "rahul sharma", "phone": "+919876543210"},
    {"record_key": "magicbricks:a2", "name": "rahul s", "phone": "+919876543210"},
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
    {
        "record_key": "website:c1",
        "name": "anita desai",
        "phone": "+919833445566",
        "project": "lodha park",
        "locality": "worli",
    },
    {
        "record_key": "99acres:d1",
        "name": "karan mehta",
        "phone": "+919844556677",
        "project": "godrej hills",
        "locality": "kharghar",
    },
    {"record_key": "facebook:e1", "name": "vikram singh", "phone": "+919855500011"},
    {
        "record_key": "google:f1",
        "name": "neha gupta",
        "email": "neha.g@yahoo.com",
        "phone": "+919866600022",
    },
    {
        "record_key": "housing:g1",
        "name": "sunita rao",
        "phone": "+919855667788",
        "project": "hiranandani estate",
        "locality": "thane west",
        "event_ts": datetime(2026, 11, 1, 13, 0),
    },
    {"record_key": "walkin:i1", "name": "arjun reddy", "phone": "+919877700033"},
    {"record_key": "mailchimp:j1", "name": "pooja shah", "email": "pooja.shah@gmail.com"},
    *[
        {
            "record_key": f"referral:h{index}",
            "name": f"{first} {last}",
            "phone": AGENT_PHONE,
            "event_ts": datetime(2026, 10, 20 + index, 11, 0),
        }
        for index, (first, last) in enumerate(AGENT_CLIENTS[:6])
    ],
]

NEW = [
    # The same mobile as a1 and a2.
    {
        "record_key": "whatsapp:a3",
        "name": "rahul sharma",
        "phone": "+919876543210",
        "event_ts": datetime(2026, 11, 2, 9, 0),
    },
    # A slip in the leading digits of c1's phone, same form, same evening.
    {
        "record_key": "website:c2",
        "name": "anita desai",
        "phone": "+918833445566",
        "project": "lodha park",
        "locality": "worli",
        "event_ts": datetime(2026, 11, 1, 20, 0),
    },
    # The same slip across two portals: a pair for review.
    {
        "record_key": "housing:d2",
        "name": "karan mehta",
        "phone": "+917844556677",
        "project": "godrej hills",
        "locality": "kharghar",
    },
    # One portal an afternoon apart, another mobile: found by the same-source rule.
    {
        "record_key": "housing:g2",
        "name": "sunita rao",
        "phone": "+919866112233",
        "project": "hiranandani estate",
        "locality": "thane west",
        "event_ts": datetime(2026, 11, 1, 18, 0),
    },
    # e1's phone and f1's email on one call.
    {
        "record_key": "freshdesk:k1",
        "name": "vikram singh",
        "phone": "+919855500011",
        "email": "neha.g@yahoo.com",
    },
    # One more stranger on the agent's number.
    {
        "record_key": "referral:h6",
        "name": "sanjay patil",
        "phone": AGENT_PHONE,
        "event_ts": datetime(2026, 11, 2, 11, 0),
    },
    # Two new records sharing an email, and two sharing a phone.
    {"record_key": "website:m1", "name": "ishaan kapoor", "email": "ishaan.k@gmail.com"},
    {"record_key": "facebook:m2", "name": "ishaan kapoor", "email": "ishaan.k@gmail.com"},
    {"record_key": "google:p1", "name": "tara bose", "phone": "+919899900055"},
    {
        "record_key": "walkin:p2",
        "name": "tara bose",
        "phone": "+919899900055",
        "email": "tara.bose@outlook.com",
    },
    {"record_key": "walkin:n1", "name": "deepak joshi", "phone": "+919812300066"},
    # j1's email with a phone of its own.
    {
        "record_key": "housing:j2",
        "name": "pooja shah",
        "phone": "+919888800044",
        "email": "pooja.shah@gmail.com",
    },
]


@pytest.fixture(scope="module")
def base_contacts(spark):
    return contacts_frame(spark, BASE)


@pytest.fixture(scope="module")
def new_contacts(spark):
    return contacts_frame(spark, NEW)


@pytest.fixture(scope="module")
def base_run(spark, base_contacts, tmp_path_factory):
    checkpoints = tmp_path_factory.mktemp("base_checkpoints")
    return resolve(
        spark, base_contacts, policy=POLICY, checkpoint_dir=checkpoints, run_at=FIRST_RUN
    )


@pytest.fixture(scope="module")
def incremental_run(spark, base_contacts, new_contacts, base_run, tmp_path_factory):
    return resolve_new_records(
        spark,
        new_contacts,
        base_contacts,
        base_run.customers,
        previous_match_pairs=base_run.match_pairs,
        policy=POLICY,
        checkpoint_dir=tmp_path_factory.mktemp("incremental_checkpoints"),
        run_at=SECOND_RUN,
    )


@pytest.fixture(scope="module")
def full_run(spark, base_contacts, new_contacts, base_run, tmp_path_factory):
    return resolve(
        spark,
        base_contacts.unionByName(new_contacts),
        previous_customers=base_run.customers,
        policy=POLICY,
        checkpoint_dir=tmp_path_factory.mktemp("full_checkpoints"),
        run_at=SECOND_RUN,
    )


def _by_record(frame):
    return {row["record_key"]: row for row in frame.collect()}


def test_new_record_with_an_existing_phone_joins_that_customer(base_run, incremental_run):
    before = _by_record(base_run.customers)
    after = _by_record(incremental_run.customers)

    assert after["whatsapp:a3"]["customer_id"] == before["99acres:a1"]["customer_id"]
    assert after["99acres:a1"]["customer_id"] == before["99acres:a1"]["customer_id"]
    assert after["whatsapp:a3"]["match_confidence"] == 1.0
    assert after["whatsapp:a3"]["link_type"] == "deterministic_phone"


def test_new_record_with_a_new_phone_becomes_a_new_customer(base_run, incremental_run):
    existing_ids = {row["customer_id"] for row in base_run.customers.collect()}
    after = _by_record(incremental_run.customers)
    new_customer = after["walkin:n1"]

    assert new_customer["customer_id"] not in existing_ids
    assert new_customer["link_type"] == "singleton"
    assert new_customer["created_at"] == SECOND_RUN
    assert [
        key for key, row in after.items() if row["customer_id"] == new_customer["customer_id"]
    ] == ["walkin:n1"]


def test_untouched_customers_are_carried_over_unchanged(base_run, incremental_run):
    before = _by_record(base_run.customers)
    after = _by_record(incremental_run.customers)

    assert set(after) == set(before) | {row["record_key"] for row in NEW}
    for key in ("website:b1", "housing:b2", "walkin:i1", "referral:h0"):
        assert after[key].asDict() == before[key].asDict()


def test_new_record_bridging_two_customers_merges_them_into_the_older(spark, tmp_path):
    vikram = {"record_key": "facebook:e1", "name": "vikram singh", "phone": "+919855500011"}
    # The same man on an office email and desk phone, not yet known to be him.
    office = {
        "record_key": "google:f1",
        "name": "v singh",
        "email": "vikram.singh@tcs.com",
        "phone": "+919866600022",
    }
    bridge = {
        "record_key": "freshdesk:k1",
        "name": "vikram singh",
        "phone": "+919855500011",
        "email": "vikram.singh@tcs.com",
    }
    first = resolve(
        spark, contacts_frame(spark, [vikram]), checkpoint_dir=tmp_path, run_at=FIRST_RUN
    )
    second = resolve(
        spark,
        contacts_frame(spark, [vikram, office]),
        previous_customers=first.customers,
        checkpoint_dir=tmp_path,
        run_at=SECOND_RUN,
    )
    older = _by_record(second.customers)["facebook:e1"]["customer_id"]
    younger = _by_record(second.customers)["google:f1"]["customer_id"]

    third = resolve_new_records(
        spark,
        contacts_frame(spark, [bridge]),
        contacts_frame(spark, [vikram, office]),
        second.customers,
        previous_match_pairs=second.match_pairs,
        checkpoint_dir=tmp_path,
        run_at=THIRD_RUN,
    )

    after = _by_record(third.customers)
    assert older != younger
    assert {after[key]["customer_id"] for key in after} == {older}
    merges = [row.asDict() for row in third.customer_merges.collect()]
    assert merges == [
        {
            "from_customer_id": younger,
            "into_customer_id": older,
            "merged_at": THIRD_RUN,
            "reason": "linked by deterministic_email, deterministic_phone",
        }
    ]


def test_leading_digit_slip_from_one_form_auto_merges_with_existing_record(
    base_run, incremental_run
):
    before = _by_record(base_run.customers)
    after = _by_record(incremental_run.customers)
    pair = incremental_run.match_pairs.where(
        (F.col("record_key_l") == "website:c1") & (F.col("record_key_r") == "website:c2")
    ).collect()

    assert len(pair) == 1
    assert pair[0]["decision"] == "merge"
    assert pair[0]["blocking_rule"] == "phone_last7"
    assert after["website:c2"]["customer_id"] == before["website:c1"]["customer_id"]
    assert after["website:c2"]["link_type"] == "probabilistic"
    assert after["website:c2"]["match_confidence"] == pytest.approx(pair[0]["score"])


def test_match_pairs_hold_only_pairs_with_a_new_record(incremental_run):
    new_keys = {row["record_key"] for row in NEW}
    pairs = incremental_run.match_pairs.collect()

    assert pairs
    for pair in pairs:
        assert pair["record_key_l"] < pair["record_key_r"]
        assert {pair["record_key_l"], pair["record_key_r"]} & new_keys


def test_new_pairs_are_scored_as_a_full_run_scores_them(incremental_run, full_run):
    columns = ["pair_id", "blocking_rule", "score", "decision"]
    incremental = {
        tuple(row)
        for row in incremental_run.match_pairs.where(~F.col("deterministic"))
        .select(*columns)
        .collect()
    }
    full = {
        tuple(row)
        for row in full_run.match_pairs.where(~F.col("deterministic")).select(*columns).collect()
    }

    assert incremental == full
    assert (
        incremental_run.stats["comparisons_per_blocking_rule"]
        == (full_run.stats["comparisons_per_blocking_rule"])
    )


def test_review_pairs_of_new_records_wait_in_the_review_queue(incremental_run, full_run):
    queued = {
        row["record_key_l"] + " " + row["record_key_r"]
        for row in incremental_run.review_queue.collect()
    }

    assert queued == {"99acres:d1 housing:d2", "housing:g1 housing:g2"}
    assert queued == {
        row["record_key_l"] + " " + row["record_key_r"] for row in full_run.review_queue.collect()
    }


def test_incremental_and_full_resolution_agree(incremental_run, full_run):
    incremental = _by_record(incremental_run.customers)
    full = _by_record(full_run.customers)

    assert customer_groups(incremental_run.customers) == customer_groups(full_run.customers)
    assert {key: row["customer_id"] for key, row in incremental.items()} == {
        key: row["customer_id"] for key, row in full.items()
    }
    assert {
        key: (row["link_type"], row["match_confidence"]) for key, row in incremental.items()
    } == {key: (row["link_type"], row["match_confidence"]) for key, row in full.items()}
    assert sorted(tuple(row) for row in incremental_run.customer_merges.collect()) == sorted(
        tuple(row) for row in full_run.customer_merges.collect()
    )


def test_records_a_customer_already_holds_are_not_resolved_again(
    spark, base_contacts, new_contacts, base_run, incremental_run, tmp_path
):
    again = resolve_new_records(
        spark,
        new_contacts.unionByName(base_contacts),
        base_contacts,
        base_run.customers,
        previous_match_pairs=base_run.match_pairs,
        policy=POLICY,
        checkpoint_dir=tmp_path,
        run_at=SECOND_RUN,
    )

    assert again.stats["records"] == len(NEW)
    assert customer_groups(again.customers) == customer_groups(incremental_run.customers)


def test_only_customers_a_new_record_reaches_are_reclustered(incremental_run):
    stats = incremental_run.stats

    # a, c, d, g, e and f, j: the customers of existing records in new non-distinct pairs.
    assert stats["customers_touched"] == 7
    assert stats["records"] == len(NEW)
    assert stats["full_rebuild_needed"] is False


def test_identifier_becoming_a_hub_with_the_batch_is_reported(spark, tmp_path):
    base = [
        {"record_key": f"referral:h{index}", "name": f"{first} {last}", "phone": AGENT_PHONE}
        for index, (first, last) in enumerate(AGENT_CLIENTS[:4])
    ]
    batch = [
        {"record_key": f"referral:h{index}", "name": f"{first} {last}", "phone": AGENT_PHONE}
        for index, (first, last) in enumerate(AGENT_CLIENTS[4:], start=4)
    ]
    first = resolve(spark, contacts_frame(spark, base), checkpoint_dir=tmp_path, run_at=FIRST_RUN)

    second = resolve_new_records(
        spark,
        contacts_frame(spark, batch),
        contacts_frame(spark, base),
        first.customers,
        previous_match_pairs=first.match_pairs,
        checkpoint_dir=tmp_path,
        run_at=SECOND_RUN,
    )

    assert second.stats["crossed_hub_identifiers"] == [
        {"identifier": "phone", "value": AGENT_PHONE}
    ]
    assert second.stats["full_rebuild_needed"] is True
    after = _by_record(second.customers)
    assert len({after[f"referral:h{index}"]["customer_id"] for index in range(4, 7)}) == 3
    assert second.match_pairs.count() == 0

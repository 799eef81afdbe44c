"""The focused and exhaustive match profiles side by side on one scenario.

Both share the weights and thresholds. The focused profile keeps a shared number from
linking clearly different names and compares a same-source pair without equal last seven
digits only when the names agree closely and no phone or email contradicts.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from pyspark.sql import functions as F

from cdp_assets import settings
from cdp_assets.identity import MatchPolicy, resolve
from cdp_assets.identity.contacts import contacts_frame
from cdp_assets.identity.incremental import resolve_new_records

from resolution_rows import customer_groups, customer_ids, match_pair

FIRST_RUN = datetime(2026, 11, 2, 6, 0)
SECOND_RUN = datetime(2026, 11, 3, 6, 0)
OFFICE_PHONE = "+919800000042"

SCENARIO = [
    # A site office's number typed in for two visitors.
    {"record_key": "walk_in:o1", "name": "amit sharma", "phone": OFFICE_PHONE},
    {"record_key": "walk_in:o2", "name": "vivek shetty", "phone": OFFICE_PHONE},
    # One buyer's mobile under four spellings of his name.
    {"record_key": "99acres:r1", "name": "rahul sharma", "phone": "+919876543210"},
    {"record_key": "magicbricks:r2", "name": "r sharma", "phone": "+919876543210"},
    {"record_key": "website:r3", "name": "rahul", "phone": "+919876543210"},
    {"record_key": "housing:r4", "name": "rahul shrama", "phone": "+919876543210"},
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
    # The same form twice in one evening, the second time without the phone.
    {
        "record_key": "website:s1",
        "name": "kavita joshi",
        "phone": "+919877001122",
        "project": "lodha park",
        "locality": "worli",
        "event_ts": datetime(2026, 11, 1, 19, 0),
    },
    {
        "record_key": "website:s2",
        "name": "kavita joshi",
        "email": "kavita.joshi@gmail.com",
        "project": "lodha park",
        "locality": "worli",
        "event_ts": datetime(2026, 11, 1, 23, 0),
    },
    # A slip in the leading digits, same form, same evening, same interests: S 1.0.
    {
        "record_key": "website:c1",
        "name": "anita desai",
        "phone": "+919833445566",
        "project": "godrej hills",
        "locality": "kharghar",
        "event_ts": datetime(2026, 11, 1, 10, 0),
    },
    {
        "record_key": "website:c2",
        "name": "anita desai",
        "phone": "+918833445566",
        "project": "godrej hills",
        "locality": "kharghar",
        "event_ts": datetime(2026, 11, 1, 20, 0),
    },
    # Someone else on that form the same evening, also without a phone.
    {
        "record_key": "website:s3",
        "name": "deepa joshi",
        "project": "lodha park",
        "locality": "worli",
        "event_ts": datetime(2026, 11, 1, 21, 0),
    },
]
BASE_KEYS = {"walk_in:o1", "99acres:r1", "magicbricks:r2", "housing:g1", "website:s1"}


@pytest.fixture(scope="module")
def contacts(spark):
    return contacts_frame(spark, SCENARIO)


@pytest.fixture(scope="module")
def focused(spark, contacts, tmp_path_factory):
    return resolve(
        spark,
        contacts,
        policy=MatchPolicy(),
        checkpoint_dir=tmp_path_factory.mktemp("focused"),
        run_at=FIRST_RUN,
    )


@pytest.fixture(scope="module")
def exhaustive(spark, contacts, tmp_path_factory):
    return resolve(
        spark,
        contacts,
        policy=MatchPolicy.exhaustive(),
        checkpoint_dir=tmp_path_factory.mktemp("exhaustive"),
        run_at=FIRST_RUN,
    )


def test_profiles_share_weights_and_thresholds():
    focused, exhaustive = MatchPolicy(), MatchPolicy.exhaustive()
    for field in (
        "name_weight",
        "interest_weight",
        "phone_last7_weight",
        "same_source_weight",
        "merge_threshold",
        "review_threshold",
        "hub_max_distinct_names",
    ):
        assert getattr(focused, field) == getattr(exhaustive, field)
    assert exhaustive.shared_identifier_name_similarity is None
    assert exhaustive.same_source_min_name_similarity == 0.0
    assert not exhaustive.same_source_conflict_free


def test_profile_is_chosen_by_name_from_the_environment(monkeypatch):
    monkeypatch.delenv("CDP_MATCH_PROFILE", raising=False)
    assert MatchPolicy.profile(settings.match_profile()) == MatchPolicy()
    monkeypatch.setenv("CDP_MATCH_PROFILE", "Exhaustive")
    assert MatchPolicy.profile(settings.match_profile()) == MatchPolicy.exhaustive()
    with pytest.raises(ValueError, match="Unknown match profile 'loose'"):
        MatchPolicy.profile("loose")


def test_office_number_does_not_make_two_visitors_one_customer(focused):
    customer_of = customer_ids(focused.customers)
    assert customer_of["walk_in:o1"] != customer_of["walk_in:o2"]
    assert match_pair(focused, "walk_in:o1", "walk_in:o2") is None
    assert focused.stats["shared_identifiers"] == 1
    assert focused.stats["identifier_hubs"] == 0


def test_exhaustive_profile_links_the_office_number_as_the_design_states(exhaustive):
    customer_of = customer_ids(exhaustive.customers)
    assert customer_of["walk_in:o1"] == customer_of["walk_in:o2"]
    assert match_pair(exhaustive, "walk_in:o1", "walk_in:o2")["deterministic_identifier"] == "phone"
    assert exhaustive.stats["shared_identifiers"] == 0


def test_initials_typos_and_first_names_still_link_through_a_phone(focused):
    customer_of = customer_ids(focused.customers)
    keys = ["99acres:r1", "magicbricks:r2", "website:r3", "housing:r4"]
    assert len({customer_of[key] for key in keys}) == 1
    linked = focused.match_pairs.where(F.col("deterministic")).count()
    # Every pair of the four records, and nothing else.
    assert linked == 6


def test_same_source_pair_with_two_different_mobiles_is_not_compared(focused, exhaustive):
    assert match_pair(focused, "housing:g1", "housing:g2") is None
    assert match_pair(exhaustive, "housing:g1", "housing:g2")["decision"] == "review"


def test_same_form_twice_without_the_phone_goes_to_review(focused, exhaustive):
    pair = match_pair(focused, "website:s1", "website:s2")
    assert pair["blocking_rule"] == "same_source_window"
    assert pair["decision"] == "review"
    assert pair["score"] == pytest.approx(0.75)
    queued = {(row["record_key_l"], row["record_key_r"]) for row in focused.review_queue.collect()}
    assert queued == {("website:s1", "website:s2")}
    assert match_pair(exhaustive, "website:s1", "website:s2")["score"] == pair["score"]


def test_same_source_pair_with_different_names_is_not_compared(focused, exhaustive):
    assert match_pair(focused, "website:s1", "website:s3") is None
    assert match_pair(focused, "website:s2", "website:s3") is None
    assert match_pair(exhaustive, "website:s1", "website:s3")["decision"] == "review"


def test_profiles_auto_merge_the_same_pairs(focused, exhaustive):
    def merged(resolution):
        return {
            (row["record_key_l"], row["record_key_r"])
            for row in resolution.match_pairs.where(
                ~F.col("deterministic") & (F.col("decision") == "merge")
            ).collect()
        }

    assert merged(focused) == merged(exhaustive) == {("website:c1", "website:c2")}


def test_incremental_resolution_agrees_with_a_full_one_under_the_focused_profile(
    spark, tmp_path_factory
):
    base = contacts_frame(spark, [row for row in SCENARIO if row["record_key"] in BASE_KEYS])
    new = contacts_frame(spark, [row for row in SCENARIO if row["record_key"] not in BASE_KEYS])
    policy = MatchPolicy()
    first = resolve(
        spark,
        base,
        policy=policy,
        checkpoint_dir=tmp_path_factory.mktemp("base"),
        run_at=FIRST_RUN,
    )
    incremental = resolve_new_records(
        spark,
        new,
        base,
        first.customers,
        previous_match_pairs=first.match_pairs,
        policy=policy,
        checkpoint_dir=tmp_path_factory.mktemp("incremental"),
        run_at=SECOND_RUN,
    )
    full = resolve(
        spark,
        base.unionByName(new),
        previous_customers=first.customers,
        policy=policy,
        checkpoint_dir=tmp_path_factory.mktemp("full"),
        run_at=SECOND_RUN,
    )

    assert customer_groups(incremental.customers) == customer_groups(full.customers)
    assert incremental.stats["shared_identifiers"] == 1
    customer_of = customer_ids(incremental.customers)
    assert customer_of["walk_in:o1"] != customer_of["walk_in:o2"]

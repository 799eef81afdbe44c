"""Change events derived from golden-record snapshots and the Delta change feed, and the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from delta.tables import DeltaTable

from cdp_assets.propagation import (
    append_to_outbox,
    events_from_change_feed,
    golden_record_events,
    read_outbox,
)

GOLDEN_SCHEMA = (
    "customer_id string, name string, phone string, email string, city string, "
    "locality string, project string, phones array<string>, emails array<string>, "
    "projects array<string>, localities array<string>, sources array<string>, "
    "record_count int, first_seen timestamp, last_seen timestamp, "
    "min_link_confidence double, opted_out boolean, opted_out_at timestamp, "
    "opted_out_source string, re_consented_at timestamp, updated_at timestamp"
)
MERGE_SCHEMA = (
    "from_customer_id string, into_customer_id string, merged_at timestamp, reason string"
)

FIRST_RUN = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SECOND_RUN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _golden(customer_id: str, **fields) -> dict:
    """A golden record with plausible values; `fields` override them."""
    return {
        "customer_id": customer_id,
        "name": "rahul sharma",
        "phone": "+919876543210",
        "email": None,
        "city": "pune",
        "locality": "baner",
        "project": "skyline heights",
        "phones": ["+919876543210"],
        "emails": [],
        "projects": ["skyline heights"],
        "localities": ["baner"],
        "sources": ["99acres"],
        "record_count": 1,
        "first_seen": datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        "last_seen": datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
        "min_link_confidence": 1.0,
        "opted_out": False,
        "opted_out_at": None,
        "opted_out_source": None,
        "re_consented_at": None,
        "updated_at": FIRST_RUN,
        **fields,
    }


def _frame(spark, records: list[dict]):
    columns = [part.split()[0] for part in GOLDEN_SCHEMA.split(", ")]
    return spark.createDataFrame(
        [tuple(record[column] for column in columns) for record in records], GOLDEN_SCHEMA
    )


BEFORE = [
    _golden("cus_rahul"),
    _golden("cus_r_sharma", name="r sharma", phone="+919876500000", phones=["+919876500000"]),
    _golden("cus_amit", name="amit joshi", phone="+919822000001", phones=["+919822000001"]),
    _golden(
        "cus_neha",
        name="neha rao",
        opted_out=True,
        opted_out_at=datetime(2026, 10, 31, 8, 0, tzinfo=UTC),
        opted_out_source="mailchimp",
    ),
    _golden("cus_steady", name="kiran patil", phones=["+919800000002", "+919800000001"]),
]
AFTER = [
    # Rahul absorbed r sharma: a new email, a second phone, one more record.
    _golden(
        "cus_rahul",
        email="rahul.sharma@gmail.com",
        emails=["rahul.sharma@gmail.com"],
        phones=["+919876543210", "+919876500000"],
        record_count=2,
        updated_at=SECOND_RUN,
    ),
    _golden(
        "cus_amit",
        name="amit joshi",
        phone="+919822000001",
        phones=["+919822000001"],
        opted_out=True,
        opted_out_at=datetime(2026, 11, 1, 18, 0, tzinfo=UTC),
        opted_out_source="whatsapp",
        updated_at=SECOND_RUN,
    ),
    _golden(
        "cus_neha",
        name="neha rao",
        opted_out=False,
        opted_out_at=datetime(2026, 10, 31, 8, 0, tzinfo=UTC),
        opted_out_source="mailchimp",
        re_consented_at=datetime(2026, 11, 1, 20, 0, tzinfo=UTC),
        updated_at=SECOND_RUN,
    ),
    # Same phones in another order, rebuilt later: no change a receiver cares about.
    _golden(
        "cus_steady",
        name="kiran patil",
        phones=["+919800000001", "+919800000002"],
        updated_at=SECOND_RUN,
    ),
    _golden("cus_priya", name="priya nair", city="mumbai", updated_at=SECOND_RUN),
    _golden(
        "cus_dnd",
        name="suresh iyer",
        opted_out=True,
        opted_out_at=datetime(2026, 11, 1, 11, 0, tzinfo=UTC),
        opted_out_source="freshdesk",
        updated_at=SECOND_RUN,
    ),
]
MERGES = [("cus_r_sharma", "cus_rahul", datetime(2026, 11, 2, 8, 0, tzinfo=UTC), "phone")]


@pytest.fixture(scope="module")
def frames(spark):
    return _frame(spark, BEFORE), _frame(spark, AFTER), spark.createDataFrame(MERGES, MERGE_SCHEMA)


@pytest.fixture(scope="module")
def events(frames):
    before, after, merges = frames
    return [row.asDict() for row in golden_record_events(before, after, merges).collect()]


def _of(events: list[dict], customer_id: str) -> list[dict]:
    ordered = sorted(
        (event for event in events if event["customer_id"] == customer_id),
        key=lambda event: event["sequence"],
    )
    return [{**event, "body": json.loads(event["payload"])} for event in ordered]


def test_new_customer_gets_a_created_event_carrying_its_golden_record(events):
    (created,) = _of(events, "cus_priya")

    assert created["event_type"] == "customer.created"
    assert created["body"]["event_id"] == created["event_id"]
    assert created["body"]["customer"]["name"] == "priya nair"
    assert created["body"]["customer"]["city"] == "mumbai"


def test_updated_event_lists_exactly_the_changed_fields_with_old_and_new_values(events):
    (updated,) = _of(events, "cus_rahul")

    assert updated["event_type"] == "customer.updated"
    assert updated["body"]["changes"] == {
        "email": {"old": None, "new": "rahul.sharma@gmail.com"},
        "phones": {"old": ["+919876543210"], "new": ["+919876543210", "+919876500000"]},
        "emails": {"old": [], "new": ["rahul.sharma@gmail.com"]},
        "record_count": {"old": 1, "new": 2},
    }
    assert updated["body"]["customer"]["record_count"] == 2


def test_absorbed_customer_gets_a_merged_event_naming_the_survivor(events):
    (merged,) = _of(events, "cus_r_sharma")

    assert merged["event_type"] == "customer.merged"
    assert merged["body"]["merge"]["into_customer_id"] == "cus_rahul"
    assert merged["body"]["merge"]["reason"] == "phone"
    assert merged["body"]["customer"] is None
    assert merged["body"]["surviving_customer"]["customer_id"] == "cus_rahul"
    assert merged["occurred_at"].astimezone(UTC) == MERGES[0][2]


def test_opt_out_alone_is_an_opted_out_event_not_an_update(events):
    (opted_out,) = _of(events, "cus_amit")

    assert opted_out["event_type"] == "customer.opted_out"
    assert opted_out["body"]["customer"]["opted_out_source"] == "whatsapp"
    assert opted_out["occurred_at"].astimezone(UTC) == datetime(2026, 11, 1, 18, 0, tzinfo=UTC)


def test_opt_in_after_an_opt_out_is_a_re_consented_event(events):
    (re_consented,) = _of(events, "cus_neha")

    assert re_consented["event_type"] == "customer.re_consented"
    assert re_consented["body"]["customer"]["opted_out"] is False


def test_customer_created_opted_out_gets_created_then_opted_out(events):
    assert [event["event_type"] for event in _of(events, "cus_dnd")] == [
        "customer.created",
        "customer.opted_out",
    ]


def test_reordered_phones_and_a_new_updated_at_are_no_change(events):
    assert _of(events, "cus_steady") == []


def test_first_run_creates_every_customer(spark, frames):
    _, after, _ = frames

    events = golden_record_events(None, after).collect()

    created = sorted(e["customer_id"] for e in events if e["event_type"] == "customer.created")
    assert created == sorted(record["customer_id"] for record in AFTER)


def test_deriving_the_same_change_again_gives_the_same_event_ids(frames, events):
    again = golden_record_events(*frames).collect()

    assert sorted(row["event_id"] for row in again) == sorted(e["event_id"] for e in events)
    assert len({e["event_id"] for e in events}) == len(events)


def test_change_feed_gives_the_same_events_as_the_snapshot_diff(spark, tmp_path, frames, events):
    before, after, merges = frames
    path = str(tmp_path / "golden_records")
    before.write.format("delta").option("delta.enableChangeDataFeed", "true").save(path)
    (
        DeltaTable.forPath(spark, path)
        .alias("golden")
        .merge(after.alias("change"), "golden.customer_id = change.customer_id")
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .whenNotMatchedBySourceDelete()
        .execute()
    )

    from_feed = events_from_change_feed(spark, path, 1, 1, merges).collect()
    with_creation = events_from_change_feed(spark, path, 0, 1, merges).collect()

    assert {row["event_id"]: row.asDict() for row in from_feed} == {
        event["event_id"]: event for event in events
    }
    first_commit = {
        e["customer_id"] for e in with_creation if e["event_type"] == "customer.created"
    }
    assert first_commit == {record["customer_id"] for record in BEFORE} | {"cus_priya", "cus_dnd"}


def test_appending_the_same_events_again_adds_nothing_to_the_outbox(spark, tmp_path, frames):
    outbox = str(tmp_path / "outbox")

    first = append_to_outbox(spark, golden_record_events(*frames), outbox)
    second = append_to_outbox(spark, golden_record_events(*frames), outbox)

    assert first == 7
    assert second == 0
    assert read_outbox(spark, outbox).count() == first

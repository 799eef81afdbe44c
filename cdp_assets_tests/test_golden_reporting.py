"""The metrics and the agent's profile lookup on one small, fully known dataset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from cdp_assets.golden import (
    build_contact_sources,
    build_customer_events,
    build_golden_records,
    build_suppression_list,
    compute_metrics,
    customer_profile,
    format_profile,
)
from cdp_assets.standardize import CONTACT_SCHEMA

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
RAHUL_PHONE = "+919876543210"
RAHUL_EMAIL = "rahul.sharma@gmail.com"


def lead(key: str, hours: int, customer: str, link: str = "deterministic_phone", **fields):
    """A record `hours` after START and the link placing it in `customer`."""
    return {"key": key, "hours": hours, "customer": customer, "link": link, **fields}


DATASET = [
    lead("99acres:1", 0, "cus_rahul", phone=RAHUL_PHONE),
    lead("website:2", 24, "cus_rahul", phone=RAHUL_PHONE, email=RAHUL_EMAIL),
    lead("mailchimp:3", 48, "cus_rahul", "deterministic_email", email=RAHUL_EMAIL, opt_out=True),
    lead("walk_in:4", 72, "cus_rahul", "review_accepted", confidence=0.7, phone="+919812345678"),
    lead("google_ads:5", 0, "cus_priya", phone="+919700000001", email="priya@yahoo.com"),
    lead("facebook:6", 0, "cus_priya", phone="+919700000001"),
    lead("freshdesk:7", 24, "cus_amit", "singleton", phone="+919811111111", opt_out=True),
    lead("referral:8", 96, "cus_neha", "singleton"),
]
EVENTS = {"mailchimp": "opt_out", "walk_in": "site_visit_done", "freshdesk": "call"}


@pytest.fixture(scope="module")
def tables(spark):
    contact_rows, customer_rows = [], []
    for record in DATASET:
        source, _, record_id = record["key"].partition(":")
        event_ts = START + timedelta(hours=record["hours"])
        values = {
            **record,
            "record_key": record["key"],
            "source": source,
            "source_record_id": record_id,
            "event_ts": event_ts,
            "day": event_ts.date(),
            "name": f"{record['customer'].removeprefix('cus_')} sharma",
            "interests": [],
            "event_type": EVENTS.get(source, "enquiry"),
        }
        contact_rows.append(tuple(values.get(field.name) for field in CONTACT_SCHEMA))
        confidence = record.get("confidence", 1.0)
        customer_rows.append((record["key"], record["customer"], confidence, record["link"], START))
    contacts = spark.createDataFrame(contact_rows, CONTACT_SCHEMA)
    customers = spark.createDataFrame(
        customer_rows,
        "record_key string, customer_id string, match_confidence double, link_type string,"
        " created_at timestamp",
    )

    contact_sources = build_contact_sources(contacts, customers).cache()
    golden_records = build_golden_records(contact_sources).cache()
    suppression_list = build_suppression_list(golden_records, contact_sources).cache()
    customer_events = build_customer_events(contact_sources).cache()
    yield contact_sources, golden_records, suppression_list, customer_events
    for table in (contact_sources, golden_records, suppression_list, customer_events):
        table.unpersist()


def test_metrics_on_a_known_dataset(tables):
    contact_sources, golden_records, suppression_list, _ = tables

    metrics = compute_metrics(
        contact_sources, golden_records, suppression_list, review_queue_size=12, review_weeks=4
    )

    assert metrics == {
        "records_processed": 8,
        "customers": 4,
        "duplicate_identities_resolved": 4,
        # website:2, mailchimp:3 and walk_in:4 arrive after Rahul's first enquiry; Priya's
        # two leads share one instant, so neither found her already known.
        "existing_customer_leads": 3,
        "existing_customer_share": 3 / 8,
        "review_pairs_per_week": 3.0,
        "opted_out_customers": 2,
        "suppressed_values": 4,
        "opt_out_propagation": 1.0,
    }


def test_opt_out_propagation_counts_a_customer_with_a_phone_missing_from_the_list(tables):
    contact_sources, golden_records, suppression_list, _ = tables
    incomplete = suppression_list.where(F.col("value") != "+919812345678")

    metrics = compute_metrics(contact_sources, golden_records, incomplete, 0, 1)

    assert metrics["opt_out_propagation"] == 0.5


def _lookup(tables, query: str):
    contact_sources, golden_records, _, customer_events = tables
    return customer_profile(golden_records, contact_sources, customer_events, query)


@pytest.mark.parametrize("spelling", ["987-654-3210", "+91 98765 43210", "091-9876-543210"])
def test_profile_is_found_by_a_phone_spelled_differently(tables, spelling):
    assert _lookup(tables, spelling)["customer"]["customer_id"] == "cus_rahul"


def test_profile_is_found_by_an_email_with_a_domain_typo(tables):
    assert _lookup(tables, " Rahul.Sharma@GMIAL.com ")["customer"]["customer_id"] == "cus_rahul"


def test_profile_by_id_holds_the_sources_and_the_journey_in_time_order(tables):
    profile = _lookup(tables, "cus_rahul")

    assert [record["record_key"] for record in profile["sources"]] == [
        "99acres:1",
        "website:2",
        "mailchimp:3",
        "walk_in:4",
    ]
    assert profile["sources"][3]["link_type"] == "review_accepted"
    assert [event["event_type"] for event in profile["journey"]] == [
        "enquiry",
        "enquiry",
        "opt_out",
        "site_visit_done",
    ]
    assert profile["other_customer_ids"] == []


def test_unknown_phone_email_or_id_gives_none(tables):
    assert _lookup(tables, "9123456780") is None
    assert _lookup(tables, "nobody@gmail.com") is None
    assert _lookup(tables, "cus_missing") is None
    assert _lookup(tables, "not a phone") is None


def test_formatted_profile_warns_the_agent_of_an_opt_out(tables):
    text = format_profile(_lookup(tables, "cus_rahul"))

    assert text.startswith("Customer cus_rahul")
    assert "OPTED OUT since 2026-03-03 09:00 via mailchimp" in text
    assert "site_visit_done" in text
    assert RAHUL_EMAIL in text

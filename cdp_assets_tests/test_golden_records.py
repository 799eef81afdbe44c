"""Golden records, contact_sources, consent and the journey on hand-made clusters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pyspark.sql import functions as F

from cdp_assets.golden import (
    GOLDEN_COLUMNS,
    SOURCE_PRIORITY,
    build_contact_sources,
    build_customer_events,
    build_golden_records,
    build_suppression_list,
)
from cdp_assets.sources import SOURCES
from cdp_assets.standardize import CONTACT_SCHEMA

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CUSTOMER_SCHEMA = (
    "record_key string, customer_id string, match_confidence double, link_type string,"
    " created_at timestamp"
)


def at(hours: float) -> datetime:
    return START + timedelta(hours=hours)


def contacts(spark, *records: dict):
    """Contacts in the standardized schema; `key` is `<source>:<id>`, unset fields null."""
    rows = []
    for record in records:
        source, _, record_id = record["key"].partition(":")
        event_ts = record.get("event_ts", START)
        values = {
            "record_key": record["key"],
            "source": source,
            "source_record_id": record_id,
            "event_ts": event_ts,
            "day": event_ts.date() if event_ts else date(2026, 3, 1),
            "interests": [],
            **{name: value for name, value in record.items() if name != "key"},
        }
        rows.append(tuple(values.get(field.name) for field in CONTACT_SCHEMA))
    return spark.createDataFrame(rows, CONTACT_SCHEMA)


def customers(spark, *links: tuple):
    """(record_key, customer_id, confidence, link_type) rows, all created at START."""
    rows = [(key, customer, confidence, link, START) for key, customer, confidence, link in links]
    return spark.createDataFrame(rows, CUSTOMER_SCHEMA)


def golden(spark, records: list[dict], links: list[tuple], source_priority=None) -> dict:
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))
    table = build_golden_records(sources, source_priority or SOURCE_PRIORITY)
    return {row["customer_id"]: row for row in table.collect()}


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


# Survivorship


def test_the_most_recent_value_wins(spark):
    records = [
        {"key": "99acres:1", "event_ts": at(0), "email": "old@gmail.com", "city": "pune"},
        {"key": "website:2", "event_ts": at(5), "email": "new@gmail.com", "city": None},
    ]
    links = [
        ("99acres:1", "cus_a", 1.0, "deterministic_phone"),
        ("website:2", "cus_a", 1.0, "deterministic_phone"),
    ]

    row = golden(spark, records, links)["cus_a"]

    assert row["email"] == "new@gmail.com"
    assert row["city"] == "pune"


def test_source_priority_breaks_an_exact_time_tie(spark):
    records = [
        {"key": "referral:1", "event_ts": at(1), "name": "rahul s"},
        {"key": "walk_in:2", "event_ts": at(1), "name": "rahul sharma"},
    ]
    links = [
        ("referral:1", "cus_a", 1.0, "deterministic_phone"),
        ("walk_in:2", "cus_a", 1.0, "deterministic_phone"),
    ]

    assert golden(spark, records, links)["cus_a"]["name"] == "rahul sharma"
    reversed_priority = {"referral": 2, "walk_in": 1}
    assert golden(spark, records, links, reversed_priority)["cus_a"]["name"] == "rahul s"


def test_a_value_from_a_weak_link_is_ignored_when_a_strong_one_exists(spark):
    records = [
        {"key": "website:1", "event_ts": at(0), "locality": "baner"},
        {"key": "housing:2", "event_ts": at(9), "locality": "wakad"},
    ]
    links = [
        ("website:1", "cus_a", 1.0, "deterministic_email"),
        ("housing:2", "cus_a", 0.70, "review_accepted"),
    ]

    row = golden(spark, records, links)["cus_a"]

    assert row["locality"] == "baner"
    assert row["localities"] == ["baner", "wakad"]
    assert row["min_link_confidence"] == pytest.approx(0.70)


def test_a_weak_link_fills_a_field_nothing_stronger_has(spark):
    records = [
        {"key": "website:1", "event_ts": at(0), "project": None},
        {"key": "housing:2", "event_ts": at(9), "project": "skyline towers"},
    ]
    links = [
        ("website:1", "cus_a", 1.0, "deterministic_email"),
        ("housing:2", "cus_a", 0.70, "review_accepted"),
    ]

    assert golden(spark, records, links)["cus_a"]["project"] == "skyline towers"


def test_golden_record_has_exactly_the_agreed_columns_and_summaries(spark):
    records = [
        {"key": "facebook:1", "event_ts": at(0), "phone": "+919876543210", "project": "b"},
        {"key": "99acres:2", "event_ts": at(3), "phone": "+919876543210", "project": "a"},
        {"key": "website:3", "event_ts": at(2), "email": "rahul.sharma@gmail.com"},
    ]
    links = [
        ("facebook:1", "cus_a", 1.0, "deterministic_phone"),
        ("99acres:2", "cus_a", 1.0, "deterministic_phone"),
        ("website:3", "cus_a", 0.9, "probabilistic"),
    ]
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))

    table = build_golden_records(sources, SOURCE_PRIORITY)
    row = table.collect()[0]

    assert tuple(table.columns) == GOLDEN_COLUMNS
    assert dict(table.dtypes)["record_count"] == "int"
    assert row["phones"] == ["+919876543210"]
    assert row["emails"] == ["rahul.sharma@gmail.com"]
    assert row["projects"] == ["a", "b"]
    assert row["sources"] == ["99acres", "facebook", "website"]
    assert row["record_count"] == 3
    assert (utc(row["first_seen"]), utc(row["last_seen"])) == (at(0), at(3))
    assert utc(row["updated_at"]) == at(3)
    assert row["opted_out"] is False


def test_every_source_has_a_priority():
    assert {source.name for source in SOURCES} == set(SOURCE_PRIORITY)


# Opt-out and the suppression list

RAHUL = [
    {"key": "99acres:1", "event_ts": at(0), "phone": "+919876543210"},
    {"key": "website:2", "event_ts": at(1), "phone": "+919876543210", "email": "rahul@gmail.com"},
    {"key": "mailchimp:3", "event_ts": at(2), "email": "rahul@gmail.com", "opt_out": True},
]
RAHUL_LINKS = [
    ("99acres:1", "cus_rahul", 1.0, "deterministic_phone"),
    ("website:2", "cus_rahul", 1.0, "deterministic_phone"),
    ("mailchimp:3", "cus_rahul", 1.0, "deterministic_email"),
]


def test_one_opt_out_opts_the_whole_customer_out(spark):
    row = golden(spark, RAHUL, RAHUL_LINKS)["cus_rahul"]

    assert row["opted_out"] is True
    assert utc(row["opted_out_at"]) == at(2)
    assert row["opted_out_source"] == "mailchimp"
    assert row["re_consented_at"] is None


def test_a_later_re_consent_lifts_the_opt_out(spark):
    records = [*RAHUL, {"key": "whatsapp:4", "event_ts": at(8), "opt_out": False}]
    links = [*RAHUL_LINKS, ("whatsapp:4", "cus_rahul", 1.0, "deterministic_phone")]

    row = golden(spark, records, links)["cus_rahul"]

    assert row["opted_out"] is False
    assert utc(row["re_consented_at"]) == at(8)
    assert utc(row["updated_at"]) == at(8)


def test_an_earlier_consent_does_not_lift_a_later_opt_out(spark):
    consented_first = [{**RAHUL[0], "opt_out": False}, *RAHUL[1:]]

    row = golden(spark, consented_first, RAHUL_LINKS)["cus_rahul"]

    assert row["opted_out"] is True
    assert row["re_consented_at"] is None


def test_an_opt_out_after_a_re_consent_counts_from_the_new_opt_out(spark):
    records = [
        *RAHUL,
        {"key": "whatsapp:4", "event_ts": at(8), "opt_out": False},
        {"key": "freshdesk:5", "event_ts": at(12), "opt_out": True},
        {"key": "magicbricks:6", "event_ts": at(20), "opt_out": True},
    ]
    links = [
        *RAHUL_LINKS,
        ("whatsapp:4", "cus_rahul", 1.0, "deterministic_phone"),
        ("freshdesk:5", "cus_rahul", 1.0, "deterministic_phone"),
        ("magicbricks:6", "cus_rahul", 1.0, "deterministic_phone"),
    ]

    row = golden(spark, records, links)["cus_rahul"]

    assert row["opted_out"] is True
    assert (utc(row["opted_out_at"]), row["opted_out_source"]) == (at(12), "freshdesk")


def test_a_consent_from_a_weak_link_does_not_lift_an_opt_out(spark):
    records = [*RAHUL, {"key": "housing:4", "event_ts": at(8), "opt_out": False}]
    links = [*RAHUL_LINKS, ("housing:4", "cus_rahul", 0.70, "review_accepted")]

    assert golden(spark, records, links)["cus_rahul"]["opted_out"] is True


def test_suppression_list_holds_every_phone_and_email_of_the_opted_out_customer(spark):
    records = [
        *RAHUL,
        {"key": "walk_in:4", "event_ts": at(3), "phone": "+919812345678"},
        {"key": "google_ads:5", "event_ts": at(3), "phone": "+919700000001", "email": "p@x.in"},
    ]
    links = [
        *RAHUL_LINKS,
        ("walk_in:4", "cus_rahul", 0.70, "review_accepted"),
        ("google_ads:5", "cus_priya", 1.0, "singleton"),
    ]
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))
    golden_records = build_golden_records(sources, SOURCE_PRIORITY)

    suppressed = build_suppression_list(golden_records, sources).collect()

    assert sorted((row["customer_id"], row["channel"], row["value"]) for row in suppressed) == [
        ("cus_rahul", "email", "rahul@gmail.com"),
        ("cus_rahul", "phone", "+919812345678"),
        ("cus_rahul", "phone", "+919876543210"),
    ]
    assert {(utc(row["opted_out_at"]), row["opted_out_source"]) for row in suppressed} == {
        (at(2), "mailchimp")
    }


# Lineage: contact_sources and merges


def test_contact_sources_keeps_every_record_once_with_its_link(spark):
    records = [*RAHUL, {"key": "walk_in:9", "event_ts": at(4)}]
    links = [*RAHUL_LINKS, ("walk_in:9", "cus_other", 1.0, "singleton")]

    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))
    rows = {row["record_key"]: row for row in sources.collect()}

    assert sources.count() == 4
    assert rows["mailchimp:3"]["customer_id"] == "cus_rahul"
    assert rows["mailchimp:3"]["link_type"] == "deterministic_email"
    assert rows["mailchimp:3"]["email"] == "rahul@gmail.com"
    assert rows["mailchimp:3"]["opt_out"] is True
    assert utc(rows["walk_in:9"]["linked_at"]) == at(4)
    assert utc(rows["99acres:1"]["linked_at"]) == START


def test_a_merge_keeps_the_records_and_journeys_of_both_former_customers(spark):
    # cus_old held the 99acres records, cus_new the website ones, until a call linked them.
    records = [
        {"key": "99acres:1", "event_ts": at(0), "event_type": "enquiry", "phone": "+919876543210"},
        {"key": "99acres:2", "event_ts": at(30), "event_type": "site_visit_done"},
        {"key": "website:3", "event_ts": at(10), "event_type": "enquiry", "email": "r@gmail.com"},
        {
            "key": "freshdesk:4",
            "event_ts": at(20),
            "event_type": "pricing_discussed",
            "phone": "+919876543210",
            "email": "r@gmail.com",
        },
    ]
    after_merge = [
        (key, "cus_old", 1.0, link)
        for key, link in [
            ("99acres:1", "deterministic_phone"),
            ("99acres:2", "deterministic_phone"),
            ("website:3", "deterministic_email"),
            ("freshdesk:4", "deterministic_phone"),
        ]
    ]
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *after_merge))

    survivor = sources.where(F.col("customer_id") == "cus_old")
    events = build_customer_events(sources).orderBy("sequence").collect()
    golden_records = build_golden_records(sources, SOURCE_PRIORITY).collect()

    assert survivor.count() == sources.count() == 4
    assert [(event["sequence"], event["record_key"]) for event in events] == [
        (1, "99acres:1"),
        (2, "website:3"),
        (3, "freshdesk:4"),
        (4, "99acres:2"),
    ]
    assert [(row["customer_id"], row["record_count"]) for row in golden_records] == [("cus_old", 4)]
    assert golden_records[0]["sources"] == ["99acres", "freshdesk", "website"]


# The journey


def test_journey_is_numbered_in_time_order_with_ties_broken_by_record_key(spark):
    records = [
        {"key": "walk_in:7", "event_ts": at(5), "event_type": "site_visit_done"},
        {"key": "freshdesk:3", "event_ts": at(2), "event_type": "site_visit_scheduled"},
        {"key": "99acres:1", "event_ts": at(0), "event_type": "enquiry"},
        {"key": "housing:9", "event_ts": at(5), "event_type": "call"},
        {"key": "legacy_crm:4", "event_ts": at(1), "event_type": None},
        {"key": "facebook:2", "event_ts": at(3), "event_type": "enquiry"},
    ]
    links = [(record["key"], "cus_a", 1.0, "deterministic_phone") for record in records[:5]]
    links.append(("facebook:2", "cus_b", 1.0, "singleton"))
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))

    events = build_customer_events(sources).where(F.col("customer_id") == "cus_a")
    journey = [(e["sequence"], e["event_type"], e["source"]) for e in events.collect()]

    assert sorted(journey) == [
        (1, "enquiry", "99acres"),
        (2, "site_visit_scheduled", "freshdesk"),
        (3, "call", "housing"),
        (4, "site_visit_done", "walk_in"),
    ]


def test_a_consent_flag_without_an_event_shows_in_the_journey(spark):
    records = [
        {"key": "magicbricks:1", "event_ts": at(0), "event_type": None, "opt_out": True},
        {"key": "legacy_crm:2", "event_ts": at(4), "event_type": None, "opt_out": False},
    ]
    links = [(record["key"], "cus_a", 1.0, "deterministic_phone") for record in records]
    sources = build_contact_sources(contacts(spark, *records), customers(spark, *links))

    events = build_customer_events(sources).orderBy("sequence").collect()

    assert [e["event_type"] for e in events] == ["opt_out", "re_consent"]

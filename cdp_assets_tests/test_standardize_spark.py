"""The Spark standardization step on tiny DataFrames, ending with the case study's Rahul."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pyspark.sql import types as T

from cdp_assets.standardize import (
    CONTACT_SCHEMA,
    expand_initials,
    standardization_stats,
    standardize_contacts,
)

RAW_SCHEMA = T.StructType(
    [
        T.StructField("source", T.StringType()),
        T.StructField("record_id", T.StringType()),
        T.StructField("event_time", T.TimestampType()),
        T.StructField("name", T.StringType()),
        T.StructField("phone", T.StringType()),
        T.StructField("email", T.StringType()),
        T.StructField("city", T.StringType()),
        T.StructField("locality", T.StringType()),
        T.StructField("project", T.StringType()),
        T.StructField("event_type", T.StringType()),
        T.StructField("opt_out", T.BooleanType()),
        T.StructField("day", T.DateType()),
        T.StructField("payload", T.StringType()),
    ]
)

EVENT_TIME = datetime(2026, 11, 2, 10, 30, tzinfo=UTC)


def _raw(spark, *records: dict):
    """Raw records with every field the step reads; unspecified fields are null."""
    defaults = {
        "source": "website",
        "event_time": EVENT_TIME,
        "event_type": "enquiry",
        "day": date(2026, 11, 2),
        "payload": "{}",
    }
    rows = [
        tuple(
            {**defaults, "record_id": str(index), **record}.get(field.name) for field in RAW_SCHEMA
        )
        for index, record in enumerate(records)
    ]
    return spark.createDataFrame(rows, RAW_SCHEMA)


# Each group of records uses its own phone numbers, so one run standardizes them all
# without one case's records linking to another's.
RECORDS = (
    # The case study's buyer as five leads from five channels.
    {"source": "99acres", "record_id": "a1", "name": "Rahul Sharma", "phone": "9876543210"},
    {
        "source": "website",
        "record_id": "w1",
        "name": "R. Sharma",
        "phone": "+91-9876543210",
        "email": "rahul.sharma@gmial.com",
    },
    {"source": "facebook", "record_id": "f1", "name": "RAHUL SHARMA", "phone": "987-654-3210"},
    {"source": "freshdesk", "record_id": "t1", "name": "Mr. Rahul S", "phone": "091-9876-543210"},
    {"source": "whatsapp", "record_id": "wamid.1", "name": "Rahul", "phone": "919876543210"},
    # Field standardization.
    {
        "source": "housing",
        "record_id": "H-17",
        "name": "Dr. Priya  NAIR",
        "phone": "022-2345-6789",
        "email": " Priya.Nair@GAMIL.com",
        "city": "  navi   MUMBAI ",
        "locality": " Kharghar ",
        "project": "Sky  Gardens",
    },
    {"record_id": "placeholders", "name": "Test", "phone": "9999999999", "email": "test@test.com"},
    {"record_id": "no_identifiers", "name": "Rahul"},
    # Interests.
    {"record_id": "same_interest", "locality": "Sky Gardens", "project": "sky gardens"},
    {"record_id": "project_only", "project": "Lake View"},
    # Consent.
    {"record_id": "stop", "opt_out": True, "event_type": "opt_out"},
    {"record_id": "consent", "opt_out": False, "event_type": "re_consent"},
    # An initial and a full spelling sharing an email.
    {"record_id": "anita_initial", "name": "A. Verma", "email": "a.verma@outlook.com"},
    {"record_id": "anita_full", "name": "Anita Verma", "email": "A.Verma@outlook.com"},
    # An initial followed by a middle initial.
    {"record_id": "rajesh_initial", "name": "R. K. Sharma", "phone": "9845012345"},
    {"record_id": "rajesh_full", "name": "Rajesh Sharma", "phone": "9845012345"},
    # Two spellings of the same initial on one phone.
    {"record_id": "ambiguous_initial", "name": "R. Sharma", "phone": "9845067890"},
    {"record_id": "ambiguous_rahul", "name": "Rahul Sharma", "phone": "9845067890"},
    {"record_id": "ambiguous_rohit", "name": "Rohit Sharma", "phone": "9845067890"},
    # No usable full spelling: other surname, other letter, or not linked at all.
    {"record_id": "unspelled_initial", "name": "R. Sharma", "phone": "9811122233"},
    {"record_id": "unspelled_verma", "name": "Rahul Verma", "phone": "9811122233"},
    {"record_id": "unspelled_amit", "name": "Amit Sharma", "phone": "9811122233"},
    {"record_id": "unlinked_rahul", "name": "Rahul Sharma", "phone": "9812398123"},
)

RAHUL_KEYS = ("99acres:a1", "website:w1", "facebook:f1", "freshdesk:t1", "whatsapp:wamid.1")


def _by_key(df) -> dict:
    return {row["record_key"]: row for row in df.collect()}


@pytest.fixture(scope="module")
def contacts(spark):
    """Every record in `RECORDS`, standardized, as a DataFrame."""
    standardized = standardize_contacts(_raw(spark, *RECORDS)).cache()
    yield standardized
    standardized.unpersist()


@pytest.fixture(scope="module")
def standardized(contacts):
    """Standardized rows by record key."""
    return _by_key(contacts)


@pytest.fixture(scope="module")
def expanded(contacts):
    """Rows by record key after initials are expanded."""
    return _by_key(expand_initials(contacts))


def test_contacts_have_exactly_the_contact_schema(contacts):
    assert [(f.name, f.dataType) for f in contacts.schema.fields] == [
        (f.name, f.dataType) for f in CONTACT_SCHEMA.fields
    ]
    assert contacts.columns == [
        "record_key",
        "source",
        "source_record_id",
        "event_ts",
        "day",
        "name_raw",
        "name",
        "first_name",
        "last_name",
        "phone_raw",
        "phone",
        "phone_type",
        "phone_last7",
        "phone_placeholder",
        "email_raw",
        "email",
        "email_corrected",
        "email_placeholder",
        "city",
        "locality",
        "project",
        "interests",
        "opt_out",
        "opt_out_ts",
        "event_type",
    ]


def test_every_raw_record_gives_one_contact(standardized):
    assert len(standardized) == len(RECORDS)


def test_record_key_joins_source_and_record_id(standardized):
    row = standardized["housing:H-17"]

    assert (row["source"], row["source_record_id"]) == ("housing", "H-17")
    assert row["event_ts"].astimezone(UTC) == EVENT_TIME


def test_name_is_standardized_and_split(standardized):
    row = standardized["housing:H-17"]

    assert (row["name_raw"], row["name"]) == ("Dr. Priya  NAIR", "priya nair")
    assert (row["first_name"], row["last_name"]) == ("priya", "nair")


def test_phone_is_e164_with_type_and_last7(standardized):
    row = standardized["housing:H-17"]

    assert (row["phone"], row["phone_type"], row["phone_last7"]) == (
        "+912223456789",
        "landline",
        "3456789",
    )
    assert row["phone_placeholder"] is False


def test_email_domain_typo_is_corrected_and_flagged(standardized):
    row = standardized["housing:H-17"]

    assert (row["email"], row["email_corrected"]) == ("priya.nair@gmail.com", True)
    assert row["email_placeholder"] is False


def test_placeholders_are_nulled_and_flagged(standardized):
    row = standardized["website:placeholders"]

    assert (row["phone"], row["phone_placeholder"]) == (None, True)
    assert (row["email"], row["email_placeholder"], row["email_corrected"]) == (None, True, False)
    assert row["name"] is None


def test_missing_phone_and_email_are_not_placeholders(standardized):
    row = standardized["website:no_identifiers"]

    assert (row["phone"], row["phone_placeholder"]) == (None, False)
    assert (row["email"], row["email_placeholder"], row["email_corrected"]) == (None, False, False)


def test_city_locality_and_project_are_tidied(standardized):
    row = standardized["housing:H-17"]

    assert (row["city"], row["locality"], row["project"]) == (
        "Navi Mumbai",
        "kharghar",
        "sky gardens",
    )


def test_interests_are_project_and_locality_sorted(standardized):
    assert standardized["housing:H-17"]["interests"] == ["kharghar", "sky gardens"]


def test_interests_hold_a_value_once(standardized):
    assert standardized["website:same_interest"]["interests"] == ["sky gardens"]


def test_interests_leave_out_a_missing_locality(standardized):
    assert standardized["website:project_only"]["interests"] == ["lake view"]


def test_interests_are_empty_without_project_or_locality(standardized):
    assert standardized["website:no_identifiers"]["interests"] == []


def test_opt_out_ts_is_the_event_time_of_an_opt_out(standardized):
    row = standardized["website:stop"]

    assert row["opt_out"] is True
    assert row["opt_out_ts"].astimezone(UTC) == EVENT_TIME


def test_explicit_consent_has_no_opt_out_ts(standardized):
    row = standardized["website:consent"]

    assert (row["opt_out"], row["opt_out_ts"]) == (False, None)


def test_record_silent_on_consent_has_null_opt_out(standardized):
    row = standardized["website:no_identifiers"]

    assert (row["opt_out"], row["opt_out_ts"]) == (None, None)


def test_initial_is_expanded_from_a_record_sharing_the_email(expanded):
    row = expanded["website:anita_initial"]

    assert (row["name"], row["first_name"], row["last_name"]) == ("anita verma", "anita", "verma")


def test_expanded_initial_keeps_the_rest_of_a_longer_name(expanded):
    assert expanded["website:rajesh_initial"]["name"] == "rajesh k sharma"


def test_initial_with_two_possible_spellings_is_not_expanded(expanded):
    row = expanded["website:ambiguous_initial"]

    assert (row["name"], row["first_name"]) == ("r sharma", "r")


def test_initial_without_a_matching_full_spelling_is_not_expanded(expanded):
    row = expanded["website:unspelled_initial"]

    assert (row["name"], row["first_name"]) == ("r sharma", "r")


def test_names_without_an_initial_are_left_as_they_are(standardized, expanded):
    spelled_out = [key for key, row in standardized.items() if len(row["first_name"] or "") != 1]

    assert spelled_out
    assert all(expanded[key]["name"] == standardized[key]["name"] for key in spelled_out)


def test_expand_initials_keeps_the_schema(contacts):
    assert expand_initials(contacts).schema == contacts.schema


def test_stats_count_valid_placeholder_and_corrected_values(spark):
    contacts = standardize_contacts(
        _raw(
            spark,
            {"name": "Rahul", "phone": "9876543210", "email": "rahul@gmial.com"},
            {"phone": "1234567890", "email": "noemail@gmail.com"},
            {"phone": "12345", "email": "priya@acme.in"},
            {},
        )
    )

    assert standardization_stats(contacts) == {
        "rows": 4,
        "phones_valid": 1,
        "phones_invalid": 1,
        "phones_placeholder": 1,
        "emails_valid": 2,
        "emails_corrected": 1,
        "emails_placeholder": 1,
        "names": 1,
        "record_keys_empty": 0,
    }


def test_rahuls_five_leads_share_one_phone(standardized):
    assert {standardized[key]["phone"] for key in RAHUL_KEYS} == {"+919876543210"}


def test_rahuls_email_typo_is_corrected(standardized):
    row = standardized["website:w1"]

    assert (row["email"], row["email_corrected"]) == ("rahul.sharma@gmail.com", True)


def test_rahuls_initial_is_not_spelled_out_before_expansion(standardized):
    assert {standardized[key]["first_name"] for key in RAHUL_KEYS} == {"rahul", "r"}


def test_rahuls_five_leads_share_the_first_name_after_expansion(expanded):
    assert {expanded[key]["first_name"] for key in RAHUL_KEYS} == {"rahul"}
    assert expanded["website:w1"]["name"] == "rahul sharma"

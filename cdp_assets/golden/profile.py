"""What an agent sees before calling: the golden record, its sources and the journey."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from cdp_assets.standardize import normalize_email, normalize_phone

CUSTOMER_ID_PREFIX = "cus_"

SOURCE_RECORD_FIELDS = (
    "source",
    "source_record_id",
    "record_key",
    "event_ts",
    "name",
    "phone",
    "email",
    "link_type",
    "match_confidence",
)
JOURNEY_FIELDS = ("sequence", "event_ts", "event_type", "source", "record_key")


def _matching_customers(golden_records: DataFrame, query: str) -> DataFrame | None:
    """Golden records the query names, or None when it is no id, email or phone."""
    query = query.strip()
    if query.startswith(CUSTOMER_ID_PREFIX):
        return golden_records.where(F.col("customer_id") == query)
    if "@" in query:
        email = normalize_email(query)
        return None if email is None else golden_records.where(F.array_contains("emails", email))
    phone = normalize_phone(query)
    return None if phone is None else golden_records.where(F.array_contains("phones", phone))


def customer_profile(
    golden_records: DataFrame,
    contact_sources: DataFrame,
    customer_events: DataFrame,
    query: str,
) -> dict[str, Any] | None:
    """The customer a phone, email or customer id points to, with its history.

    Args:
        golden_records: The `build_golden_records` table.
        contact_sources: The `build_contact_sources` table.
        customer_events: The `build_customer_events` table.
        query: A phone in any spelling, an email, or a customer id.

    Returns:
        None when nothing matches; otherwise `customer` (the golden record), `sources`
        (its records, oldest first), `journey` (its events in sequence) and
        `other_customer_ids` (further customers sharing the phone or email, most recently
        seen first). When several match, the most recently seen is shown.
    """
    matches = _matching_customers(golden_records, query)
    if matches is None:
        return None
    found = matches.orderBy(F.desc("last_seen"), "customer_id").collect()
    if not found:
        return None
    customer = found[0].asDict(recursive=True)
    customer_id = customer["customer_id"]

    sources = (
        contact_sources.where(F.col("customer_id") == customer_id)
        .orderBy(F.col("event_ts").asc_nulls_last(), "record_key")
        .select(*SOURCE_RECORD_FIELDS)
        .collect()
    )
    journey = (
        customer_events.where(F.col("customer_id") == customer_id)
        .orderBy("sequence")
        .select(*JOURNEY_FIELDS)
        .collect()
    )
    return {
        "customer": customer,
        "sources": [row.asDict() for row in sources],
        "journey": [row.asDict() for row in journey],
        "other_customer_ids": [row["customer_id"] for row in found[1:]],
    }


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value) or "-"
    return str(value)


def _opt_out_line(customer: dict[str, Any]) -> str:
    if customer["opted_out"]:
        return (
            f"OPTED OUT since {_text(customer['opted_out_at'])}"
            f" via {_text(customer['opted_out_source'])}: do not contact"
        )
    if customer["re_consented_at"] is not None:
        return f"Contactable (re-consented {_text(customer['re_consented_at'])})"
    return "Contactable"


def format_profile(profile: dict[str, Any]) -> str:
    """The profile as plain text for a terminal, golden record first."""
    customer = profile["customer"]
    lines = [
        f"Customer {customer['customer_id']}",
        f"  Name:        {_text(customer['name'])}",
        f"  Phone:       {_text(customer['phone'])}  (all: {_text(customer['phones'])})",
        f"  Email:       {_text(customer['email'])}  (all: {_text(customer['emails'])})",
        f"  Location:    {_text(customer['locality'])}, {_text(customer['city'])}",
        f"  Project:     {_text(customer['project'])}  (all: {_text(customer['projects'])})",
        f"  Seen:        {_text(customer['first_seen'])} to {_text(customer['last_seen'])}"
        f" in {customer['record_count']} records from {_text(customer['sources'])}",
        f"  Consent:     {_opt_out_line(customer)}",
    ]
    if profile["other_customer_ids"]:
        lines.append(f"  Also shares this contact: {_text(profile['other_customer_ids'])}")

    lines += ["", "Source records"]
    for record in profile["sources"]:
        lines.append(
            f"  {_text(record['event_ts'])}  {record['source']:<11}"
            f" {_text(record['source_record_id']):<14} {_text(record['name']):<20}"
            f" {_text(record['phone']):<14}"
            f" {_text(record['email']):<28} {_text(record['link_type'])}"
            f" {_text(record['match_confidence'])}"
        )

    lines += ["", "Journey"]
    for event in profile["journey"]:
        lines.append(
            f"  {event['sequence']:>3}. {_text(event['event_ts'])}  {event['event_type']:<21}"
            f" {event['source']}"
        )
    if not profile["journey"]:
        lines.append("  (no events)")
    return "\n".join(lines)

"""The contacts table identity resolution reads, and a builder for small hand-made ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from pyspark.sql import DataFrame, SparkSession

CONTACT_SCHEMA = (
    "record_key string, source string, source_record_id string, event_ts timestamp,"
    " day date, name_raw string, name string, first_name string, last_name string,"
    " phone_raw string, phone string, phone_type string, phone_last7 string,"
    " phone_placeholder boolean, email_raw string, email string, email_corrected boolean,"
    " email_placeholder boolean, city string, locality string, project string,"
    " interests array<string>, opt_out boolean, opt_out_ts timestamp, event_type string"
)

# The columns resolution reads; the others travel along for the golden records.
RESOLUTION_COLUMNS = (
    "record_key",
    "source",
    "event_ts",
    "name",
    "first_name",
    "last_name",
    "phone",
    "phone_last7",
    "phone_placeholder",
    "email",
    "interests",
)


def missing_resolution_columns(contacts: DataFrame) -> list[str]:
    """Columns resolution needs that `contacts` lacks."""
    return [column for column in RESOLUTION_COLUMNS if column not in contacts.columns]


def _contact_row(values: Mapping) -> dict:
    row = dict(values)
    if "record_key" in row:
        source, record_id = row["record_key"].split(":", 1)
    else:
        source, record_id = row.get("source", "website"), row["source_record_id"]
    event_ts = row.get("event_ts") or datetime(2026, 11, 1, 10, 0)
    name = row.get("name")
    parts = name.split() if name else []
    phone = row.get("phone")
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    interests = row.get("interests")
    if interests is None:
        interests = [value for value in (row.get("project"), row.get("locality")) if value]

    defaults = {
        "record_key": f"{source}:{record_id}",
        "source": source,
        "source_record_id": record_id,
        "event_ts": event_ts,
        "day": event_ts.date(),
        "name_raw": name,
        "first_name": parts[0] if parts else None,
        "last_name": parts[-1] if len(parts) > 1 else None,
        "phone_raw": phone,
        "phone_type": "mobile" if phone else None,
        "phone_last7": digits[-7:] if len(digits) >= 7 else None,
        "phone_placeholder": False,
        "email_raw": row.get("email"),
        "email_corrected": False,
        "email_placeholder": False,
        "interests": sorted(set(interests)),
        "event_type": "enquiry",
    }
    return {**defaults, **row, "interests": defaults["interests"]}


def contacts_frame(spark: SparkSession, records: Iterable[Mapping]) -> DataFrame:
    """A contacts DataFrame from a few dicts, filling every column they leave out.

    Each dict needs `record_key` (`<source>:<id>`) or `source` and `source_record_id`;
    name parts, last 7 digits, day and interests (project and locality) are derived.
    """
    columns = [part.strip().split(" ")[0] for part in CONTACT_SCHEMA.split(",")]
    rows = [_contact_row(record) for record in records]
    return spark.createDataFrame(
        [tuple(row.get(column) for column in columns) for row in rows], CONTACT_SCHEMA
    )

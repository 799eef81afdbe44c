"""Historical SQL database: Debezium-style change events on `leads`, in `cdc_<day>.jsonl`.

The one-time load arrives as snapshot reads (`r`), later changes as `c`, `u` and `d`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    FieldError,
    as_dict,
    build_records,
    compact_attributes,
    flag_value,
    iter_json_lines,
    join_name,
    optional_text,
    required_text,
)

OPERATIONS = ("r", "c", "u", "d")

STATUS_EVENTS = {
    "New": "enquiry",
    "Contacted": "call",
    "Site Visit Scheduled": "site_visit_scheduled",
    "Site Visit Done": "site_visit_done",
    "Negotiation": "pricing_discussed",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse CDC events; record ids are `<lead_id>:<ts_ms>`, a delete's row is its `before`."""
    return build_records(iter_json_lines(data), _change_record)


def _change_record(change: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    op = change.get("op")
    if op not in OPERATIONS:
        raise FieldError(f"unknown op {op!r}")
    ts_ms = change.get("ts_ms")
    if isinstance(ts_ms, bool) or not isinstance(ts_ms, int):
        raise FieldError("missing ts_ms" if ts_ms is None else f"bad ts_ms {ts_ms!r}")
    row = change.get("before") if op == "d" else change.get("after")
    if not isinstance(row, dict):
        raise FieldError(f"missing {'before' if op == 'd' else 'after'} row")

    lead_id = required_text(row.get("lead_id"), "lead_id")
    status = row.get("status")
    return ParsedRecord(
        record_id=f"{lead_id}:{ts_ms}",
        line=line,
        payload=payload,
        event_time=datetime.fromtimestamp(ts_ms / 1000, tz=UTC),
        name=join_name(
            optional_text(row.get("salutation")),
            optional_text(row.get("first_name")),
            optional_text(row.get("last_name")),
        ),
        phone=optional_text(row.get("mobile")),
        email=optional_text(row.get("email")),
        city=optional_text(row.get("city")),
        locality=optional_text(row.get("locality")),
        project=optional_text(row.get("project")),
        event_type=None if op == "d" else STATUS_EVENTS.get(status),
        opt_out=_dnd_opt_out(op, change, row),
        attributes=compact_attributes(
            op=op,
            lead_id=lead_id,
            status=status,
            alt_phone=row.get("alt_mobile"),
            salutation=row.get("salutation"),
            created_on=row.get("created_on"),
            table=as_dict(change.get("source")).get("table"),
        ),
    )


def _dnd_opt_out(op: str, change: dict[str, Any], row: dict[str, Any]) -> bool | None:
    if op == "d":
        return None
    if flag_value(row.get("dnd"), "dnd"):
        return True
    # Clearing a set DND flag is the customer asking to be contacted again.
    before = as_dict(change.get("before"))
    return False if op == "u" and flag_value(before.get("dnd"), "dnd") else None

"""99acres: one lead a line in `leads_<day>.jsonl`, from its webhook and daily export."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    as_dict,
    build_records,
    compact_attributes,
    dnd_opt_out,
    flag_value,
    iter_json_lines,
    optional_text,
    parse_iso_time,
    required_text,
)

QUERY_EVENTS = {
    "enquiry": "enquiry",
    "site_visit_request": "site_visit_scheduled",
    "callback": "call",
    "price_request": "pricing_discussed",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a 99acres JSON lines export."""
    return build_records(iter_json_lines(data), _lead_record)


def _lead_record(lead: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    contact = as_dict(lead.get("contact"))
    listing = as_dict(lead.get("property"))
    query_type = lead.get("query_type")
    return ParsedRecord(
        record_id=required_text(lead.get("lead_id"), "lead_id"),
        line=line,
        payload=payload,
        event_time=parse_iso_time(lead.get("created_at"), "created_at"),
        name=optional_text(contact.get("name")),
        phone=optional_text(contact.get("mobile")),
        email=optional_text(contact.get("email")),
        city=optional_text(listing.get("city")),
        locality=optional_text(listing.get("locality")),
        project=optional_text(listing.get("project")),
        event_type=QUERY_EVENTS.get(query_type) if isinstance(query_type, str) else None,
        opt_out=dnd_opt_out(flag_value(lead.get("dnd"), "dnd")),
        attributes=compact_attributes(query_type=query_type),
    )

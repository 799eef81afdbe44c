"""Housing.com: REST API pages `page_NNNN.json`, each `{"data": [...], "next": ...}`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    as_dict,
    build_records,
    compact_attributes,
    document_list,
    iter_document_elements,
    load_json_document,
    optional_text,
    parse_epoch_seconds,
    required_text,
)

INTENT_EVENTS = {
    "CONTACT_SELLER": "enquiry",
    "SCHEDULE_SITE_VISIT": "site_visit_scheduled",
    "REQUEST_CALLBACK": "call",
    "PRICE_DETAILS": "pricing_discussed",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse one page of Housing.com leads; `line` is the lead's position on the page."""
    page = load_json_document(data, file_name)
    leads = document_list(page, "data", file_name)
    return build_records(iter_document_elements(leads), _lead_record)


def _lead_record(lead: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    user = as_dict(lead.get("user"))
    listing = as_dict(lead.get("listing"))
    intent = lead.get("intent")
    return ParsedRecord(
        record_id=required_text(lead.get("id"), "id"),
        line=line,
        payload=payload,
        event_time=parse_epoch_seconds(lead.get("created_at"), "created_at"),
        name=optional_text(user.get("name")),
        phone=optional_text(user.get("phone")),
        email=optional_text(user.get("email")),
        city=optional_text(listing.get("city")),
        locality=optional_text(listing.get("locality")),
        project=optional_text(listing.get("project_name")),
        event_type=INTENT_EVENTS.get(intent) if isinstance(intent, str) else None,
        attributes=compact_attributes(intent=intent, listing_id=listing.get("id")),
    )

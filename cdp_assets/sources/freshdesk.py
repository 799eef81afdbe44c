"""Call centre (Freshdesk): `tickets.json`, a JSON array of tickets from its REST API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    as_dict,
    build_records,
    compact_attributes,
    dnd_opt_out,
    document_list,
    flag_value,
    iter_document_elements,
    load_json_document,
    optional_text,
    parse_iso_time,
    required_text,
)

TICKET_EVENTS = {
    "Call Back": "call",
    "Site Visit": "site_visit_scheduled",
    "Site Visit Done": "site_visit_done",
    "Pricing": "pricing_discussed",
    "General": "call",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a Freshdesk ticket list; `line` is the ticket's position in the array."""
    tickets = document_list(load_json_document(data, file_name), None, file_name)
    return build_records(iter_document_elements(tickets), _ticket_record)


def _ticket_record(ticket: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    requester = as_dict(ticket.get("requester"))
    custom = as_dict(ticket.get("custom_fields"))
    # The mobile field holds the caller's own number; `phone` is often the line they rang from.
    mobile = optional_text(requester.get("mobile"))
    landline = optional_text(requester.get("phone"))
    ticket_type = ticket.get("type")
    return ParsedRecord(
        record_id=required_text(ticket.get("id"), "id"),
        line=line,
        payload=payload,
        event_time=parse_iso_time(ticket.get("created_at"), "created_at"),
        name=optional_text(requester.get("name")),
        phone=mobile or landline,
        email=optional_text(requester.get("email")),
        city=optional_text(custom.get("cf_city")),
        locality=optional_text(custom.get("cf_locality")),
        project=optional_text(custom.get("cf_project")),
        event_type=TICKET_EVENTS.get(ticket_type) if isinstance(ticket_type, str) else None,
        opt_out=dnd_opt_out(flag_value(custom.get("cf_dnd"), "cf_dnd")),
        attributes=compact_attributes(
            alt_phone=landline if mobile else None,
            subject=ticket.get("subject"),
            ticket_type=ticket_type,
            agent_id=ticket.get("responder_id"),
        ),
    )

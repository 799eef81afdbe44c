"""Facebook Lead Ads: `leads.json`, a Graph API response of lead objects with `field_data`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    build_records,
    compact_attributes,
    document_list,
    iter_document_elements,
    load_json_document,
    optional_text,
    parse_iso_time,
    required_text,
)


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a Graph API lead list; `line` is the lead's position in `data`."""
    response = load_json_document(data, file_name)
    leads = document_list(response, "data", file_name)
    return build_records(iter_document_elements(leads), _lead_record)


def field_values(lead: dict[str, Any]) -> dict[str, str]:
    """The first value of each question in a lead's `field_data`, keyed by question name."""
    answers = {}
    for entry in lead.get("field_data") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        values = entry.get("values")
        if isinstance(values, list) and values:
            answers[entry["name"]] = optional_text(values[0])
    return answers


def _lead_record(lead: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    answers = field_values(lead)
    return ParsedRecord(
        record_id=required_text(lead.get("id"), "id"),
        line=line,
        payload=payload,
        event_time=parse_iso_time(lead.get("created_time"), "created_time"),
        name=answers.get("full_name"),
        phone=answers.get("phone_number"),
        email=answers.get("email"),
        city=answers.get("city"),
        project=answers.get("project_interest"),
        event_type="enquiry",
        attributes=compact_attributes(
            ad_id=lead.get("ad_id"),
            form_id=lead.get("form_id"),
            campaign_name=lead.get("campaign_name"),
            platform=lead.get("platform"),
        ),
    )

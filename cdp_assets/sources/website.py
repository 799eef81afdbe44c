"""Website forms: one form post a line in `forms_<day>.jsonl`, as the webhook delivered it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    as_dict,
    build_records,
    compact_attributes,
    flag_value,
    iter_json_lines,
    optional_text,
    parse_iso_time,
    required_text,
)

FORM_EVENTS = {
    "contact": "enquiry",
    "brochure": "enquiry",
    "site-visit": "site_visit_scheduled",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse website form submissions."""
    return build_records(iter_json_lines(data), _submission_record)


def _submission_record(submission: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    fields = as_dict(submission.get("fields"))
    form = submission.get("form")
    return ParsedRecord(
        record_id=required_text(submission.get("submission_id"), "submission_id"),
        line=line,
        payload=payload,
        event_time=parse_iso_time(submission.get("submitted_at"), "submitted_at"),
        name=optional_text(fields.get("full_name")),
        phone=optional_text(fields.get("phone")),
        email=optional_text(fields.get("email")),
        project=optional_text(fields.get("project")),
        event_type=FORM_EVENTS.get(form) if isinstance(form, str) else None,
        opt_out=_marketing_opt_out(submission),
        attributes=compact_attributes(
            form=form, page_url=submission.get("page_url"), message=fields.get("message")
        ),
    )


def _marketing_opt_out(submission: dict[str, Any]) -> bool | None:
    # The marketing box is an explicit choice either way: ticked is consent, cleared is refusal.
    consent = flag_value(as_dict(submission.get("consent")).get("marketing"), "consent.marketing")
    return None if consent is None else not consent

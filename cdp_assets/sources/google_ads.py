"""Google Ads: lead form submissions, one a line in `lead_form_submissions.jsonl`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    build_records,
    compact_attributes,
    iter_json_lines,
    optional_text,
    parse_iso_time,
    required_text,
)


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse Google Ads lead form rows."""
    return build_records(iter_json_lines(data), _submission_record)


def column_values(submission: dict[str, Any]) -> dict[str, str]:
    """Answers keyed by standard `column_id`, or by `column_name` for custom questions."""
    answers = {}
    for column in submission.get("user_column_data") or []:
        if not isinstance(column, dict):
            continue
        key = column.get("column_id") or column.get("column_name")
        value = optional_text(column.get("string_value"))
        if isinstance(key, str) and value is not None:
            answers[key] = value
    return answers


def _submission_record(submission: dict[str, Any], line: int, payload: str) -> ParsedRecord:
    answers = column_values(submission)
    return ParsedRecord(
        record_id=required_text(submission.get("lead_id"), "lead_id"),
        line=line,
        payload=payload,
        event_time=parse_iso_time(submission.get("submission_date_time"), "submission_date_time"),
        name=answers.get("FULL_NAME"),
        phone=answers.get("PHONE_NUMBER"),
        email=answers.get("EMAIL"),
        city=answers.get("CITY"),
        project=answers.get("Project"),
        event_type="enquiry",
        attributes=compact_attributes(
            campaign_id=submission.get("campaign_id"),
            form_id=submission.get("form_id"),
            gcl_id=submission.get("gcl_id"),
        ),
    )

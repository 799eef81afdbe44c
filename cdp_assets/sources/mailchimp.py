"""Mailchimp: `members.json`, a page of list members; a member reappears when its status changes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    FieldError,
    as_dict,
    build_records,
    compact_attributes,
    document_list,
    iter_document_elements,
    join_name,
    load_json_document,
    optional_text,
    parse_iso_time,
    required_text,
)

STATUS_OPT_OUT = {"subscribed": False, "unsubscribed": True}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse list members; record ids are `<member id>:<last_changed as yyyymmddHHMMSS>`."""
    document = load_json_document(data, file_name)
    members = document_list(document, "members", file_name)
    list_id = document.get("list_id") if isinstance(document, dict) else None

    def member_record(member: dict[str, Any], line: int, payload: str) -> ParsedRecord:
        return _member_record(member, line, payload, list_id)

    return build_records(iter_document_elements(members), member_record)


def _member_record(member: dict[str, Any], line: int, payload: str, list_id: Any) -> ParsedRecord:
    member_id = required_text(member.get("id"), "id")
    changed_at = parse_iso_time(member.get("last_changed"), "last_changed")
    status = member.get("status")
    if not isinstance(status, str) or not status:
        raise FieldError("missing status")
    merge = as_dict(member.get("merge_fields"))
    signed_up = member.get("timestamp_signup")
    return ParsedRecord(
        record_id=f"{member_id}:{changed_at.astimezone(UTC):%Y%m%d%H%M%S}",
        line=line,
        payload=payload,
        event_time=changed_at,
        name=join_name(optional_text(merge.get("FNAME")), optional_text(merge.get("LNAME"))),
        phone=optional_text(merge.get("PHONE")),
        email=optional_text(member.get("email_address")),
        city=optional_text(merge.get("CITY")),
        project=optional_text(merge.get("PROJECT")),
        event_type=_status_event(status, signed_up, changed_at),
        opt_out=STATUS_OPT_OUT.get(status),
        attributes=compact_attributes(
            status=status, list_id=list_id, member_id=member_id, timestamp_signup=signed_up
        ),
    )


def _status_event(status: str, signed_up: Any, changed_at: Any) -> str | None:
    if status == "unsubscribed":
        return "opt_out"
    if status != "subscribed" or not signed_up:
        return None
    # A subscribed member changed after signing up has come back after unsubscribing.
    return "re_consent" if parse_iso_time(signed_up, "timestamp_signup") < changed_at else None

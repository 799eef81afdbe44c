"""WhatsApp Business: Cloud API webhooks, one a line in `webhooks.jsonl`; a record a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    FieldError,
    as_dict,
    build_records,
    compact_attributes,
    iter_json_lines,
    optional_text,
    parse_epoch_seconds,
    required_text,
)

# "Interested in Skyline Residences", "hi, I am interested in the Orchid Towers project."
_INTEREST = re.compile(r"interested in (?:the )?(?P<project>.+?)(?: project)?[\s.!?]*$", re.I)


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse WhatsApp webhooks; a webhook carrying two messages yields two records."""
    return build_records(iter_json_lines(data), _webhook_records)


def project_of_interest(body: str) -> str | None:
    """The project an "Interested in <project>" style message names, if any."""
    match = _INTEREST.search(body)
    return match.group("project").strip() if match else None


def _webhook_records(webhook: dict[str, Any], line: int, payload: str) -> list[ParsedRecord]:
    if webhook.get("object") != "whatsapp_business_account":
        raise FieldError(f"unexpected webhook object {webhook.get('object')!r}")

    records = []
    for entry in webhook.get("entry") or []:
        for change in as_dict(entry).get("changes") or []:
            change = as_dict(change)
            if change.get("field") != "messages":
                continue
            value = as_dict(change.get("value"))
            names = _profile_names(value)
            metadata = as_dict(value.get("metadata"))
            for message in value.get("messages") or []:
                records.append(_message_record(as_dict(message), names, metadata, line, payload))
    if not records:
        raise FieldError("webhook carries no messages")
    return records


def _profile_names(value: dict[str, Any]) -> dict[str, str | None]:
    return {
        str(contact.get("wa_id")): optional_text(as_dict(contact.get("profile")).get("name"))
        for contact in map(as_dict, value.get("contacts") or [])
    }


def _message_record(
    message: dict[str, Any],
    names: dict[str, str | None],
    metadata: dict[str, Any],
    line: int,
    payload: str,
) -> ParsedRecord:
    sender = required_text(message.get("from"), "message from")
    body = as_dict(message.get("text")).get("body")
    body = body if isinstance(body, str) else ""
    command = body.strip().upper()
    if command == "STOP":
        event_type, opt_out = "opt_out", True
    elif command == "START":
        event_type, opt_out = "re_consent", False
    else:
        event_type, opt_out = "enquiry", None

    return ParsedRecord(
        record_id=required_text(message.get("id"), "message id"),
        line=line,
        payload=payload,
        event_time=parse_epoch_seconds(message.get("timestamp"), "message timestamp"),
        name=names.get(sender),
        phone=sender,
        project=project_of_interest(body) if opt_out is None else None,
        event_type=event_type,
        opt_out=opt_out,
        attributes=compact_attributes(
            message_type=message.get("type"),
            message=body,
            business_phone_number_id=metadata.get("phone_number_id"),
        ),
    )

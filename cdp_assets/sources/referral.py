"""Referral partners: the daily batch `REF_<yyyymmdd>.txt`, pipe-delimited with header and trailer.

H|<partner_code>|<yyyymmdd>|<batch_id>
D|<ref_id>|<yyyymmdd>|<name>|<mobile>|<email>|<city>|<locality>|<project>|<referrer>
T|<number of detail lines>
"""

from __future__ import annotations

from collections.abc import Iterator

from cdp_assets.sources.base import ParsedRecord, ParseResult, Rejected, SourceFileError
from cdp_assets.sources.parsing import (
    FieldError,
    compact_attributes,
    iter_text_lines,
    optional_text,
    parse_compact_date,
    required_text,
    start_of_day,
)

HEADER_FIELDS = 4
DETAIL_FIELDS = 10
TRAILER_FIELDS = 2


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a referral batch, checking its trailer count against the detail lines."""
    lines = iter_text_lines(data)
    partner_code, batch_id = _read_header(next(lines, None), file_name)

    detail_lines = 0
    last_line = 1
    trailer_seen = False
    for item in lines:
        last_line = item.line if isinstance(item, Rejected) else item[0]
        if isinstance(item, Rejected):
            detail_lines += 1
            yield item
            continue
        number, text = item
        fields = text.split("|")
        if trailer_seen:
            yield Rejected(number, "line after the trailer", text)
        elif fields[0] == "T":
            trailer_seen = True
            rejection = _check_trailer(fields, detail_lines, number, text)
            if rejection is not None:
                yield rejection
        else:
            detail_lines += 1
            yield _detail_record(fields, number, text, partner_code, batch_id)

    if not trailer_seen:
        yield Rejected(last_line + 1, f"missing trailer after {detail_lines} detail lines", "")


def _read_header(first: tuple[int, str] | Rejected | None, file_name: str) -> tuple[str, str]:
    fields = first[1].split("|") if isinstance(first, tuple) else []
    if len(fields) != HEADER_FIELDS or fields[0] != "H":
        raise SourceFileError(f"{file_name}: missing the 'H|partner|date|batch' header line")
    try:
        parse_compact_date(fields[2], "batch date")
    except FieldError as error:
        raise SourceFileError(f"{file_name}: header has {error}") from None
    return fields[1], fields[3]


def _check_trailer(fields: list[str], detail_lines: int, line: int, text: str) -> Rejected | None:
    if len(fields) != TRAILER_FIELDS or not fields[1].isdigit():
        return Rejected(line, f"bad trailer '{text}'", text)
    if int(fields[1]) != detail_lines:
        return Rejected(
            line, f"trailer count {fields[1]} does not match {detail_lines} detail lines", text
        )
    return None


def _detail_record(
    fields: list[str], line: int, text: str, partner_code: str, batch_id: str
) -> ParseResult:
    if fields[0] != "D":
        return Rejected(line, f"unknown record type '{fields[0]}'", text)
    if len(fields) != DETAIL_FIELDS:
        return Rejected(line, f"expected {DETAIL_FIELDS} fields, found {len(fields)}", text)
    (_, ref_id, referred_on, name, mobile, email, city, locality, project, referrer) = fields
    try:
        record_id = required_text(ref_id, "ref_id")
        event_time = start_of_day(parse_compact_date(referred_on, "referral date"))
    except FieldError as error:
        return Rejected(line, str(error), text)
    return ParsedRecord(
        record_id=record_id,
        line=line,
        payload=text,
        event_time=event_time,
        name=optional_text(name),
        phone=optional_text(mobile),
        email=optional_text(email),
        city=optional_text(city),
        locality=optional_text(locality),
        project=optional_text(project),
        event_type="enquiry",
        attributes=compact_attributes(
            partner_code=partner_code, batch_id=batch_id, referrer=referrer
        ),
    )

"""Building blocks the source parsers share: lines, JSON, CSV rows, dates and flags."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from cdp_assets.sources.base import ParsedRecord, ParseResult, Rejected, SourceFileError

INDIA = ZoneInfo("Asia/Kolkata")

Row = TypeVar("Row")


class FieldError(ValueError):
    """A field that makes its record unusable; the message is the rejection reason."""


def iter_text_lines(data: bytes) -> Iterator[tuple[int, str] | Rejected]:
    """Yield `(line_number, text)` for every non-blank line, or a `Rejected` if it is not UTF-8.

    Each line is decoded on its own so one bad byte costs one row, not the file.
    """
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw.rstrip(b"\r")
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        try:
            yield number, raw.decode("utf-8")
        except UnicodeDecodeError as error:
            yield Rejected(
                number,
                f"undecodable bytes: {error.reason} at position {error.start}",
                raw.decode("utf-8", errors="replace"),
            )


def canonical_json(value: Any) -> str:
    """Serialize one JSON element the same way every time, for payloads of document formats."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def parse_json_object(text: str) -> dict[str, Any]:
    """Parse one JSON line that must hold an object."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise FieldError(f"invalid JSON: {error.msg}") from None
    if not isinstance(value, dict):
        raise FieldError(f"expected a JSON object, found {type(value).__name__}")
    return value


def load_json_document(data: bytes, file_name: str) -> Any:
    """Parse a whole-document JSON file, raising `SourceFileError` if it cannot be read."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceFileError(f"{file_name}: not UTF-8 ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise SourceFileError(f"{file_name}: invalid JSON: {error}") from None


def document_list(document: Any, key: str | None, file_name: str) -> list[Any]:
    """Return the list of records a JSON document holds, at `key` or at its top level."""
    records = document.get(key) if key is not None and isinstance(document, dict) else document
    if not isinstance(records, list):
        where = f"a '{key}' list" if key is not None else "a JSON array"
        raise SourceFileError(f"{file_name}: expected {where} of records")
    return records


def iter_json_lines(data: bytes) -> Iterator[tuple[int, dict[str, Any], str] | Rejected]:
    """Yield `(line_number, object, text)` for each line of a JSON lines file."""
    for item in iter_text_lines(data):
        if isinstance(item, Rejected):
            yield item
            continue
        number, text = item
        try:
            yield number, parse_json_object(text), text
        except FieldError as error:
            yield Rejected(number, str(error), text)


def iter_document_elements(
    records: list[Any],
) -> Iterator[tuple[int, dict[str, Any], str] | Rejected]:
    """Yield `(position, object, payload)` for each element of a JSON document's record list."""
    for position, element in enumerate(records, start=1):
        payload = canonical_json(element)
        if isinstance(element, dict):
            yield position, element, payload
        else:
            yield Rejected(
                position, f"expected a JSON object, found {type(element).__name__}", payload
            )


def build_records(
    items: Iterable[tuple[int, Row, str] | Rejected],
    build: Callable[[Row, int, str], ParsedRecord | list[ParsedRecord]],
) -> Iterator[ParseResult]:
    """Turn located rows into records with `build`, rejecting a row whose fields are unusable."""
    for item in items:
        if isinstance(item, Rejected):
            yield item
            continue
        number, row, text = item
        try:
            built = build(row, number, text)
        except FieldError as error:
            yield Rejected(number, str(error), text)
            continue
        if isinstance(built, ParsedRecord):
            yield built
        else:
            yield from built


def iter_csv_rows(
    data: bytes, file_name: str, header: tuple[str, ...]
) -> Iterator[tuple[int, list[str], str] | Rejected]:
    """Yield `(line_number, fields, text)` for each data row of a CSV with a known header.

    Raises `SourceFileError` when the first line is not the expected header. Rows with a
    different number of fields are rejected here.
    """
    lines = iter_text_lines(data)
    first = next(lines, None)
    if first is None or isinstance(first, Rejected) or _csv_fields(first[1]) != list(header):
        raise SourceFileError(f"{file_name}: missing the header '{','.join(header)}'")

    for item in lines:
        if isinstance(item, Rejected):
            yield item
            continue
        number, text = item
        fields = _csv_fields(text)
        if len(fields) != len(header):
            yield Rejected(number, f"expected {len(header)} fields, found {len(fields)}", text)
            continue
        yield number, fields, text


def _csv_fields(text: str) -> list[str]:
    return next(csv.reader([text]), [])


def required_text(value: Any, field_name: str) -> str:
    """Return a record's id-like field as text, or fail with "missing <field>"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError(f"missing {field_name}")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError(f"bad {field_name} {value!r}")
    return str(value)


def optional_text(value: Any) -> str | None:
    """Return a field as the source spelled it, with an absent or empty value as None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)


def as_dict(value: Any) -> dict[str, Any]:
    """Return a nested JSON object, treating an absent or non-object value as empty."""
    return value if isinstance(value, dict) else {}


def join_name(*parts: str | None) -> str | None:
    """Join name parts a source keeps in separate fields, skipping the empty ones."""
    joined = " ".join(part for part in parts if part)
    return joined or None


def parse_iso_time(value: Any, field_name: str) -> datetime:
    """Parse an ISO 8601 timestamp; a naive one is taken as India time."""
    if value is None or value == "":
        raise FieldError(f"missing {field_name}")
    if not isinstance(value, str):
        raise FieldError(f"bad date {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(f"bad date '{value}'") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=INDIA)


def parse_epoch_seconds(value: Any, field_name: str) -> datetime:
    """Parse a Unix timestamp in seconds, given as a number or a string of digits."""
    if value is None or value == "":
        raise FieldError(f"missing {field_name}")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldError(f"bad timestamp {value!r}")
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise FieldError(f"bad timestamp '{value}'") from None


def parse_local_time(value: str, formats: tuple[str, ...], field_name: str) -> datetime:
    """Parse a naive India-time date or timestamp written in one of `formats`."""
    if not value:
        raise FieldError(f"missing {field_name}")
    for pattern in formats:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=INDIA)
        except ValueError:
            continue
    raise FieldError(f"bad date '{value}'")


def parse_compact_date(value: str, field_name: str) -> date:
    """Parse a `yyyymmdd` date."""
    if not value:
        raise FieldError(f"missing {field_name}")
    try:
        return datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        raise FieldError(f"bad date '{value}'") from None


def start_of_day(day: date) -> datetime:
    """Midnight India time on `day`, for sources that only record a date."""
    return datetime(day.year, day.month, day.day, tzinfo=INDIA)


def flag_value(value: Any, field_name: str) -> bool | None:
    """Read a yes/no flag written as a JSON bool, `Y`/`N`, `true`/`false` or `1`/`0`."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("y", "yes", "true", "1"):
        return True
    if text in ("n", "no", "false", "0"):
        return False
    raise FieldError(f"bad {field_name} flag '{value}'")


def dnd_opt_out(flag: bool | None) -> bool | None:
    """A do-not-disturb flag opts out when set; an unset flag says nothing about consent."""
    return True if flag else None


def compact_attributes(**values: Any) -> dict[str, str]:
    """Keep the attributes that have a value, as text."""
    attributes = {}
    for key, value in values.items():
        text = optional_text(value)
        if text is not None:
            attributes[key] = text
    return attributes

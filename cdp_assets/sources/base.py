"""What every source parser produces: parsed records, or rejected rows with a reason."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

# Journey steps a record can report. Parsers map each source's own vocabulary onto these.
EVENT_TYPES = (
    "enquiry",
    "site_visit_scheduled",
    "site_visit_done",
    "call",
    "pricing_discussed",
    "opt_out",
    "re_consent",
)


class SourceFileError(Exception):
    """A landing file that cannot be read at all; the message names the file."""


@dataclass(frozen=True)
class ParsedRecord:
    """One lead as a source reported it, mapped onto the common raw fields.

    Values are kept as the source spelled them (no cleaning here); `event_time` is
    timezone-aware. `opt_out` is True for an opt-out, False for an explicit consent and
    None where the record says nothing about consent.
    """

    record_id: str
    line: int
    payload: str
    event_time: datetime | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    city: str | None = None
    locality: str | None = None
    project: str | None = None
    event_type: str | None = None
    opt_out: bool | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rejected:
    """A row that could not be parsed: where it was, why, and its text as far as decodable."""

    line: int
    reason: str
    raw_text: str


ParseResult = ParsedRecord | Rejected
Parser = Callable[[bytes, str], Iterator[ParseResult]]

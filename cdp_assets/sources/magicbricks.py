"""MagicBricks: the daily SFTP export `mb_export_<yyyymmdd>.csv` with its own headers."""

from __future__ import annotations

from collections.abc import Iterator

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    build_records,
    compact_attributes,
    dnd_opt_out,
    flag_value,
    iter_csv_rows,
    optional_text,
    parse_local_time,
    required_text,
)

HEADER = (
    "Lead ID",
    "Lead Date",
    "Customer Name",
    "Mobile No",
    "Email ID",
    "City",
    "Locality",
    "Project Name",
    "Lead Type",
    "DND",
)

LEAD_TYPE_EVENTS = {
    "Enquiry": "enquiry",
    "Site Visit": "site_visit_scheduled",
    "Call Back": "call",
    "Price Quote": "pricing_discussed",
}


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a MagicBricks CSV export; the header row must be MagicBricks' own."""
    return build_records(iter_csv_rows(data, file_name, HEADER), _row_record)


def _row_record(fields: list[str], line: int, payload: str) -> ParsedRecord:
    row = dict(zip(HEADER, fields, strict=True))
    return ParsedRecord(
        record_id=required_text(row["Lead ID"], "Lead ID"),
        line=line,
        payload=payload,
        event_time=parse_local_time(row["Lead Date"], ("%d/%m/%Y %H:%M",), "Lead Date"),
        name=optional_text(row["Customer Name"]),
        phone=optional_text(row["Mobile No"]),
        email=optional_text(row["Email ID"]),
        city=optional_text(row["City"]),
        locality=optional_text(row["Locality"]),
        project=optional_text(row["Project Name"]),
        event_type=LEAD_TYPE_EVENTS.get(row["Lead Type"]),
        opt_out=dnd_opt_out(flag_value(row["DND"], "DND")),
        attributes=compact_attributes(lead_type=row["Lead Type"]),
    )

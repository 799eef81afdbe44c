"""Walk-in registrations: `walkins_<site>.csv`, the visitor register typed at a site office."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from cdp_assets.sources.base import ParsedRecord, ParseResult
from cdp_assets.sources.parsing import (
    build_records,
    compact_attributes,
    iter_csv_rows,
    optional_text,
    parse_local_time,
    required_text,
)

HEADER = (
    "Reg No",
    "Visit Date",
    "Visitor Name",
    "Contact Number",
    "Email",
    "Project Visited",
    "Residence Area",
    "City",
    "Sales Executive",
)

# Site staff type `05-03-2024`, and sometimes `5/3/2024`.
VISIT_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y")


def site_of(file_name: str) -> str:
    """The site office a register file came from: `walkins_pune-baner.csv` -> `pune-baner`."""
    stem = PurePosixPath(file_name).stem
    return stem.removeprefix("walkins_")


def parse(data: bytes, file_name: str) -> Iterator[ParseResult]:
    """Parse a site's walk-in register; record ids are `<site>:<Reg No>`."""
    site = site_of(file_name)

    def row_record(fields: list[str], line: int, payload: str) -> ParsedRecord:
        row = dict(zip(HEADER, fields, strict=True))
        reg_no = required_text(row["Reg No"].strip(), "Reg No")
        return ParsedRecord(
            record_id=f"{site}:{reg_no}",
            line=line,
            payload=payload,
            event_time=parse_local_time(row["Visit Date"], VISIT_DATE_FORMATS, "Visit Date"),
            name=optional_text(row["Visitor Name"]),
            phone=optional_text(row["Contact Number"]),
            email=optional_text(row["Email"]),
            city=optional_text(row["City"]),
            locality=optional_text(row["Residence Area"]),
            project=optional_text(row["Project Visited"]),
            event_type="site_visit_done",
            attributes=compact_attributes(site=site, sales_executive=row["Sales Executive"]),
        )

    return build_records(iter_csv_rows(data, file_name, HEADER), row_record)

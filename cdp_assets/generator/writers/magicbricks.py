"""MagicBricks: the daily CSV export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import CsvWriter, TruthRow, expanded


class MagicBricksWriter(CsvWriter):
    """Writes `mb_export_<yyyymmdd>.csv` under MagicBricks' own header."""

    name = "magicbricks"
    header = (
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
    phone_styles = expanded({"plain": 12, "zero": 3, "plus91_dash": 2, "dashed": 2, "zero91": 1})
    lead_types = {
        "enquiry": "Enquiry",
        "call": "Call Back",
        "site_visit_scheduled": "Site Visit",
        "pricing_discussed": "Price Quote",
        "site_visit_done": "Site Visit",
    }

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        rows = []
        for touch in touches:
            person = touch.person
            project = self._project(person)
            lead_id = f"MB{70_000_000 + self._next_serial()}"
            fields = [
                lead_id,
                f"{touch.moment:%d/%m/%Y %H:%M}",
                self._name(person),
                self._phone(person, missing=0.01),
                self._email(person, missing=0.2),
                self._city(person),
                f"{project.locality}, {person.city.name}"
                if self._rng.random() < 0.1
                else project.locality,
                project.name,
                self.lead_types[touch.stage],
                "Y" if touch.consent == "opt_out" else "N",
            ]
            rows.append((fields, lead_id, touch))
        return self._write_csv(directory / f"mb_export_{day:%Y%m%d}.csv", rows)

"""Referral partners: the pipe-delimited daily batch with header and trailer."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import SourceWriter, TruthRow, expanded


class ReferralWriter(SourceWriter):
    """Writes `REF_<yyyymmdd>.txt` with header, detail lines and trailer."""

    name = "referral"
    partner_code = "PRN014"
    phone_styles = expanded({"plain": 14, "plus91_dash": 3, "zero": 3})
    referrers = ("Anand Realty", "Homes4U Brokers", "Sai Properties", "Existing customer")

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        compact = f"{day:%Y%m%d}"
        lines, truth = [f"H|{self.partner_code}|{compact}|B{compact}01".encode()], []
        for number, touch in enumerate(touches, start=1):
            person = touch.person
            project = self._project(person)
            ref_id = f"R{compact}{number:05d}"
            fields = [
                "D",
                ref_id,
                compact,
                self._name(person),
                self._phone(person, missing=0.01) or "",
                self._email(person, missing=0.4) or "",
                self._city(person) or "",
                self._maybe(project.locality, 0.2) or "",
                project.name,
                self._rng.choice(self.referrers),
            ]
            if self._breaks_line():
                lines.append(self._broken_detail(fields))
                continue
            lines.append("|".join(fields).encode())
            truth.append((ref_id, person.person_id))
        lines.append(f"T|{len(touches)}".encode())
        self._write(directory / f"REF_{compact}.txt", b"\n".join(lines) + b"\n")
        return truth

    def _broken_detail(self, fields: list[str]) -> bytes:
        kind = self._rng.randrange(4)
        if kind == 0:
            fields = fields[:-2]
        elif kind == 1:
            fields[1] = ""
        elif kind == 2:
            fields[2] = fields[2][:4] + "0231"
        line = "|".join(fields).encode()
        return line[:10] + b"\xff" + line[10:] if kind == 3 else line

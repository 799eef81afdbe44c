"""Walk-in registrations: one CSV register per site office and day."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import PLACEHOLDER_PHONES, mobile_number
from cdp_assets.generator.places import CITIES, Project
from cdp_assets.generator.writers.base import CsvWriter, TruthRow, expanded


class WalkInWriter(CsvWriter):
    """Writes `walkins_<site>.csv` for each site office that had visitors."""

    name = "walk_in"
    header = (
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
    bad_date = "31-02-2024"
    phone_styles = expanded({"plain": 10, "zero": 3, "dashed": 3, "zero91": 2, "spaced": 2})
    executives = ("Sunil", "Meena", "Ravi", "Farida", "Prakash", "Anand", "Shweta", "Tejas")

    def __init__(self, rng: random.Random, broken_rows: bool) -> None:
        super().__init__(rng, broken_rows)
        self._registers: dict[str, int] = {}
        # Each site office has a few executives, each with a phone they type in for visitors.
        self._staff: dict[str, list[tuple[str, str]]] = {}
        for city_number, city in enumerate(CITIES):
            for project_number, project in enumerate(city.projects):
                names = rng.sample(self.executives, 3)
                self._staff[project.site] = [
                    (
                        name,
                        mobile_number(3_900_000_000 + city_number * 100 + project_number * 5 + i),
                    )
                    for i, name in enumerate(names)
                ]

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        by_site: dict[str, list[tuple[list[str | None], str, Touch]]] = {}
        for touch in touches:
            project = self._project(touch.person)
            register = self._registers.get(project.site, 0) + 1
            self._registers[project.site] = register
            fields = self._row(touch, project, str(register), day)
            by_site.setdefault(project.site, []).append(
                (fields, f"{project.site}:{register}", touch)
            )
        truth = []
        for site in sorted(by_site):
            truth += self._write_csv(directory / f"walkins_{site}.csv", by_site[site])
        return truth

    def _row(self, touch: Touch, project: Project, reg_no: str, day: date) -> list[str | None]:
        rng = self._rng
        person = touch.person
        executive, executive_phone = rng.choice(self._staff[project.site])
        roll = rng.random()
        if roll < 0.1:
            phone = executive_phone
        elif roll < 0.13:
            phone = rng.choice(PLACEHOLDER_PHONES)
        else:
            phone = self._phone(person, missing=0.02, landline=0.3)
        if rng.random() < 0.15:
            visit_date = f"{day.day}/{day.month}/{day.year}"
        else:
            visit_date = f"{day:%d-%m-%Y}"
        city = self._city(person, missing=0.1)
        return [
            reg_no,
            visit_date,
            self._name(person),
            phone,
            self._email(person, missing=0.3),
            project.name if rng.random() < 0.8 else project.name.upper(),
            self._maybe(person.residence_area, 0.15),
            city.lower() if city and rng.random() < 0.1 else city,
            executive,
        ]

"""Housing.com: REST pages of 100 leads."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import (
    DocumentWriter,
    TruthRow,
    epoch_seconds,
    expanded,
    slug,
)


class HousingWriter(DocumentWriter):
    """Writes `page_NNNN.json` pages of up to 100 leads, linked by `next`."""

    name = "housing"
    page_size = 100
    phone_styles = expanded({"plus91": 5, "plain": 4, "spaced": 1})
    intents = {
        "enquiry": "CONTACT_SELLER",
        "call": "REQUEST_CALLBACK",
        "site_visit_scheduled": "SCHEDULE_SITE_VISIT",
        "pricing_discussed": "PRICE_DETAILS",
        "site_visit_done": "SCHEDULE_SITE_VISIT",
    }

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        pages = [
            touches[start : start + self.page_size]
            for start in range(0, len(touches), self.page_size)
        ]
        truth = []
        for number, page in enumerate(pages, start=1):
            leads = [self._lead(touch) for touch in page]
            truth += [
                (str(lead["id"]), t.person.person_id) for lead, t in zip(leads, page, strict=True)
            ]
            next_page = f"page_{number + 1:04d}.json" if number < len(pages) else None
            self._document(
                directory / f"page_{number:04d}.json", {"data": leads, "next": next_page}
            )
        return truth

    def _lead(self, touch: Touch) -> dict[str, Any]:
        person = touch.person
        project = self._project(person)
        return {
            "id": 5_300_000 + self._next_serial(),
            "created_at": epoch_seconds(touch.moment),
            "user": {
                "name": self._name(person),
                "phone": self._phone(person, missing=0.01),
                "email": self._email(person, missing=0.2),
            },
            "listing": {
                "id": f"HSG-{slug(project.name)}",
                "project_name": project.name,
                "locality": self._maybe(project.locality, 0.05),
                "city": self._city(person),
            },
            "intent": self.intents[touch.stage],
        }

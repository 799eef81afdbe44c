"""Facebook Lead Ads: a Graph API response of leads with field_data."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.places import CITIES
from cdp_assets.generator.writers.base import IST_OFFSET, DocumentWriter, TruthRow, expanded


class FacebookWriter(DocumentWriter):
    """Writes `leads.json`, the day's leads as one Graph API response."""

    name = "facebook"
    phone_styles = expanded({"plus91": 12, "plain": 3, "dashed": 3, "spaced": 2})
    campaigns = ("Pune_2BHK_Launch", "Mumbai_Luxury_Q3", "Bengaluru_Whitefield_Leads", "Festive")

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        leads = [self._lead(touch) for touch in touches]
        paging = {"cursors": {"before": "QVFIUk1", "after": "QVFIUjZA"}}
        self._document(directory / "leads.json", {"data": leads, "paging": paging})
        return [
            (lead["id"], touch.person.person_id) for lead, touch in zip(leads, touches, strict=True)
        ]

    def _lead(self, touch: Touch) -> dict[str, Any]:
        person = touch.person
        rng = self._rng
        answers = [
            ("full_name", self._name(person)),
            ("phone_number", self._phone(person, missing=0.02)),
            ("email", self._email(person, missing=0.05)),
            ("city", self._city(person, missing=0.15)),
            ("project_interest", self._maybe(self._project(person).name, 0.2)),
        ]
        return {
            "id": str(1_200_000_000_000_000 + self._next_serial() * 37),
            "created_time": f"{touch.moment - IST_OFFSET:%Y-%m-%dT%H:%M:%S}+0000",
            "ad_id": str(23_850_000_000_000 + rng.randrange(40)),
            "form_id": str(1_050_000_000_000 + CITIES.index(person.city)),
            "campaign_name": rng.choice(self.campaigns),
            "platform": "ig" if rng.random() < 0.3 else "fb",
            "field_data": [
                {"name": name, "values": [value]} for name, value in answers if value is not None
            ],
        }

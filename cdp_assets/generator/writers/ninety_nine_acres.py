"""99acres: a JSON line per lead."""

from __future__ import annotations

from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import JsonLinesWriter, expanded


class NinetyNineAcresWriter(JsonLinesWriter):
    """Writes `leads_<day>.jsonl`, one 99acres lead a line."""

    name = "99acres"
    file_pattern = "leads_{day}.jsonl"
    id_path = ("lead_id",)
    date_path = ("created_at",)
    phone_styles = expanded({"plain": 14, "plus91": 2, "zero": 2, "spaced": 1, "plus91_dash": 1})
    query_types = {
        "enquiry": "enquiry",
        "call": "callback",
        "site_visit_scheduled": "site_visit_request",
        "pricing_discussed": "price_request",
        "site_visit_done": "site_visit_request",
    }

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        touch = touches[0]
        person = touch.person
        project = self._project(person)
        lead_id = str(48_000_000 + self._next_serial())
        lead = {
            "lead_id": lead_id,
            "created_at": f"{touch.moment:%Y-%m-%dT%H:%M:%S}+05:30",
            "contact": {
                "name": self._name(person),
                "mobile": self._phone(person, missing=0.01),
                "email": self._email(person, missing=0.15),
            },
            "property": {
                "project": project.name,
                "locality": self._maybe(project.locality, 0.05),
                "city": self._city(person),
            },
            "query_type": self.query_types[touch.stage],
            "dnd": touch.consent == "opt_out",
        }
        return lead, [(lead_id, touch)]

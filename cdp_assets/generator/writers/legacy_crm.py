"""Historical SQL database: Debezium-style change events on the leads table."""

from __future__ import annotations

from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import PLACEHOLDER_PHONES, spell_phone, typo
from cdp_assets.generator.writers.base import JsonLinesWriter, epoch_seconds, expanded


class LegacyCrmWriter(JsonLinesWriter):
    """Writes `cdc_<day>.jsonl`, one change event on `leads` a line."""

    name = "legacy_crm"
    file_pattern = "cdc_{day}.jsonl"
    date_path = ("ts_ms",)
    bad_date = "2024-02-30 10:22:31"
    phone_styles = expanded({"plain": 8, "zero": 4, "zero91": 3, "plus91_dash": 3, "dashed": 2})
    statuses = {
        "enquiry": "New",
        "call": "Contacted",
        "site_visit_scheduled": "Site Visit Scheduled",
        "pricing_discussed": "Negotiation",
        "site_visit_done": "Site Visit Done",
    }
    salutations = {False: ("Mr.", "Mr", "Dr.", "Shri"), True: ("Mrs.", "Ms.", "Smt.", "Dr.")}

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        touch = touches[0]
        rng = self._rng
        ts_ms = epoch_seconds(touch.moment) * 1000 + rng.randrange(1000)
        current = touch.person.state.get("legacy_row")
        if current is None or rng.random() < 0.1:
            op = "r" if rng.random() < 0.88 else "c"
            before, after = None, self._new_row(touch)
        elif rng.random() < 0.05:
            op, before, after = "d", current, None
        else:
            op, before = "u", current
            after = dict(current, status=self.statuses[touch.stage])
            if touch.consent == "opt_out":
                after["dnd"] = 1
        touch.person.state["legacy_row"] = after

        row = after or before
        change = {
            "op": op,
            "ts_ms": ts_ms,
            "source": {"connector": "mysql", "db": "crm", "table": "leads"},
            "before": before,
            "after": after,
        }
        return change, [(f"{row['lead_id']}:{ts_ms}", touch)]

    def _id_path(self, element: dict[str, Any]) -> tuple[str | int, ...]:
        return ("before" if element["op"] == "d" else "after", "lead_id")

    def _new_row(self, touch: Touch) -> dict[str, Any]:
        person = touch.person
        rng = self._rng
        project = self._project(person)
        first, last = person.first_name, person.last_name
        roll = rng.random()
        if roll < 0.1:
            first = f"{first[0]}."
        elif roll < 0.15:
            last = typo(rng, last)
        elif roll < 0.2:
            first, last = first.upper(), last.upper()
        elif roll < 0.25:
            last = ""
        phone = self._phone(person, missing=0.02, landline=0.3)
        if rng.random() < 0.02:
            phone = rng.choice(PLACEHOLDER_PHONES)
        return {
            "lead_id": 100_000 + self._next_serial(),
            "salutation": rng.choice(self.salutations[person.female])
            if rng.random() < 0.3
            else None,
            "first_name": first,
            "last_name": last,
            "mobile": phone,
            "alt_mobile": spell_phone(person.alt_mobile, "plain") if person.alt_mobile else None,
            "email": self._email(person, missing=0.35),
            "city": self._city(person, missing=0.05),
            "locality": self._maybe(project.locality, 0.2),
            "project": self._maybe(project.name, 0.1),
            "status": self.statuses[touch.stage],
            "dnd": 1 if touch.consent == "opt_out" else 0,
            "created_on": f"{touch.moment:%Y-%m-%d %H:%M:%S}",
        }

"""Call centre (Freshdesk): the day's tickets as a JSON array."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import PLACEHOLDER_PHONES, mobile_number
from cdp_assets.generator.writers.base import IST_OFFSET, DocumentWriter, TruthRow, expanded


class FreshdeskWriter(DocumentWriter):
    """Writes `tickets.json`, the day's tickets as a JSON array."""

    name = "freshdesk"
    phone_styles = expanded({"plain": 4, "zero": 2, "plus91": 2, "zero91": 1, "dashed": 1})
    ticket_types = {
        "enquiry": ("General", "Call Back"),
        "call": ("Call Back",),
        "site_visit_scheduled": ("Site Visit",),
        "pricing_discussed": ("Pricing",),
        "site_visit_done": ("Site Visit Done",),
    }
    subjects = {
        "General": "Enquiry about {project}",
        "Call Back": "Call back requested - {project}",
        "Site Visit": "Site visit booking - {project}",
        "Site Visit Done": "Feedback after site visit - {project}",
        "Pricing": "Price discussion - {project}",
    }
    agents = tuple(
        (60_000_000_100 + number, mobile_number(3_950_000_000 + number)) for number in range(12)
    )

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        tickets = [self._ticket(touch) for touch in touches]
        self._document(directory / "tickets.json", tickets)
        return [
            (str(ticket["id"]), touch.person.person_id)
            for ticket, touch in zip(tickets, touches, strict=True)
        ]

    def _ticket(self, touch: Touch) -> dict[str, Any]:
        person = touch.person
        rng = self._rng
        project = self._project(person)
        ticket_type = rng.choice(self.ticket_types[touch.stage])
        agent_id, agent_phone = rng.choice(self.agents)
        mobile = self._phone(person, missing=0.1)
        roll = rng.random()
        if roll < 0.1:
            phone = agent_phone
        elif roll < 0.13:
            phone = rng.choice(PLACEHOLDER_PHONES)
        elif person.landline and roll < 0.5:
            phone = person.landline
        else:
            phone = None if mobile else self._phone(person)
        created = touch.moment - IST_OFFSET
        updated = created + timedelta(minutes=rng.randrange(5, 600))
        return {
            "id": 210_000 + self._next_serial(),
            "created_at": f"{created:%Y-%m-%dT%H:%M:%S}Z",
            "updated_at": f"{updated:%Y-%m-%dT%H:%M:%S}Z",
            "subject": self.subjects[ticket_type].format(project=project.name),
            "type": ticket_type,
            "status": rng.choice((2, 3, 4, 5)),
            "priority": 1,
            "source": 3,
            "requester": {
                "name": self._name(person),
                "phone": phone,
                "mobile": mobile,
                "email": self._email(person, missing=0.4),
            },
            "custom_fields": {
                "cf_project": self._maybe(project.name, 0.1),
                "cf_locality": self._maybe(project.locality, 0.3),
                "cf_city": self._city(person, missing=0.1),
                "cf_dnd": touch.consent == "opt_out",
            },
            "responder_id": agent_id,
            "tags": ["inbound"],
        }

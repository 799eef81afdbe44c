"""Mailchimp: the members whose status changed that day."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import email_variant
from cdp_assets.generator.writers.base import IST_OFFSET, DocumentWriter, TruthRow, expanded


class MailchimpWriter(DocumentWriter):
    """Writes `members.json`, the members whose status changed that day."""

    name = "mailchimp"
    list_id = "8f2c1e7a4b"
    phone_styles = expanded({"plus91": 4, "plain": 3, "spaced": 3})

    def write_day(self, directory: Path, day: date, touches: list[Touch]) -> list[TruthRow]:
        members, truth = [], []
        for touch in touches:
            member = self._member(touch)
            members.append(member)
            changed = datetime.fromisoformat(member["last_changed"])
            truth.append((f"{member['id']}:{changed:%Y%m%d%H%M%S}", touch.person.person_id))
        document = {"list_id": self.list_id, "members": members, "total_items": len(members)}
        self._document(directory / "members.json", document)
        return truth

    def _member(self, touch: Touch) -> dict[str, Any]:
        person = touch.person
        changed = touch.moment - IST_OFFSET
        previous = person.state.get("mailchimp_member")
        if previous is None:
            email = email_variant(self._rng, person).strip()
            signed_up = changed
            if touch.consent == "re_consent":
                # Subscribed again after an unsubscribe that happened before this landing zone.
                signed_up = changed - timedelta(days=self._rng.randrange(30, 400))
            member = {
                "id": hashlib.md5(email.lower().encode()).hexdigest(),
                "email_address": email,
                "unique_email_id": f"{self._rng.getrandbits(40):010x}",
                "merge_fields": {
                    "FNAME": person.first_name
                    if self._rng.random() < 0.85
                    else person.first_name.upper(),
                    "LNAME": self._maybe(person.last_name, 0.1) or "",
                    "PHONE": self._phone(person, missing=0.4) or "",
                    "CITY": self._city(person, missing=0.3) or "",
                    "PROJECT": self._maybe(self._project(person).name, 0.3) or "",
                },
                "timestamp_signup": f"{signed_up:%Y-%m-%dT%H:%M:%S}+00:00",
            }
        else:
            member = dict(previous, merge_fields=dict(previous["merge_fields"]))
        if touch.consent == "opt_out":
            member["status"] = "unsubscribed"
        elif touch.consent == "re_consent" or previous is None:
            member["status"] = "subscribed"
        elif previous["status"] == "subscribed":
            # A later bounce cleans the address; a change of status is what re-lists a member.
            member["status"] = "cleaned"
        else:
            member["merge_fields"]["PHONE"] = self._phone(person) or ""
        member["last_changed"] = f"{changed:%Y-%m-%dT%H:%M:%S}+00:00"
        member["list_id"] = self.list_id
        person.state["mailchimp_member"] = member
        return member

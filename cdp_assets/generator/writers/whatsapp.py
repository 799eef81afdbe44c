"""WhatsApp Business: a Cloud API webhook a line, now and then two messages in one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.people import Person, spell_phone
from cdp_assets.generator.writers.base import JsonLinesWriter, epoch_seconds


class WhatsAppWriter(JsonLinesWriter):
    """Writes `webhooks.jsonl`, one Cloud API webhook a line."""

    name = "whatsapp"
    file_pattern = "webhooks.jsonl"
    id_path = ("entry", 0, "changes", 0, "value", "messages", 0, "id")
    date_path = ("entry", 0, "changes", 0, "value", "messages", 0, "timestamp")
    bad_date = "17O9651200"
    business_number = "918045671234"
    enquiries = (
        "Interested in {project}",
        "Hi, I am interested in {project}. Please share details.",
        "interested in the {project} project",
        "Hi",
        "Please send price list",
        "Is site visit possible on Sunday?",
    )

    def _line_groups(self, touches: list[Touch]) -> Iterator[list[Touch]]:
        # The Cloud API now and then batches two senders' messages into one webhook.
        position = 0
        while position < len(touches):
            size = 2 if position + 1 < len(touches) and self._rng.random() < 0.05 else 1
            yield touches[position : position + size]
            position += size

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        contacts, messages, record_ids = [], [], []
        for touch in touches:
            wa_id = spell_phone(touch.person.mobile, "wa_id")
            message_id = f"wamid.HBgM{wa_id}FQIAEhgg{self._rng.getrandbits(128):032X}"
            contacts.append({"profile": {"name": self._profile_name(touch.person)}, "wa_id": wa_id})
            messages.append(
                {
                    "from": wa_id,
                    "id": message_id,
                    "timestamp": str(epoch_seconds(touch.moment)),
                    "type": "text",
                    "text": {"body": self._body(touch)},
                }
            )
            record_ids.append((message_id, touch))
        webhook = {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "104987654321098",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {
                                    "display_phone_number": self.business_number,
                                    "phone_number_id": "109876543210987",
                                },
                                "contacts": contacts,
                                "messages": messages,
                            },
                        }
                    ],
                }
            ],
        }
        return webhook, record_ids

    def _profile_name(self, person: Person) -> str:
        # A profile name is chosen once and kept, like the app does.
        name = person.state.get("whatsapp_profile")
        if name is None:
            options = (
                f"{person.first_name} {person.last_name}",
                person.first_name,
                f"{person.first_name} {person.last_name[0]}",
                f"{person.first_name} 🙂",
            )
            name = person.state["whatsapp_profile"] = self._rng.choice(options)
        return name

    def _body(self, touch: Touch) -> str:
        if touch.consent == "opt_out":
            return self._rng.choice(("STOP", "Stop", " stop", "STOP "))
        if touch.consent == "re_consent":
            return self._rng.choice(("START", "Start"))
        template = self._rng.choice(self.enquiries)
        return template.format(project=self._project(touch.person).name)

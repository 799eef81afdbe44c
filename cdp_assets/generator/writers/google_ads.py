"""Google Ads: a JSON line per lead form submission."""

from __future__ import annotations

from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import JsonLinesWriter, expanded


class GoogleAdsWriter(JsonLinesWriter):
    """Writes `lead_form_submissions.jsonl`, one Google Ads lead a line."""

    name = "google_ads"
    file_pattern = "lead_form_submissions.jsonl"
    id_path = ("lead_id",)
    date_path = ("submission_date_time",)
    bad_date = "2024-02-30 10:22:31+05:30"
    phone_styles = expanded({"plus91": 9, "plain": 1})
    campaigns = (21_845_330_117, 21_845_330_245, 20_991_774_512, 22_100_568_301)

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        touch = touches[0]
        person = touch.person
        rng = self._rng
        lead_id = f"{rng.getrandbits(96):024X}"
        columns = [
            ("FULL_NAME", "Full Name", self._name(person)),
            ("PHONE_NUMBER", "User Phone", self._phone(person, missing=0.01)),
            ("EMAIL", "User Email", self._email(person, missing=0.05)),
            ("CITY", "City", self._city(person, missing=0.1)),
        ]
        user_columns: list[dict[str, str]] = [
            {"column_name": label, "string_value": value, "column_id": column_id}
            for column_id, label, value in columns
            if value is not None
        ]
        if rng.random() < 0.9:
            user_columns.append(
                {"column_name": "Project", "string_value": self._project(person).name}
            )
        submission = {
            "lead_id": lead_id,
            "api_version": "1.0",
            "form_id": 40_000_000_000 + person.city.projects.index(person.project),
            "campaign_id": rng.choice(self.campaigns),
            "gcl_id": f"Cj0KCQ{rng.getrandbits(64):016x}",
            "submission_date_time": f"{touch.moment:%Y-%m-%d %H:%M:%S}+05:30",
            "user_column_data": user_columns,
            "is_test": False,
        }
        return submission, [(lead_id, touch)]

"""Website forms: a JSON line per form post, consent box included."""

from __future__ import annotations

from typing import Any

from cdp_assets.generator.journeys import Touch
from cdp_assets.generator.writers.base import IST_OFFSET, WEBSITE, JsonLinesWriter, expanded, slug


class WebsiteWriter(JsonLinesWriter):
    """Writes `forms_<day>.jsonl`, one website form post a line."""

    name = "website"
    file_pattern = "forms_{day}.jsonl"
    id_path = ("submission_id",)
    date_path = ("submitted_at",)
    bad_date = "2024-13-05T10:22:31Z"
    phone_styles = expanded(
        {
            "plain": 4,
            "plus91": 2,
            "plus91_dash": 2,
            "zero91": 1,
            "dashed": 1,
            "spaced": 2,
            "zero": 1,
        }
    )
    messages = (
        "",
        "Please share the brochure and price list.",
        "Looking for a 2BHK, please call after 6 pm.",
        "Is a 3BHK available? What is the possession date?",
        "Want to visit the site this weekend.",
    )

    def _element(self, touches: list[Touch]) -> tuple[dict[str, Any], list[tuple[str, Touch]]]:
        touch = touches[0]
        person = touch.person
        project = self._project(person)
        rng = self._rng
        if touch.stage.startswith("site_visit"):
            form = "site-visit"
        else:
            form = "brochure" if rng.random() < 0.4 else "contact"
        submission_id = f"{rng.getrandbits(128):032x}"
        submission: dict[str, Any] = {
            "submission_id": submission_id,
            "submitted_at": f"{touch.moment - IST_OFFSET:%Y-%m-%dT%H:%M:%S}Z",
            "form": form,
            "fields": {
                "full_name": self._name(person),
                "phone": self._phone(person, missing=0.02, landline=0.2),
                "email": self._email(person, missing=0.08),
                "project": self._maybe(project.name, 0.1),
                "message": rng.choice(self.messages),
            },
            "page_url": f"{WEBSITE}/projects/{slug(project.name)}?utm_source=google",
        }
        if touch.consent is not None or rng.random() < 0.8:
            submission["consent"] = {"marketing": touch.consent != "opt_out"}
        return submission, [(submission_id, touch)]

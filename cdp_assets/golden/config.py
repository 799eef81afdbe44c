"""What golden records trust: the confidence a link needs and which sources win a tie."""

from __future__ import annotations

from cdp_assets.identity.policy import MatchPolicy

# A link the policy would merge automatically is trusted for golden fields; anything
# weaker (an accepted review pair) only fills a field nothing stronger fills.
HIGH_CONFIDENCE = MatchPolicy().merge_threshold

# Most trusted first. People typing their own details, or speaking to our staff, beat
# portals and partners re-keying them; pre-filled ad forms and the old database sit between.
SOURCE_PRIORITY_ORDER: tuple[str, ...] = (
    "walk_in",
    "freshdesk",
    "website",
    "whatsapp",
    "mailchimp",
    "facebook",
    "google_ads",
    "legacy_crm",
    "99acres",
    "housing",
    "magicbricks",
    "referral",
)

# Higher wins; a source missing from the mapping ranks below all of these.
SOURCE_PRIORITY: dict[str, int] = {
    source: len(SOURCE_PRIORITY_ORDER) - rank for rank, source in enumerate(SOURCE_PRIORITY_ORDER)
}

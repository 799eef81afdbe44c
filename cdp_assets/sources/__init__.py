"""The 12 lead sources, each with the parser for its own native format."""

from __future__ import annotations

from dataclasses import dataclass

from cdp_assets.sources import (
    facebook,
    freshdesk,
    google_ads,
    housing,
    legacy_crm,
    magicbricks,
    mailchimp,
    ninety_nine_acres,
    referral,
    walk_in,
    website,
    whatsapp,
)
from cdp_assets.sources.base import Parser


@dataclass(frozen=True)
class Source:
    """A lead channel: its id (also the `source` column), its parser and how it arrives."""

    name: str
    title: str
    parse: Parser
    daily_export: bool = False
    priority: int = 0

    @property
    def raw_asset_name(self) -> str:
        return f"raw_{self.name}"


SOURCES: tuple[Source, ...] = (
    Source("99acres", "99acres", ninety_nine_acres.parse, daily_export=True),
    Source("magicbricks", "MagicBricks", magicbricks.parse, daily_export=True),
    Source("housing", "Housing.com", housing.parse),
    Source("website", "Website forms", website.parse),
    Source("facebook", "Facebook Lead Ads", facebook.parse),
    Source("google_ads", "Google Ads", google_ads.parse),
    Source("whatsapp", "WhatsApp Business", whatsapp.parse),
    Source("freshdesk", "Call centre (Freshdesk)", freshdesk.parse),
    Source("walk_in", "Walk-in registrations", walk_in.parse),
    Source("referral", "Referral partners", referral.parse, daily_export=True),
    Source("mailchimp", "Mailchimp", mailchimp.parse),
    Source("legacy_crm", "Historical SQL database", legacy_crm.parse),
)

SOURCES_BY_NAME = {source.name: source for source in SOURCES}

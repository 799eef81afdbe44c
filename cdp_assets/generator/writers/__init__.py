"""One writer per source: each renders a day's touches in the native format of its channel."""

from __future__ import annotations

import random

from cdp_assets.generator.writers.base import SourceWriter, TruthRow
from cdp_assets.generator.writers.facebook import FacebookWriter
from cdp_assets.generator.writers.freshdesk import FreshdeskWriter
from cdp_assets.generator.writers.google_ads import GoogleAdsWriter
from cdp_assets.generator.writers.housing import HousingWriter
from cdp_assets.generator.writers.legacy_crm import LegacyCrmWriter
from cdp_assets.generator.writers.magicbricks import MagicBricksWriter
from cdp_assets.generator.writers.mailchimp import MailchimpWriter
from cdp_assets.generator.writers.ninety_nine_acres import NinetyNineAcresWriter
from cdp_assets.generator.writers.referral import ReferralWriter
from cdp_assets.generator.writers.walk_in import WalkInWriter
from cdp_assets.generator.writers.website import WebsiteWriter
from cdp_assets.generator.writers.whatsapp import WhatsAppWriter

__all__ = ["SourceWriter", "TruthRow", "source_writers"]


def source_writers(rng: random.Random, broken_rows: bool) -> dict[str, SourceWriter]:
    """A writer for every source, keyed by source id."""
    writers = (
        NinetyNineAcresWriter,
        MagicBricksWriter,
        HousingWriter,
        WebsiteWriter,
        FacebookWriter,
        GoogleAdsWriter,
        WhatsAppWriter,
        FreshdeskWriter,
        WalkInWriter,
        ReferralWriter,
        MailchimpWriter,
        LegacyCrmWriter,
    )
    return {writer.name: writer(rng, broken_rows) for writer in writers}

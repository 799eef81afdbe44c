"""Golden records: one view per customer over every source record, its consent and journey."""

from cdp_assets.golden.config import HIGH_CONFIDENCE, SOURCE_PRIORITY, SOURCE_PRIORITY_ORDER
from cdp_assets.golden.contact_sources import build_contact_sources
from cdp_assets.golden.golden_records import GOLDEN_COLUMNS, build_golden_records
from cdp_assets.golden.journey import EVENT_COLUMNS, build_customer_events
from cdp_assets.golden.metrics import compute_metrics
from cdp_assets.golden.opt_out import (
    SUPPRESSION_COLUMNS,
    build_suppression_list,
    consent_state,
)
from cdp_assets.golden.profile import customer_profile, format_profile

__all__ = [
    "EVENT_COLUMNS",
    "GOLDEN_COLUMNS",
    "HIGH_CONFIDENCE",
    "SOURCE_PRIORITY",
    "SOURCE_PRIORITY_ORDER",
    "SUPPRESSION_COLUMNS",
    "build_contact_sources",
    "build_customer_events",
    "build_golden_records",
    "build_suppression_list",
    "compute_metrics",
    "consent_state",
    "customer_profile",
    "format_profile",
]

"""Time partitions shared by every source: one partition a day, in India's time zone."""

from __future__ import annotations

import warnings

import dagster as dg

from cdp_assets import settings

# Single-run backfills are what makes a multi-year backfill one Spark job; the flag that
# they are still in beta says nothing a user can act on.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message=".*backfill_policy.*")

# end_offset=1 keeps today's partition open: live channels deliver today's leads today.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=settings.PARTITIONS_START.isoformat(),
    timezone="Asia/Kolkata",
    end_offset=1,
)

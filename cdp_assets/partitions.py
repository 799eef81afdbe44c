"""Time partitions shared by every source: one partition a day, in India's time zone."""

from __future__ import annotations

import dagster as dg

from cdp_assets import settings

# end_offset=1 keeps today's partition open: live channels deliver today's leads today.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=settings.PARTITIONS_START.isoformat(),
    timezone="Asia/Kolkata",
    end_offset=1,
)

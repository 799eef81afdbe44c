"""The asset graph, its sensors, schedules and resources: what `dagster dev` loads."""

from __future__ import annotations

import dagster as dg

from cdp_assets.raw.assets import raw_assets
from cdp_assets.raw.schedules import daily_export_schedules
from cdp_assets.raw.sensors import landing_sensors
from cdp_assets.resources import build_resources

defs = dg.Definitions(
    assets=[*raw_assets],
    sensors=[*landing_sensors],
    schedules=[*daily_export_schedules],
    resources=build_resources(),
    # One process and one Spark session per run: on two cores, starting a JVM per step
    # costs more than the steps themselves.
    executor=dg.in_process_executor,
)

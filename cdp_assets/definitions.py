"""The asset graph, its sensors, schedules and resources: what `dagster dev` loads."""

from __future__ import annotations

import dagster as dg

from cdp_assets.customers.golden_assets import (
    cdp_metrics,
    contact_sources,
    customer_events,
    golden_records,
    suppression_list,
)
from cdp_assets.customers.identity_assets import identity
from cdp_assets.customers.propagation_assets import outbox, webhook_deliveries
from cdp_assets.customers.sensors import (
    customer_update_job,
    customer_update_sensor,
    webhook_delivery_job,
    webhook_retry_sensor,
)
from cdp_assets.raw.assets import raw_assets
from cdp_assets.raw.schedules import daily_export_schedules
from cdp_assets.raw.sensors import landing_sensors
from cdp_assets.resources import build_resources
from cdp_assets.standardized.assets import contacts, standardized_assets

defs = dg.Definitions(
    assets=[
        *raw_assets,
        *standardized_assets,
        contacts,
        identity,
        contact_sources,
        golden_records,
        suppression_list,
        customer_events,
        cdp_metrics,
        outbox,
        webhook_deliveries,
    ],
    jobs=[customer_update_job, webhook_delivery_job],
    sensors=[*landing_sensors, customer_update_sensor, webhook_retry_sensor],
    schedules=daily_export_schedules,
    resources=build_resources(),
    # One process and one Spark session per run: on two cores, starting a JVM per step
    # costs more than the steps themselves.
    executor=dg.in_process_executor,
)

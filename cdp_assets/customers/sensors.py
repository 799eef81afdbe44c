"""What keeps customers current without anyone pressing a button."""

import dagster as dg

from cdp_assets.customers.propagation_assets import WEBHOOK_DELIVERIES
from cdp_assets.sources import SOURCES

# Runs that rewrite the customer tables must not overlap; dagster.yaml limits this tag.
SERIAL_TAG = {"cdp/serial": "customers"}

customer_update_job = dg.define_asset_job(
    name="customer_update_job",
    selection=dg.AssetSelection.assets("contacts").downstream(),
    description="contacts, identity, golden records and propagation, from all standardized days.",
    tags=SERIAL_TAG,
)

webhook_delivery_job = dg.define_asset_job(
    name="webhook_delivery_job",
    selection=dg.AssetSelection.assets(WEBHOOK_DELIVERIES),
    description="Retries webhook deliveries that are due.",
    tags=SERIAL_TAG,
)

STANDARDIZED_KEYS = [dg.AssetKey(f"standardized_{source.name}") for source in SOURCES]


def newest_standardized_storage_id(instance: dg.DagsterInstance, after: int) -> int:
    """The storage id of the newest standardized materialization after `after`, or `after`."""
    newest = after
    for key in STANDARDIZED_KEYS:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, after_storage_id=after), limit=1
        ).records
        if records:
            newest = max(newest, records[0].storage_id)
    return newest


@dg.sensor(
    job=customer_update_job,
    minimum_interval_seconds=10,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Updates customers and tells downstream systems when new days are standardized.",
)
def customer_update_sensor(context: dg.SensorEvaluationContext):
    after = int(context.cursor) if context.cursor else 0
    newest = newest_standardized_storage_id(context.instance, after)
    if newest == after:
        return dg.SkipReason("No new standardized records since the last customer update")
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"customers-after-{newest}")],
        cursor=str(newest),
    )


webhook_retry_schedule = dg.ScheduleDefinition(
    name="webhook_retry_schedule",
    job=webhook_delivery_job,
    cron_schedule="*/5 * * * *",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every five minutes, retries deliveries whose backoff has passed.",
)

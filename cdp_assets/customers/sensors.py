"""What keeps customers current without anyone pressing a button."""

import time
from datetime import UTC, datetime

import dagster as dg

from cdp_assets.customers.propagation_assets import NEXT_RETRY_AT, WEBHOOK_DELIVERIES
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


def next_retry_at(instance: dg.DagsterInstance) -> float | None:
    """When the last delivery pass's earliest retry falls due, in epoch seconds; None when
    no delivery waits for one."""
    event = instance.get_latest_materialization_event(dg.AssetKey(WEBHOOK_DELIVERIES))
    if event is None or event.asset_materialization is None:
        return None
    due = event.asset_materialization.metadata.get(NEXT_RETRY_AT)
    return None if due is None else float(due.value)


def _delivery_in_flight(instance: dg.DagsterInstance) -> bool:
    runs = instance.get_run_records(
        dg.RunsFilter(
            job_name=webhook_delivery_job.name,
            statuses=[
                dg.DagsterRunStatus.QUEUED,
                dg.DagsterRunStatus.NOT_STARTED,
                dg.DagsterRunStatus.STARTING,
                dg.DagsterRunStatus.STARTED,
            ],
        ),
        limit=1,
    )
    return bool(runs)


@dg.sensor(
    job=webhook_delivery_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Retries webhook deliveries once the earliest backoff has passed.",
)
def webhook_retry_sensor(context: dg.SensorEvaluationContext):
    due = next_retry_at(context.instance)
    if due is None:
        return dg.SkipReason("No webhook delivery is waiting for a retry")
    if time.time() < due:
        moment = datetime.fromtimestamp(due, UTC).isoformat(timespec="seconds")
        return dg.SkipReason(f"The next retry falls due at {moment}")
    if _delivery_in_flight(context.instance):
        return dg.SkipReason("A delivery run is already queued or running")
    return dg.RunRequest()

"""The retry sensor starts a delivery run only when the last pass left a retry that is due."""

import time

import dagster as dg

from cdp_assets.customers.propagation_assets import NEXT_RETRY_AT, WEBHOOK_DELIVERIES
from cdp_assets.customers.sensors import webhook_delivery_job, webhook_retry_sensor


def _delivery_pass(instance: dg.DagsterInstance, next_retry_at: float | None) -> None:
    metadata = {"pending": 0 if next_retry_at is None else 1}
    if next_retry_at is not None:
        metadata[NEXT_RETRY_AT] = dg.MetadataValue.timestamp(next_retry_at)
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=WEBHOOK_DELIVERIES, metadata=metadata)
    )


def _evaluate(instance: dg.DagsterInstance):
    return webhook_retry_sensor(dg.build_sensor_context(instance=instance))


def test_nothing_is_started_before_any_delivery_or_when_nothing_waits():
    with dg.instance_for_test() as instance:
        assert isinstance(_evaluate(instance), dg.SkipReason)
        _delivery_pass(instance, None)
        skip = _evaluate(instance)
        assert isinstance(skip, dg.SkipReason)
        assert "No webhook delivery is waiting" in skip.skip_message


def test_a_retry_waits_for_its_backoff_then_starts_one_delivery_run():
    with dg.instance_for_test() as instance:
        _delivery_pass(instance, time.time() + 600)
        early = _evaluate(instance)
        assert isinstance(early, dg.SkipReason)
        assert "falls due at" in early.skip_message

        _delivery_pass(instance, time.time() - 1)
        assert isinstance(_evaluate(instance), dg.RunRequest)


def test_no_second_run_while_a_delivery_run_is_in_flight():
    with dg.instance_for_test() as instance:
        _delivery_pass(instance, time.time() - 1)
        instance.add_run(
            dg.DagsterRun(job_name=webhook_delivery_job.name, status=dg.DagsterRunStatus.STARTED)
        )
        skip = _evaluate(instance)
        assert isinstance(skip, dg.SkipReason)
        assert "already queued or running" in skip.skip_message

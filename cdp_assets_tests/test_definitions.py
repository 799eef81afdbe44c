import dagster as dg

from cdp_assets.definitions import defs
from cdp_assets.partitions import daily_partitions
from cdp_assets.sources import SOURCES


def _raw_assets():
    return [
        asset
        for asset in defs.assets
        if isinstance(asset, dg.AssetsDefinition)
        and len(asset.keys) == 1
        and asset.key.to_user_string().startswith("raw_")
    ]


def test_definitions_load():
    repository = defs.get_repository_def()
    assert repository.get_all_jobs()


def test_there_are_exactly_twelve_source_assets():
    names = sorted(asset.key.to_user_string() for asset in _raw_assets())
    assert len(names) == 12
    assert names == sorted(f"raw_{source.name}" for source in SOURCES)


def test_every_source_asset_is_daily_partitioned_with_a_single_run_backfill():
    for asset in _raw_assets():
        assert asset.partitions_def == daily_partitions
        assert asset.backfill_policy == dg.BackfillPolicy.single_run()


def test_partitions_reach_back_five_years():
    assert daily_partitions.get_first_partition_key() <= "2021-12-01"


def test_each_source_has_a_running_landing_sensor():
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    for source in SOURCES:
        sensor = sensors[f"{source.name}_landing_sensor"]
        assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_daily_exports_have_a_running_schedule():
    schedules = {s.name for s in defs.schedules if s.name.endswith("_daily_export_schedule")}
    expected = {f"{s.name}_daily_export_schedule" for s in SOURCES if s.daily_export}
    assert expected == schedules
    assert {"99acres", "magicbricks", "referral"} <= {s.name for s in SOURCES if s.daily_export}
    for schedule in defs.schedules:
        assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_a_standardized_day_starts_a_customer_update():
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    sensor = sensors["customer_update_sensor"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "customer_update_job"
    job = defs.resolve_job_def("customer_update_job")
    selected = {key.to_user_string() for key in job.asset_layer.selected_asset_keys}
    assert {"contacts", "customers", "golden_records", "outbox", "webhook_deliveries"} <= selected


def test_failed_webhook_deliveries_are_retried_by_a_running_sensor():
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    sensor = sensors["webhook_retry_sensor"]
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "webhook_delivery_job"

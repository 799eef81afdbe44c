"""Daily schedules for the sources that deliver one export file per day over SFTP."""

from datetime import timedelta

import dagster as dg

from cdp_assets.sources import SOURCES, Source


def build_daily_export_schedule(source: Source) -> dg.ScheduleDefinition:
    """Ingests yesterday's export each morning, whether or not a sensor already did."""
    job = dg.define_asset_job(
        name=f"{source.name}_daily_export_job",
        selection=[dg.AssetKey(source.raw_asset_name)],
    )

    @dg.schedule(
        name=f"{source.name}_daily_export_schedule",
        job=job,
        cron_schedule="30 7 * * *",
        execution_timezone="Asia/Kolkata",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"Ingests yesterday's {source.title} export at 07:30 IST.",
    )
    def daily_export_schedule(context: dg.ScheduleEvaluationContext):
        yesterday = (context.scheduled_execution_time - timedelta(days=1)).date().isoformat()
        return dg.RunRequest(run_key=f"{source.name}:{yesterday}", partition_key=yesterday)

    return daily_export_schedule


daily_export_schedules = [
    build_daily_export_schedule(source) for source in SOURCES if source.daily_export
]

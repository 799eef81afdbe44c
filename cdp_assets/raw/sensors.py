"""A sensor per source: new or changed landing files request their day's partition."""

import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta

import dagster as dg

from cdp_assets.landing import LandingFile, LandingZone
from cdp_assets.partitions import daily_partitions
from cdp_assets.sources import SOURCES, Source

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def ingestion_keys(source: Source) -> list[dg.AssetKey]:
    """What a new file starts: its raw partition and the standardized one built from it."""
    return [dg.AssetKey(source.raw_asset_name), dg.AssetKey(f"standardized_{source.name}")]


def _consecutive_ranges(days: list[str]) -> list[tuple[str, str]]:
    """Groups sorted ISO days into runs of consecutive days."""
    ranges: list[tuple[str, str]] = []
    for day in days:
        if ranges and date.fromisoformat(ranges[-1][1]) + timedelta(days=1) == date.fromisoformat(
            day
        ):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _run_key(source: Source, files: list[LandingFile]) -> str:
    digest = hashlib.sha256()
    for file in sorted(files, key=lambda f: f.key):
        digest.update(f"{file.key}@{file.version}\n".encode())
    return f"{source.name}:{digest.hexdigest()[:20]}"


def landing_run_requests(
    context: dg.SensorEvaluationContext | None,
    source: Source,
    landing_zone: LandingZone,
    cursor: str | None,
) -> tuple[list[dg.RunRequest], str]:
    """Run requests for files not seen at their current version, and the new cursor.

    Consecutive days become one run over the range (the assets backfill in a single run),
    so a first look at years of history is one Spark job, not thousands.
    """
    seen: dict[str, str] = json.loads(cursor) if cursor else {}
    changed: dict[str, list[LandingFile]] = defaultdict(list)
    for file in landing_zone.list_files(source.name):
        if seen.get(file.key) == file.version:
            continue
        seen[file.key] = file.version
        if daily_partitions.has_partition_key(file.day):
            changed[file.day].append(file)
        elif context is not None:
            context.log.warning(
                f"Skipping {file.key}: '{file.day}' is not a day in the partition range"
            )

    requests = []
    for first, last in _consecutive_ranges(sorted(changed)):
        files = [
            file for day, day_files in changed.items() if first <= day <= last for file in day_files
        ]
        tags = {RANGE_START_TAG: first, RANGE_END_TAG: last}
        requests.append(
            dg.RunRequest(
                run_key=_run_key(source, files),
                asset_selection=ingestion_keys(source),
                partition_key=first if first == last else None,
                tags={} if first == last else tags,
            )
        )
    return requests, json.dumps(seen, sort_keys=True)


def build_landing_sensor(source: Source) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{source.name}_landing_sensor",
        description=f"Requests {source.raw_asset_name} partitions for new {source.title} files.",
        asset_selection=ingestion_keys(source),
        minimum_interval_seconds=15,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def landing_sensor(context: dg.SensorEvaluationContext, landing_zone: LandingZone):
        requests, cursor = landing_run_requests(context, source, landing_zone, context.cursor)
        return dg.SensorResult(run_requests=requests, cursor=cursor)

    return landing_sensor


landing_sensors = [build_landing_sensor(source) for source in SOURCES]

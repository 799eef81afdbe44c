"""Where an incremental day spends its time: Spark job time per stage and per job kind.

Puts back the base lake `scale.py --snapshot-base` saved, lands the held day, starts Spark
and reads the lake, then materializes the day stage by stage (the golden assets one at a
time) and prints each stage's wall time next to the Spark jobs it ran, grouped by their
description and call site, largest first. Job times overlap when Spark runs jobs side by
side, so a stage's job time can exceed its wall time.

    .venv/bin/python benchmarks/profile_day.py --workdir data/bench/scale-2300k \\
        --day 2026-01-01 --from held [--python-profile identity]
"""

from __future__ import annotations

import cProfile
import io
import json
import logging
import os
import pstats
import sys
import urllib.request
from collections import defaultdict
from datetime import datetime
from pathlib import Path


def _jobs(spark) -> list[dict]:
    context = spark.sparkContext
    url = f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/jobs?status=succeeded"
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def _seconds(job: dict) -> float:
    def parsed(text: str) -> datetime:
        return datetime.strptime(text.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")

    return (parsed(job["completionTime"]) - parsed(job["submissionTime"])).total_seconds()


def _kind(job: dict) -> str:
    description = (job.get("description") or "")[:80]
    return f"{description} | {job['name']}" if description else job["name"]


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from next_day import day_arguments

    parser = day_arguments(__doc__.splitlines()[0], "held")
    parser.add_argument("--top", type=int, default=8, help="job kinds to list per stage")
    parser.add_argument(
        "--python-profile",
        action="append",
        default=[],
        metavar="STAGE",
        help="also list the driver's Python functions by cumulative time for this stage",
    )
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    logging.basicConfig(level=logging.WARNING)
    from scale import use_workdir

    use_workdir(workdir, args.driver_memory, args.shuffle_partitions)
    # The UI's REST API is where job times are read from; keep every job of the run.
    os.environ["CDP_SPARK_CONF"] = json.dumps(
        {
            "spark.ui.enabled": "true",
            "spark.ui.retainedJobs": "100000",
            "spark.ui.retainedStages": "100000",
        }
    )

    from next_day import _restore_base, _warm_up
    from scale import GOLDEN_KEYS, IDENTITY_KEYS, Build, PeakMemory, _land_held_day, _write

    set_aside = workdir / args.source
    _restore_base(workdir, set_aside, args.day)
    _land_held_day(workdir / "landing", set_aside)

    memory = PeakMemory()
    memory.start()
    build = Build(memory)
    spark = build.spark
    _warm_up(spark)
    seen = {job["jobId"] for job in _jobs(spark)}
    stages = [
        ("ingest", build.keys_with_prefix("raw_"), args.day, args.day),
        ("standardize", build.keys_with_prefix("standardized_"), args.day, args.day),
        ("contacts", ["contacts"], None, None),
        ("identity", IDENTITY_KEYS, None, None),
        *[(key, [key], None, None) for key in GOLDEN_KEYS],
    ]
    total = 0.0
    for name, keys, first, last in stages:
        profiler = cProfile.Profile() if name in args.python_profile else None
        if profiler:
            profiler.enable()
        report = build.stage(name, keys, first, last)
        if profiler:
            profiler.disable()
            listing = io.StringIO()
            pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(
                r"cdp_assets|splink/internals/(linker|clustering|database_api)", 40
            )
            _write(listing.getvalue())
        total += report.seconds
        new = [job for job in _jobs(spark) if job["jobId"] not in seen]
        seen |= {job["jobId"] for job in new}
        by_kind = defaultdict(lambda: [0, 0.0])
        for job in new:
            by_kind[_kind(job)][0] += 1
            by_kind[_kind(job)][1] += _seconds(job)
        job_seconds = sum(seconds for _, seconds in by_kind.values())
        _write(f"  {len(new)} Spark jobs, {job_seconds:.1f} s of job time")
        ranked = sorted(by_kind.items(), key=lambda item: -item[1][1])
        for kind, (count, seconds) in ranked[: args.top]:
            _write(f"    {seconds:6.1f} s {count:4d}x  {kind}")
    _write(f"day total {total:.1f} s")
    memory.stop()


if __name__ == "__main__":
    main()

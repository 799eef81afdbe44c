"""One more day landed on a lake `scale.py` built, and built stage by stage.

Moves the day's files from a folder `scale.py` set aside (`dropped/` or `held/` in the work
folder) into its landing zone, then materializes ingest, standardize, contacts, identity
and golden records for that day alone, as the sensors would, and reports each stage's
wall time and memory and the quality afterwards.

    .venv/bin/python benchmarks/next_day.py --workdir data/bench/scale-2300k \\
        --day 2026-01-02 --from dropped

With `--from-base` the lake is first replaced by the copy `scale.py --snapshot-base` left in
`lake-base/`, and a day landed by an earlier trial is set aside again, so every trial starts
from the same base. `--warm-up` starts Spark and reads the lake before the clock starts, as
a long-running process would have done already.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import time
from datetime import date
from pathlib import Path


def _restore_base(workdir: Path, set_aside: Path, day: date) -> None:
    """Puts back the base lake and sets the day's landing folders aside again."""
    base = workdir / "lake-base"
    if not base.is_dir():
        raise SystemExit(f"no {base}: run scale.py with --snapshot-base first")
    shutil.rmtree(workdir / "lake", ignore_errors=True)
    shutil.copytree(base, workdir / "lake")
    for folder in sorted((workdir / "landing").glob(f"*/{day.isoformat()}")):
        target = set_aside / folder.parent.name / folder.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))


def _warm_up(spark) -> None:
    from cdp_assets import lake
    from cdp_assets.standardized.assets import contacts_table_path

    lake.read_table(spark, contacts_table_path()).limit(1).collect()


def day_arguments(description: str, set_aside: str) -> argparse.ArgumentParser:
    """The arguments every replay of a set-aside day takes: work folder, day, where it is."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workdir", type=Path, required=True, help="a scale.py work folder")
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--from", dest="source", default=set_aside, help="folder set aside")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", default="16")
    return parser


def main() -> None:
    parser = day_arguments(__doc__.splitlines()[0], "dropped")
    parser.add_argument("--from-base", action="store_true", help="start from lake-base/")
    parser.add_argument("--warm-up", action="store_true", help="start Spark before timing")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    logging.basicConfig(level=logging.WARNING)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale import use_workdir

    use_workdir(workdir, args.driver_memory, args.shuffle_partitions)

    from scale import Build, PeakMemory, _land_held_day, _quality, _quality_lines, _write

    set_aside = workdir / args.source
    if args.from_base:
        _restore_base(workdir, set_aside, args.day)
    if not any(set_aside.glob(f"*/{args.day.isoformat()}")):
        raise SystemExit(f"no files for {args.day} under {set_aside}")
    _land_held_day(workdir / "landing", set_aside)

    memory = PeakMemory()
    memory.start()
    build = Build(memory)
    if args.warm_up:
        _warm_up(build.spark)
    started = time.perf_counter()
    stages = build.full_build(args.day, args.day, prefix="next day ")
    total = time.perf_counter() - started
    customers = stages["identity"].metadata["customers"]
    _write(
        f"next day total {total:.1f} s for {customers['records_resolved_this_run']:,} new"
        f" records ({customers['mode']}), {customers['records']:,} records in all"
    )
    for line in _quality_lines(_quality(build.spark, workdir / "landing" / "_truth" / "truth.csv")):
        _write(line)
    memory.stop()


if __name__ == "__main__":
    main()

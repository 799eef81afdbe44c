"""The twelve standardized assets again over a lake `scale.py` built, timed run by run.

Reruns only the standardize stage, in one process and one Spark session, so a change to
standardization can be measured before and after on the same data. The first run also
warms the JVM; compare runs of the same rank.

    .venv/bin/python benchmarks/standardize_stage.py --workdir data/bench/scale-500k \\
        --first 2023-01-01 --last 2024-02-04 --runs 2
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a scale.py work folder")
    parser.add_argument("--first", type=date.fromisoformat, required=True)
    parser.add_argument("--last", type=date.fromisoformat, required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", default="16")
    args = parser.parse_args()
    workdir = args.workdir.resolve()
    logging.basicConfig(level=logging.WARNING)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from scale import use_workdir

    use_workdir(workdir, args.driver_memory, args.shuffle_partitions)

    from scale import Build, PeakMemory

    memory = PeakMemory()
    memory.start()
    build = Build(memory)
    keys = build.keys_with_prefix("standardized_")
    for run in range(1, args.runs + 1):
        build.stage(f"standardize run {run}", keys, args.first, args.last)
    memory.stop()


if __name__ == "__main__":
    main()

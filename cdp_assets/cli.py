"""The `cdp` command: generate a landing zone, run the pipeline, and work with its output."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date, timedelta
from pathlib import Path


def _write(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _generate(args: argparse.Namespace) -> int:
    from cdp_assets.generator import generate, people_for_records

    people = args.people if args.people else people_for_records(args.records)
    summary = generate(
        out=Path(args.out),
        people=people,
        days=args.days,
        start=date.fromisoformat(args.start),
        seed=args.seed,
    )
    _write(f"Wrote {summary.total_records:,} records for {summary.people:,} people to {args.out}")
    for source, count in sorted(summary.records.items()):
        _write(f"  {source:<12} {count:>10,}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from cdp_assets.pipeline import run_pipeline

    first = date.fromisoformat(args.start)
    last = first + timedelta(days=args.days - 1)
    summary = run_pipeline(first, last)
    _write(summary)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a realistic landing zone with truth")
    size = generate.add_mutually_exclusive_group(required=True)
    size.add_argument("--people", type=int, help="number of people behind the leads")
    size.add_argument("--records", type=int, help="approximate number of lead records")
    generate.add_argument("--days", type=int, required=True, help="number of days of files")
    generate.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    generate.add_argument("--out", required=True, help="landing zone folder to write")
    generate.add_argument("--seed", type=int, default=7, help="same seed, same files")
    generate.set_defaults(handler=_generate)

    run = commands.add_parser("run", help="materialize every asset for a range of days")
    run.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    run.add_argument("--days", type=int, default=1, help="number of days from --start")
    run.set_defaults(handler=_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("CDP_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())

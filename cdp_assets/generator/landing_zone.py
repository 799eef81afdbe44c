"""Writes a whole landing zone, every source's files for every day, with its ground truth."""

from __future__ import annotations

import csv
import logging
import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cdp_assets.generator.journeys import MEAN_TOUCHES, SOURCE_NAMES, JourneyPlanner, Touch
from cdp_assets.generator.people import PeopleFactory
from cdp_assets.generator.writers import source_writers

logger = logging.getLogger(__name__)

TRUTH_COLUMNS = ("source", "source_record_id", "person_id")


@dataclass
class GenerationSummary:
    """What a generation wrote: people, records per source (those that parse) and files."""

    people: int
    records: dict[str, int] = field(default_factory=dict)
    files_written: int = 0
    broken_rows: int = 0

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def people_for_records(records: int) -> int:
    """How many people to generate for about `records` source records."""
    return max(1, math.ceil(records / MEAN_TOUCHES))


def generate(
    out: Path,
    people: int,
    days: int,
    start: date,
    seed: int = 7,
    broken_rows: bool = True,
) -> GenerationSummary:
    """Write `<out>/<source>/<YYYY-MM-DD>/` files for days `start .. start+days-1`.

    The truth goes to `<out>/_truth/truth.csv`: one `source,source_record_id,person_id`
    row per record that parses. The same arguments always write the same bytes.
    """
    if people < 1 or days < 1:
        raise ValueError("people and days must both be at least 1")
    began = time.perf_counter()
    out = Path(out)
    rng = random.Random(seed)
    factory = PeopleFactory(rng)
    planner = JourneyPlanner(rng, start, days)
    writers = source_writers(rng, broken_rows)
    summary = GenerationSummary(people=people, records=dict.fromkeys(SOURCE_NAMES, 0))

    truth_path = out / "_truth" / "truth.csv"
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    pending: dict[int, list[Touch]] = defaultdict(list)
    next_day = 0
    with truth_path.open("w", newline="", encoding="utf-8") as truth_file:
        truth = csv.writer(truth_file, lineterminator="\n")
        truth.writerow(TRUTH_COLUMNS)

        def flush(day: int) -> None:
            by_source: dict[str, list[Touch]] = defaultdict(list)
            for touch in sorted(pending.pop(day, []), key=lambda touch: touch.moment):
                by_source[touch.source].append(touch)
            day_date = start + timedelta(days=day)
            for source in SOURCE_NAMES:
                if not by_source[source]:
                    continue
                directory = out / source / day_date.isoformat()
                rows = writers[source].write_day(directory, day_date, by_source[source])
                truth.writerows((source, record_id, person_id) for record_id, person_id in rows)
                summary.records[source] += len(rows)

        # People start their journeys in index order, so once a person starts on a day no
        # later person can add to an earlier one: those days are complete and are written.
        for index in range(people):
            first_day = index * days // people
            while next_day < first_day:
                flush(next_day)
                next_day += 1
            for touch in planner.plan(factory.person(index), first_day):
                pending[touch.day].append(touch)
        while next_day < days:
            flush(next_day)
            next_day += 1

    summary.files_written = sum(writer.files_written for writer in writers.values()) + 1
    summary.broken_rows = sum(writer.broken_lines for writer in writers.values())
    logger.info(
        "Generated %d records of %d people over %d days in %.1f seconds",
        summary.total_records,
        people,
        days,
        time.perf_counter() - began,
    )
    return summary

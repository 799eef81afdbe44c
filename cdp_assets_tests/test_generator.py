"""The generated landing zone: every source present, reproducible, and in step with its truth."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from cdp_assets.generator import generate, people_for_records
from cdp_assets.sources import SOURCES
from cdp_assets.sources.base import ParsedRecord, Rejected

START = date(2024, 3, 5)


def parse_landing_zone(root: Path) -> tuple[dict[tuple[str, str], ParsedRecord], list[Rejected]]:
    """Every record and rejection the parsers find under `root`, records keyed by source and id."""
    parsed: dict[tuple[str, str], ParsedRecord] = {}
    rejected: list[Rejected] = []
    for source in SOURCES:
        for path in sorted((root / source.name).glob("*/*")):
            for result in source.parse(path.read_bytes(), path.name):
                if isinstance(result, Rejected):
                    rejected.append(result)
                    continue
                key = (source.name, result.record_id)
                assert key not in parsed, f"record id {key} appears twice"
                parsed[key] = result
    return parsed, rejected


def read_truth(root: Path) -> list[dict[str, str]]:
    with (root / "_truth" / "truth.csv").open(newline="", encoding="utf-8") as truth:
        return list(csv.DictReader(truth))


def landing_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*.*")}


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny") / "landing"
    generate(root, people=40, days=3, start=START)
    return root


def test_tiny_generation_writes_every_sources_directory(tiny_landing):
    written = {path.name for path in tiny_landing.iterdir() if path.is_dir()}

    assert written == {source.name for source in SOURCES} | {"_truth"}


def test_day_folders_are_the_requested_days(tiny_landing):
    days = {path.name for path in tiny_landing.glob("*/*") if path.is_dir()} - {"_truth"}

    assert days <= {"2024-03-05", "2024-03-06", "2024-03-07"}


def test_same_seed_writes_identical_bytes(tiny_landing, tmp_path):
    again = tmp_path / "again"

    generate(again, people=40, days=3, start=START)

    assert landing_bytes(again) == landing_bytes(tiny_landing)


def test_another_seed_writes_another_landing_zone(tiny_landing, tmp_path):
    other = tmp_path / "other"

    generate(other, people=40, days=3, start=START, seed=8)

    assert landing_bytes(other) != landing_bytes(tiny_landing)


def test_every_truth_row_is_exactly_one_parsed_record_and_back(tiny_landing):
    parsed, rejected = parse_landing_zone(tiny_landing)
    truth = {(row["source"], row["source_record_id"]) for row in read_truth(tiny_landing)}

    assert rejected == []
    assert len(truth) == len(read_truth(tiny_landing))
    assert truth == set(parsed)


def test_one_person_shows_up_in_several_sources_with_differently_spelled_phones(tiny_landing):
    parsed, _ = parse_landing_zone(tiny_landing)
    spellings_by_number: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in read_truth(tiny_landing):
        phone = parsed[(row["source"], row["source_record_id"])].phone
        if phone:
            last_ten = re.sub(r"\D", "", phone)[-10:]
            spellings_by_number[(row["person_id"], last_ten)].add((row["source"], phone))

    assert any(
        len({source for source, _ in spellings}) >= 2 and len({raw for _, raw in spellings}) >= 2
        for spellings in spellings_by_number.values()
    )


def test_broken_rows_are_rejected_and_left_out_of_the_truth(tmp_path):
    root = tmp_path / "landing"

    summary = generate(root, people=3000, days=10, start=START)

    parsed, rejected = parse_landing_zone(root)
    truth = {(row["source"], row["source_record_id"]) for row in read_truth(root)}
    assert summary.broken_rows > 0
    assert len(rejected) == summary.broken_rows
    assert truth == set(parsed)
    assert summary.total_records == len(truth)


def test_without_broken_rows_nothing_is_rejected(tmp_path):
    root = tmp_path / "landing"

    generate(root, people=3000, days=10, start=START, broken_rows=False)

    _, rejected = parse_landing_zone(root)
    assert rejected == []


def test_people_for_records_yields_about_that_many_records(tmp_path):
    summary = generate(tmp_path / "landing", people_for_records(2000), days=5, start=START)

    assert 1800 <= summary.total_records <= 2200


def test_opt_outs_and_re_consents_reach_the_landing_zone(tmp_path):
    root = tmp_path / "landing"
    generate(root, people=3000, days=10, start=START, broken_rows=False)

    parsed, _ = parse_landing_zone(root)

    opt_outs = {source for (source, _), record in parsed.items() if record.opt_out is True}
    re_consents = {source for (source, _), r in parsed.items() if r.event_type == "re_consent"}
    assert {"99acres", "magicbricks", "freshdesk", "legacy_crm"} <= opt_outs
    assert re_consents

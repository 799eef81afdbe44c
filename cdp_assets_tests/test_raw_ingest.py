"""Materializing source partitions for real: Spark, Delta, the parsers and the quarantine."""

import json
from datetime import date, timedelta

import dagster as dg
import pytest
from dagster_pyspark import PySparkResource

from cdp_assets import lake
from cdp_assets.generator import generate
from cdp_assets.landing import LocalLandingZone
from cdp_assets.raw.assets import raw_assets
from cdp_assets.raw.ingest import quarantine_table_path, raw_table_path
from cdp_assets.sources import SOURCES
from cdp_assets.spark import spark_config

DAY = "2024-03-05"


def _materialize(landing_root, partition_key, selection=None, raise_on_error=True):
    return dg.materialize(
        raw_assets,
        selection=selection,
        partition_key=partition_key,
        resources={
            "pyspark": PySparkResource(spark_config=spark_config("local[2]")),
            "landing_zone": LocalLandingZone(root=str(landing_root)),
        },
        raise_on_error=raise_on_error,
    )


def _rows(spark, path, order_by):
    return [row.asDict() for row in lake.read_table(spark, path).orderBy(*order_by).collect()]


def _raw_rows(spark, source):
    rows = _rows(spark, raw_table_path(source), ["record_id"])
    for row in rows:
        row.pop("ingested_at")
    return rows


def _quarantine(spark, source):
    rows = lake.read_table(spark, quarantine_table_path()).where(f"source = '{source}'")
    return [row.asDict() for row in rows.orderBy("file", "line").collect()]


def _write(landing_root, source, day, name, content: bytes | str):
    folder = landing_root / source / day
    folder.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def generated_day(tmp_path_factory):
    """A tiny generated landing zone: one day of every source."""
    root = tmp_path_factory.mktemp("generated")
    generate(out=root, people=300, days=1, start=date.fromisoformat(DAY), seed=11)
    return root


@pytest.fixture(scope="module")
def ingested_day(spark, generated_day, tmp_path_factory):
    """The generated day materialized once for every source, in a lake of its own."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CDP_LAKE_ROOT", str(tmp_path_factory.mktemp("lake")))
    result = _materialize(generated_day, DAY)
    yield result
    patch.undo()


def test_one_day_of_every_source_lands_in_its_bronze_table(spark, ingested_day):
    assert ingested_day.success
    for source in SOURCES:
        table = lake.read_table(spark, raw_table_path(source.name))
        days = {row.day for row in table.select("day").distinct().collect()}
        assert days == {date(2024, 3, 5)}, source.name
        assert table.count() > 0, source.name
        sample = table.first()
        assert sample.payload and sample.file.startswith(f"{source.name}/{DAY}/")
        assert sample.line >= 1


def test_rematerializing_a_partition_leaves_identical_tables(spark, ingested_day, generated_day):
    first = {source.name: _raw_rows(spark, source.name) for source in SOURCES}

    _materialize(generated_day, DAY)
    second = {source.name: _raw_rows(spark, source.name) for source in SOURCES}

    assert first == second
    for source in SOURCES:
        ids = [row["record_id"] for row in second[source.name]]
        assert len(ids) == len(set(ids)), source.name


def test_rematerializing_one_day_leaves_the_other_days_alone(spark, lake_root, tmp_path):
    landing = tmp_path / "landing"
    generate(out=landing, people=200, days=3, start=date(2024, 3, 4), seed=5)
    days = ["2024-03-04", "2024-03-05", "2024-03-06"]
    for day in days:
        _materialize(landing, day, selection=["raw_website"])
    before = _raw_rows(spark, "website")

    _materialize(landing, days[1], selection=["raw_website"])

    after = _raw_rows(spark, "website")
    assert after == before
    assert {row["day"].isoformat() for row in after} == set(days)


def test_materialization_reports_rows_rejects_and_files(spark, ingested_day):
    [event] = [
        event
        for event in ingested_day.get_asset_materialization_events()
        if event.asset_key.to_user_string() == "raw_99acres"
    ]
    metadata = event.event_specific_data.materialization.metadata
    table = lake.read_table(spark, raw_table_path("99acres"))
    assert metadata["rows_written"].value == table.count()
    assert metadata["files_read"].value >= 1
    assert "rows_quarantined" in metadata
    checks = [
        check
        for check in ingested_day.get_asset_check_evaluations()
        if check.asset_key.to_user_string() == "raw_99acres"
    ]
    assert {check.check_name: check.passed for check in checks}["record_ids_unique"] is True


def test_a_record_id_delivered_twice_in_a_day_is_kept_once_and_the_repeat_quarantined(
    spark, lake_root, landing_root
):
    line = "D|REF-{id}|20240305|Anita Rao|981234567{id}|anita{id}@gmail.com|Pune|Baner|Sky|Vikram\n"
    first = "H|PRT01|20240305|B1\n" + line.format(id=1) + line.format(id=2) + "T|2\n"
    second = "H|PRT01|20240305|B2\n" + line.format(id=2) + "T|1\n"
    _write(landing_root, "referral", DAY, "REF_20240305_1.txt", first)
    _write(landing_root, "referral", DAY, "REF_20240305_2.txt", second)

    result = _materialize(landing_root, DAY, selection=["raw_referral"])

    kept = _raw_rows(spark, "referral")
    assert [(row["record_id"], row["file"]) for row in kept] == [
        ("REF-1", f"referral/{DAY}/REF_20240305_1.txt"),
        ("REF-2", f"referral/{DAY}/REF_20240305_1.txt"),
    ]
    [repeat] = _quarantine(spark, "referral")
    assert (repeat["file"], repeat["line"]) == (f"referral/{DAY}/REF_20240305_2.txt", 2)
    assert repeat["reason"] == "duplicate record id, first seen at REF_20240305_1.txt:3"
    [check] = [
        check
        for check in result.get_asset_check_evaluations()
        if check.check_name == "record_ids_unique"
    ]
    assert check.passed is True


def test_malformed_lines_go_to_quarantine_with_their_reason(spark, lake_root, landing_root):
    good = {
        "lead_id": "99A-1",
        "created_at": "2024-03-05T10:22:31+05:30",
        "contact": {"name": "Rahul Sharma", "mobile": "9876543210", "email": "r@gmail.com"},
        "property": {"project": "Skyline Towers", "locality": "Baner", "city": "Pune"},
        "query_type": "enquiry",
        "dnd": False,
    }
    missing_id = {key: value for key, value in good.items() if key != "lead_id"}
    lines = [json.dumps(good), '{"lead_id": "99A-2", "created_at": ', json.dumps(missing_id)]
    _write(landing_root, "99acres", DAY, f"leads_{DAY}.jsonl", "\n".join(lines) + "\n")

    result = _materialize(landing_root, DAY, selection=["raw_99acres"])

    assert result.success
    assert [row["record_id"] for row in _raw_rows(spark, "99acres")] == ["99A-1"]
    rejected = _quarantine(spark, "99acres")
    assert [row["line"] for row in rejected] == [2, 3]
    assert all(row["file"] == f"99acres/{DAY}/leads_{DAY}.jsonl" for row in rejected)
    assert "json" in rejected[0]["reason"].lower()
    assert "lead_id" in rejected[1]["reason"]
    assert rejected[0]["raw_text"] == lines[1]


def test_undecodable_bytes_are_quarantined_not_fatal(spark, lake_root, landing_root):
    header = "H|PRT01|20240305|B1\n"
    good = "D|REF-1|20240305|Anita Rao|9812345678|anita@gmail.com|Pune|Baner|Skyline|Vikram\n"
    broken = b"D|REF-2|20240305|An\xffita|9812345679|a@b.com|Pune|Baner|Skyline|Vikram\n"
    wrong_count = "D|REF-3|20240305|Only|Five|Fields\n"
    content = header.encode() + good.encode() + broken + wrong_count.encode() + b"T|3\n"
    _write(landing_root, "referral", DAY, "REF_20240305.txt", content)

    result = _materialize(landing_root, DAY, selection=["raw_referral"])

    assert result.success
    assert [row["record_id"] for row in _raw_rows(spark, "referral")] == ["REF-1"]
    reasons = [row["reason"] for row in _quarantine(spark, "referral")]
    assert len(reasons) == 2
    assert any("field" in reason for reason in reasons)


def test_a_rerun_after_fixing_a_file_clears_its_quarantine_rows(spark, lake_root, landing_root):
    next_day = (date.fromisoformat(DAY) + timedelta(days=1)).isoformat()
    _write(landing_root, "website", DAY, f"forms_{DAY}.jsonl", "{not json\n")
    _write(landing_root, "website", next_day, f"forms_{next_day}.jsonl", "{not json\n")
    _write(landing_root, "whatsapp", DAY, "webhooks.jsonl", "{not json\n")
    for day in (DAY, next_day):
        _materialize(landing_root, day, selection=["raw_website", "raw_whatsapp"])
    assert len(_quarantine(spark, "website")) == 2

    _write(landing_root, "website", DAY, f"forms_{DAY}.jsonl", "")
    _materialize(landing_root, DAY, selection=["raw_website"])

    assert [row["file"] for row in _quarantine(spark, "website")] == [
        f"website/{next_day}/forms_{next_day}.jsonl"
    ]
    assert len(_quarantine(spark, "whatsapp")) == 1


def test_a_file_that_cannot_be_read_fails_the_run_naming_the_file(lake_root, landing_root):
    _write(landing_root, "freshdesk", DAY, "tickets.json", '[{"id": 1, ')

    result = _materialize(landing_root, DAY, selection=["raw_freshdesk"], raise_on_error=False)

    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    assert "tickets.json" in failure.event_specific_data.error.to_string()

import dagster as dg

from cdp_assets.landing import LocalLandingZone
from cdp_assets.raw.sensors import RANGE_END_TAG, RANGE_START_TAG, build_landing_sensor
from cdp_assets.sources import SOURCES_BY_NAME


def _drop(root, source, day, name, text="{}\n"):
    folder = root / source / day
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder / name


def _tick(root, source_name, cursor=None):
    sensor = build_landing_sensor(SOURCES_BY_NAME[source_name])
    context = dg.build_sensor_context(
        cursor=cursor, resources={"landing_zone": LocalLandingZone(root=str(root))}
    )
    result = sensor(context)
    return result.run_requests, result.cursor


def test_a_new_file_requests_its_day_partition(tmp_path):
    _drop(tmp_path, "website", "2024-03-05", "forms_2024-03-05.jsonl")

    requests, _ = _tick(tmp_path, "website")

    assert [request.partition_key for request in requests] == ["2024-03-05"]
    assert requests[0].asset_selection == [
        dg.AssetKey("raw_website"),
        dg.AssetKey("standardized_website"),
    ]


def test_a_second_tick_requests_nothing(tmp_path):
    _drop(tmp_path, "website", "2024-03-05", "forms_2024-03-05.jsonl")
    _, cursor = _tick(tmp_path, "website")

    requests, _ = _tick(tmp_path, "website", cursor)

    assert requests == []


def test_a_changed_file_is_requested_again(tmp_path):
    path = _drop(tmp_path, "website", "2024-03-05", "forms_2024-03-05.jsonl")
    first, cursor = _tick(tmp_path, "website")
    path.write_text('{"submission_id": "x"}\n{"submission_id": "y"}\n')

    requests, _ = _tick(tmp_path, "website", cursor)

    assert [request.partition_key for request in requests] == ["2024-03-05"]
    assert requests[0].run_key != first[0].run_key


def test_consecutive_days_become_one_ranged_run(tmp_path):
    for day in ("2024-03-05", "2024-03-06", "2024-03-07", "2024-03-09"):
        _drop(tmp_path, "freshdesk", day, "tickets.json", "[]")

    requests, _ = _tick(tmp_path, "freshdesk")

    assert len(requests) == 2
    ranged, single = requests
    assert ranged.tags[RANGE_START_TAG] == "2024-03-05"
    assert ranged.tags[RANGE_END_TAG] == "2024-03-07"
    assert single.partition_key == "2024-03-09"


def test_a_file_outside_the_partition_range_is_skipped_without_failing(tmp_path):
    _drop(tmp_path, "mailchimp", "1999-01-01", "members.json")
    _drop(tmp_path, "mailchimp", "not-a-day", "members.json")
    _drop(tmp_path, "mailchimp", "2024-03-05", "members.json")

    requests, cursor = _tick(tmp_path, "mailchimp")
    again, _ = _tick(tmp_path, "mailchimp", cursor)

    assert [request.partition_key for request in requests] == ["2024-03-05"]
    assert again == []


def test_a_sensor_only_sees_its_own_source(tmp_path):
    _drop(tmp_path, "website", "2024-03-05", "forms_2024-03-05.jsonl")

    requests, _ = _tick(tmp_path, "housing")

    assert requests == []

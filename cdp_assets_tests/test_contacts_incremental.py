"""contacts takes in only the changed days, and ends as a rebuild from every source would."""

from datetime import date, datetime

import pytest
from pyspark.sql import functions as F

from cdp_assets import lake
from cdp_assets.identity.contacts import contacts_frame
from cdp_assets.standardize import expand_initials_marked
from cdp_assets.standardized import contacts as contacts_module
from cdp_assets.standardized.contacts import FULL, INCREMENTAL, update_contacts

DAY_1 = date(2025, 6, 1)
DAY_2 = date(2025, 6, 2)
DAY_3 = date(2025, 6, 3)


def _record(source, record_id, day, name, phone=None, email=None):
    return {
        "record_key": f"{source}:{record_id}",
        "event_ts": datetime(day.year, day.month, day.day, 10, 0),
        "name": name,
        "phone": phone,
        "email": email,
    }


@pytest.fixture
def standardized(spark, lake_root):
    """Writes one source's standardized day the way its asset does; returns the inputs."""
    inputs = {
        "website": lake.table_path("standardized", "website"),
        "walk_in": lake.table_path("standardized", "walk_in"),
    }

    def write(source, day, records):
        frame = contacts_frame(spark, records)
        predicate = lake.day_range_predicate("day", day, day)
        lake.replace_where(frame, inputs[source], predicate, change_data_feed=True)

    write.inputs = inputs
    return write


def _contacts(spark):
    return {
        row.record_key: (row.name, row.first_name, row.initial_expanded)
        for row in lake.read_table(spark, lake.table_path("contacts")).collect()
    }


def _rebuilt(spark, inputs):
    tables = [lake.read_table(spark, path) for path in inputs.values()]
    union = tables[0].unionByName(tables[1])
    return {
        row.record_key: (row.name, row.first_name, row.initial_expanded)
        for row in expand_initials_marked(union).collect()
    }


def _update(spark, inputs):
    present = {name: path for name, path in inputs.items() if lake.table_exists(spark, path)}
    return update_contacts(spark, present, lake.table_path("contacts"))


@pytest.mark.parametrize("broadcast_records", [200_000, 0], ids=["broadcast", "shuffled"])
def test_first_run_rebuilds_and_a_new_day_is_taken_in_alone(
    spark, standardized, monkeypatch, broadcast_records
):
    monkeypatch.setattr(contacts_module, "BROADCAST_RECORDS", broadcast_records)
    standardized("website", DAY_1, [_record("website", "1", DAY_1, "r sharma", "+919876543210")])
    standardized("walk_in", DAY_1, [_record("walk_in", "1", DAY_1, "neha ghosh", "+919812345678")])
    first = _update(spark, standardized.inputs)

    standardized(
        "walk_in", DAY_2, [_record("walk_in", "2", DAY_2, "rahul sharma", "+919876543210")]
    )
    second = _update(spark, standardized.inputs)

    assert first.mode == FULL
    assert (second.mode, second.days_taken_in, second.inserted) == (INCREMENTAL, 1, 1)
    contacts = _contacts(spark)
    assert contacts["website:1"] == ("rahul sharma", "rahul", True)
    assert contacts == _rebuilt(spark, standardized.inputs)


def test_each_source_brings_its_own_changed_days_and_a_new_source_all_of_its(spark, standardized):
    standardized("website", DAY_1, [_record("website", "1", DAY_1, "neha ghosh", "+919812345678")])
    _update(spark, standardized.inputs)

    standardized("walk_in", DAY_1, [_record("walk_in", "1", DAY_1, "vivek nair", "+919800000002")])
    standardized("walk_in", DAY_3, [_record("walk_in", "2", DAY_3, "ritu rao", "+919800000003")])
    standardized("website", DAY_2, [_record("website", "2", DAY_2, "amit shah", "+919800000001")])
    with_new_source = _update(spark, standardized.inputs)

    standardized("website", DAY_3, [_record("website", "3", DAY_3, "sara khan", "+919800000004")])
    standardized("walk_in", DAY_2, [_record("walk_in", "3", DAY_2, "om joshi", "+919800000005")])
    both_changed = _update(spark, standardized.inputs)

    assert (with_new_source.mode, with_new_source.days_taken_in, with_new_source.inserted) == (
        INCREMENTAL,
        3,
        3,
    )
    assert (both_changed.mode, both_changed.days_taken_in, both_changed.inserted) == (
        INCREMENTAL,
        2,
        2,
    )
    assert _contacts(spark) == _rebuilt(spark, standardized.inputs)
    assert len(_contacts(spark)) == 6


def test_a_second_spelling_puts_an_expanded_initial_back(spark, standardized):
    phone = "+919876543210"
    standardized(
        "website",
        DAY_1,
        [
            _record("website", "1", DAY_1, "r sharma", phone),
            _record("website", "2", DAY_1, "rahul sharma", phone),
        ],
    )
    _update(spark, standardized.inputs)
    assert _contacts(spark)["website:1"] == ("rahul sharma", "rahul", True)

    standardized("walk_in", DAY_2, [_record("walk_in", "1", DAY_2, "rohit sharma", phone)])
    update = _update(spark, standardized.inputs)

    contacts = _contacts(spark)
    assert contacts["website:1"] == ("r sharma", "r", False)
    assert update.updated == 1
    assert contacts == _rebuilt(spark, standardized.inputs)


def test_spellings_on_a_neighbours_other_identifier_still_count(spark, standardized):
    standardized(
        "website",
        DAY_1,
        [
            _record("website", "1", DAY_1, "p nair", "+919822222222", "p.nair@gmail.com"),
            _record("website", "2", DAY_1, "pooja nair", None, "p.nair@gmail.com"),
        ],
    )
    _update(spark, standardized.inputs)
    assert _contacts(spark)["website:1"][0] == "pooja nair"

    standardized("walk_in", DAY_2, [_record("walk_in", "1", DAY_2, "priya nair", "+919822222222")])
    _update(spark, standardized.inputs)

    contacts = _contacts(spark)
    assert contacts["website:1"] == ("p nair", "p", False)
    assert contacts == _rebuilt(spark, standardized.inputs)


def test_a_day_standardized_again_without_a_record_removes_it(spark, standardized):
    standardized(
        "website",
        DAY_1,
        [
            _record("website", "1", DAY_1, "neha ghosh", "+919812345678"),
            _record("website", "2", DAY_1, "amit shah", "+919800000001"),
        ],
    )
    standardized("walk_in", DAY_1, [_record("walk_in", "1", DAY_1, "vivek nair", "+919800000002")])
    _update(spark, standardized.inputs)

    standardized("website", DAY_1, [_record("website", "1", DAY_1, "neha ghosh", "+919812345678")])
    update = _update(spark, standardized.inputs)

    assert (update.deleted, update.inserted) == (1, 0)
    assert set(_contacts(spark)) == {"website:1", "walk_in:1"}


def test_nothing_new_writes_nothing(spark, standardized):
    standardized("website", DAY_1, [_record("website", "1", DAY_1, "neha ghosh", "+919812345678")])
    standardized("walk_in", DAY_1, [_record("walk_in", "1", DAY_1, "vivek nair", "+919800000002")])
    _update(spark, standardized.inputs)
    version = lake.latest_commit(spark, lake.table_path("contacts"))["version"]

    update = _update(spark, standardized.inputs)

    assert (update.mode, update.inserted, update.updated, update.deleted) == (
        INCREMENTAL,
        0,
        0,
        0,
    )
    assert lake.latest_commit(spark, lake.table_path("contacts"))["version"] == version


def test_a_lake_made_before_the_feed_was_on_is_rebuilt_once(spark, lake_root):
    path = lake.table_path("standardized", "website")
    frame = contacts_frame(spark, [_record("website", "1", DAY_1, "neha ghosh", "+919812345678")])
    lake.replace_where(frame, path, lake.day_range_predicate("day", DAY_1, DAY_1))
    inputs = {"website": path}

    first = _update(spark, inputs)
    frame = contacts_frame(spark, [_record("website", "2", DAY_2, "amit shah", "+919800000001")])
    lake.replace_where(frame, path, lake.day_range_predicate("day", DAY_2, DAY_2))
    second = _update(spark, inputs)

    assert (first.mode, second.mode, second.inserted) == (FULL, INCREMENTAL, 1)
    contacts = lake.read_table(spark, lake.table_path("contacts"))
    assert contacts.where(F.col("record_key") == "website:2").count() == 1

"""Customer ids survive new records and merges."""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import functions as F

from cdp_assets.identity import resolve
from cdp_assets.identity.contacts import contacts_frame
from cdp_assets.identity.customers import assign_customer_ids, new_customer_id

RUN_AT = datetime(2026, 11, 10, 6, 0)


def test_bridging_record_keeps_the_older_id_and_records_the_merge(spark, tmp_path):
    contacts = contacts_frame(
        spark,
        [
            {"record_key": "walkin:w1", "name": "neha joshi", "phone": "+919870000001"},
            {
                "record_key": "mailchimp:m1",
                "name": "neha joshi",
                "email": "neha.joshi@yahoo.com",
            },
            # Typed in at the site office with both her mobile and her email.
            {
                "record_key": "callcentre:t1",
                "name": "neha joshi",
                "phone": "+919870000001",
                "email": "neha.joshi@yahoo.com",
            },
            {"record_key": "website:z1", "name": "vikram rao", "phone": "+919870000002"},
        ],
    )
    previous = spark.createDataFrame(
        [
            ("walkin:w1", "cus_older", datetime(2026, 3, 1), 1.0, "singleton"),
            ("mailchimp:m1", "cus_newer", datetime(2026, 9, 1), 1.0, "singleton"),
        ],
        "record_key string, customer_id string, created_at timestamp,"
        " match_confidence double, link_type string",
    )

    resolution = resolve(
        spark, contacts, previous_customers=previous, checkpoint_dir=tmp_path, run_at=RUN_AT
    )

    customers = {row["record_key"]: row for row in resolution.customers.collect()}
    merges = [row.asDict() for row in resolution.customer_merges.collect()]
    assert {
        customers[key]["customer_id"] for key in ("walkin:w1", "mailchimp:m1", "callcentre:t1")
    } == {"cus_older"}
    assert customers["callcentre:t1"]["created_at"] == datetime(2026, 3, 1)
    assert len(merges) == 1
    assert merges[0]["from_customer_id"] == "cus_newer"
    assert merges[0]["into_customer_id"] == "cus_older"
    assert merges[0]["merged_at"] == RUN_AT
    assert "deterministic_email" in merges[0]["reason"]
    assert customers["website:z1"]["customer_id"].startswith("cus_")
    assert customers["website:z1"]["customer_id"] not in ("cus_older", "cus_newer")
    assert customers["website:z1"]["created_at"] == RUN_AT
    assert resolution.stats["merges"] == 1


def test_split_never_gives_two_customers_one_id(spark):
    first_key_id = spark.range(1).select(new_customer_id(F.lit("a:1"))).first()[0]
    previous = spark.createDataFrame(
        [(key, first_key_id, datetime(2026, 1, 1)) for key in ("a:1", "b:2", "c:3")],
        "record_key string, customer_id string, created_at timestamp",
    )
    # A rejection split a:1 off; b:2 and c:3 hold most of the old customer and keep its id.
    clusters = spark.createDataFrame(
        [("a:1", "a:1"), ("b:2", "b:2"), ("c:3", "b:2")], "record_key string, cluster_id string"
    )

    cluster_ids, merges = assign_customer_ids(clusters, previous, RUN_AT)

    named = {row["cluster_id"]: row["customer_id"] for row in cluster_ids.collect()}
    assert named["b:2"] == first_key_id
    assert named["a:1"] != first_key_id
    assert merges.count() == 0

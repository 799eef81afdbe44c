"""The whole graph on a tiny landing zone, with a real webhook receiver on 127.0.0.1."""

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from dagster_pyspark import PySparkResource
from delta.tables import DeltaTable

from cdp_assets import lake
from cdp_assets.cli import main
from cdp_assets.customers import tables
from cdp_assets.generator import generate
from cdp_assets.golden import (
    EVENT_COLUMNS,
    GOLDEN_COLUMNS,
    SUPPRESSION_COLUMNS,
    build_contact_sources,
    build_customer_events,
    build_golden_records,
    build_suppression_list,
)
from cdp_assets.identity import resolve
from cdp_assets.landing import LocalLandingZone
from cdp_assets.pipeline import run_pipeline
from cdp_assets.propagation import verify_signature
from cdp_assets.spark import spark_config
from cdp_assets.standardized.assets import contacts_table_path

SECRET = "receiver-shared-secret"
FIRST_DAY = date(2024, 3, 4)
NEXT_DAY = date(2024, 3, 6)


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def receiver():
    handler = type("Receiver", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler.received
    server.shutdown()


@pytest.fixture(scope="module")
def world(tmp_path_factory, receiver, spark):
    """A landing zone, a lake and a configured webhook, shared by the tests in order."""
    server, _ = receiver
    root = tmp_path_factory.mktemp("e2e")
    landing = root / "landing"
    generate(out=landing, people=40, days=2, start=FIRST_DAY, seed=5)
    patch = pytest.MonkeyPatch()
    patch.setenv("CDP_LAKE_ROOT", str(root / "lake"))
    patch.setenv("CDP_TEST_WEBHOOK_SECRET", SECRET)
    patch.setenv("CDP_WEBHOOK_BASE_DELAY_SECONDS", "0")
    url = f"http://127.0.0.1:{server.server_port}/cdp-events"
    endpoints = [{"name": "crm", "url": url, "secret_env": "CDP_TEST_WEBHOOK_SECRET"}]
    patch.setenv("CDP_WEBHOOKS", json.dumps(endpoints))
    resources = {
        "pyspark": PySparkResource(spark_config=spark_config("local[2]")),
        "landing_zone": LocalLandingZone(root=str(landing)),
    }
    yield landing, resources
    patch.undo()


def _events(received):
    return [json.loads(body) for _, body in received]


def _golden(spark):
    return lake.read_table(spark, tables.path(tables.GOLDEN_RECORDS))


def _form(submission_id, name, phone, email, consent=True, project="Aurora Heights"):
    return json.dumps(
        {
            "submission_id": submission_id,
            "submitted_at": f"{NEXT_DAY.isoformat()}T09:30:00Z",
            "form": "contact",
            "fields": {
                "full_name": name,
                "phone": phone,
                "email": email,
                "project": project,
                "message": "Please call back",
            },
            "consent": {"marketing": consent},
            "page_url": "https://example.com/aurora",
        }
    )


def test_first_run_announces_every_customer_signed(spark, world, receiver):
    _, received = receiver
    landing, resources = world

    run_pipeline(FIRST_DAY, date(2024, 3, 5), resources=resources)

    golden = _golden(spark)
    customers = {row.customer_id for row in golden.select("customer_id").collect()}
    events = _events(received)
    created = {
        event["customer_id"] for event in events if event["event_type"] == "customer.created"
    }
    assert created == customers
    for headers, body in received:
        assert verify_signature(SECRET, body, headers["X-CDP-Signature"])
        assert headers["X-CDP-Event-Id"] == json.loads(body)["event_id"]
    opted_out = {row.customer_id for row in golden.where("opted_out").collect()}
    announced = {e["customer_id"] for e in events if e["event_type"] == "customer.opted_out"}
    assert announced == opted_out


def test_a_new_file_updates_merges_and_opts_out_downstream(spark, world, receiver):
    _, received = receiver
    landing, resources = world
    already = len(received)
    golden = _golden(spark).where(
        "NOT opted_out AND name IS NOT NULL AND phone IS NOT NULL AND email IS NOT NULL"
    )
    first, second, third = golden.orderBy("customer_id").limit(3).collect()
    lines = [
        _form("e2e-update", first.name, first.phone, None, project="Aurora Heights"),
        # No name given: nothing says the phone's and the email's holders differ.
        _form("e2e-bridge", None, first.phone, second.email),
        _form("e2e-stop", third.name, third.phone, None, consent=False),
    ]
    folder = landing / "website" / NEXT_DAY.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"forms_{NEXT_DAY.isoformat()}.jsonl").write_text("\n".join(lines) + "\n")

    run_pipeline(NEXT_DAY, NEXT_DAY, resources=resources)

    events = _events(received[already:])
    kinds = {(event["event_type"], event["customer_id"]) for event in events}
    merged = [event for event in events if event["event_type"] == "customer.merged"]
    assert len(merged) == 1
    assert {merged[0]["merge"]["from_customer_id"], merged[0]["merge"]["into_customer_id"]} == {
        first.customer_id,
        second.customer_id,
    }
    assert ("customer.opted_out", third.customer_id) in kinds
    survivor = merged[0]["merge"]["into_customer_id"]
    assert ("customer.updated", survivor) in kinds


def _partition(customers):
    members = {}
    for row in customers.select("record_key", "customer_id").collect():
        members.setdefault(row.customer_id, set()).add(row.record_key)
    return {customer_id: frozenset(keys) for customer_id, keys in members.items()}


def test_the_incremental_update_agrees_with_a_full_rebuild(spark, world, tmp_path):
    customers_path = tables.path(tables.CUSTOMERS)
    history = DeltaTable.forPath(spark, customers_path).history().orderBy("version").collect()
    before_new_day = spark.read.format("delta").option("versionAsOf", history[-2].version)
    contacts = lake.read_table(spark, contacts_table_path())

    rebuilt = resolve(
        spark,
        contacts,
        previous_customers=before_new_day.load(customers_path),
        checkpoint_dir=str(tmp_path / "checkpoints"),
    )

    pairs = DeltaTable.forPath(spark, tables.path(tables.MATCH_PAIRS)).history(1).first()
    assert pairs.operationParameters["mode"] == "Append", "the new day was not incremental"
    incremental = lake.read_table(spark, customers_path)
    assert _partition(incremental) == _partition(rebuilt.customers)


def _rows(frame, columns):
    return sorted(tuple(row[column] for column in columns) for row in frame.collect())


def test_the_golden_tables_kept_by_changes_equal_a_rebuild(spark, world):
    contacts = lake.read_table(spark, contacts_table_path())
    customers = lake.read_table(spark, tables.path(tables.CUSTOMERS))
    junction = build_contact_sources(contacts, customers)
    golden = build_golden_records(junction)
    history = DeltaTable.forPath(spark, tables.path(tables.CONTACT_SOURCES)).history(1).first()

    assert history.operation == "MERGE", "the new day did not update contact_sources in place"
    kept = lake.read_table(spark, tables.path(tables.CONTACT_SOURCES))
    assert _rows(kept, junction.columns) == _rows(junction, junction.columns)
    assert _rows(_golden(spark), GOLDEN_COLUMNS) == _rows(golden, GOLDEN_COLUMNS)
    events = lake.read_table(spark, tables.path(tables.CUSTOMER_EVENTS))
    assert _rows(events, EVENT_COLUMNS) == _rows(build_customer_events(junction), EVENT_COLUMNS)
    suppressed = lake.read_table(spark, tables.path(tables.SUPPRESSION_LIST))
    rebuilt = build_suppression_list(golden, junction)
    assert _rows(suppressed, SUPPRESSION_COLUMNS) == _rows(rebuilt, SUPPRESSION_COLUMNS)


def test_a_rerun_with_nothing_new_sends_nothing_again(spark, world, receiver):
    _, received = receiver
    landing, resources = world
    already = len(received)

    run_pipeline(NEXT_DAY, NEXT_DAY, resources=resources)

    assert received[already:] == []
    ids = [event["event_id"] for event in _events(received)]
    assert len(ids) == len(set(ids))


def test_identity_runs_leave_no_scratch_behind(world):
    scratch = Path(lake.table_path("_checkpoints", "identity"))
    assert not scratch.exists() or list(scratch.iterdir()) == []


def test_an_agent_looks_a_customer_up_by_any_phone_spelling(spark, world, capsys):
    customer = _golden(spark).where("phone IS NOT NULL").orderBy("customer_id").first()
    national = customer.phone.removeprefix("+91")
    spelled = f"{national[:3]}-{national[3:6]}-{national[6:]}"

    exit_code = main(["customer", spelled])

    printed = capsys.readouterr().out
    assert exit_code == 0
    assert customer.customer_id in printed


def test_the_review_queue_lists_and_shows_its_pairs(spark, world, capsys):
    queue = lake.read_table(spark, tables.path(tables.REVIEW_QUEUE)).orderBy("pair_id").collect()

    main(["review", "list"])
    listed = capsys.readouterr().out
    assert f"{len(queue)} pairs shown" in listed
    if queue:
        main(["review", "show", queue[0].pair_id])
        shown = capsys.readouterr().out
        assert queue[0].record_key_l in shown and queue[0].record_key_r in shown


def test_an_unknown_customer_says_so(world, capsys):
    assert main(["customer", "nobody@nowhere.example"]) == 1
    assert "No customer matches" in capsys.readouterr().out

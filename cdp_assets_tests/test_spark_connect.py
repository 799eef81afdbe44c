"""The whole graph driven through Spark Connect, as Databricks Connect would drive it.

`cdp run` runs in a process with no Java at all and `CDP_SPARK_REMOTE` pointing at the test
session's Spark Connect server; this process then reads the lake it wrote.
"""

import json
import os
import subprocess
import sys
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cdp_assets import lake
from cdp_assets.customers import tables
from cdp_assets.generator import generate
from cdp_assets.identity import resolve
from cdp_assets.standardized.assets import contacts_table_path

FIRST_DAY = date(2024, 5, 6)


class _Receiver(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    handler = type("Receiver", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/events", handler.received
    server.shutdown()


def _members(customers) -> set[frozenset[str]]:
    by_customer = {}
    for row in customers.select("record_key", "customer_id").collect():
        by_customer.setdefault(row.customer_id, set()).add(row.record_key)
    return {frozenset(keys) for keys in by_customer.values()}


def test_cdp_run_through_spark_connect_builds_and_announces_every_customer(
    spark, spark_connect_url, receiver, tmp_path, monkeypatch
):
    url, received = receiver
    landing = tmp_path / "landing"
    generate(out=landing, people=30, days=2, start=FIRST_DAY, seed=11)
    env = {
        **os.environ,
        "CDP_SPARK_REMOTE": spark_connect_url,
        "CDP_LAKE_ROOT": str(tmp_path / "lake"),
        "CDP_LANDING_ROOT": str(landing),
        "CDP_WEBHOOKS": json.dumps([{"name": "crm", "url": url, "secret_env": "CRM_SECRET"}]),
        "CRM_SECRET": "connect-test-secret",
        "CDP_WEBHOOK_BASE_DELAY_SECONDS": "0",
        # Without a Java, a client that fell back to a Spark of its own could not start it.
        "JAVA_HOME": str(tmp_path / "no-java"),
        "PATH": str(Path(sys.executable).parent),
    }
    env.pop("DAGSTER_HOME", None)

    run = subprocess.run(
        [str(Path(sys.executable).parent / "cdp"), "run", "--start", FIRST_DAY.isoformat()]
        + ["--days", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )

    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    monkeypatch.setenv("CDP_LAKE_ROOT", str(tmp_path / "lake"))
    contacts = lake.read_table(spark, contacts_table_path())
    customers = lake.read_table(spark, tables.path(tables.CUSTOMERS))
    assert contacts.count() > 30
    assert customers.count() == contacts.count()
    here = resolve(spark, contacts, checkpoint_dir=str(tmp_path / "scratch")).customers
    assert _members(customers) == _members(here)

    golden = {
        row.customer_id
        for row in lake.read_table(spark, tables.path(tables.GOLDEN_RECORDS)).collect()
    }
    assert golden == {row.customer_id for row in customers.select("customer_id").collect()}
    created = {
        event["customer_id"] for event in received if event["event_type"] == "customer.created"
    }
    assert created == golden

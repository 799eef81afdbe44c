"""Webhook delivery against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pyspark.sql import functions as F

from cdp_assets.propagation import (
    WebhookEndpoint,
    append_to_outbox,
    deliver,
    read_delivery_state,
    replay_dead_letters,
    verify_signature,
)

SECRET = "crm-signing-key"
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
EVENT_SCHEMA = (
    "event_id string, customer_id string, event_type string, occurred_at timestamp, "
    "payload string, sequence long"
)


class _Receiver(BaseHTTPRequestHandler):
    """Records each POST; answers 500 to rejected ids, else the next scripted status, else 200."""

    def do_POST(self):  # noqa: N802 - the name http.server dispatches to
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server = self.server
        with server.lock:
            if self.headers["X-CDP-Event-Id"] in server.rejected_ids:
                status = 500
            else:
                status = server.statuses.popleft() if server.statuses else 200
            server.requests.append({"headers": dict(self.headers), "body": body, "status": status})
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.lock = threading.Lock()
    server.statuses = deque()
    server.rejected_ids = set()
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _endpoint(server, name: str = "crm") -> WebhookEndpoint:
    host, port = server.server_address[:2]
    return WebhookEndpoint(name=name, url=f"http://{host}:{port}/cdp/events", secret=SECRET)


def _unreachable_endpoint(name: str = "crm") -> WebhookEndpoint:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port once the probe is closed: connections are refused.
    return WebhookEndpoint(name=name, url=f"http://127.0.0.1:{port}/", secret=SECRET)


def _events(spark, *events: tuple[str, str, int]):
    """Outbox events from (event_id, customer_id, sequence)."""
    rows = [
        (
            event_id,
            customer_id,
            "customer.updated",
            NOW,
            json.dumps({"event_id": event_id, "customer_id": customer_id}),
            sequence,
        )
        for event_id, customer_id, sequence in events
    ]
    return spark.createDataFrame(rows, EVENT_SCHEMA)


def _paths(tmp_path) -> tuple[str, str]:
    return str(tmp_path / "outbox"), str(tmp_path / "delivery_state")


def _received_ids(server) -> list[str]:
    return [request["headers"]["X-CDP-Event-Id"] for request in server.requests]


def _delivered_ids(server) -> list[str]:
    return [
        request["headers"]["X-CDP-Event-Id"]
        for request in server.requests
        if request["status"] == 200
    ]


def test_events_arrive_signed_and_verify_with_the_secret(spark, tmp_path, receiver):
    outbox, state = _paths(tmp_path)
    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1), ("e2", "cus_b", 1)), outbox)

    report = deliver(spark, outbox, state, [_endpoint(receiver)], now=NOW)

    assert report.delivered == 2
    assert sorted(_received_ids(receiver)) == ["e1", "e2"]
    for request in receiver.requests:
        headers, body = request["headers"], request["body"]
        assert verify_signature(SECRET, body, headers["X-CDP-Signature"])
        assert not verify_signature("another-secret", body, headers["X-CDP-Signature"])
        assert json.loads(body)["event_id"] == headers["X-CDP-Event-Id"]
        assert headers["X-CDP-Event-Type"] == "customer.updated"
        assert headers["Content-Type"] == "application/json"
        assert int(headers["X-CDP-Timestamp"]) > 0


def test_receiver_down_then_recovering_gets_every_event_in_customer_order(
    spark, tmp_path, receiver
):
    outbox, state = _paths(tmp_path)
    events = [("a1", "cus_a", 1), ("a2", "cus_a", 2), ("a3", "cus_a", 3)]
    events += [("b1", "cus_b", 5), ("b2", "cus_b", 7)]
    append_to_outbox(spark, _events(spark, *events), outbox)
    receiver.statuses.extend([500, 503])

    down = deliver(spark, outbox, state, [_endpoint(receiver)], now=NOW, base_delay_seconds=0)
    recovered = deliver(spark, outbox, state, [_endpoint(receiver)], now=NOW, base_delay_seconds=0)

    assert (down.delivered, down.failed, down.pending) == (0, 2, 5)
    assert (recovered.delivered, recovered.pending, recovered.dead_letters) == (5, 0, 0)
    delivered = _delivered_ids(receiver)
    assert sorted(delivered) == ["a1", "a2", "a3", "b1", "b2"]
    assert [i for i in delivered if i.startswith("a")] == ["a1", "a2", "a3"]
    assert [i for i in delivered if i.startswith("b")] == ["b1", "b2"]
    # Only each customer's first event was tried while the receiver was down.
    assert sorted(_received_ids(receiver)[:2]) == ["a1", "b1"]


def test_failed_event_is_not_retried_before_its_backoff_has_passed(spark, tmp_path, receiver):
    outbox, state = _paths(tmp_path)
    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1)), outbox)
    receiver.statuses.append(500)
    endpoint = [_endpoint(receiver)]

    failed = deliver(spark, outbox, state, endpoint, now=NOW, base_delay_seconds=60)
    early = deliver(spark, outbox, state, endpoint, now=NOW + timedelta(seconds=30))
    due = deliver(spark, outbox, state, endpoint, now=NOW + timedelta(seconds=61))

    assert (early.delivered, early.failed, early.pending) == (0, 0, 1)
    assert due.delivered == 1
    assert _received_ids(receiver) == ["e1", "e1"]
    retry_at = int((NOW + timedelta(seconds=60)).timestamp()) * 1_000_000
    assert failed.next_retry_at == early.next_retry_at == retry_at
    assert due.next_retry_at is None


def test_refused_connection_is_dead_lettered_after_max_attempts_and_replay_delivers_it(
    spark, tmp_path, receiver
):
    outbox, state = _paths(tmp_path)
    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1)), outbox)
    unreachable = [_unreachable_endpoint()]

    passes = [
        deliver(spark, outbox, state, unreachable, now=NOW, max_attempts=3, base_delay_seconds=0)
        for _ in range(3)
    ]
    dead = read_delivery_state(spark, state).first()
    replayed = replay_dead_letters(spark, state, endpoint="crm")
    # The receiver is back, at a new address under the same name.
    back = deliver(spark, outbox, state, [_endpoint(receiver)], now=NOW, max_attempts=3)

    assert [(p.failed, p.dead) for p in passes] == [(1, 0), (1, 0), (0, 1)]
    assert (dead["status"], dead["attempts"]) == ("dead", 3)
    assert "ConnectionRefused" in dead["last_error"]
    assert replayed == 1
    assert back.delivered == 1
    assert _received_ids(receiver) == ["e1"]


def test_later_events_of_a_customer_wait_while_an_earlier_one_is_dead(spark, tmp_path, receiver):
    outbox, state = _paths(tmp_path)
    events = [("a1", "cus_a", 1), ("a2", "cus_a", 2), ("b1", "cus_b", 1)]
    append_to_outbox(spark, _events(spark, *events), outbox)
    endpoint = [_endpoint(receiver)]
    receiver.rejected_ids.add("a1")

    stuck = deliver(spark, outbox, state, endpoint, now=NOW, max_attempts=1)
    received_while_stuck = sorted(_received_ids(receiver))
    receiver.rejected_ids.clear()
    replay_dead_letters(spark, state, event_ids=["a1"])
    resumed = deliver(spark, outbox, state, endpoint, now=NOW, max_attempts=1)

    assert (stuck.delivered, stuck.dead, stuck.pending) == (1, 1, 1)
    assert received_while_stuck == ["a1", "b1"]
    assert resumed.delivered == 2
    assert _delivered_ids(receiver)[1:] == ["a1", "a2"]


def test_a_new_pass_after_a_restart_does_not_resend_delivered_events(spark, tmp_path, receiver):
    outbox, state = _paths(tmp_path)
    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1), ("e2", "cus_a", 2)), outbox)
    endpoint = [_endpoint(receiver)]
    deliver(spark, outbox, state, endpoint, now=NOW)

    append_to_outbox(spark, _events(spark, ("e3", "cus_a", 3)), outbox)
    after_restart = deliver(spark, outbox, state, endpoint, now=NOW + timedelta(minutes=5))

    assert after_restart.delivered == 1
    assert _received_ids(receiver) == ["e1", "e2", "e3"]
    statuses = read_delivery_state(spark, state).where(F.col("status") == "delivered").count()
    assert statuses == 3


def test_each_receiver_has_its_own_delivery_state(spark, tmp_path, receiver):
    outbox, state = _paths(tmp_path)
    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1)), outbox)

    report = deliver(
        spark,
        outbox,
        state,
        [_endpoint(receiver, "crm"), _unreachable_endpoint("marketing")],
        now=NOW,
        base_delay_seconds=0,
    )

    assert report.by_endpoint["crm"].delivered == 1
    assert report.by_endpoint["marketing"].failed == 1
    assert report.pending == 1


def test_no_endpoints_means_nothing_to_deliver(spark, tmp_path):
    outbox, state = _paths(tmp_path)

    report = deliver(spark, outbox, state, [], now=NOW)

    assert (report.delivered, report.failed, report.dead, report.pending) == (0, 0, 0, 0)


def test_cdp_webhooks_replay_sends_dead_letters_in_a_delivery_run(
    spark, tmp_path, receiver, lake_root, monkeypatch, capsys
):
    from cdp_assets.cli import main
    from cdp_assets.customers.propagation_assets import delivery_state_path, outbox_path

    append_to_outbox(spark, _events(spark, ("e1", "cus_a", 1), ("e2", "cus_b", 1)), outbox_path())
    deliver(spark, outbox_path(), delivery_state_path(), [_unreachable_endpoint()], max_attempts=1)
    host, port = receiver.server_address[:2]
    endpoint = {"name": "crm", "url": f"http://{host}:{port}/cdp/events", "secret_env": "CRM_KEY"}
    monkeypatch.setenv("CDP_WEBHOOKS", json.dumps([endpoint]))
    monkeypatch.setenv("CRM_KEY", SECRET)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)

    assert main(["webhooks", "replay", "--event-id", "e2"]) == 0

    out = capsys.readouterr().out
    assert "1 dead deliveries set back to pending" in out
    assert "1 delivered" in out
    assert _delivered_ids(receiver) == ["e2"]
    states = {
        row["event_id"]: row["status"]
        for row in read_delivery_state(spark, delivery_state_path()).collect()
    }
    assert states == {"e1": "dead", "e2": "delivered"}

"""Time from a file landing to its webhook arriving, through the real daemon and sensors.

Starts `dagster dev` (webserver, daemon, code location) on a fresh instance in a work
folder, with a base landing zone already built, a real HTTP receiver on 127.0.0.1 as the
only webhook endpoint, and then drops N website-form files into today's landing folder,
one after another. Each file carries one new lead with a phone nobody has; the latency is
from the file's write to the arrival of the `customer.created` event with that phone.

    python benchmarks/latency.py --files 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
log = logging.getLogger("latency")


class Arrivals:
    """Webhook bodies as they arrive, with the time each came in."""

    def __init__(self):
        self.lock = threading.Condition()
        self.events: list[tuple[float, dict]] = []

    def add(self, event: dict) -> None:
        with self.lock:
            self.events.append((time.time(), event))
            self.lock.notify_all()

    def wait_for_phone(self, phone: str, timeout: float) -> float | None:
        deadline = time.time() + timeout
        with self.lock:
            while time.time() < deadline:
                for arrived, event in self.events:
                    customer = event.get("customer") or {}
                    if phone in (customer.get("phones") or []) or customer.get("phone") == phone:
                        return arrived
                self.lock.wait(timeout=1.0)
        return None


def start_receiver(arrivals: Arrivals) -> ThreadingHTTPServer:
    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            arrivals.add(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_process_group(process: subprocess.Popen) -> None:
    """Stops `dagster dev` and every process it started, run workers included."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    # Run workers may outlive the webserver and daemon; they share the process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def instance_yaml(home: Path) -> str:
    storage = home / "storage"
    return f"""
storage:
  sqlite:
    base_dir: {storage}
local_artifact_storage:
  module: dagster._core.storage.root
  class: LocalArtifactStorage
  config:
    base_dir: {home}
telemetry:
  enabled: false
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 2
    tag_concurrency_limits:
      - key: cdp/serial
        value: customers
        limit: 1
"""


def lead_file(index: int, phone: str, day: date) -> str:
    submitted = datetime.now(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "submission_id": f"latency-{day.isoformat()}-{index}-{int(time.time())}",
            "submitted_at": submitted,
            "form": "contact",
            "fields": {
                "full_name": f"Latency Probe {index}",
                "phone": phone,
                "email": None,
                "project": "Aurora Heights",
                "message": "Please call",
            },
            "consent": {"marketing": True},
            "page_url": "https://example.com/aurora",
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=5, help="files to drop, one after another")
    parser.add_argument("--people", type=int, default=200, help="people in the base landing zone")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait per file")
    parser.add_argument("--workdir", help="keep the work folder here instead of a temp one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    work = Path(args.workdir or tempfile.mkdtemp(prefix="cdp-latency-"))
    shutil.rmtree(work, ignore_errors=True)
    home, lake = work / "home", work / "lake"
    # The base is built from a landing folder of its own, so the sensors of the instance
    # under test see only the files dropped for the measurement.
    base_landing, landing = work / "base-landing", work / "landing"
    landing.mkdir(parents=True)
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(instance_yaml(home))

    arrivals = Arrivals()
    receiver = start_receiver(arrivals)
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "CDP_LANDING_ROOT": str(landing),
        "CDP_LAKE_ROOT": str(lake),
        "CDP_WEBHOOK_SECRET": "latency-benchmark",
        "CDP_WEBHOOK_BASE_DELAY_SECONDS": "1",
        "CDP_WEBHOOKS": json.dumps(
            [
                {
                    "name": "receiver",
                    "url": f"http://127.0.0.1:{receiver.server_port}/events",
                    "secret_env": "CDP_WEBHOOK_SECRET",
                }
            ]
        ),
    }

    # The base runs on an ephemeral instance: the one under test starts with no history.
    base_env = {key: value for key, value in env.items() if key != "DAGSTER_HOME"}
    today = datetime.now(ZoneInfo("Asia/Kolkata")).date()
    base_start = today - timedelta(days=3)
    log.info("Generating and building the base: %d people over 3 days", args.people)
    subprocess.run(
        [BIN / "cdp", "generate", "--people", str(args.people), "--days", "3",
         "--start", base_start.isoformat(), "--out", str(base_landing)],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    started = time.time()
    subprocess.run(
        [BIN / "cdp", "run", "--start", base_start.isoformat(), "--days", "3"],
        env={**base_env, "CDP_LANDING_ROOT": str(base_landing)},
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    log.info(
        "Base built in %.0f s; %d events delivered", time.time() - started, len(arrivals.events)
    )

    log.info("Starting dagster dev on a fresh instance in %s", home)
    dev = subprocess.Popen(
        [BIN / "dagster", "dev", "-w", str(PROJECT / "workspace.yaml"), "-p", str(free_port())],
        cwd=PROJECT, env=env, stdout=(work / "dagster.log").open("w"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    latencies = []
    try:
        # Give the daemon time to start and tick every sensor once.
        time.sleep(45)
        folder = landing / "website" / today.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(args.files):
            phone = f"+91900{index:02d}{int(time.time()) % 100000:05d}"
            path = folder / f"forms_{today.isoformat()}_probe{index}.jsonl"
            dropped = time.time()
            path.write_text(lead_file(index, phone, today) + "\n")
            arrived = arrivals.wait_for_phone(phone, args.timeout)
            if arrived is None:
                log.info("file %d: no webhook within %.0f s", index, args.timeout)
                continue
            latencies.append(arrived - dropped)
            log.info("file %d: webhook after %.1f s", index, arrived - dropped)
    finally:
        stop_process_group(dev)
        receiver.shutdown()

    if not latencies:
        sys.stdout.write("no file reached the receiver\n")
        return 1
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    sys.stdout.write(" ".join(f"{value:.1f}" for value in latencies) + "\n")
    sys.stdout.write(f"p50={statistics.median(latencies):.1f} p95={p95:.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

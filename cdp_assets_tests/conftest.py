"""One Spark session for the whole test run, and throwaway landing and lake folders.

The session also serves Spark Connect on 127.0.0.1, so a client process can drive the same
Spark application without a JVM of its own.
"""

from __future__ import annotations

import gc
import os
import socket

import pytest

os.environ.setdefault("CDP_SPARK_SHUFFLE_PARTITIONS", "2")
os.environ.setdefault("CDP_SPARK_DRIVER_MEMORY", "6g")
os.environ.setdefault("CDP_SPARK_UI", "false")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SPARK_CONNECT_PORT = _free_port()


@pytest.fixture(scope="session")
def spark():
    from cdp_assets.spark import get_spark

    session = get_spark(
        "local[2]",
        extra={
            "spark.plugins": "org.apache.spark.sql.connect.SparkConnectPlugin",
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(SPARK_CONNECT_PORT),
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    # The server logs every error it returns to a client, expected ones included (asking
    # whether a table exists); the client raises them anyway.
    log4j = session._jvm.org.apache.logging.log4j
    log4j.core.config.Configurator.setLevel("org.apache.spark.sql.connect", log4j.Level.OFF)
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _forget_tables(request):
    """Drops what the session cached about the tables a test wrote, after the test.

    Each test writes its own lake in a temporary folder; Delta keeps the log and latest
    snapshot of every table it has opened, and the session pins what tests checkpointed.
    Over a few hundred tests that fills the driver's heap with tables nobody reads again.
    """
    yield
    if "spark" not in request.fixturenames:
        return
    session = request.getfixturevalue("spark")
    session.catalog.clearCache()
    session._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    gc.collect()


@pytest.fixture(scope="session")
def spark_connect_url(spark) -> str:
    """The Spark Connect address of the test session's Spark."""
    return f"sc://127.0.0.1:{SPARK_CONNECT_PORT}"


@pytest.fixture
def lake_root(tmp_path, monkeypatch):
    root = tmp_path / "lake"
    monkeypatch.setenv("CDP_LAKE_ROOT", str(root))
    return root


@pytest.fixture
def landing_root(tmp_path, monkeypatch):
    root = tmp_path / "landing"
    root.mkdir()
    monkeypatch.setenv("CDP_LANDING_ROOT", str(root))
    return root

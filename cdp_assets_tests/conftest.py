"""One Spark session for the whole test run, and throwaway landing and lake folders."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("CDP_SPARK_SHUFFLE_PARTITIONS", "2")
os.environ.setdefault("CDP_SPARK_DRIVER_MEMORY", "6g")
os.environ.setdefault("CDP_SPARK_UI", "false")


@pytest.fixture(scope="session")
def spark():
    from cdp_assets.spark import get_spark

    session = get_spark("local[2]")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


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

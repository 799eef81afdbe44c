"""Where things live and how Spark runs, read from the environment.

The embedded default needs no server: Spark in local mode, Delta tables on local disk
under `data/`. Production sets the same variables to a cluster and an `abfss://` root.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The historical database holds five years of leads; partitions start there.
PARTITIONS_START = date(2021, 1, 1)


def _path_from_env(variable: str, default: str) -> str:
    value = os.environ.get(variable, default)
    if "://" in value:
        return value
    path = Path(value)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


def landing_root() -> str:
    """Folder (or URL) holding `<source>/<YYYY-MM-DD>/` landing files."""
    return _path_from_env("CDP_LANDING_ROOT", "data/landing")


def lake_root() -> str:
    """Folder (or URL) under which every Delta table lives."""
    return _path_from_env("CDP_LAKE_ROOT", "data/lake")


def spark_master() -> str:
    return os.environ.get("CDP_SPARK_MASTER", "local[2]")


def spark_jars_dir() -> Path:
    return Path(os.environ.get("CDP_SPARK_JARS_DIR", PROJECT_ROOT / ".jars"))

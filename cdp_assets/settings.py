"""Where things live and how Spark runs, read from the environment.

The embedded default needs no server: Spark in local mode, Delta tables on local disk
under `data/`. Production sets the same variables to a cluster and an `abfss://` root.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The historical database holds five years of leads; partitions start there.
PARTITIONS_START = date(2021, 1, 1)

LANDING_KINDS = ("local", "azure")


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


def landing_kind() -> str:
    """Where landing files live: `local` (a folder, the default) or `azure` (Blob Storage)."""
    kind = os.environ.get("CDP_LANDING_KIND", "local").strip().lower()
    if kind not in LANDING_KINDS:
        raise ValueError(
            f"CDP_LANDING_KIND must be one of {', '.join(LANDING_KINDS)}, not {kind!r}"
        )
    return kind


def landing_container() -> str:
    """Blob container of the Azure landing zone."""
    return os.environ.get("CDP_LANDING_CONTAINER", "landing")


def landing_prefix() -> str:
    """Folder inside the Azure landing container under which the source folders sit."""
    return os.environ.get("CDP_LANDING_PREFIX", "")


def match_profile() -> str:
    """Which match profile identity resolution uses: `focused` (default) or `exhaustive`."""
    return os.environ.get("CDP_MATCH_PROFILE", "focused").strip().lower()


def spark_master() -> str:
    return os.environ.get("CDP_SPARK_MASTER", "local[2]")


def spark_remote() -> str | None:
    """Spark Connect URL (`sc://...`, Databricks included); when set it replaces the master."""
    return os.environ.get("CDP_SPARK_REMOTE") or None


def spark_conf_overrides() -> dict[str, str]:
    """Extra Spark settings from `CDP_SPARK_CONF`, a JSON object of key to value.

    This is how a cluster gets what the embedded default does not need, such as the
    hadoop-azure package and the `fs.azure.*` settings an `abfss://` lake root requires.
    """
    text = os.environ.get("CDP_SPARK_CONF", "").strip()
    if not text:
        return {}
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"CDP_SPARK_CONF is not a JSON object: {error}") from error
    if not isinstance(overrides, dict):
        raise ValueError("CDP_SPARK_CONF must be a JSON object of Spark setting to value")
    return {str(key): str(value) for key, value in overrides.items()}


def spark_jars_dir() -> Path:
    return Path(os.environ.get("CDP_SPARK_JARS_DIR", PROJECT_ROOT / ".jars"))

"""Runs the whole asset graph for a range of days, as the UI's "Materialize all" would."""

from __future__ import annotations

import os
import time
from datetime import date

import dagster as dg

from cdp_assets.raw.sensors import RANGE_END_TAG, RANGE_START_TAG


def _instance() -> dg.DagsterInstance:
    """The persistent instance when DAGSTER_HOME is set, so runs show up in the UI."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def _materialization_metadata(result: dg.ExecuteInProcessResult) -> dict[str, dict]:
    by_asset = {}
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        by_asset[materialization.asset_key.to_user_string()] = {
            key: value.value for key, value in materialization.metadata.items()
        }
    return by_asset


def _is_partitioned(assets: list, key: dg.AssetKey) -> bool:
    for asset in assets:
        if key in asset.keys:
            return asset.partitions_def is not None
    return False


def run_pipeline(first: date, last: date, resources: dict | None = None) -> str:
    """Materializes the whole graph for `first..last` and returns a summary.

    Day-partitioned assets run first, in one run over the whole range; everything built
    from all days (contacts, identity, golden records, propagation) runs after them.
    """
    from cdp_assets.definitions import defs

    resources = resources or defs.resources
    started = time.monotonic()
    assets = list(defs.assets or [])
    instance = _instance()
    partitioned = dg.AssetSelection.all().resolve(assets)
    by_day = [key for key in partitioned if _is_partitioned(assets, key)]
    daily = dg.materialize(
        assets,
        selection=by_day,
        resources=resources,
        instance=instance,
        tags={RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()},
    )
    whole = dg.materialize(
        assets,
        selection=[key for key in partitioned if key not in by_day],
        resources=resources,
        instance=instance,
    )
    metadata = _materialization_metadata(daily)
    whole_metadata = _materialization_metadata(whole)
    elapsed = time.monotonic() - started

    lines = [f"Materialized {first}..{last} in {elapsed:.1f} s", ""]
    lines.append(f"{'asset':<18} {'rows':>9} {'quarantined':>12} {'files':>6}")
    totals = [0, 0, 0]
    for asset, values in sorted(metadata.items()):
        if not asset.startswith("raw_"):
            continue
        row = [values["rows_written"], values["rows_quarantined"], values["files_read"]]
        totals = [total + value for total, value in zip(totals, row, strict=True)]
        lines.append(f"{asset:<18} {row[0]:>9,} {row[1]:>12,} {row[2]:>6,}")
    lines.append(f"{'total':<18} {totals[0]:>9,} {totals[1]:>12,} {totals[2]:>6,}")
    lines.append("")
    for asset, values in sorted(whole_metadata.items()):
        counts = ", ".join(
            f"{key}={value}" for key, value in values.items() if isinstance(value, int)
        )
        lines.append(f"{asset}: {counts}")
    return "\n".join(lines)


def deliver_webhooks(resources: dict | None = None) -> dict:
    """Runs `webhook_deliveries` once, as `webhook_delivery_job` would; returns its metadata."""
    from cdp_assets.customers.propagation_assets import WEBHOOK_DELIVERIES
    from cdp_assets.definitions import defs

    result = dg.materialize(
        list(defs.assets or []),
        selection=[dg.AssetKey(WEBHOOK_DELIVERIES)],
        resources=resources or defs.resources,
        instance=_instance(),
    )
    return _materialization_metadata(result).get(WEBHOOK_DELIVERIES, {})

"""Time to ingest one day of all 12 sources from a landing zone into the bronze tables.

    cdp generate --records 2300000 --days 1826 --start 2021-01-01 --out /tmp/landing
    python benchmarks/ingest_day.py --landing /tmp/landing --day 2024-03-05 --day 2024-03-06

The first day also pays for creating the tables; later days show the steady cost.
"""

import argparse
import os
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--landing", required=True, help="landing zone to read")
    parser.add_argument("--day", action="append", required=True, help="YYYY-MM-DD, repeatable")
    parser.add_argument("--lake", help="lake folder (default: a new temporary one)")
    args = parser.parse_args()
    os.environ["CDP_LAKE_ROOT"] = args.lake or tempfile.mkdtemp(prefix="cdp-ingest-")

    import dagster as dg
    from dagster_pyspark import PySparkResource

    from cdp_assets.landing import LocalLandingZone
    from cdp_assets.raw.assets import raw_assets
    from cdp_assets.spark import get_spark, spark_config

    get_spark().sparkContext.setLogLevel("ERROR")
    resources = {
        "pyspark": PySparkResource(spark_config=spark_config()),
        "landing_zone": LocalLandingZone(root=args.landing),
    }
    for day in args.day:
        started = time.monotonic()
        result = dg.materialize(raw_assets, partition_key=day, resources=resources)
        rows = sum(
            event.event_specific_data.materialization.metadata["rows_written"].value
            for event in result.get_asset_materialization_events()
        )
        seconds = time.monotonic() - started
        load = os.getloadavg()[0]
        sys.stdout.write(f"day={day} rows={rows} seconds={seconds:.1f} load={load:.1f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Resources every asset and sensor shares, chosen from the environment."""

from __future__ import annotations

from dagster_pyspark import PySparkResource

from cdp_assets import settings
from cdp_assets.landing import LocalLandingZone
from cdp_assets.spark import spark_config


def build_resources() -> dict:
    return {
        "pyspark": PySparkResource(spark_config=spark_config()),
        "landing_zone": LocalLandingZone(root=settings.landing_root()),
    }

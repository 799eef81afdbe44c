"""Resources every asset and sensor shares, chosen from the environment.

The embedded default is a local landing folder and Spark in local mode. `CDP_LANDING_KIND`
switches the landing zone to Azure Blob Storage; `CDP_SPARK_MASTER`, `CDP_SPARK_REMOTE`
and `CDP_SPARK_CONF` point Spark at a cluster.
"""

from __future__ import annotations

from dagster_pyspark import PySparkResource

from cdp_assets import settings
from cdp_assets.landing import LandingZone, LocalLandingZone
from cdp_assets.landing_azure import AzureBlobLandingZone
from cdp_assets.spark import spark_config


def build_landing_zone() -> LandingZone:
    """The landing zone `CDP_LANDING_KIND` names: a local folder or a Blob container."""
    if settings.landing_kind() == "azure":
        return AzureBlobLandingZone.from_environment(
            container=settings.landing_container(), prefix=settings.landing_prefix()
        )
    return LocalLandingZone(root=settings.landing_root())


def build_resources() -> dict:
    return {
        "pyspark": PySparkResource(spark_config=spark_config()),
        "landing_zone": build_landing_zone(),
    }

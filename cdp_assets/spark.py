"""Spark configuration: Delta Lake and Splink's similarity functions on the classpath."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from splink.backends.spark import similarity_jar_location

from cdp_assets import settings

# Python workers (pandas UDFs) must run this interpreter, which has the project's packages;
# PySpark reads the variable when the SparkContext starts.
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def delta_jars() -> list[str]:
    """The Delta Lake jars `make install` copied from Maven Central."""
    folder = settings.spark_jars_dir()
    jars = sorted(str(path) for path in Path(folder).glob("*.jar"))
    if not any("delta-spark" in Path(jar).name for jar in jars):
        raise RuntimeError(
            f"No Delta Lake jar in {folder}: run `make install` to copy it from Maven Central"
        )
    return jars


def spark_config(master: str | None = None) -> dict[str, str]:
    """The Spark settings every session of this project uses.

    Small shuffle partitions and a bounded driver suit the embedded default on two cores;
    `CDP_SPARK_SHUFFLE_PARTITIONS` and `CDP_SPARK_DRIVER_MEMORY` raise them for big runs.
    """
    jars = [*delta_jars(), similarity_jar_location()]
    return {
        "spark.master": master or settings.spark_master(),
        "spark.app.name": "cdp",
        "spark.jars": ",".join(jars),
        "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
        "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "spark.sql.shuffle.partitions": os.environ.get("CDP_SPARK_SHUFFLE_PARTITIONS", "8"),
        "spark.driver.memory": os.environ.get("CDP_SPARK_DRIVER_MEMORY", "4g"),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        "spark.ui.showConsoleProgress": "false",
        "spark.ui.enabled": os.environ.get("CDP_SPARK_UI", "true"),
        "spark.default.parallelism": os.environ.get("CDP_SPARK_SHUFFLE_PARTITIONS", "8"),
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.databricks.delta.schema.autoMerge.enabled": "false",
        "spark.local.dir": os.environ.get(
            "CDP_SPARK_LOCAL_DIR", str(settings.PROJECT_ROOT / "data" / "spark-tmp")
        ),
        "spark.driver.extraJavaOptions": "-Dderby.system.home=data/derby",
    }


def get_spark(master: str | None = None):
    """The process's Spark session, created with `spark_config` on first use."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in spark_config(master).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()

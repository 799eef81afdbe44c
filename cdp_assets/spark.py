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
    A cluster comes from `CDP_SPARK_MASTER` or `CDP_SPARK_REMOTE` (Spark Connect), and
    `CDP_SPARK_CONF` adds whatever else it needs; an explicit `master` wins over both.
    """
    jars = [*delta_jars(), similarity_jar_location()]
    config = {
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
        # The status store keeps every query's plan even without the UI, and Splink's plans
        # are large: a long run or a test session otherwise fills the heap with them.
        "spark.sql.ui.retainedExecutions": "50",
        "spark.ui.retainedJobs": "200",
        "spark.ui.retainedStages": "200",
        "spark.ui.retainedTasks": "20000",
        "spark.sql.maxPlanStringLength": "1000000",
        "spark.default.parallelism": os.environ.get("CDP_SPARK_SHUFFLE_PARTITIONS", "8"),
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.databricks.delta.schema.autoMerge.enabled": "false",
        "spark.local.dir": os.environ.get(
            "CDP_SPARK_LOCAL_DIR", str(settings.PROJECT_ROOT / "data" / "spark-tmp")
        ),
        "spark.driver.extraJavaOptions": "-Dderby.system.home=data/derby",
    }
    remote = settings.spark_remote()
    if remote and not master:
        # PySpark refuses a session given both a master and a Spark Connect URL.
        config.pop("spark.master")
        config["spark.remote"] = remote
    config.update(settings.spark_conf_overrides())
    return config


def is_connect(spark) -> bool:
    """Whether `spark` is a Spark Connect session (no SparkContext, no JVM in this process)."""
    return type(spark).__module__.startswith("pyspark.sql.connect")


def get_spark(master: str | None = None, extra: dict[str, str] | None = None):
    """The process's Spark session, created with `spark_config` and `extra` on first use."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder
    for key, value in {**spark_config(master), **(extra or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()

"""Connected components of the record graph, computed in Spark by Splink's clustering."""

from __future__ import annotations

import logging
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from splink import SparkAPI
from splink.clustering import cluster_pairwise_predictions_at_threshold

logger = logging.getLogger(__name__)


def splink_spark_api(spark: SparkSession, checkpoint_dir: str | Path) -> SparkAPI:
    """A Splink database API on `spark` that writes its intermediate tables under
    `checkpoint_dir` (Splink breaks lineage with parquet checkpoints there)."""
    location = str(checkpoint_dir)
    if "://" not in location:
        Path(location).mkdir(parents=True, exist_ok=True)
    spark.sparkContext.setCheckpointDir(location)
    return SparkAPI(spark_session=spark, break_lineage_method="parquet")


def connected_components(db_api: SparkAPI, record_keys: DataFrame, links: DataFrame) -> DataFrame:
    """Labels each record with the cluster its links connect it to.

    Splink's connected components run as iterated SQL joins in Spark, so the graph never
    has to fit on the driver.

    Args:
        db_api: The Splink Spark API to run on.
        record_keys: One row per record, column `record_key`.
        links: Edges between records, columns `record_key_l` and `record_key_r`.

    Returns:
        record_key and cluster_id (the smallest record key of the cluster); a record with no
        link is its own cluster.
    """
    nodes = record_keys.select("record_key").distinct()
    edges = links.select("record_key_l", "record_key_r").where(
        F.col("record_key_l") != F.col("record_key_r")
    )
    clusters = cluster_pairwise_predictions_at_threshold(
        nodes,
        edges,
        db_api=db_api,
        node_id_column_name="record_key",
        edge_id_column_name_left="record_key_l",
        edge_id_column_name_right="record_key_r",
    )
    return clusters.as_spark_dataframe().select("record_key", "cluster_id")

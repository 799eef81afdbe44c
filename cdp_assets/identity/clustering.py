"""Connected components of the record graph, computed in Spark by Splink's clustering."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from splink import SparkAPI
from splink.clustering import cluster_pairwise_predictions_at_threshold

logger = logging.getLogger(__name__)


class ScratchSparkAPI(SparkAPI):
    """Splink's Spark API, breaking lineage with parquet tables in one scratch folder.

    Splink's own parquet method finds its folder through the SparkContext, which a Spark
    Connect session does not have; this one is told the folder, so the same code runs on a
    local session, a cluster and Spark Connect alike.
    """

    def __init__(self, spark: SparkSession, scratch_dir: str | Path) -> None:
        self.scratch_dir = str(scratch_dir).rstrip("/")
        if "://" not in self.scratch_dir:
            Path(self.scratch_dir).mkdir(parents=True, exist_ok=True)
        super().__init__(spark_session=spark, break_lineage_method="parquet")

    def _get_checkpoint_dir_path(self, spark_df) -> str:
        return self.scratch_dir

    def pin(self, frame: DataFrame) -> DataFrame:
        """`frame` written to the scratch folder and read back: its lineage ends here."""
        location = f"{self.scratch_dir}/pinned/{uuid.uuid4().hex}"
        frame.write.parquet(location)
        return self.spark.read.parquet(location)


def splink_spark_api(spark: SparkSession, checkpoint_dir: str | Path) -> ScratchSparkAPI:
    """A Splink database API on `spark` that writes its intermediate tables under
    `checkpoint_dir`."""
    return ScratchSparkAPI(spark, checkpoint_dir)


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

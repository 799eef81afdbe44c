"""Plain Splink on Spark over the standardized contacts: the baseline the identity stage meets.

What a user would write with Splink alone: one `Linker` with the project's comparisons and
blocking rules, `predict`, then connected components at the merge threshold. No
deterministic phone or email links, no stable ids, no review queue. The blocking rules
leave out pairs that share a phone or an email, so on its own this baseline finds only the
probabilistic merges; it is a yardstick for time, not a rival for quality.

    .venv/bin/python benchmarks/plain_splink.py --lake data/bench/scale-100000/lake

The match weight is `K * (S - merge threshold)`, so clustering at match weight 0 is the
policy's S >= 0.82.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

log = logging.getLogger("benchmarks.plain_splink")

# Match weight 0 is S = merge threshold under the project's settings.
MERGE_MATCH_WEIGHT = 0.0


def run_plain_splink(spark, contacts, hubs, checkpoint_dir: str) -> dict:
    """Scores and clusters `contacts` with a bare Splink `Linker`, timing each step.

    Args:
        spark: The SparkSession, with Splink's similarity jar on its classpath.
        contacts: The standardized `contacts` table.
        hubs: The `identifier_hubs` table, so both runs block on the same input.
        checkpoint_dir: An empty folder for Splink's parquet checkpoints.

    Returns:
        seconds (total), predict_seconds, cluster_seconds, comparisons, merged_pairs,
        clusters, and `clusters_df` (record_id, customer_id) for evaluation.
    """
    from pyspark.sql import functions as F
    from splink import Linker, SparkAPI

    from cdp_assets import settings as cdp_settings
    from cdp_assets.identity.policy import MatchPolicy
    from cdp_assets.identity.probabilistic import blocking_rules, splink_input, splink_settings

    # The profile the identity stage runs under, so both block and score the same pairs.
    policy = MatchPolicy.profile(cdp_settings.match_profile())
    Path(checkpoint_dir).mkdir(parents=True, exist_ok=True)
    spark.sparkContext.setCheckpointDir(checkpoint_dir)
    started = time.perf_counter()

    db_api = SparkAPI(spark_session=spark, break_lineage_method="parquet")
    settings = splink_settings(policy)
    # The same rules the identity stage blocks on, so both score the same pairs.
    assert settings.blocking_rules_to_generate_predictions == blocking_rules(policy)
    registered = db_api.register(splink_input(contacts, hubs, policy))
    linker = Linker(registered, settings, log_level=None)
    predictions = linker.inference.predict()
    spark_predictions = predictions.as_spark_dataframe()
    comparisons = spark_predictions.count()
    merged_pairs = spark_predictions.where(F.col("match_weight") >= MERGE_MATCH_WEIGHT).count()
    predicted = time.perf_counter()

    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_weight=MERGE_MATCH_WEIGHT
    ).as_spark_dataframe()
    clusters_df = clusters.select(
        F.col("record_key").alias("record_id"), F.col("cluster_id").alias("customer_id")
    ).localCheckpoint()
    cluster_count = clusters_df.select("customer_id").distinct().count()
    finished = time.perf_counter()

    log.info("Plain Splink time: %.2f seconds", finished - started)
    return {
        "seconds": round(finished - started, 2),
        "predict_seconds": round(predicted - started, 2),
        "cluster_seconds": round(finished - predicted, 2),
        "comparisons": comparisons,
        "merged_pairs": merged_pairs,
        "clusters": cluster_count,
        "clusters_df": clusters_df,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, help="lake root holding contacts")
    parser.add_argument("--driver-memory", default="8g")
    parser.add_argument("--shuffle-partitions", default="16")
    parser.add_argument("--profile", default="focused", help="match profile to block with")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    os.environ["CDP_LAKE_ROOT"] = str(Path(args.lake).resolve())
    os.environ["CDP_SPARK_DRIVER_MEMORY"] = args.driver_memory
    os.environ["CDP_SPARK_SHUFFLE_PARTITIONS"] = args.shuffle_partitions
    os.environ["CDP_MATCH_PROFILE"] = args.profile
    os.environ.setdefault("CDP_SPARK_UI", "false")

    from cdp_assets import lake
    from cdp_assets.customers import tables
    from cdp_assets.spark import get_spark
    from cdp_assets.standardized.assets import contacts_table_path

    spark = get_spark()
    checkpoints = lake.table_path("_checkpoints", "plain_splink")
    shutil.rmtree(checkpoints, ignore_errors=True)
    result = run_plain_splink(
        spark,
        lake.read_table(spark, contacts_table_path()),
        lake.read_table(spark, tables.path(tables.IDENTIFIER_HUBS)),
        checkpoints,
    )
    result.pop("clusters_df")
    sys.stdout.write(f"{result}\n")


if __name__ == "__main__":
    main()

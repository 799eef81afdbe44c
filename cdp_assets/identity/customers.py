"""Customers with stable ids: clusters become customers, and ids survive reruns and merges.

A cluster holding records of earlier customers keeps the oldest of their ids; the others
are recorded in `customer_merges`. A cluster with no earlier customer gets an id derived
from its smallest record key, so the same data always yields the same ids.
"""

from __future__ import annotations

from datetime import datetime

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from cdp_assets.identity.deterministic import IDENTIFIERS

DETERMINISTIC_LINK_TYPES = {identifier: f"deterministic_{identifier}" for identifier in IDENTIFIERS}
PROBABILISTIC = "probabilistic"
REVIEW_ACCEPTED = "review_accepted"
SINGLETON = "singleton"

# How a record joined its customer, strongest evidence first.
LINK_TYPE_PRIORITY = (*DETERMINISTIC_LINK_TYPES.values(), PROBABILISTIC, REVIEW_ACCEPTED)

CUSTOMER_COLUMNS = ["record_key", "customer_id", "match_confidence", "link_type", "created_at"]
MERGE_COLUMNS = ["from_customer_id", "into_customer_id", "merged_at", "reason"]


def new_customer_id(seed: F.Column) -> F.Column:
    """`cus_` and 16 hex digits of the SHA-256 of `seed`, usually the smallest record key."""
    return F.concat(F.lit("cus_"), F.substring(F.sha2(seed, 256), 1, 16))


def record_links(edges: DataFrame) -> DataFrame:
    """The strongest link type, and its confidence, through which each record joined.

    Args:
        edges: Accepted links with record_key_l, record_key_r, link_type and confidence.

    Returns:
        record_key, link_type, match_confidence for every record with at least one link.
    """
    ends = edges.select(
        F.col("record_key_l").alias("record_key"), "link_type", "confidence"
    ).unionByName(
        edges.select(F.col("record_key_r").alias("record_key"), "link_type", "confidence")
    )
    priority = F.array_position(
        F.array(*[F.lit(link_type) for link_type in LINK_TYPE_PRIORITY]), F.col("link_type")
    )
    strongest = Window.partitionBy("record_key").orderBy(priority, F.desc("confidence"))
    return (
        ends.withColumn("rank", F.row_number().over(strongest))
        .where(F.col("rank") == 1)
        .select("record_key", "link_type", F.col("confidence").alias("match_confidence"))
    )


def _previous_claims(clusters: DataFrame, previous_customers: DataFrame) -> DataFrame:
    """Per cluster and earlier customer: how many of its records the cluster holds."""
    previous = previous_customers.select(
        "record_key",
        F.col("customer_id").alias("previous_id"),
        F.col("created_at").alias("previous_created_at"),
    )
    return (
        clusters.join(previous, on="record_key")
        .groupBy("cluster_id", "previous_id", "previous_created_at")
        .agg(F.count("*").alias("held"), F.min("record_key").alias("first_record_key"))
    )


def _avoid_earlier_ids(
    fresh: DataFrame, clusters: DataFrame, previous_customers: DataFrame
) -> DataFrame:
    """Renames fresh ids that an earlier customer already used.

    A split can leave a record's hashed id with the part that lost it, so that part is
    named from all its record keys, marked as a split, which still gives the same id on
    a rerun.
    """
    # Only the fresh ids can collide: look those up instead of listing every earlier id.
    candidates = fresh.select(F.col("customer_id").alias("earlier_id"))
    earlier = (
        previous_customers.select(F.col("customer_id").alias("earlier_id"))
        .join(candidates, "earlier_id", "left_semi")
        .distinct()
    )
    all_keys = clusters.groupBy("cluster_id").agg(
        F.concat_ws(
            "|", F.lit("split"), F.array_join(F.array_sort(F.collect_list("record_key")), "|")
        ).alias("all_record_keys")
    )
    return (
        fresh.join(earlier, fresh["customer_id"] == earlier["earlier_id"], "left")
        .join(all_keys, "cluster_id")
        .select(
            "cluster_id",
            F.when(F.col("earlier_id").isNull(), F.col("customer_id"))
            .otherwise(new_customer_id(F.col("all_record_keys")))
            .alias("customer_id"),
            "created_at",
        )
    )


def assign_customer_ids(
    clusters: DataFrame,
    previous_customers: DataFrame | None,
    run_at: datetime,
) -> tuple[DataFrame, DataFrame]:
    """Names every cluster, keeping earlier customers' ids wherever they still apply.

    A cluster takes the oldest earlier id among its records. If a split leaves one earlier
    id claimed by several clusters, the cluster holding most of its records keeps it and
    the others get fresh ids. An earlier id kept by no cluster has merged into the cluster
    holding most of its records.

    Args:
        clusters: record_key and cluster_id.
        previous_customers: The previous run's customers (record_key, customer_id,
            created_at), or None on a first run.
        run_at: When this run happens: created_at of new customers, merged_at of merges.

    Returns:
        cluster ids (cluster_id, customer_id, created_at) and merges (`MERGE_COLUMNS`
        without the reason, which the caller knows).
    """
    cluster_first_keys = clusters.groupBy("cluster_id").agg(
        F.min("record_key").alias("smallest_record_key")
    )
    fresh = cluster_first_keys.select(
        "cluster_id",
        new_customer_id(F.col("smallest_record_key")).alias("customer_id"),
        F.lit(run_at).cast("timestamp").alias("created_at"),
    )
    if previous_customers is None:
        empty_merges = clusters.sparkSession.createDataFrame(
            [], "from_customer_id string, into_customer_id string, merged_at timestamp"
        )
        return fresh, empty_merges

    # Both the kept ids and the merges read the claims: count them once.
    claims = _previous_claims(clusters, previous_customers).localCheckpoint()
    oldest_first = Window.partitionBy("cluster_id").orderBy("previous_created_at", "previous_id")
    most_held = Window.partitionBy("previous_id").orderBy(F.desc("held"), "first_record_key")
    preferred = claims.withColumn("choice", F.row_number().over(oldest_first)).where(
        F.col("choice") == 1
    )
    kept = (
        preferred.withColumn("holder", F.row_number().over(most_held))
        .where(F.col("holder") == 1)
        .select(
            "cluster_id",
            F.col("previous_id").alias("customer_id"),
            F.col("previous_created_at").alias("created_at"),
        )
    )
    unnamed = fresh.join(kept.select("cluster_id"), "cluster_id", "left_anti")
    cluster_ids = kept.unionByName(
        _avoid_earlier_ids(unnamed, clusters, previous_customers)
    ).localCheckpoint()

    merged_away = claims.join(
        kept.select(F.col("customer_id").alias("previous_id")), "previous_id", "left_anti"
    )
    merges = (
        merged_away.withColumn("holder", F.row_number().over(most_held))
        .where(F.col("holder") == 1)
        .join(cluster_ids, "cluster_id")
        .select(
            F.col("previous_id").alias("from_customer_id"),
            F.col("customer_id").alias("into_customer_id"),
            F.lit(run_at).cast("timestamp").alias("merged_at"),
        )
    )
    return cluster_ids, merges


def build_customers(
    clusters: DataFrame,
    edges: DataFrame,
    previous_customers: DataFrame | None,
    run_at: datetime,
) -> tuple[DataFrame, DataFrame]:
    """The customers table and the merges this run made.

    Args:
        clusters: record_key and cluster_id.
        edges: The links the clusters were built from (record_key_l, record_key_r,
            link_type, confidence).
        previous_customers: The previous customers table, or None.
        run_at: When this run happens.

    Returns:
        customers (`CUSTOMER_COLUMNS`) and customer_merges (`MERGE_COLUMNS`); a merge's
        reason lists the link types holding the surviving customer together.
    """
    cluster_ids, merges = assign_customer_ids(clusters, previous_customers, run_at)
    links = record_links(edges)
    customers = (
        clusters.join(cluster_ids, "cluster_id")
        .join(links, "record_key", "left")
        .select(
            "record_key",
            "customer_id",
            F.coalesce("match_confidence", F.lit(1.0)).alias("match_confidence"),
            F.coalesce("link_type", F.lit(SINGLETON)).alias("link_type"),
            "created_at",
        )
    )

    evidence = customers.groupBy(F.col("customer_id").alias("into_customer_id")).agg(
        F.concat(
            F.lit("linked by "),
            F.array_join(F.array_sort(F.collect_set("link_type")), ", "),
        ).alias("reason")
    )
    return customers, merges.join(evidence, "into_customer_id").select(*MERGE_COLUMNS)

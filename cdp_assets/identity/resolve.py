"""The whole identity step: contacts in; match pairs, customers, merges and review queue out."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from cdp_assets import settings
from cdp_assets.identity.clustering import connected_components, splink_spark_api
from cdp_assets.identity.contacts import missing_resolution_columns
from cdp_assets.identity.customers import (
    DETERMINISTIC_LINK_TYPES,
    PROBABILISTIC,
    REVIEW_ACCEPTED,
    build_customers,
)
from cdp_assets.identity.deterministic import (
    deterministic_links,
    identifier_hubs,
    identifier_pairs,
    shared_identifiers,
)
from cdp_assets.identity.policy import DISTINCT, MERGE, REVIEW, MatchPolicy
from cdp_assets.identity.probabilistic import (
    FEATURE_COLUMNS,
    SCORE_COLUMNS,
    score_candidate_pairs,
    splink_input,
)
from cdp_assets.identity.review import ACCEPT, REJECT, build_review_queue, latest_decisions, pair_id

logger = logging.getLogger(__name__)

MATCH_PAIR_COLUMNS = [
    "pair_id",
    "record_key_l",
    "record_key_r",
    "deterministic",
    "deterministic_identifier",
    "blocking_rule",
    "match_weight",
    *SCORE_COLUMNS,
]


@dataclass
class Resolution:
    """What one resolution run produced.

    Attributes:
        match_pairs: Every deterministic link and every pair Splink scored, with feature
            values and contributions, score, decision and how the pair was found.
        customers: record_key, customer_id, match_confidence, link_type, created_at.
        customer_merges: from_customer_id, into_customer_id, merged_at, reason.
        review_queue: Undecided pairs scoring between the review and merge thresholds.
        identifier_hubs: Phones and emails shared too widely to identify anyone.
        stats: Counts a user wants to see: links by rule, comparisons per blocking rule,
            merges, review size, largest cluster, timings.
        changed_customers: For a batch resolved against earlier customers, the customers
            rows of every record the batch placed anew (its own and those of the customers
            it touched); every other row of `customers` is the earlier one. None for a
            full resolution.
    """

    match_pairs: DataFrame
    customers: DataFrame
    customer_merges: DataFrame
    review_queue: DataFrame
    identifier_hubs: DataFrame
    stats: dict = field(default_factory=dict)
    changed_customers: DataFrame | None = None


def default_checkpoint_dir() -> str:
    """Where Splink writes its intermediate parquet tables unless told otherwise."""
    return f"{settings.lake_root().rstrip('/')}/_checkpoints/identity"


def deterministic_match_pairs(links: DataFrame) -> DataFrame:
    """Deterministic links as match pairs: score 1.0, decision merge, no features."""
    return links.select(
        pair_id(F.col("record_key_l"), F.col("record_key_r")).alias("pair_id"),
        "record_key_l",
        "record_key_r",
        F.lit(True).alias("deterministic"),
        F.col("identifier").alias("deterministic_identifier"),
        F.lit(None).cast("string").alias("blocking_rule"),
        F.lit(None).cast("double").alias("match_weight"),
        *[F.lit(None).cast("double").alias(column) for column in FEATURE_COLUMNS],
        F.lit(1.0).alias("score"),
        F.lit(MERGE).alias("decision"),
    )


def scored_match_pairs(scored: DataFrame) -> DataFrame:
    """Splink's scored pairs in the match pair columns."""
    return scored.select(
        pair_id(F.col("record_key_l"), F.col("record_key_r")).alias("pair_id"),
        "record_key_l",
        "record_key_r",
        F.lit(False).alias("deterministic"),
        F.lit(None).cast("string").alias("deterministic_identifier"),
        "blocking_rule",
        F.col("match_weight").cast("double").alias("match_weight"),
        *SCORE_COLUMNS,
    )


def customer_edges(
    links: DataFrame, match_pairs: DataFrame, decisions: DataFrame | None
) -> DataFrame:
    """Links customers are built from: deterministic, auto-merged and accepted pairs,
    never a pair a reviewer rejected."""
    identifier_link_type = F.element_at(
        F.create_map(*[F.lit(part) for item in DETERMINISTIC_LINK_TYPES.items() for part in item]),
        F.col("identifier"),
    )
    deterministic = links.select(
        "record_key_l",
        "record_key_r",
        identifier_link_type.alias("link_type"),
        F.lit(1.0).alias("confidence"),
    )
    scored = match_pairs.where(~F.col("deterministic"))
    merged = scored.where(F.col("decision") == MERGE).select(
        "record_key_l",
        "record_key_r",
        F.lit(PROBABILISTIC).alias("link_type"),
        F.col("score").alias("confidence"),
    )
    if decisions is None:
        return deterministic.unionByName(merged)

    pair_keys = ["record_key_l", "record_key_r"]
    rejected = decisions.where(F.col("decision") == REJECT).select(*pair_keys)
    accepted = (
        decisions.where(F.col("decision") == ACCEPT)
        .select(*pair_keys)
        .join(scored.select(*pair_keys, "score"), on=pair_keys, how="left")
        .select(
            *pair_keys,
            F.lit(REVIEW_ACCEPTED).alias("link_type"),
            F.col("score").alias("confidence"),
        )
    )
    kept_merges = merged.join(rejected, on=pair_keys, how="left_anti")
    return deterministic.unionByName(kept_merges).unionByName(accepted)


def present_decisions(decisions: DataFrame | None, contacts: DataFrame) -> DataFrame | None:
    """The latest decision on each pair whose two records are both among `contacts`."""
    if decisions is None:
        return None
    keys = contacts.select("record_key")
    latest = latest_decisions(decisions)
    return latest.join(
        keys.withColumnRenamed("record_key", "record_key_l"), "record_key_l", "left_semi"
    ).join(keys.withColumnRenamed("record_key", "record_key_r"), "record_key_r", "left_semi")


def _stats(
    contacts: DataFrame,
    hubs: DataFrame,
    shared: DataFrame,
    match_pairs: DataFrame,
    customers: DataFrame,
    merges: DataFrame,
    review_queue: DataFrame,
    decisions: DataFrame | None,
    comparisons_per_rule: dict[str, int],
) -> dict:
    by_rule = {link_type: 0 for link_type in DETERMINISTIC_LINK_TYPES.values()}
    by_rule |= {f"probabilistic_{decision}": 0 for decision in (MERGE, REVIEW, DISTINCT)}
    link_counts = match_pairs.groupBy("deterministic_identifier", "decision").count().collect()
    for row in link_counts:
        identifier = row["deterministic_identifier"]
        if identifier is None:
            by_rule[f"probabilistic_{row['decision']}"] += row["count"]
        else:
            by_rule[DETERMINISTIC_LINK_TYPES[identifier]] += row["count"]
    if decisions is not None:
        for row in decisions.groupBy("decision").count().collect():
            by_rule[f"review_{row['decision']}ed"] = row["count"]

    clusters = (
        customers.groupBy("customer_id")
        .count()
        .agg(F.count("*").alias("customers"), F.max("count").alias("largest"))
        .first()
    )
    return {
        "records": contacts.count(),
        "identifier_hubs": hubs.count(),
        "shared_identifiers": shared.count(),
        "links_by_rule": by_rule,
        "comparisons_per_blocking_rule": comparisons_per_rule,
        "customers": clusters["customers"],
        "merges": merges.count(),
        "review_queue": review_queue.count(),
        "largest_cluster": int(clusters["largest"] or 0),
    }


def resolve(
    spark: SparkSession,
    contacts: DataFrame,
    previous_customers: DataFrame | None = None,
    review_decisions: DataFrame | None = None,
    policy: MatchPolicy | None = None,
    checkpoint_dir: str | Path | None = None,
    run_at: datetime | None = None,
) -> Resolution:
    """Decides which contacts are the same person and names each person a customer.

    Args:
        spark: The SparkSession to run on, with Splink's similarity jar on its classpath.
        contacts: Standardized contacts, one row per record_key.
        previous_customers: The last run's customers table; its ids are kept.
        review_decisions: Every review decision so far (the latest per pair counts).
        policy: The match policy; by default the profile `CDP_MATCH_PROFILE` names.
        checkpoint_dir: Folder for Splink's intermediate parquet tables. The returned
            DataFrames read from them: clear the folder only after writing the results.
        run_at: When this run happens; now by default.

    Returns:
        The run's `Resolution`.
    """
    missing = missing_resolution_columns(contacts)
    if missing:
        raise ValueError(f"Contacts lack the columns resolution needs: {', '.join(missing)}")
    policy = policy or MatchPolicy.profile(settings.match_profile())
    run_at = run_at or datetime.now(UTC).replace(tzinfo=None)
    db_api = splink_spark_api(spark, checkpoint_dir or default_checkpoint_dir())
    started = time.perf_counter()

    hubs = identifier_hubs(contacts, policy).persist()
    pairs = identifier_pairs(contacts, hubs, policy).persist()
    links = deterministic_links(pairs).persist()
    shared = shared_identifiers(pairs)

    candidates = splink_input(contacts, hubs, policy)
    scored = score_candidate_pairs(db_api, candidates, policy)
    match_pairs = (
        deterministic_match_pairs(links)
        .unionByName(scored_match_pairs(scored.pairs))
        .select(*MATCH_PAIR_COLUMNS)
        .persist()
    )

    decisions = present_decisions(review_decisions, contacts)
    edges = customer_edges(links, match_pairs, decisions).persist()
    clusters = connected_components(db_api, contacts, edges)
    customers, merges = build_customers(clusters, edges, previous_customers, run_at)
    customers = customers.persist()
    merges = merges.persist()
    review_queue = build_review_queue(match_pairs, customers, contacts, decisions).persist()

    stats = _stats(
        contacts,
        hubs,
        shared,
        match_pairs,
        customers,
        merges,
        review_queue,
        decisions,
        scored.comparisons_per_rule,
    )
    stats["seconds"] = round(time.perf_counter() - started, 2)
    logger.info(
        "Resolved %d records into %d customers in %.2f seconds",
        stats["records"],
        stats["customers"],
        stats["seconds"],
    )
    return Resolution(
        match_pairs=match_pairs,
        customers=customers,
        customer_merges=merges,
        review_queue=review_queue,
        identifier_hubs=hubs,
        stats=stats,
    )

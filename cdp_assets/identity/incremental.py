"""Incremental identity resolution: a new batch of records joins the customers already known.

Only the new records are compared: against existing records that share a phone, an email,
the last seven digits or a source and time window with them, and among themselves. Only
the customers they touch are clustered again; every other customer is carried over as it
was. Decisions match a full `resolve` on all records, with one exception: a phone or email
that becomes a hub only with the new records stops linking the new records, but the
existing records it linked stay together, where a full run would split them. Such
identifiers are returned in `stats["crossed_hub_identifiers"]` so the caller can rebuild.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from splink import Linker

from cdp_assets import settings
from cdp_assets.identity.clustering import (
    ScratchSparkAPI,
    connected_components,
    splink_spark_api,
)
from cdp_assets.identity.contacts import RESOLUTION_COLUMNS, missing_resolution_columns
from cdp_assets.identity.customers import CUSTOMER_COLUMNS, SINGLETON, build_customers
from cdp_assets.identity.deterministic import (
    IDENTIFIERS,
    deterministic_links,
    identifier_hubs,
    identifier_pairs,
    shared_identifiers,
)
from cdp_assets.identity.policy import DISTINCT, MERGE, REVIEW, MatchPolicy
from cdp_assets.identity.probabilistic import (
    blocking_rule_name,
    comparisons_per_rule,
    policy_scores,
    splink_input,
    splink_settings,
)
from cdp_assets.identity.resolve import (
    MATCH_PAIR_COLUMNS,
    Resolution,
    customer_edges,
    default_checkpoint_dir,
    deterministic_match_pairs,
    present_decisions,
    scored_match_pairs,
)
from cdp_assets.identity.review import ACCEPT, REJECT, build_review_queue, latest_decisions

logger = logging.getLogger(__name__)

PAIR_KEYS = ["record_key_l", "record_key_r"]


def _resolution_columns(contacts: DataFrame, role: str) -> DataFrame:
    missing = missing_resolution_columns(contacts)
    if missing:
        raise ValueError(f"{role} contacts lack the columns resolution needs: {', '.join(missing)}")
    return contacts.select(*RESOLUTION_COLUMNS)


def _identifier_values(contacts: DataFrame) -> DataFrame:
    """identifier and value of every phone and email the records hold."""
    values = None
    for identifier in IDENTIFIERS:
        value = F.trim(F.col(identifier))
        frame = contacts.select(F.lit(identifier).alias("identifier"), value.alias("value")).where(
            F.col("value").isNotNull() & (F.col("value") != "")
        )
        values = frame if values is None else values.unionByName(frame)
    return values.distinct()


def _window_buckets(policy: MatchPolicy) -> F.Column:
    bucket = F.floor(F.unix_timestamp("event_ts") / policy.same_source_window_seconds)
    return F.explode(F.array(bucket, bucket + 1))


def blocking_neighbours(existing: DataFrame, new: DataFrame, policy: MatchPolicy) -> DataFrame:
    """Existing records a blocking rule could pair with a new record.

    Those are the records sharing the last seven phone digits with a new record, or its
    source and one of its two time buckets; Splink then applies the exact rules to them.
    """
    new_last7 = new.select("phone_last7").where(F.col("phone_last7").isNotNull()).distinct()
    by_last7 = existing.join(new_last7, "phone_last7", "left_semi")

    new_windows = new.select("source", _window_buckets(policy).alias("bucket")).distinct()
    by_window = (
        existing.select("*", _window_buckets(policy).alias("bucket"))
        .join(new_windows, ["source", "bucket"], "left_semi")
        .drop("bucket")
    )
    return by_last7.unionByName(by_window).dropDuplicates(["record_key"])


def identifier_holders(existing: DataFrame, values: DataFrame) -> DataFrame:
    """Existing records holding any of `values` (identifier, value) as phone or email."""
    holders = None
    for identifier in IDENTIFIERS:
        wanted = values.where(F.col("identifier") == identifier).select(
            F.col("value").alias("_value")
        )
        frame = existing.join(wanted, F.trim(F.col(identifier)) == F.col("_value"), "left_semi")
        holders = frame if holders is None else holders.unionByName(frame)
    return holders.dropDuplicates(["record_key"])


def _hubs_among(records: DataFrame, values: DataFrame, policy: MatchPolicy) -> DataFrame:
    """Hubs among `values`, counted over `records`, which hold every record of each value."""
    return identifier_hubs(records, policy).join(values, ["identifier", "value"], "left_semi")


def _oriented(predictions: DataFrame) -> DataFrame:
    """Swaps the two sides of pairs whose left key is the larger one.

    A full run compares every pair with the smaller record key on the left, and pair ids
    and review decisions are keyed that way.
    """
    swap = F.col("record_key_l") > F.col("record_key_r")
    sides = {
        column[:-2]
        for column in predictions.columns
        if column.endswith("_l") and f"{column[:-2]}_r" in predictions.columns
    }
    selected = []
    for column in predictions.columns:
        stem, suffix = column[:-2], column[-2:]
        if stem in sides and suffix in ("_l", "_r"):
            other = f"{stem}_r" if suffix == "_l" else f"{stem}_l"
            selected.append(F.when(swap, F.col(other)).otherwise(F.col(column)).alias(column))
        else:
            selected.append(F.col(column))
    return predictions.select(*selected)


def _policy_scored(predictions: DataFrame, policy: MatchPolicy) -> DataFrame:
    pairs = _oriented(predictions).withColumn("blocking_rule", blocking_rule_name(policy))
    pairs = pairs.drop("match_key")
    return policy_scores(pairs, policy)


def score_new_records(
    db_api: ScratchSparkAPI,
    new_candidates: DataFrame,
    existing_candidates: DataFrame,
    policy: MatchPolicy,
) -> tuple[DataFrame, dict[str, int]]:
    """Scores new records against existing ones and among themselves with Splink.

    Both inputs are `splink_input` frames. Blocking rules and comparison levels are the
    full run's, so every pair gets the score and decision a full run would give it.

    Returns:
        The scored pairs (smaller record key on the left) and comparisons per blocking rule.
    """
    started = time.perf_counter()
    # Splink inlines each registered table into several of its SQL steps; unpinned, the
    # candidates' lineage is planned over and over until memory runs out.
    new_table = db_api.register(db_api.pin(new_candidates))
    existing_table = db_api.register(db_api.pin(existing_candidates))
    linker = Linker(new_table, splink_settings(policy), log_level=None)

    between = linker.inference.predict_between(existing_table, new_table, warning_mode="never")
    within = linker.inference.predict_within(new_table, warning_mode="never")
    predictions = between.as_spark_dataframe().unionByName(within.as_spark_dataframe())
    scored = db_api.pin(_policy_scored(predictions, policy))

    comparisons = comparisons_per_rule(scored)
    logger.info(
        "Scored %d pairs of new records in %.2f seconds",
        sum(comparisons.values()),
        time.perf_counter() - started,
    )
    return scored, comparisons


def _involving(pairs: DataFrame, keys: DataFrame) -> DataFrame:
    """Pairs with at least one record among `keys` (column record_key)."""
    left = pairs.join(keys.withColumnRenamed("record_key", "record_key_l"), "record_key_l", "semi")
    right = pairs.join(keys.withColumnRenamed("record_key", "record_key_r"), "record_key_r", "semi")
    return left.unionByName(right).distinct()


def _within(pairs: DataFrame, keys: DataFrame) -> DataFrame:
    """Pairs whose two records are both among `keys` (column record_key)."""
    return pairs.join(
        keys.withColumnRenamed("record_key", "record_key_l"), "record_key_l", "semi"
    ).join(keys.withColumnRenamed("record_key", "record_key_r"), "record_key_r", "semi")


def _pair_ends(pairs: DataFrame) -> DataFrame:
    return (
        pairs.select(F.col("record_key_l").alias("record_key"))
        .unionByName(pairs.select(F.col("record_key_r").alias("record_key")))
        .distinct()
    )


def _contradicted_decisions(decisions: DataFrame, previous_customers: DataFrame) -> DataFrame:
    """Decided pairs the previous customers disagree with: an accepted pair still in two
    customers, or a rejected pair still in one."""
    owners = previous_customers.select("record_key", "customer_id")
    placed = decisions.join(
        owners.withColumnRenamed("record_key", "record_key_l").withColumnRenamed(
            "customer_id", "customer_l"
        ),
        "record_key_l",
    ).join(
        owners.withColumnRenamed("record_key", "record_key_r").withColumnRenamed(
            "customer_id", "customer_r"
        ),
        "record_key_r",
    )
    together = F.col("customer_l") == F.col("customer_r")
    return placed.where(
        ((F.col("decision") == ACCEPT) & ~together) | ((F.col("decision") == REJECT) & together)
    ).select(*PAIR_KEYS)


def touched_customers(
    new_match_pairs: DataFrame,
    new_keys: DataFrame,
    previous_customers: DataFrame,
    decisions: DataFrame | None,
) -> DataFrame:
    """Existing customers that must be clustered again, column customer_id.

    They are the customers of existing records a new pair could join (any pair not
    distinct, as a reviewer may accept it), and of pairs whose latest review decision
    the previous customers do not reflect yet.
    """
    joinable = new_match_pairs.where(F.col("decision") != DISTINCT)
    records = _pair_ends(joinable).join(new_keys, "record_key", "left_anti")
    if decisions is not None:
        contradicted = _contradicted_decisions(decisions, previous_customers)
        records = records.unionByName(_pair_ends(contradicted))
    return (
        previous_customers.join(records, "record_key", "left_semi").select("customer_id").distinct()
    )


def _carried_over_edges(scope_customers: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Edges holding each existing customer together when its pairs are not supplied.

    Returns:
        A star from every record to its customer's smallest record key, for clustering,
        and a self-link per linked record carrying its previous link type and confidence,
        so the strongest link of each record is chosen as a full run would choose it.
    """
    anchors = scope_customers.groupBy("customer_id").agg(F.min("record_key").alias("anchor"))
    stars = (
        scope_customers.join(anchors, "customer_id")
        .where(F.col("record_key") != F.col("anchor"))
        .select(
            F.col("anchor").alias("record_key_l"),
            F.col("record_key").alias("record_key_r"),
            "link_type",
            F.col("match_confidence").alias("confidence"),
        )
    )
    previous_links = scope_customers.where(F.col("link_type") != SINGLETON).select(
        F.col("record_key").alias("record_key_l"),
        F.col("record_key").alias("record_key_r"),
        "link_type",
        F.col("match_confidence").alias("confidence"),
    )
    return stars, previous_links


def _links_of(match_pairs: DataFrame) -> DataFrame:
    return match_pairs.where(F.col("deterministic")).select(
        *PAIR_KEYS, F.col("deterministic_identifier").alias("identifier")
    )


def _link_counts(match_pairs: DataFrame, decisions: DataFrame | None) -> dict:
    by_rule = {f"deterministic_{identifier}": 0 for identifier in IDENTIFIERS}
    by_rule |= {f"probabilistic_{decision}": 0 for decision in (MERGE, REVIEW, DISTINCT)}
    for row in match_pairs.groupBy("deterministic_identifier", "decision").count().collect():
        identifier = row["deterministic_identifier"]
        key = (
            f"probabilistic_{row['decision']}"
            if identifier is None
            else f"deterministic_{identifier}"
        )
        by_rule[key] += row["count"]
    if decisions is not None:
        for row in decisions.groupBy("decision").count().collect():
            by_rule[f"review_{row['decision']}ed"] = row["count"]
    return by_rule


def resolve_new_records(
    spark: SparkSession,
    new_contacts: DataFrame,
    existing_contacts: DataFrame,
    previous_customers: DataFrame,
    previous_match_pairs: DataFrame | None = None,
    review_decisions: DataFrame | None = None,
    policy: MatchPolicy | None = None,
    checkpoint_dir: str | Path | None = None,
    run_at: datetime | None = None,
) -> Resolution:
    """Resolves a batch of new records against the customers already known.

    New records link to existing ones by shared phone or email, and by Splink scores from
    the full run's blocking rules and settings; new records link among themselves the
    same way. Only the customers a new record could join are clustered again; the older
    id survives a merge, as in a full run.

    Args:
        spark: The SparkSession to run on, with Splink's similarity jar on its classpath.
        new_contacts: Standardized contacts not yet in `previous_customers`; any that are
            already there are ignored.
        existing_contacts: The contacts `previous_customers` was resolved from.
        previous_customers: The current customers table.
        previous_match_pairs: Every match pair recorded so far. With them the touched
            customers are rebuilt from their own links, so a rejected review pair splits
            its customer; without them each touched customer is kept whole.
        review_decisions: Every review decision so far (the latest per pair counts).
        policy: The match policy; the default is the project's.
        checkpoint_dir: Folder for Splink's intermediate parquet tables. The returned
            DataFrames read from them: clear the folder only after writing the results.
        run_at: When this run happens; now by default.

    Returns:
        A `Resolution` whose match_pairs and review_queue hold the new pairs only (to be
        appended), whose customers is the whole table after the batch (computed when
        read, from `previous_customers`) and changed_customers its rows that differ, whose
        customer_merges holds this batch's merges and whose identifier_hubs holds the hubs
        among the identifiers the batch touched. Its stats include
        `crossed_hub_identifiers`: phones and emails that became hubs only with this
        batch; when it is not empty, a full `resolve` is needed to split the customers
        they held together.
    """
    policy = policy or MatchPolicy.profile(settings.match_profile())
    run_at = run_at or datetime.now(UTC).replace(tzinfo=None)
    db_api = splink_spark_api(spark, checkpoint_dir or default_checkpoint_dir())
    pin = db_api.pin
    started = time.perf_counter()

    # Intermediate frames are pinned to the scratch folder, not persisted: they are built
    # on the previous run's lineage, and re-planning it at every step exhausts the driver's
    # memory.
    existing = _resolution_columns(existing_contacts, "Existing")
    candidates = _resolution_columns(new_contacts, "New")
    # The batch's keys are looked up among the customers, instead of every customer's key
    # being shuffled to meet the batch; what is found is at most the batch.
    already_held = previous_customers.select("record_key").join(
        F.broadcast(candidates.select("record_key")), "record_key", "left_semi"
    )
    new = pin(candidates.join(F.broadcast(already_held), "record_key", "left_anti"))
    new_keys = new.select("record_key")

    neighbours = pin(blocking_neighbours(existing, new, policy))
    touched_values = pin(_identifier_values(new.unionByName(neighbours)))
    holders = pin(identifier_holders(existing, touched_values))
    hubs_before = _hubs_among(holders, touched_values, policy)
    hubs = pin(_hubs_among(holders.unionByName(new), touched_values, policy))
    crossed = hubs.join(hubs_before, ["identifier", "value"], "left_anti")

    sharing = _involving(identifier_pairs(holders.unionByName(new), hubs, policy), new_keys)
    sharing = pin(sharing)
    links = deterministic_links(sharing)
    scored, comparisons = score_new_records(
        db_api,
        splink_input(new, hubs, policy),
        splink_input(neighbours, hubs, policy),
        policy,
    )
    match_pairs = pin(
        deterministic_match_pairs(links)
        .unionByName(scored_match_pairs(scored))
        .select(*MATCH_PAIR_COLUMNS)
    )

    latest = None if review_decisions is None else latest_decisions(review_decisions)
    customers_touched = touched_customers(match_pairs, new_keys, previous_customers, latest)
    scope_customers = pin(previous_customers.join(customers_touched, "customer_id", "left_semi"))
    scope_keys = scope_customers.select("record_key").unionByName(new_keys)
    decisions = present_decisions(review_decisions, scope_keys)

    if previous_match_pairs is not None:
        pairs = _within(previous_match_pairs.select(*MATCH_PAIR_COLUMNS), scope_keys)
        pairs = pairs.unionByName(match_pairs)
        cluster_edges = link_edges = customer_edges(_links_of(pairs), pairs, decisions)
    else:
        fresh = customer_edges(links, match_pairs, decisions)
        stars, previous_links = _carried_over_edges(scope_customers)
        cluster_edges = fresh.unionByName(stars)
        link_edges = fresh.unionByName(previous_links)

    clusters = connected_components(db_api, scope_keys, pin(cluster_edges))
    scope_result, merges = build_customers(
        pin(clusters), pin(link_edges), previous_customers, run_at
    )
    scope_result = pin(scope_result)
    # Left lazy: the caller writes only the changed rows, and a full table would be a copy.
    customers = (
        previous_customers.select(*CUSTOMER_COLUMNS)
        .join(scope_keys, "record_key", "left_anti")
        .unionByName(scope_result)
    )
    merges = pin(merges)
    # Both records of a pair that is not distinct are in scope, so their customers are
    # among the re-clustered ones.
    review_queue = pin(
        build_review_queue(match_pairs, scope_result, holders.unionByName(new), decisions)
    )

    crossed_rows = crossed.orderBy("identifier", "value").collect()
    largest = scope_result.groupBy("customer_id").count().agg(F.max("count")).first()[0]
    stats = {
        "records": new.count(),
        "existing_records_compared": neighbours.count(),
        "customers_touched": customers_touched.count(),
        "records_reclustered": scope_result.count(),
        "identifier_hubs": hubs.count(),
        "shared_identifiers": shared_identifiers(sharing).count(),
        "crossed_hub_identifiers": [
            {"identifier": row["identifier"], "value": row["value"]} for row in crossed_rows
        ],
        "full_rebuild_needed": bool(crossed_rows),
        "links_by_rule": _link_counts(match_pairs, decisions),
        "comparisons_per_blocking_rule": comparisons,
        "customers_created": scope_result.where(F.col("created_at") == F.lit(run_at))
        .select("customer_id")
        .distinct()
        .count(),
        "merges": merges.count(),
        "review_queue": review_queue.count(),
        "largest_touched_cluster": int(largest or 0),
        "seconds": round(time.perf_counter() - started, 2),
    }
    if crossed_rows:
        logger.warning(
            "%d identifiers became hubs with this batch; a full resolution would split the"
            " customers they linked",
            len(crossed_rows),
        )
    logger.info(
        "Resolved %d new records against %d touched customers in %.2f seconds",
        stats["records"],
        stats["customers_touched"],
        stats["seconds"],
    )
    return Resolution(
        match_pairs=match_pairs,
        customers=customers,
        customer_merges=merges,
        review_queue=review_queue,
        identifier_hubs=hubs,
        stats=stats,
        changed_customers=scope_result,
    )

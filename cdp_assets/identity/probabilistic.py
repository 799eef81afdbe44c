"""Probabilistic links scored by Splink on Spark and decided by the policy score S.

Each comparison level has m fixed at 1 and u at `2 ** (-K * x)`, x being the level's share
of S, and the prior is `1 / (1 + 2 ** (K * merge))`: Splink's match weight is then
`K * (banded S - merge)`. Splink blocks and scores; the recorded score is the exact S,
computed from the same Jaro-Winkler function, and the decision follows S alone.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from splink import Linker, SettingsCreator, SparkAPI

from cdp_assets.identity.policy import DISTINCT, MERGE, REVIEW, MatchPolicy

logger = logging.getLogger(__name__)

PHONE_LAST7_RULE = "phone_last7"
SAME_SOURCE_WINDOW_RULE = "same_source_window"
BLOCKING_RULE_NAMES = (PHONE_LAST7_RULE, SAME_SOURCE_WINDOW_RULE)

# Set comparisons are written as `intersection >= t * union` so no division can fail, with
# a little slack because t = 2/3 times 3 is not exactly 2 in floating point.
_SLACK = 1e-9

# Each feature's value (0..1) and its contribution (value times weight) to the score.
FEATURE_COLUMNS = [
    "name_similarity",
    "name_contribution",
    "interest_overlap",
    "interest_contribution",
    "phone_last7_match",
    "phone_last7_contribution",
    "same_source_window",
    "same_source_contribution",
]
SCORE_COLUMNS = [*FEATURE_COLUMNS, "score", "decision"]


@dataclass(frozen=True)
class ScoredPairs:
    """Pairs Splink compared, with their exact policy score, and how many each rule made."""

    pairs: DataFrame
    comparisons_per_rule: dict[str, int]


def splink_input(contacts: DataFrame, hubs: DataFrame, policy: MatchPolicy) -> DataFrame:
    """The columns Splink blocks and compares on, one row per record.

    Args:
        contacts: Standardized contacts.
        hubs: Hub identifiers from `identifier_hubs`. A hub links nobody, and its last 7
            digits say nothing about who typed them in, so both are dropped.
        policy: The match policy.
    """
    hub_values = hubs.select("identifier", "value")
    hub_phones = hub_values.where(F.col("identifier") == "phone").select(
        F.col("value").alias("phone"), F.lit(True).alias("hub_phone")
    )
    hub_emails = hub_values.where(F.col("identifier") == "email").select(
        F.col("value").alias("email"), F.lit(True).alias("hub_email")
    )
    window_bucket = F.floor(F.unix_timestamp("event_ts") / policy.same_source_window_seconds)
    interests = F.coalesce(F.col("interests"), F.array().cast("array<string>"))
    placeholder = F.coalesce(F.col("phone_placeholder"), F.lit(False))
    hub_phone = F.coalesce(F.col("hub_phone"), F.lit(False))
    hub_email = F.coalesce(F.col("hub_email"), F.lit(False))

    return (
        contacts.join(F.broadcast(hub_phones), on="phone", how="left")
        .join(F.broadcast(hub_emails), on="email", how="left")
        .select(
            "record_key",
            "source",
            "event_ts",
            F.when(F.trim("name") != "", F.col("name")).alias("name"),
            F.when(~placeholder & ~hub_phone, F.col("phone_last7")).alias("phone_last7"),
            interests.alias("interests"),
            F.when(~hub_phone, F.trim("phone")).alias("linking_phone"),
            F.when(~hub_email, F.trim("email")).alias("linking_email"),
            interests.alias("blocking_interest"),
            F.array(window_bucket, window_bucket + 1).alias("blocking_window"),
        )
    )


def _same_source_gates(policy: MatchPolicy) -> list[str]:
    """The focused profile's extra conditions on a same-source pair, as blocking SQL; one
    variant per rule the same-source window is split into."""
    conditions = []
    if policy.same_source_min_name_similarity > 0:
        conditions.append(
            f"jaro_winkler(l.name, r.name) >= {policy.same_source_min_name_similarity!r}"
        )
    if not policy.same_source_conflict_free:
        return ["".join(f" AND {condition}" for condition in conditions)]
    # Equal identifiers are linked already, so "no contradiction" means one side lacks it.
    # Which side lacks the phone splits the rule in two: a condition on one side alone is
    # pushed below the join, and the few records without a phone meet all the others.
    conditions.append("(l.linking_email IS NULL OR r.linking_email IS NULL)")
    sides = [
        "l.linking_phone IS NULL",
        "r.linking_phone IS NULL AND l.linking_phone IS NOT NULL",
    ]
    return ["".join(f" AND {condition}" for condition in [side, *conditions]) for side in sides]


def blocking_rules(policy: MatchPolicy) -> list[dict]:
    """The two rules that between them yield every pair the policy could ever flag.

    Without equal last 7 digits a pair reaches review only from one source within the
    window and with an interest overlap of at least `policy.min_same_source_overlap`;
    anything else scores below the review line whatever its name. The focused profile
    compares such a pair only when its names agree closely and no phone or email
    contradicts (`_same_source_gate`); the exhaustive one compares them all.
    """
    # A pair sharing a phone or an email is linked already and needs no score.
    not_yet_linked = (
        "NOT coalesce(l.linking_phone = r.linking_phone, false)"
        " AND NOT coalesce(l.linking_email = r.linking_email, false)"
    )
    phone_last7 = f"l.phone_last7 = r.phone_last7 AND {not_yet_linked}"
    same_source_window = (
        "l.source = r.source"
        " AND l.blocking_interest = r.blocking_interest"
        " AND l.blocking_window = r.blocking_window"
        " AND abs(unix_timestamp(l.event_ts) - unix_timestamp(r.event_ts))"
        f" <= {policy.same_source_window_seconds}"
        " AND size(array_intersect(l.interests, r.interests))"
        f" >= {policy.min_same_source_overlap!r} * size(array_union(l.interests, r.interests))"
        f" - {_SLACK}"
        f" AND {not_yet_linked}"
    )
    rules = [{"blocking_rule": phone_last7, "sql_dialect": "spark"}]
    for gate in _same_source_gates(policy):
        rules.append(
            {
                "blocking_rule": same_source_window + gate,
                "sql_dialect": "spark",
                # Exploding interests and both neighbouring time buckets turns the rule into
                # an equi-join: two records within the window always share a bucket.
                "arrays_to_explode": ["blocking_interest", "blocking_window"],
            }
        )
    return rules


def blocking_rule_names(policy: MatchPolicy) -> list[str]:
    """The name of each rule `blocking_rules` returns, in order (Splink's match_key)."""
    same_source_rules = len(_same_source_gates(policy))
    return [PHONE_LAST7_RULE, *[SAME_SOURCE_WINDOW_RULE] * same_source_rules]


def comparisons_per_rule(scored: DataFrame) -> dict[str, int]:
    """How many compared pairs each blocking rule found, every rule named (0 if none)."""
    counted = {
        row["blocking_rule"]: row["count"]
        for row in scored.groupBy("blocking_rule").count().collect()
    }
    return {name: int(counted.get(name, 0)) for name in BLOCKING_RULE_NAMES}


def blocking_rule_name(policy: MatchPolicy) -> Column:
    """The rule that found a Splink prediction, from its `match_key`."""
    return F.element_at(
        F.array(*[F.lit(name) for name in blocking_rule_names(policy)]),
        F.col("match_key").cast("int") + 1,
    )


def _level(policy: MatchPolicy, sql_condition: str, label: str, share: float) -> dict:
    return {
        "sql_condition": sql_condition,
        "label_for_charts": label,
        "m_probability": 1.0,
        "u_probability": policy.u_probability(share),
        "fix_m_probability": True,
        "fix_u_probability": True,
    }


def _null_level(sql_condition: str) -> dict:
    return {"sql_condition": sql_condition, "label_for_charts": "missing", "is_null_level": True}


def _overlap_at_least(band: float, left: str, right: str) -> str:
    return (
        f"size(array_intersect({left}, {right}))"
        f" >= {band!r} * size(array_union({left}, {right})) - {_SLACK}"
    )


def _name_comparison(policy: MatchPolicy) -> dict:
    levels = [_null_level("name_l IS NULL OR name_r IS NULL")]
    for band in policy.name_similarity_bands:
        if band == 1.0:
            condition, label = "name_l = name_r", "exact"
        else:
            condition, label = f"jaro_winkler(name_l, name_r) >= {band!r}", f"JW >= {band:.2f}"
        levels.append(_level(policy, condition, label, policy.name_weight * band))
    levels.append(_level(policy, "ELSE", "different", 0.0))
    return {"output_column_name": "name", "comparison_levels": levels}


def _interest_comparison(policy: MatchPolicy) -> dict:
    levels = [_null_level("size(interests_l) = 0 OR size(interests_r) = 0")]
    for band in policy.interest_overlap_bands:
        condition = _overlap_at_least(band, "interests_l", "interests_r")
        share = policy.interest_weight * band
        levels.append(_level(policy, condition, f"Jaccard >= {band:.2f}", share))
    levels.append(_level(policy, "ELSE", "disjoint", 0.0))
    return {"output_column_name": "interests", "comparison_levels": levels}


def _phone_last7_comparison(policy: MatchPolicy) -> dict:
    levels = [
        _null_level("phone_last7_l IS NULL OR phone_last7_r IS NULL"),
        _level(policy, "phone_last7_l = phone_last7_r", "equal", policy.phone_last7_weight),
        _level(policy, "ELSE", "different", 0.0),
    ]
    return {"output_column_name": "phone_last7", "comparison_levels": levels}


def _same_source_comparison(policy: MatchPolicy) -> dict:
    within_window = (
        "source_l = source_r AND abs(unix_timestamp(event_ts_l) - unix_timestamp(event_ts_r))"
        f" <= {policy.same_source_window_seconds}"
    )
    levels = [
        _null_level(
            "source_l IS NULL OR source_r IS NULL OR event_ts_l IS NULL OR event_ts_r IS NULL"
        ),
        _level(policy, within_window, "same source in window", policy.same_source_weight),
        _level(policy, "ELSE", "otherwise", 0.0),
    ]
    return {"output_column_name": "same_source_window", "comparison_levels": levels}


def splink_settings(policy: MatchPolicy) -> SettingsCreator:
    """Splink settings whose match weight is `K * (banded S - merge threshold)`."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="record_key",
        probability_two_random_records_match=policy.prior_match_probability,
        comparisons=[
            _name_comparison(policy),
            _interest_comparison(policy),
            _phone_last7_comparison(policy),
            _same_source_comparison(policy),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(policy),
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=False,
    )


def _jaccard(left: Column, right: Column) -> Column:
    union = F.size(F.array_union(left, right))
    return F.when(union > 0, F.size(F.array_intersect(left, right)) / union).otherwise(0.0)


def policy_scores(pairs: DataFrame, policy: MatchPolicy) -> DataFrame:
    """Adds each feature's exact value and contribution, the score S and the decision.

    `pairs` carries both records' name, phone_last7, interests, source and event_ts with
    `_l` / `_r` suffixes, as Splink's predictions do.
    """
    names_present = F.col("name_l").isNotNull() & F.col("name_r").isNotNull()
    name_similarity = F.when(
        names_present, F.expr("jaro_winkler(name_l, name_r)").cast("double")
    ).otherwise(0.0)
    seconds_apart = F.abs(F.unix_timestamp("event_ts_l") - F.unix_timestamp("event_ts_r"))
    same_source = (F.col("source_l") == F.col("source_r")) & (
        seconds_apart <= policy.same_source_window_seconds
    )
    features = {
        "name": (name_similarity, "name_similarity", policy.name_weight),
        "interest": (
            _jaccard(F.col("interests_l"), F.col("interests_r")),
            "interest_overlap",
            policy.interest_weight,
        ),
        "phone_last7": (
            F.coalesce(F.col("phone_last7_l") == F.col("phone_last7_r"), F.lit(False)),
            "phone_last7_match",
            policy.phone_last7_weight,
        ),
        "same_source": (
            F.coalesce(same_source, F.lit(False)),
            "same_source_window",
            policy.same_source_weight,
        ),
    }

    scored = pairs
    contributions = []
    for prefix, (value, value_column, weight) in features.items():
        scored = scored.withColumn(value_column, value.cast("double"))
        contribution = f"{prefix}_contribution"
        scored = scored.withColumn(contribution, F.col(value_column) * F.lit(weight))
        contributions.append(F.col(contribution))

    # Rounding keeps a pair exactly on a threshold from flipping on the last float bit.
    score = F.round(contributions[0] + contributions[1] + contributions[2] + contributions[3], 9)
    decision = (
        F.when(F.col("score") >= policy.merge_threshold, F.lit(MERGE))
        .when(F.col("score") >= policy.review_threshold, F.lit(REVIEW))
        .otherwise(F.lit(DISTINCT))
    )
    return scored.withColumn("score", score).withColumn("decision", decision)


def score_candidate_pairs(
    db_api: SparkAPI, candidates: DataFrame, policy: MatchPolicy
) -> ScoredPairs:
    """Blocks, compares and scores candidate records with Splink, then applies the policy.

    Args:
        db_api: Splink's Spark API (see `clustering.splink_spark_api`).
        candidates: The output of `splink_input`.
        policy: The match policy.

    Returns:
        Every compared pair with record_key_l, record_key_r, blocking_rule, Splink's
        match_weight, both records' compared fields and the `SCORE_COLUMNS`, plus the
        number of comparisons each blocking rule generated.
    """
    registered = db_api.register(candidates)
    linker = Linker(registered, splink_settings(policy), log_level=None)

    started = time.perf_counter()
    predictions = linker.inference.predict().as_spark_dataframe()
    pairs = predictions.withColumn("blocking_rule", blocking_rule_name(policy)).drop("match_key")
    scored = policy_scores(pairs, policy)

    comparisons = comparisons_per_rule(scored)
    logger.info(
        "Scored %d candidate pairs in %.2f seconds",
        sum(comparisons.values()),
        time.perf_counter() - started,
    )
    return ScoredPairs(pairs=scored, comparisons_per_rule=comparisons)

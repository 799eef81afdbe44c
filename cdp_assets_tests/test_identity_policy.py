"""The arithmetic that lines Splink's match weight up with the policy score."""

from __future__ import annotations

import math

import pytest

from cdp_assets.identity.policy import DISTINCT, MERGE, REVIEW, MatchPolicy


def _splink_match_weight(policy: MatchPolicy, shares: list[float]) -> float:
    prior = policy.prior_match_probability
    prior_weight = math.log2(prior / (1 - prior))
    return prior_weight + sum(math.log2(1.0 / policy.u_probability(share)) for share in shares)


def test_match_weight_is_scaled_distance_from_merge_threshold():
    policy = MatchPolicy()
    shares = [0.30 * 0.9, 0.25 * 0.5, 0.25, 0.0]

    weight = _splink_match_weight(policy, shares)

    assert weight == pytest.approx(policy.splink_scale * (sum(shares) - 0.82))


def test_match_weight_is_zero_exactly_at_the_merge_threshold():
    policy = MatchPolicy()

    assert _splink_match_weight(policy, [0.30, 0.25, 0.25, 0.02]) == pytest.approx(0.0, abs=1e-9)


def test_scores_are_decided_by_the_thresholds():
    policy = MatchPolicy()

    assert policy.decision(0.82) == MERGE
    assert policy.decision(0.8199) == REVIEW
    assert policy.decision(0.65) == REVIEW
    assert policy.decision(0.6499) == DISTINCT


def test_same_source_pairs_need_an_interest_overlap_of_six_tenths():
    assert MatchPolicy().min_same_source_overlap == pytest.approx(0.6)


def test_weights_that_do_not_sum_to_one_are_refused():
    with pytest.raises(ValueError, match="sum to 1"):
        MatchPolicy(name_weight=0.5)

"""The match policy: feature weights, decision thresholds and the bands Splink scores in.

Every number identity resolution depends on lives here, so a different scoring profile is
one alternative `MatchPolicy` measured side by side, never an edit scattered over modules.

Two profiles share the weights and thresholds and differ only in which pairs they trust
and compare. `focused` (the default) keeps a shared phone or email from linking clearly
different names and compares a same-source pair without equal last seven digits only when
the names agree closely and neither record carries a phone or email the other contradicts.
`exhaustive` links every shared identifier below the hub limit and compares every pair the
weights could ever send to review, exactly as the design states them. A pair without
equal last seven digits scores at most 0.75, so both profiles auto-merge the same pairs;
they differ in the review queue, in false links through shared office numbers, and in
cost. `benchmarks/RESULTS.md` measures them side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MERGE = "merge"
REVIEW = "review"
DISTINCT = "distinct"


@dataclass(frozen=True)
class MatchPolicy:
    """Weights and thresholds of the policy score S, a weighted sum of four features.

    Attributes:
        name_weight: Weight of the Jaro-Winkler similarity of the two names.
        interest_weight: Weight of the Jaccard overlap of the two interest sets.
        phone_last7_weight: Weight of equal last seven phone digits.
        same_source_weight: Weight of both records coming from one source within the window.
        merge_threshold: S at or above which a pair merges automatically.
        review_threshold: S at or above which (and below `merge_threshold`) a person decides.
        same_source_window_hours: How close in time two records of one source must be.
        hub_max_distinct_names: A phone or email shared by more distinct last names than
            this is an agent's or office's number, not a person's, and links nobody.
        shared_identifier_name_similarity: Below this Jaro-Winkler similarity of first
            names, or of last names, two records sharing a phone or email are clearly
            different people (a site office's number typed in for two visitors) and the
            identifier does not link them. An initial agrees with any name it starts;
            a missing name agrees with any. None links every shared identifier.
        same_source_min_name_similarity: A same-source pair without equal last seven
            digits is compared only when its names are at least this similar; 0 compares
            every such pair.
        same_source_conflict_free: Compare a same-source pair without equal last seven
            digits only when neither record's phone or email contradicts the other's
            (one side lacks it).
        splink_scale: K in `match_weight = K * (S - merge_threshold)`; any positive value
            keeps the decisions, a larger one spreads Splink's weights out.
        name_similarity_bands: Lower bounds of the Jaro-Winkler levels Splink scores in,
            highest first; dense near 1.0 where decisions turn.
        interest_overlap_bands: Lower bounds of the Jaccard levels, highest first; they
            include the values small interest sets actually take (1/3, 1/2, 2/3, ...).
    """

    name_weight: float = 0.30
    interest_weight: float = 0.25
    phone_last7_weight: float = 0.25
    same_source_weight: float = 0.20
    merge_threshold: float = 0.82
    review_threshold: float = 0.65
    same_source_window_hours: int = 48
    hub_max_distinct_names: int = 5
    shared_identifier_name_similarity: float | None = 0.8
    same_source_min_name_similarity: float = 0.9
    same_source_conflict_free: bool = True
    splink_scale: float = 20.0
    name_similarity_bands: tuple[float, ...] = (
        1.0,
        0.98,
        0.96,
        0.94,
        0.92,
        0.90,
        0.88,
        0.86,
        0.84,
        0.82,
        0.80,
        0.78,
        0.76,
        0.74,
        0.72,
        0.70,
        0.65,
        0.60,
        0.50,
        0.40,
    )
    interest_overlap_bands: tuple[float, ...] = (
        1.0,
        0.8,
        0.75,
        2 / 3,
        0.6,
        0.5,
        0.4,
        1 / 3,
        0.25,
        0.2,
    )

    def __post_init__(self) -> None:
        total = (
            self.name_weight
            + self.interest_weight
            + self.phone_last7_weight
            + self.same_source_weight
        )
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"Feature weights must sum to 1, not {total}")
        if not 0 < self.review_threshold < self.merge_threshold <= 1:
            raise ValueError("Thresholds must satisfy 0 < review < merge <= 1")
        for bands in (self.name_similarity_bands, self.interest_overlap_bands):
            if list(bands) != sorted(bands, reverse=True) or bands[0] != 1.0:
                raise ValueError("Bands must start at 1.0 and descend")

    @classmethod
    def exhaustive(cls) -> MatchPolicy:
        """The design's policy to the letter: every identifier below the hub limit links,
        and every pair the weights could send to review is compared."""
        return replace(
            cls(),
            shared_identifier_name_similarity=None,
            same_source_min_name_similarity=0.0,
            same_source_conflict_free=False,
        )

    @classmethod
    def profile(cls, name: str) -> MatchPolicy:
        """The named profile: `focused` (the default) or `exhaustive`."""
        profiles = {"focused": cls, "exhaustive": cls.exhaustive}
        if name not in profiles:
            raise ValueError(
                f"Unknown match profile {name!r}: choose one of {', '.join(sorted(profiles))}"
            )
        return profiles[name]()

    @property
    def same_source_window_seconds(self) -> int:
        return self.same_source_window_hours * 3600

    @property
    def prior_match_probability(self) -> float:
        """Splink's prior that puts match weight 0 exactly at the merge threshold."""
        return 1.0 / (1.0 + 2.0 ** (self.splink_scale * self.merge_threshold))

    def u_probability(self, score_share: float) -> float:
        """The u of a level worth `score_share` of S when its m is fixed at 1."""
        return 2.0 ** (-self.splink_scale * score_share)

    def match_weight(self, score: float) -> float:
        """Splink's match weight of a pair whose banded policy score is `score`."""
        return self.splink_scale * (score - self.merge_threshold)

    @property
    def max_band_error(self) -> float:
        """How far the banded score Splink computes can fall below the exact score S."""
        return self.name_weight * _widest_gap(
            self.name_similarity_bands
        ) + self.interest_weight * _widest_gap(self.interest_overlap_bands)

    @property
    def min_same_source_overlap(self) -> float:
        """Least interest Jaccard with which a pair without equal last 7 digits can reach
        review: a perfect name plus this overlap plus the same-source feature."""
        needed = self.review_threshold - self.same_source_weight - self.name_weight
        return max(0.0, needed / self.interest_weight)

    def decision(self, score: float) -> str:
        """merge, review or distinct for a policy score."""
        if score >= self.merge_threshold:
            return MERGE
        if score >= self.review_threshold:
            return REVIEW
        return DISTINCT


def _widest_gap(bands: tuple[float, ...]) -> float:
    lower_bounds = [*bands, 0.0]
    return max(high - low for high, low in zip(lower_bounds, lower_bounds[1:], strict=False))

"""Identity resolution: which contact records are the same person, and who that customer is."""

from cdp_assets.identity.evaluation import evaluate
from cdp_assets.identity.policy import MatchPolicy
from cdp_assets.identity.resolve import Resolution, resolve

__all__ = ["MatchPolicy", "Resolution", "evaluate", "resolve"]

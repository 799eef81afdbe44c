"""Email addresses: trimmed, lowercased, and typos in well-known mail domains corrected."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import NamedTuple

from cdp_assets.standardize.placeholders import is_placeholder_address

# One edit turns a short domain such as me.com into someone else's real domain (be.com,
# mc.com), so only known domains at least this long are candidates for a correction.
_MIN_CORRECTABLE_DOMAIN_LENGTH = 8

_WHITESPACE = re.compile(r"\s+")
_LOCAL_PART = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")


class StandardEmail(NamedTuple):
    """A standardized address and whether its domain was corrected to reach it."""

    email: str | None
    corrected: bool


@cache
def known_mail_domains() -> frozenset[str]:
    """The public mail domains listed in `mail_domains.txt`."""
    text = files("cdp_assets.standardize").joinpath("mail_domains.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def osa_distance(left: str, right: str) -> int:
    """Edit distance where swapping two neighbouring characters counts as one edit.

    This is the optimal string alignment distance: insertions, deletions, substitutions
    and adjacent transpositions, each substring edited at most once.
    """
    previous_row: list[int] | None = None
    row = list(range(len(right) + 1))
    for i in range(1, len(left) + 1):
        before_previous, previous_row = previous_row, row
        row = [i] + [0] * len(right)
        for j in range(1, len(right) + 1):
            cost = 0 if left[i - 1] == right[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if (
                before_previous is not None
                and j > 1
                and left[i - 1] == right[j - 2]
                and left[i - 2] == right[j - 1]
            ):
                row[j] = min(row[j], before_previous[j - 2] + 1)
    return row[-1]


@lru_cache(maxsize=65536)
def correct_mail_domain(domain: str) -> str:
    """The known mail domain one edit away from `domain`, or `domain` itself.

    A domain already known, far from every known domain, or one edit from two of them
    (no way to tell which was meant) is returned unchanged.
    """
    known = known_mail_domains()
    if domain in known:
        return domain
    candidates = [
        candidate
        for candidate in known
        if len(candidate) >= _MIN_CORRECTABLE_DOMAIN_LENGTH
        and abs(len(candidate) - len(domain)) <= 1
        and osa_distance(domain, candidate) == 1
    ]
    return candidates[0] if len(candidates) == 1 else domain


def _clean_address(raw: str) -> str | None:
    """The address trimmed and lowercased if it is shaped like one, else None."""
    text = _WHITESPACE.sub("", raw).lower()
    text = text.removeprefix("mailto:").strip("<>").rstrip(".")
    local, at, domain = text.rpartition("@")
    if not at or not _LOCAL_PART.match(local) or not _DOMAIN.match(domain):
        return None
    return f"{local}@{domain}"


def is_placeholder_email(raw: str | None) -> bool:
    """Whether a raw email is a made-up address such as `test@test.com` or `noemail@...`."""
    if not raw:
        return False
    address = _clean_address(raw)
    if address is None:
        return False
    local, _, domain = address.rpartition("@")
    return is_placeholder_address(f"{local}@{correct_mail_domain(domain)}")


def standardize_email(raw: str | None) -> StandardEmail:
    """The standardized address and whether its domain was corrected.

    Args:
        raw: The email as a source spelled it.

    Returns:
        The address trimmed, lowercased and with a mail domain typo corrected (None for
        a placeholder or anything that is not an address), and whether it was corrected.
    """
    if not raw:
        return StandardEmail(None, False)
    address = _clean_address(raw)
    if address is None:
        return StandardEmail(None, False)

    local, _, domain = address.rpartition("@")
    corrected_domain = correct_mail_domain(domain)
    address = f"{local}@{corrected_domain}"
    if is_placeholder_address(address):
        return StandardEmail(None, False)
    return StandardEmail(address, corrected_domain != domain)


def normalize_email(raw: str | None) -> str | None:
    """The standardized address, or None for a placeholder or a non-address."""
    return standardize_email(raw).email

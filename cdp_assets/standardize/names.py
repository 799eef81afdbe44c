"""Person names: lowercased, titles stripped, punctuation turned into word breaks."""

from __future__ import annotations

import unicodedata
from typing import NamedTuple

from cdp_assets.standardize.placeholders import is_placeholder_name

# Titles are matched after dots become spaces, so `Mr.` and `Mr` are the same token.
TITLES = frozenset({"dr", "er", "kumari", "miss", "mr", "mrs", "ms", "prof", "shri", "smt", "sri"})

# Dropped inside a word (`D'Souza` is one surname); every other mark separates words.
_JOINING_MARKS = frozenset("'’`")


class NameParts(NamedTuple):
    """The first and last token of a normalized name (last is None for one token)."""

    first_name: str | None
    last_name: str | None


def _word_characters(text: str) -> str:
    """Letters and combining marks kept, joining marks dropped, anything else a space."""
    kept = []
    for character in text:
        if character in _JOINING_MARKS:
            continue
        # Category M keeps the vowel signs of Devanagari and other Indic scripts.
        is_word = unicodedata.category(character)[0] in "LM"
        kept.append(character if is_word else " ")
    return "".join(kept)


def normalize_name(raw: str | None) -> str | None:
    """A name lowercased, titles stripped and whitespace collapsed.

    `Mr. RAHUL  Sharma` gives `rahul sharma` and `R. Sharma` gives `r sharma`: an
    initial stays a single letter. A placeholder (`test`, `unknown`) or a value with no
    letters gives None.
    """
    if not raw:
        return None
    text = unicodedata.normalize("NFKC", raw).lower()
    tokens = _word_characters(text).split()

    while tokens and tokens[0] in TITLES:
        tokens = tokens[1:]
    name = " ".join(tokens)

    if not name or is_placeholder_name(name):
        return None
    return name


def split_name(name: str | None) -> NameParts:
    """First and last token of a normalized name."""
    tokens = name.split() if name else []
    if not tokens:
        return NameParts(None, None)
    return NameParts(tokens[0], tokens[-1] if len(tokens) > 1 else None)

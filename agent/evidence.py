"""How a reading's evidence says where a cue came from. A cue is the request's own words ("followers") unless it
was lent: by the application the request is ("pattern: social_media"), a product it names ("product: Slack"), a
block ("block: rate_limiter"), or the request's meaning as a whole ("meaning: 0.62"). This module is the only
place that writes or reads that encoding; the Brief turns it into typed sources (`TraitReading.source`)."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from typing import Literal

Lender = Literal["pattern", "product", "block", "meaning"]
LENDERS: tuple[Lender, ...] = ("pattern", "product", "block", "meaning")


def lent(lender: Lender, what: object) -> str:
    """The cue recording that `lender` (a pattern id, a product's name, a score) brought a trait or block."""
    return f"{lender}: {what}"


def lender_of(cue: str) -> Lender | None:
    """Who lent `cue`, or None when it is the request's own words."""
    head, sep, _ = cue.partition(": ")
    return head if sep and head in LENDERS else None


def is_lent(cue: str, *lenders: Lender) -> bool:
    """Whether one of `lenders` (any lender when none is given) brought `cue`."""
    lender = lender_of(cue)
    return lender is not None and (not lenders or lender in lenders)


def words_of(cue: str) -> str:
    """The cue without its lender: the words, the product's name, the pattern id or the score."""
    return cue.split(": ", 1)[1] if lender_of(cue) else cue


def meaning_score(cue: str) -> float | None:
    """The similarity a "meaning" cue records."""
    return float(words_of(cue)) if lender_of(cue) == "meaning" else None


def asked(traits: MutableMapping[str, list[str]] | dict[str, Sequence[str]]) -> list[str]:
    """The traits the request itself brought (its words, a product or block it names), not its pattern's."""
    return [t for t, cues in traits.items() if not (cues and is_lent(cues[0], "pattern"))]


def with_pattern_traits(traits: dict[str, list[str]], pattern: str, pattern_traits: Iterable[str]) -> dict:
    """`traits` plus what a typical app of `pattern` has, each lent by the pattern (its own kept first)."""
    found = dict(traits)
    for trait in pattern_traits:
        found.setdefault(trait, [lent("pattern", pattern)])
    return found

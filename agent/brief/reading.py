"""Reading a request once into a Brief: recognition by words and meaning, requirements, tier and coverage."""

from __future__ import annotations

import re
from collections.abc import Mapping

from agent.brief.model import Brief, Decider, TierDecision, TraitReading, TraitSource
from agent.evidence import is_lent, lender_of, words_of
from agent.knowledge import Knowledge
from agent.recognition import Reading, Words, matched_cues
from agent.requirements.extract import Extracted
from agent.requirements.reading import requirements_section
from agent.schema import OTHER, Coverage
from agent.sizing.estimation import choose_tier, services_band

# where the head of a request ends: a clause or a list starts ("X with Y", "X for Y", "X that Y", "X, Y")
_HEAD_END = re.compile(r"\b(?:with|where|that|which|who|whose|and|plus|including|so|for|to)\b|[,;:.(]", re.I)
# the words that ask rather than name: "Build a", "We need an", "I want to design the"
_ASKING = re.compile(
    r"^\s*(?:(?:please|we|i|you)\s+)?(?:(?:need|want|would like|have)\s+(?:to\s+)?)?"
    r"(?:(?:build|design|create|make|develop|write|implement|architect|set up|launch)\s+)?(?:(?:a|an|the|our|my)\s+)?",
    re.IGNORECASE,
)
NOT_COVERED_NOTE = (
    "No chapter of the knowledge base covers this request: the design rests on general principles only "
    "(no filler services, no sign-in unless people use it). A model drafter (--drafter openai, anthropic or "
    "llama-cpp) can go further."
)
PARTIAL_NOTE = (
    "The knowledge base covers part of this request: the parts listed as uncovered rest on general principles."
)


def head_of(text: str) -> str:
    """What the request names before its first clause, without the words that ask ("Build a")."""
    first = _HEAD_END.split(text.strip(), maxsplit=1)[0]
    return _ASKING.sub("", first).strip(" -")


def _source(words: list[str]) -> TraitSource:
    lender = lender_of(words[0]) if words else None
    return lender if lender in ("pattern", "product", "block") else "request"


def traits_of(reading: Reading) -> tuple[TraitReading, ...]:
    """The reading's traits with a typed source instead of a text prefix."""
    return tuple(
        TraitReading(name=name, source=_source(words), words=tuple(words_of(w) for w in words))
        for name, words in reading.traits.items()
    )


def tier_of(reading: Reading, found: Extracted, knowledge: Knowledge) -> TierDecision:
    """The tier (and its services band) the reading implies, with the reason."""
    pattern = reading.pattern.id
    tier = choose_tier(pattern, reading.traits, reading.small_scope, reading.enterprise, reading.large_scale)
    by: Decider
    if reading.enterprise:
        reason, by = f"enterprise signals: {', '.join(reading.enterprise[:3])}", "request"
    elif reading.small_scope and not reading.large_scale:
        reason, by = f"small scope: {', '.join(reading.small_scope[:3])}", "request"
    elif reading.large_scale:
        reason, by = f"large scale: {', '.join(reading.large_scale[:3])}", "request"
    elif pattern != OTHER:
        reason, by = f"a {knowledge.patterns[pattern].name.lower()} is built for scale", "pattern"
    else:
        reason, by = "the demanding traits the request has", "request"
    return TierDecision(tier=tier, band=services_band(tier, pattern, knowledge), reason=reason, decided_by=by)


def coverage_of(reading: Reading, text: str, knowledge: Knowledge) -> Coverage:
    """Covered when a chapter's design was recognised for what the request names; partial when the designs found
    are only features the request lists for something else ("a CRM, with email sync"); not covered otherwise."""
    pattern = reading.pattern.id
    chapters = [knowledge.patterns[pattern].cite] if pattern in knowledge.patterns else []
    chapters += [knowledge.blocks[b.id].cite for b in reading.blocks]
    if not chapters:
        uncovered = [_first_sentence(text)]
        return Coverage(status="not_covered", chapters=[], uncovered=uncovered, note=NOT_COVERED_NOTE)
    product, features = _product_and_features(text)
    if (
        pattern == OTHER
        and features
        and product
        and reading.blocks
        and not _product_recognised(reading, product, features, knowledge)
    ):  # a product with features, recognised only by what it is made of: the product itself has no chapter
        return Coverage(status="partial", chapters=chapters, uncovered=[product], note=PARTIAL_NOTE)
    return Coverage(status="covered", chapters=chapters)


# "X with Y", "X, with Y", "X including Y", "X plus Y": Y lists features of the product X
_FEATURES = re.compile(r",?\s+\b(?:with|including|plus|that also has|featuring)\b\s+", re.IGNORECASE)


def _product_and_features(text: str) -> tuple[str, str]:
    """The product a request names and the features it lists after it, or empty strings."""
    parts = _FEATURES.split(text.strip(), maxsplit=1)
    if len(parts) != 2:
        return "", ""
    return head_of(parts[0]), parts[1]


def _product_recognised(reading: Reading, product: str, features: str, knowledge: Knowledge) -> bool:
    """Whether a recognised design is what the request names, not a capability of it ("multi-tenant") nor one of
    the features listed after it ("with email sync"). A design meant without any cue word could be either: it
    counts as the product."""
    product_words, feature_words = Words(product), Words(features)
    for block in reading.blocks:
        if knowledge.blocks[block.id].kind == "capability":
            continue
        cues = [cue for cue in block.evidence if not is_lent(cue, "meaning")]
        if not cues or matched_cues(cues, product_words) or not matched_cues(cues, feature_words):
            return True
    return False


def _first_sentence(text: str, limit: int = 160) -> str:
    sentence = re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def read_brief(
    text: str,
    reading: Reading,
    found: Extracted,
    knowledge: Knowledge,
    meaning: Mapping[str, float] | None = None,
) -> Brief:
    """The Brief of a request, from its reading (words and meaning) and its stated requirements."""
    return Brief(
        request=text,
        pattern=reading.pattern,
        blocks=reading.blocks,
        traits=traits_of(reading),
        scope={
            "small": tuple(reading.small_scope),
            "enterprise": tuple(reading.enterprise),
            "large": tuple(reading.large_scale),
        },
        requirements=requirements_section(found, [], None),
        tier=tier_of(reading, found, knowledge),
        coverage=coverage_of(reading, text, knowledge),
        meaning=dict(meaning or {}),
    )

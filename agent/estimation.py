"""Complexity estimate: the tier, its base hours and service band, and the time-estimation factors.

Tier: an organisation of many teams → enterprise; an MVP or small team → low (the document's warning
against over-engineering); one of the five known patterns → high (the document's examples of the high
tier are exactly those platforms); otherwise it follows the number of demanding traits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agent.knowledge import Knowledge, Tier, Trait, load_knowledge
from agent.schema import AppliedMultiplier, Estimate, PatternId

# traits that make an app harder to build than CRUD
DEMANDING_TRAITS: frozenset[str] = frozenset(
    {"real_time", "media_heavy", "search_driven", "transaction_heavy", "geospatial", "write_heavy", "ml",
     "compliance", "global", "high_availability"}
)  # fmt: skip


def choose_tier(
    pattern: PatternId,
    traits: Mapping[Trait, Sequence[str]] | Sequence[str],
    small_scope: Sequence[str] = (),
    enterprise: Sequence[str] = (),
    large_scale: Sequence[str] = (),
) -> Tier:
    """The complexity tier a request implies."""
    if enterprise:
        return "enterprise"
    if small_scope and not large_scale:
        return "low"
    if pattern != "other" or large_scale:
        return "high"
    demanding = len(DEMANDING_TRAITS.intersection(traits))
    if demanding >= 3:
        return "high"
    return "medium" if demanding >= 1 else "low"


def services_band(tier: Tier, pattern: PatternId, knowledge: Knowledge | None = None) -> tuple[int, int]:
    """How many services a design of this tier and pattern should have."""
    knowledge = knowledge or load_knowledge()
    if tier == "high" and pattern in knowledge.patterns:
        return knowledge.patterns[pattern].band
    return knowledge.estimation.tiers[tier].services


def estimate(
    tier: Tier,
    pattern: PatternId,
    traits: Mapping[Trait, Sequence[str]],
    knowledge: Knowledge | None = None,
    without: Sequence[str] = (),
) -> Estimate:
    """Base hours of the tier times the factor of every trait present (`without` switches factors off)."""
    knowledge = knowledge or load_knowledge()
    spec = knowledge.estimation.tiers[tier]
    applied = []
    factor = 1.0
    for name, multiplier in knowledge.estimation.multipliers.items():
        if multiplier.trait in traits and name not in without:
            factor *= multiplier.value
            applied.append(
                AppliedMultiplier(
                    factor=name, value=multiplier.value, why=multiplier.why,
                    triggers=list(traits[multiplier.trait]), citation=multiplier.cite,
                )
            )  # fmt: skip
    low, high = spec.hours
    band = services_band(tier, pattern, knowledge)
    citations = [spec.cite, "time-estimation-factors"] if applied else [spec.cite]
    if band != spec.services:
        citations.append(knowledge.patterns[pattern].band_cite)
    return Estimate(
        tier=tier,
        services_band=band,
        base_hours=(low, high),
        multipliers=applied,
        factor=round(factor, 3),
        hours=(_round(low * factor), _round(high * factor)),
        citations=citations,
    )


def _round(hours: float) -> int:
    return int(round(hours / 10.0) * 10) if hours >= 100 else round(hours)

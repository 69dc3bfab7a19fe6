"""Complexity estimate: the tier, its base hours and service band, and the time-estimation factors.

Tier: an organisation of many teams → enterprise; an MVP or small team → low (the document's warning
against over-engineering); one of the five known patterns → high (the document's examples of the high
tier are exactly those platforms); otherwise it follows the number of demanding traits.

Multipliers combine with diminishing returns and a cap (docs/estimation.md says why): the largest applies in
full, each next one at half the weight of the one before, and the total never exceeds the cap.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from agent.config import EstimationConfig
from agent.errors import InvalidRequest
from agent.knowledge import Knowledge, Tier, Trait, load_knowledge
from agent.schema import AppliedMultiplier, Estimate, PatternId, Service, ServiceEffort

HOURS_PER_ENGINEER_WEEK = 30  # focused hours, after meetings and reviews: a heuristic, see docs/estimation.md


def combine(values: Sequence[float], config: EstimationConfig | None = None) -> float:
    """The combined factor of several multipliers (each >= 1)."""
    config = config or EstimationConfig()
    if config.combination == "product":
        total = math.prod(values)
    else:
        excess = sorted((v - 1 for v in values), reverse=True)
        total = 1 + sum(e * config.decay**i for i, e in enumerate(excess))
    return min(total, config.cap)


# traits that make an app harder to build than CRUD
DEMANDING_TRAITS: frozenset[str] = frozenset(
    {"real_time", "media_heavy", "search_driven", "transaction_heavy", "payments", "geospatial", "write_heavy",
     "ml", "compliance", "global", "high_availability"}
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
    config: EstimationConfig | None = None,
) -> Estimate:
    """Base hours of the tier times the combined factor of the traits present (`without` switches some off)."""
    knowledge = knowledge or load_knowledge()
    config = config or EstimationConfig()
    spec = knowledge.estimation.tiers[tier]
    applied = []
    for name, multiplier in knowledge.estimation.multipliers.items():
        if multiplier.trait in traits and name not in without and multiplier.trait not in without:
            applied.append(
                AppliedMultiplier(
                    factor=name, value=_usable(name, config.factors.get(name, multiplier.value)), why=multiplier.why,
                    triggers=list(traits[multiplier.trait]), citation=multiplier.cite,
                )
            )  # fmt: skip
    factor = combine([m.value for m in applied], config)
    low, high = config.base_hours.get(tier, spec.hours)
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
        combination=config.combination,
        hours=(_round(low * factor), _round(high * factor)),
        citations=citations,
    )


MAX_FACTOR = 1000.0
"""The largest multiplier a setting may give: far past any real one (the knowledge base's run to 2), and small
enough that every product of them, and the hours it makes, stays a finite number."""


def _usable(name: str, value: float) -> float:
    """A multiplier from the [estimation] settings, refused in one sentence when it is not a sane number."""
    if not 0 < value <= MAX_FACTOR:  # false for NaN too
        raise InvalidRequest(f"the [estimation] factor {name!r} is {value!r}; give a number above 0 and at most "
                             f"{MAX_FACTOR:g} in sysdesign.toml")  # fmt: skip
    return value


def three_point(plan: Estimate, services: Sequence[Service], team: int | None = None) -> Estimate:
    """The estimate with low/likely/high, the PERT mean, hours per service and, given a team, calendar weeks.

    Likely sits between low and high on a log scale, nearer high as the design fills more of its service band.
    """
    low, high = plan.hours
    band_low, band_high = plan.services_band
    fill = (len(services) - band_low) / (band_high - band_low) if band_high > band_low else 0.5
    exponent = 0.25 + 0.5 * min(max(fill, 0.0), 1.0)
    likely = _round(low * (high / low) ** exponent) if low else 0
    pert = _round((low + 4 * likely + high) / 6)
    weights = [_service_weight(service, plan) for service in services] or [1.0]
    total = sum(weights)
    per_service = [
        ServiceEffort(service=service.name, low=_round(low * w / total), likely=_round(likely * w / total),
                      high=_round(high * w / total), pert=_round(pert * w / total))
        for service, w in zip(services, weights, strict=False)
    ]  # fmt: skip
    weeks = None
    if team:
        weeks = (round(low / (team * HOURS_PER_ENGINEER_WEEK), 1), round(high / (team * HOURS_PER_ENGINEER_WEEK), 1))
    return plan.model_copy(update={"low": low, "likely": likely, "high": high, "pert": pert,
                                   "per_service": per_service, "team": team, "weeks": weeks})  # fmt: skip


_SERVICE_FACTORS = {"real": "real_time", "media": "media_processing", "transcod": "media_processing",
                    "payment": "payments", "recommend": "ml", "fraud": "ml"}  # fmt: skip


def _service_weight(service: Service, plan: Estimate) -> float:
    """Where the hours go: a base share, more for each data store it owns, its trait's multiplier if any."""
    name = service.name.lower()
    weight = 0.6 if "gateway" in name else 1.0
    weight += 0.25 * max(0, len(service.data_stores) - 1)
    applied = {m.factor: m.value for m in plan.multipliers}
    for cue, factor in _SERVICE_FACTORS.items():
        if cue in name and factor in applied:
            weight *= applied[factor]
    return weight


def _round(hours: float) -> int:
    return int(round(hours / 10.0) * 10) if hours >= 100 else round(hours)

"""Whether a design honours what the request stated: its size for the team and scope, its load, its constraints."""

from __future__ import annotations

from typing import Any

from agent.brief.model import Brief
from agent.evaluation.expectations import Profiles, expected_designs, phrase_hit
from agent.evaluation.grade_model import GradePart
from agent.knowledge import Knowledge
from agent.retrieval.bm25 import terms


def _any(words: str) -> frozenset[str]:
    return frozenset(terms(words))


SCALE_WORDS = _any("cache caching shard sharding partition partitioned replica replicas replication cdn queue "
                   "autoscaling autoscale horizontal horizontally load balancer fan-out sharded")  # fmt: skip
"""A design for a large load names how it carries it (replicas, shards, caches, queues, a CDN)."""
CONSTRAINT_WORDS = {
    "region": _any("region regions regional residency replicate replicated multi-region latency"),
    "data residency": _any("region residency resident eu in-region sovereignty"),
    "offline": _any("offline sync synchronise synchronize local queue conflict"),
    "budget": _any("cost costs budget managed serverless cheap free tier spend"),
    "deadline": _any("mvp phase phased managed deadline weeks milestone first release"),
}
"""Words that show a design took a stated constraint into account (team and scope are judged by its size)."""


def _size(brief: Brief, document: dict[str, Any], own_services: int) -> tuple[float, str]:
    """Services within the request's band; a chapter whose design is smaller than the band's floor (a URL
    shortener at any scale is a handful of services) lowers the floor to its own size."""
    services = document.get("services")
    count = max(len(services) if isinstance(services, list) else 0, 1)
    low, high = brief.tier.band
    low = min(low, own_services) if own_services else low
    if count > high:
        score = max(0.0, 1 - (count - high) / max(high, 3))
    elif count < low:  # fewer services than the band is a lesser fault than more: a small design can grow
        score = 0.5 + 0.5 * count / low
    else:
        score = 1.0
    return score, f"{count} services for {low}-{high} ({brief.tier.reason})"


def _compliance(rule: str, present: set[str], knowledge: Knowledge, profiles: Profiles) -> float:
    named = bool(set(terms(rule)) & present)
    controls = knowledge.general.regulations.get(rule, ())
    if not controls:
        return 1.0 if named else 0.0
    met = sum(phrase_hit(profiles.key_terms(f"{c.chosen} {' '.join(c.add)}"), present) for c in controls)
    return 0.4 * named + 0.6 * met / len(controls)


def requirements_fit(brief: Brief, document: dict[str, Any], present: set[str], weight: float,
                     knowledge: Knowledge, profiles: Profiles) -> GradePart:  # fmt: skip
    """A `GradePart` for how well the design fits the request's stated (or read) requirements."""
    own = {s for d in expected_designs(brief) for s in profiles.designs[d].services}
    size, size_note = _size(brief, document, len(own))
    checks = [(size, size_note)]
    if brief.tier.tier in ("high", "enterprise") or brief.scope.get("large"):
        named = len(SCALE_WORDS & present)
        checks.append((min(1.0, named / 2), f"names {named} ways of carrying the load"))
    for constraint in brief.requirements.constraints:
        if constraint.name == "compliance":
            met = _compliance(constraint.value, present, knowledge, profiles)
            checks.append((met, f"{constraint.value} {met:.0%} met"))
        elif constraint.name in CONSTRAINT_WORDS:
            met = float(bool((CONSTRAINT_WORDS[constraint.name] | set(terms(constraint.value))) & present))
            checks.append((met, f"{constraint.name} {'taken into account' if met else 'not mentioned'}"))
    score = sum(s for s, _ in checks) / len(checks)
    return GradePart(name="requirements", score=score, weight=weight, reason="; ".join(note for _, note in checks))

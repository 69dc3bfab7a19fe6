"""What a grade takes away: padding with services nobody asked for, a catalogue of technologies, an off-topic
design. Each is a fixed, documented function of counts the request's Brief sets the limits of."""

from __future__ import annotations

from typing import Any

from agent.brief.model import Brief
from agent.evaluation.expectations import Profiles
from agent.evaluation.grade_model import Penalty
from agent.knowledge import Knowledge

SERVICE_COST, SERVICE_CAP = 0.03, 0.3
"""Per service beyond what the request's size band and its designs' own services allow."""
CATALOGUE_SHARE, CATALOGUE_CAP = 0.5, 0.5
"""Technologies beyond the limit, as a share of the limit, times this (a catalogue dump loses up to half)."""
OFF_TOPIC_MARGIN, OFF_TOPIC_FLOOR, OFF_TOPIC_RATE, OFF_TOPIC_CAP = 0.1, 0.25, 0.6, 0.3
"""A design for something else: another design's words cover more of it than the requested one's, by a margin."""


def _listed(document: dict[str, Any], field: str) -> list[Any]:
    value = document.get(field)
    return value if isinstance(value, list) else []


def penalties(profiles: Profiles, knowledge: Knowledge, brief: Brief, document: dict[str, Any], expected: list[str],
              present: set[str], design_share: float, request_share: float) -> list[Penalty]:  # fmt: skip
    """`design_share`: how much of the requested designs' words it uses; `request_share`: of the request's own."""
    found: list[Penalty] = []
    own_services = {s for d in expected for s in profiles.designs[d].services}
    own_parts = {c for d in expected for c in profiles.designs[d].components}
    services, components = len(_listed(document, "services")), len(_listed(document, "components"))
    limit = max(brief.tier.band[1], len(own_services) + 2)
    if services > limit:
        amount = min(SERVICE_CAP, SERVICE_COST * (services - limit))
        found.append(Penalty(name="padding", amount=amount, reason=f"{services} services where {limit} would do"))
    # the chapters' parts, and what every production system runs beside them (monitoring, logs, secrets...)
    parts_limit = max(10, len(own_parts) + len(knowledge.general.production_essentials.components) + 2)
    if components > parts_limit:
        amount = min(CATALOGUE_CAP, CATALOGUE_SHARE * (components - parts_limit) / parts_limit)
        found.append(Penalty(name="catalogue", amount=amount,
                             reason=f"{components} technologies where {parts_limit} would do"))  # fmt: skip
    # without a chapter for the request, its own words are what a design for something else does not use
    asked = design_share if expected else request_share
    related = set().union(*(profiles.designs[d].kin for d in expected)) if expected else set()
    shares = {d: share for d, share in profiles.coverages(present).items() if d not in related}
    other = max(shares, key=lambda d: shares[d], default=None)
    if other is not None and shares[other] > max(OFF_TOPIC_FLOOR, asked + OFF_TOPIC_MARGIN):
        amount = min(OFF_TOPIC_CAP, OFF_TOPIC_RATE * (shares[other] - asked))
        found.append(Penalty(name="off_topic", amount=amount,
                             reason=f"reads more like {profiles.designs[other].name} ({shares[other]:.0%}) than "
                                    f"what was asked ({asked:.0%})"))  # fmt: skip
    return found

"""Follow-ups as edits of the current design: "remove shipping and reviews", "add payments", "we don't need
search". An edit changes the design it names and nothing else; it never re-reads a longer request, so removing
"the recommendation service" can never raise the estimate by its keyword.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from agent.knowledge import Knowledge, ServiceSpec, normalise_name
from agent.recognition import Words, matched_cues
from agent.retrieval.bm25 import stem
from agent.schema import Architecture, Component, Service
from agent.sizing.estimation import estimate, three_point

REMOVE = re.compile(r"\b(?:remove|drop|delete|get rid of|take out|no need for|(?:we|i)\s+(?:don't|do not|dont)\s+"
                    r"need(?:\s+an?y?)?|without)\s+(?P<what>[^.;!?]+)", re.IGNORECASE)  # fmt: skip
ADD = re.compile(r"^(?:please\s+)?(?:add|include|(?:we|i)\s+(?:also\s+)?need|also)\s+(?P<what>[^.;!?]+)$",
                 re.IGNORECASE)  # fmt: skip
_JOIN = re.compile(r"\s*(?:,|\band\b|&|\bplus\b)\s*", re.IGNORECASE)
_FILLER = {"the", "a", "an", "any", "our", "its", "service", "services", "feature", "features", "support",
           "capability", "module", "for", "to", "it"}  # fmt: skip
OWN_PARTS = {"search", "ml", "payments", "media_processing", "geospatial", "audit"}
"""What a capability brings that nothing else needs (never the databases, caches or the backend framework)."""
DATA = {"database", "cache", "queue", "storage", "search", "geospatial", "realtime", "ml", "payments",
        "media_processing"}  # fmt: skip


@dataclass(frozen=True)
class Edit:
    kind: str  # "add" or "remove"
    target: str


def read_edits(text: str) -> list[Edit]:
    """The edits a follow-up asks for (several in one sentence), or none when it asks for something else."""
    edits = [Edit("remove", t) for m in REMOVE.finditer(text) for t in _targets(m.group("what"))]
    if not edits and (added := ADD.match(text.strip())):
        edits = [Edit("add", t) for t in _targets(added.group("what"))]
    return edits


def _targets(what: str) -> list[str]:
    return [t.strip() for t in _JOIN.split(what) if t.strip() and _stems(t)]


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in _FILLER}


def apply_edits(design: Architecture, edits: list[Edit], knowledge: Knowledge) -> tuple[Architecture, list[str]]:
    """A copy of `design` with the edits made, and a note for each edit that could not be (saying why)."""
    new = design.model_copy(deep=True)
    notes: list[str] = []
    traits = set(new.traits)
    for edit in edits:
        done = (
            _remove(new, edit.target, knowledge, traits)
            if edit.kind == "remove"
            else _add(new, edit.target, knowledge, traits)
        )
        if not done:
            services = ", ".join(s.name for s in new.services)
            notes.append(f"Nothing in the design is {edit.target!r}; its services are: {services}."
                         if edit.kind == "remove" else f"Nothing was added for {edit.target!r}: the design already "
                         f"has it, or it names no part, service or capability the knowledge base knows (try a "
                         f"technology such as 'Redis' or a capability such as 'payments').")  # fmt: skip
    new.traits = sorted(traits)
    if new.estimate is not None and new.pattern is not None:  # the same tier, the traits the edits left
        plan = estimate(new.estimate.tier, new.pattern.id, {t: ["edit"] for t in new.traits}, knowledge)
        new.estimate = three_point(plan, new.services, None)
    return new, notes


def _trait_of(target: str, knowledge: Knowledge) -> str | None:
    """The capability a target names, preferring one with a service of its own ("payments" is the payments
    capability, with its Payment Service, before it is a sign of transactions)."""
    words = Words(target)
    found = [t for t, spec in knowledge.traits.items() if matched_cues(spec.cues, words)]
    with_service = [t for t in found if t in knowledge.general.generic_services.by_trait]
    ranked = with_service or found
    return ranked[0] if ranked else None


Named = TypeVar("Named", Service, ServiceSpec)


def _best(wanted: set[str], candidates: Sequence[Named]) -> Named | None:
    """The candidate whose name shares the most words with the target (all but one of them at least), the
    shortest name first ("analytics" is the Analytics Service before the Link Analytics Service)."""
    scored = []
    for item in candidates:
        stems = _stems(item.name)
        overlap = len(wanted & stems)
        if overlap and overlap >= max(1, len(wanted) - 1):
            scored.append((-overlap, len(stems), item))
    return min(scored, key=lambda x: (x[0], x[1]))[2] if scored else None


def _remove(design: Architecture, target: str, knowledge: Knowledge, traits: set[str]) -> bool:
    wanted = _stems(target)
    canonical = normalise_name(knowledge.canonical(target))
    gone_services = [s for s in design.services if wanted and wanted <= _stems(s.name)]
    gone_parts = [c for c in design.components if normalise_name(knowledge.canonical(c.name)) == canonical]
    trait = _trait_of(target, knowledge)
    if trait:  # a capability: its service and the parts only it brought
        spec = knowledge.general.generic_services.by_trait.get(trait)
        gone_services += [s for s in design.services if spec and s.name == spec.name]
        brought = {c.name for c in knowledge.general.trait_components.get(trait, ())}
        gone_parts += [c for c in design.components if c.name in brought and c.category in OWN_PARTS]
        traits.discard(trait)
    if not gone_services and not gone_parts:
        return False
    names = {s.name for s in gone_services}
    design.services = [s for s in design.services if s.name not in names]
    used = {store for s in design.services for store in s.data_stores}
    # what only the removed services used goes too (a search index nobody queries), never the core stores
    orphans = {store for s in gone_services for store in s.data_stores} - used
    parts = {c.name for c in gone_parts} | {
        c.name for c in design.components if c.name in orphans and c.category not in ("database", "cache")
    }
    design.components = [c for c in design.components if c.name not in parts]
    for kept in design.services:
        kept.data_stores = [store for store in kept.data_stores if store not in parts]
    return True


def _add(design: Architecture, target: str, knowledge: Knowledge, traits: set[str]) -> bool:
    present = {normalise_name(knowledge.canonical(c.name)) for c in design.components}
    tech = knowledge.technology(target)
    if tech is not None:
        if normalise_name(tech.name) in present:
            return False
        design.components.append(Component(name=tech.name, category=tech.category, purpose=tech.use,
                                           citations=[tech.cite]))  # fmt: skip
        _wire(design, tech.name, tech.category)
        return True
    trait = _trait_of(target, knowledge)
    if trait:
        traits.add(trait)
        for spec in knowledge.general.trait_components.get(trait, ()):
            if normalise_name(knowledge.canonical(spec.name)) not in present:
                design.components.append(spec.build())
        service = knowledge.general.generic_services.by_trait.get(trait)
        if service and service.name not in {s.name for s in design.services}:
            design.services.append(service.build())
        return True
    wanted = _stems(target)
    if _best(wanted, list(design.services)) is not None:
        return False  # the design already has it
    known: list[ServiceSpec] = [*knowledge.general.generic_services.extra,
                                *(s for b in knowledge.blocks.values() for s in b.services)]  # fmt: skip
    match = _best(wanted, known)
    if match is None:
        return False
    added = match.build()
    added.data_stores = [d for d in added.data_stores if normalise_name(knowledge.canonical(d)) in present]
    design.services.append(added)
    return True


def _wire(design: Architecture, name: str, category: str) -> None:
    """A new data part is used by a service (the first that keeps data), never left an orphan."""
    if category not in DATA:
        return
    users = [s for s in design.services if s.data_stores and "gateway" not in s.name.lower()] or design.services
    if users:
        users[0].data_stores.append(name)

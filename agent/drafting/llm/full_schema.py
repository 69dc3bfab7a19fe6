"""The full drafting schema, for capable models: the architecture document minus what the engine owns (estimate,
findings, citations, audit). The engine keeps what the model wrote, marks it `by: model`, cites the knowledge base
where a model's item matches one of its own, and fills only the gaps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, Field

from agent.drafting.base import DraftRequest, Usage
from agent.drafting.compose import block_tier
from agent.evidence import with_pattern_traits
from agent.knowledge import Knowledge
from agent.retrieval.bm25 import stem
from agent.schema import (
    OTHER,
    Architecture,
    Assumption,
    BlockChoice,
    CapChoice,
    Component,
    FailureMode,
    Flow,
    Kept,
    PatternChoice,
    Requirements,
    Service,
    Tradeoff,
)
from agent.sizing.estimation import choose_tier, estimate

NOT_A_NAME = re.compile(r"[<>{}\[\]|\\,;]|https?://|^\W*$|\.(?:py|json|yaml|md|txt|j2)\b|(?:^|\s)/\w+/|\w/\w+\.\w")
"""A placeholder ("<Name> Service"), a path, a URL, a list ("GET, POST, PUT") or punctuation: not a name."""
MAX_ITEMS = {"components": 30, "services": 25, "flows": 6, "tradeoffs": 10, "failure_modes": 12, "scaling": 10}
"""A longer list from a model is cut (a capable model's design fits; a loop does not)."""
FINDING_TEXT = re.compile(r"\bservice\(s\)|\bthe guideline is\b|\bSD\d{3}\b|\bfix:", re.IGNORECASE)
MAX_NAME_WORDS = 6


class FullComponent(BaseModel):
    name: str = Field(min_length=1)
    category: str = Field(default="", description="database, cache, queue, storage, search, ...")
    purpose: str = Field(default="")


class FullService(BaseModel):
    name: str = Field(min_length=1)
    responsibility: str = Field(default="")
    data_stores: list[str] = Field(default_factory=list)


class FullFlow(BaseModel):
    name: str = Field(min_length=1)
    steps: list[str] = Field(min_length=1)


class FullTradeoff(BaseModel):
    decision: str
    chosen: str
    alternatives: list[str] = Field(default_factory=list)
    why: str = Field(default="")


class FullFailureMode(BaseModel):
    component: str
    failure: str
    impact: str = Field(default="")
    mitigation: str = Field(default="")


class FullCap(BaseModel):
    choice: Literal["CP", "AP"]
    why: str = Field(default="")


class FullKept(BaseModel):
    rule_id: str = Field(max_length=12, description="The finding's rule id, e.g. SD011.")
    reason: str = Field(min_length=10)


class FullDraft(BaseModel):
    """What a capable model writes."""

    pattern: str = Field(description="One of the allowed pattern ids, or 'other'.")
    blocks: list[str] = Field(default_factory=list, description="Building block ids the design uses.")
    tier: Literal["low", "medium", "high", "enterprise"] | None = None
    tier_reason: str = Field(default="")
    functional: list[str] = Field(default_factory=list)
    components: list[FullComponent] = Field(default_factory=list)
    services: list[FullService] = Field(default_factory=list)
    flows: list[FullFlow] = Field(default_factory=list)
    tradeoffs: list[FullTradeoff] = Field(default_factory=list)
    failure_modes: list[FullFailureMode] = Field(default_factory=list)
    cap: FullCap | None = None
    scaling: list[str] = Field(default_factory=list)
    kept: list[FullKept] = Field(default_factory=list,
                                 description="Findings you keep your choice on, each with the reason.")  # fmt: skip


def trimmed(data: dict) -> dict:
    """The model's answer with over-long lists cut, so that one runaway list does not cost the whole design."""
    return {key: value[: MAX_ITEMS[key]] if key in MAX_ITEMS and isinstance(value, list) else value
            for key, value in data.items()}  # fmt: skip


def full_schema(pattern_ids: Sequence[str], block_ids: Sequence[str]) -> dict:
    schema = FullDraft.model_json_schema()
    schema["properties"]["pattern"]["enum"] = list(pattern_ids)
    if block_ids:
        schema["properties"]["blocks"]["items"]["enum"] = list(block_ids)
    return schema


def is_name(value: str) -> bool:
    """A name a person would give a part or a service (not a placeholder, a path, a URL or a finding's text)."""
    value = value.strip()
    return bool(value) and not NOT_A_NAME.search(value) and not FINDING_TEXT.search(value) and \
        len(value.split()) <= MAX_NAME_WORDS  # fmt: skip


def _stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def full_to_architecture(draft: FullDraft, request: DraftRequest, drafter: str, usage: Usage) -> Architecture:
    """The model's design kept as written (junk names dropped and noted), marked `by: model`, each item cited to
    the knowledge base where it matches one of its own."""
    knowledge = request.knowledge
    reading = request.reading
    pattern = _pattern(draft.pattern, request)
    components = _components(draft, knowledge, usage)
    names = {c.name.lower() for c in components}
    services = []
    for item in draft.services:
        if not is_name(item.name):
            usage.dropped.append(item.name)
            continue
        stores = [s for s in item.data_stores if s.lower() in names or knowledge.technology(s)]
        services.append(Service(name=item.name.strip(), responsibility=item.responsibility.strip(),
                                data_stores=[_canonical(s, knowledge) for s in stores], by="model"))  # fmt: skip
    spec = knowledge.patterns.get(pattern.id)
    traits = with_pattern_traits(reading.traits, pattern.id, spec.traits if spec else ())
    tier = draft.tier or block_tier(
        choose_tier(pattern.id, traits, reading.small_scope, reading.enterprise, reading.large_scale), reading
    )
    blocks = [BlockChoice(id=b, confidence=0.9, evidence=["model"]) for b in draft.blocks if b in knowledge.blocks]
    known_flows = _known_flows(knowledge, pattern.id, draft.blocks)
    cap = CapChoice(choice=draft.cap.choice, why=draft.cap.why) if draft.cap else (
        CapChoice(choice=spec.cap.choice, why=spec.cap.why) if spec else None)  # fmt: skip
    return Architecture(
        request=request.prompt,
        pattern=pattern,
        blocks=blocks or list(reading.blocks),
        traits=list(traits),
        cap=cap,
        components=components,
        services=_dedupe(services),
        flows=[
            Flow(name=f.name, steps=list(f.steps), citations=_matching(f.name, known_flows), by="model")
            for f in draft.flows
        ],
        tradeoffs=[
            Tradeoff(decision=t.decision, chosen=t.chosen, alternatives=list(t.alternatives), why=t.why, by="model")
            for t in draft.tradeoffs
        ],
        failure_modes=[
            FailureMode(component=f.component, failure=f.failure, impact=f.impact, mitigation=f.mitigation, by="model")
            for f in draft.failure_modes
        ],
        scaling=list(draft.scaling),
        estimate=estimate(tier, pattern.id, traits, knowledge),
        citations=[c for component in components for c in component.citations],
        drafter=drafter,
        requirements=Requirements(functional=[f for f in draft.functional if f.strip()]) if draft.functional else None,
        assumptions=[Assumption(name="tier", value=f"{draft.tier}: {draft.tier_reason}".rstrip(": "), source="model")]
        if draft.tier
        else [],
    )


def kept_of(draft: FullDraft) -> list[Kept]:
    return [Kept(rule_id=k.rule_id.upper(), reason=k.reason) for k in draft.kept]


def _pattern(chosen: str, request: DraftRequest) -> PatternChoice:
    reading = request.reading
    if chosen == reading.pattern.id or chosen not in request.knowledge.all_pattern_ids:
        return reading.pattern
    if chosen == OTHER:  # a capable model that says "none of the five" is believed unless the request is clear
        return reading.pattern if reading.pattern.confidence >= 0.7 else PatternChoice(id=OTHER, confidence=0.6)
    return PatternChoice(id=chosen, confidence=max(0.5, reading.confidences.get(chosen, 0.5)))


def _components(draft: FullDraft, knowledge: Knowledge, usage: Usage) -> list[Component]:
    found, seen = [], set()
    for item in draft.components:
        if not is_name(item.name):
            usage.dropped.append(item.name)
            continue
        tech = knowledge.technology(item.name)
        name = tech.name if tech else item.name.strip()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        category = item.category.strip().lower() or (tech.category if tech else None)
        found.append(Component(name=name, category=category, purpose=item.purpose.strip() or (tech.use if tech else ""),
                               citations=[tech.cite] if tech else [], by="model"))  # fmt: skip
    return found


def _canonical(name: str, knowledge: Knowledge) -> str:
    tech = knowledge.technology(name)
    return tech.name if tech else name.strip()


def _dedupe(services: list[Service]) -> list[Service]:
    seen, kept = set(), []
    for service in services:
        if service.name.lower() not in seen:
            seen.add(service.name.lower())
            kept.append(service)
    return kept


def _known_flows(knowledge: Knowledge, pattern: str, blocks: Sequence[str]) -> list[tuple[set[str], str]]:
    flows = list(knowledge.patterns[pattern].flows) if pattern in knowledge.patterns else []
    flows += [f for b in blocks if b in knowledge.blocks for f in knowledge.blocks[b].flows]
    return [(_stems(f.name), f.cite) for f in flows]


def _matching(name: str, known: list[tuple[set[str], str]]) -> list[str]:
    """The citation of the knowledge base's flow this one matches (sharing a word of its name), if any."""
    words = _stems(name)
    return [cite for stems, cite in known if words & stems][:1]

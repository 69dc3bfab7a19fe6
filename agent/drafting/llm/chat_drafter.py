"""Drafting with a chat model: prompt it, parse its JSON, and fill in what the engine can derive.

The model fills a deliberately small schema: the pattern id, technology names, and services with one-line
responsibilities. Small models follow a small schema far more reliably, and everything else (citations,
categories, flows, CAP, scaling notes, the estimate) is derived from the knowledge base, where it is
correct by construction rather than hoped for.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

import pydantic_core
from pydantic import BaseModel, Field, ValidationError

from agent.drafting.base import Drafter, DraftRequest, Usage
from agent.drafting.prompts import render_prompt
from agent.errors import ModelError, first_error
from agent.knowledge import Knowledge
from agent.schema import OTHER, Architecture, CapChoice, Component, Finding, Flow, PatternChoice, Service
from agent.sizing.estimation import choose_tier, estimate

SNIPPET_CHARS = 240
MAX_ANSWER_CHARS = 200_000
"""A model answer is cut here before parsing: a design fits in far less, and a runaway loop must not stall us."""
PROMPT_HITS = 4


class ModelService(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    responsibility: str = Field(default="", max_length=300)


class ModelDraft(BaseModel):
    """The schema a model fills."""

    pattern: str = Field(description="One of the pattern ids listed in the prompt, or 'other'.")
    components: list[str] = Field(default_factory=list, max_length=30)
    services: list[ModelService] = Field(default_factory=list, max_length=25)


def draft_schema(pattern_ids: Sequence[str] = ()) -> dict:
    """The JSON schema sent to the model for constrained decoding; `pattern_ids` become the pattern's enum."""
    schema = ModelDraft.model_json_schema()
    if pattern_ids:
        schema["properties"]["pattern"]["enum"] = list(pattern_ids)
    return schema


@dataclass
class Completion:
    text: str
    tokens: int = 0


class ChatClient(Protocol):
    """One method: send messages, get text back (constrained to `schema` where the backend can)."""

    model: str

    def complete(self, messages: list[dict[str, str]], schema: dict) -> Completion: ...


def _junk(name: str, prompt: str, pattern_ids: Sequence[str] = ()) -> bool:
    """Not a technology: an identifier-like loop, a pattern id, or a word lifted from the request."""
    lowered = name.lower()
    words = re.findall(r"[a-z0-9]+", lowered)
    looping = len(words) != len(set(words))
    return (
        not words
        or len(name) > 40
        or "_" in name
        or looping
        or lowered in pattern_ids
        or lowered in prompt.lower().split()
    )


def extract_json(text: str) -> dict:
    """The first JSON object in a model's answer (code fences and chatter around it are ignored)."""
    start = text.find("{")
    if start < 0:
        raise ModelError(f"the model answered without JSON: {text[:80]!r}")
    body = text[start : start + MAX_ANSWER_CHARS]
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
    except RecursionError:
        raise ModelError("the model's JSON is nested too deeply") from None
    except json.JSONDecodeError as exc:
        # a truncated answer (the model ran out of tokens, often in a loop): keep what is complete
        try:
            value = pydantic_core.from_json(body, allow_partial=True)
        except ValueError:
            raise ModelError(f"the model's JSON is invalid: {exc}") from None
    if not isinstance(value, dict):
        raise ModelError("the model's JSON is not an object")
    return value


def parse_draft(text: str, pattern_ids: Sequence[str]) -> ModelDraft:
    """A ModelDraft from the model's text; unknown pattern ids become 'other', never a crash."""
    data = extract_json(text)
    if data.get("pattern") not in pattern_ids:
        data["pattern"] = OTHER
    for key in ("components", "services"):
        if not isinstance(data.get(key) or [], list):
            raise ModelError(f"the model's {key!r} is not a list")
    data["components"] = [c if isinstance(c, str) else str(c.get("name", "")) if isinstance(c, dict) else str(c)
                          for c in data.get("components") or []]  # fmt: skip
    data["services"] = [{"name": s} if isinstance(s, str) else s for s in data.get("services") or []]
    try:
        return ModelDraft.model_validate(data)
    except ValidationError as exc:
        raise ModelError(f"the model's JSON does not fit the draft schema: {first_error(exc)}") from None


def _dedupe_services(services: list[ModelService]) -> list[Service]:
    seen, result = set(), []
    for service in services:
        key = service.name.strip().lower()
        if key and key not in seen:  # small models loop: "Messaging", "Messaging", ...
            seen.add(key)
            result.append(Service(name=service.name.strip(), responsibility=service.responsibility.strip()))
    return result


def to_architecture(draft: ModelDraft, request: DraftRequest, drafter: str, usage: Usage) -> Architecture:
    """The model's choices, with names made canonical and the derivable parts filled in from the knowledge."""
    knowledge: Knowledge = request.knowledge
    reading = request.reading
    # the model's pattern stands only where the request itself gives evidence for it; otherwise the reading of
    # the request (keywords and retrieval) wins, and the audit records the correction
    supported = draft.pattern == "other" or reading.confidences.get(draft.pattern, 0.0) >= 0.45
    if draft.pattern == reading.pattern.id or not supported:
        pattern = reading.pattern
    else:
        pattern = PatternChoice(id=draft.pattern, confidence=reading.confidences.get(draft.pattern, 0.5))
        if draft.pattern == "other" and reading.pattern.confidence >= 0.7:
            pattern = reading.pattern
    spec = knowledge.patterns.get(pattern.id)
    components, seen = [], set()
    for name in draft.components:
        tech = knowledge.technology(name)
        canonical = tech.name if tech else name.strip()
        if tech is None and _junk(canonical, request.prompt, knowledge.all_pattern_ids):
            usage.dropped.append(canonical)
            continue
        if canonical and canonical.lower() not in seen:
            seen.add(canonical.lower())
            if tech:
                components.append(
                    Component(name=canonical, category=tech.category, purpose=tech.use, citations=[tech.cite])
                )
            else:
                components.append(Component(name=canonical))
    traits = dict(reading.traits)
    if spec:
        for trait in spec.traits:
            traits.setdefault(trait, [f"pattern: {pattern.id}"])
    tier = choose_tier(pattern.id, traits, reading.small_scope, reading.enterprise, reading.large_scale)
    cap = CapChoice(choice=spec.cap.choice, why=spec.cap.why) if spec else None
    return Architecture(
        request=request.prompt,
        pattern=pattern,
        traits=list(traits),
        cap=cap,
        components=components,
        services=_dedupe_services(draft.services),
        flows=[Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for f in (spec.flows if spec else ())],
        scaling=[note.note for note in spec.scaling] if spec else [],
        estimate=estimate(tier, pattern.id, traits, knowledge),
        citations=[c for component in components for c in component.citations],
        drafter=drafter,
    )


class ChatDrafter(Drafter):
    """A drafter backed by a chat model; `revise` asks it to fix the checker's findings."""

    name: ClassVar[str] = "chat"
    can_revise: ClassVar[bool] = True

    def __init__(self, client: ChatClient, prompts_dir: Path | None = None) -> None:
        self.client = client
        self.prompts_dir = prompts_dir
        self._usage = Usage()

    @property
    def usage(self) -> Usage:
        return self._usage

    @property
    def model(self) -> str:
        return self.client.model

    def _ask(self, messages: list[dict[str, str]], pattern_ids: Sequence[str]) -> ModelDraft:
        started = time.perf_counter()
        completion = self.client.complete(messages, draft_schema(pattern_ids))
        self._usage.seconds += time.perf_counter() - started
        self._usage.tokens += completion.tokens
        self._usage.history.append(completion.text)
        return parse_draft(completion.text, pattern_ids)

    def _system(self) -> dict[str, str]:
        return {"role": "system", "content": render_prompt("system.j2", self.prompts_dir)}

    def draft(self, request: DraftRequest) -> Architecture:
        knowledge = request.knowledge
        prompt = render_prompt(
            "draft.j2", self.prompts_dir, request=request.prompt, hits=list(request.hits[:PROMPT_HITS]),
            snippet_chars=SNIPPET_CHARS, pattern_ids=knowledge.all_pattern_ids,
            technologies=[t.name for t in knowledge.technologies], pattern_hint=_hint(request),
        )  # fmt: skip
        self._usage = Usage()
        draft = self._ask([self._system(), {"role": "user", "content": prompt}], knowledge.all_pattern_ids)
        self._usage.raw_pattern = draft.pattern
        return to_architecture(draft, request, self.name, self._usage)

    def revise(self, request: DraftRequest, previous: Architecture, findings: list[Finding]) -> Architecture:
        shown = json.dumps({"pattern": previous.pattern.id if previous.pattern else "other",
                            "components": [c.name for c in previous.components],
                            "services": [{"name": s.name, "responsibility": s.responsibility}
                                         for s in previous.services]})  # fmt: skip
        errors = [f for f in findings if f.severity == "error"][:12]
        prompt = render_prompt("repair.j2", self.prompts_dir, request=request.prompt, draft=shown, findings=errors)
        draft = self._ask([self._system(), {"role": "user", "content": prompt}], request.knowledge.all_pattern_ids)
        return to_architecture(draft, request, self.name, self._usage)


def _hint(request: DraftRequest) -> str:
    reading = request.reading
    if reading.pattern.id == "other":
        return ""
    spec = request.knowledge.patterns[reading.pattern.id]
    names = sorted({name for group in spec.required for name in group.any_of[:1]})
    return f"pattern {reading.pattern.id!r} ({reading.pattern.confidence:.2f}); core components {', '.join(names)}"

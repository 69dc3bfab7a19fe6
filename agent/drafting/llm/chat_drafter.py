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
from typing import ClassVar, Literal, Protocol

import pydantic_core
from pydantic import BaseModel, Field, ValidationError

from agent.drafting.base import Drafter, DraftRequest, Usage
from agent.drafting.compose import block_tier
from agent.drafting.kb import domain_services
from agent.drafting.llm.full_schema import FullDraft, full_schema, full_to_architecture, is_name, kept_of, trimmed
from agent.drafting.prompts import render_prompt
from agent.errors import InvalidRequest, ModelError, first_error
from agent.evidence import with_pattern_traits
from agent.knowledge import Knowledge
from agent.knowledge.models import Technology
from agent.recognition import Reading
from agent.retrieval.bm25 import stem
from agent.schema import OTHER, Architecture, CapChoice, Component, Finding, Flow, PatternChoice, Service
from agent.sizing.estimation import choose_tier, estimate

SNIPPET_CHARS = 240
MAX_ANSWER_CHARS = 200_000
"""A model answer is cut here before parsing: a design fits in far less, and a runaway loop must not stall us."""
PROMPT_HITS = 4


class ModelService(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    responsibility: str = Field(default="", max_length=160)


class ModelDraft(BaseModel):
    """The small schema: a model chooses the pattern, the technologies and the services from lists."""

    pattern: str = Field(description="One of the pattern ids listed in the prompt, or 'other'.")
    components: list[str] = Field(default_factory=list, max_length=30)
    services: list[ModelService] = Field(default_factory=list, max_length=25)


def draft_schema(pattern_ids: Sequence[str] = (), technologies: Sequence[str] = (),
                 services: Sequence[str] = ()) -> dict:  # fmt: skip
    """The JSON schema sent to the model for constrained decoding: the pattern, the technologies and the service
    names are `enum`s built from the catalogue and the request's candidate services, so a small model chooses
    rather than writes (it cannot emit a placeholder or a path as a name)."""
    schema = ModelDraft.model_json_schema()
    if pattern_ids:
        schema["properties"]["pattern"]["enum"] = list(pattern_ids)
    if technologies:
        schema["properties"]["components"]["items"] = {"type": "string", "enum": list(technologies)}
    if services:
        schema["$defs"]["ModelService"]["properties"]["name"]["enum"] = list(services)
    return schema


def candidate_services(request: DraftRequest) -> list[str]:
    """The services the knowledge base knows for what the request reads as: its pattern's, its blocks', the usual
    ones (gateway, auth) and those of its traits."""
    knowledge, reading = request.knowledge, request.reading
    names: list[str] = []
    spec = knowledge.patterns.get(reading.pattern.id)
    names += [s.name for s in spec.services] if spec else []
    names += [s.name for b in reading.blocks if b.id in knowledge.blocks for s in knowledge.blocks[b.id].services]
    if not names:  # a todo app's Task Service; never beside a block's own (a hotel's Reservation Service)
        names += [s.name for s in domain_services(request.prompt, knowledge, reading)]
    generic = knowledge.general.generic_services
    own = bool(names)
    names += [s.name for s in generic.always]
    names += [generic.by_trait[t].name for t in reading.traits if t in generic.by_trait]
    asked = {stem(w) for w in re.findall(r"[a-z]+", request.prompt.lower())}
    # generic extras (Billing, Admin, Reporting) only when the request names them: otherwise they are filler
    names += [s.name for s in generic.extra if ({stem(w) for w in s.name.lower().split()} - {"servic"}) & asked]
    if not own:
        names.append("Web App")  # the modular monolith, for a request the knowledge base has no services for
    return list(dict.fromkeys(names))


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
    services = [{"name": s} if isinstance(s, str) else s for s in data.get("services") or []]
    # one malformed entry (a truncated answer's last service) costs that entry, not the whole draft
    data["services"] = [s for s in services if isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"]]
    data["components"] = [c for c in data["components"] if c.strip()]
    try:
        return ModelDraft.model_validate(data)
    except ValidationError as exc:
        raise ModelError(f"the model's JSON does not fit the draft schema: {first_error(exc)}") from None


NAMED_ONLY = "practice/managed-services/"
"""Catalogue entries cited from the managed-services chapter (no design chapter uses them): offered to a model only
when the request names them, so a small model's prompt and grammar stay the size of the designs' own choices."""


def offered_technologies(request: DraftRequest) -> list[str]:
    """The technologies a model may choose from: those the knowledge base's designs use, and any other the request
    names ("on Cosmos DB")."""
    lowered = request.prompt.lower()

    def named(tech: Technology) -> bool:
        return any(re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", lowered) for n in (tech.name, *tech.aliases))

    return [t.name for t in request.knowledge.technologies if not t.cite.startswith(NAMED_ONLY) or named(t)]


MAX_CHOSEN = 14
"""More technologies than this from a small model is the catalogue read back, not a design."""


def _not_a_catalogue(components: list[Component], request: DraftRequest, usage: Usage) -> list[Component]:
    """A list of everything (24-36 technologies from a small model) cut to what the knowledge base associates
    with the request: its pattern's, its blocks' and its traits' parts; the rest is noted as dropped."""
    if len(components) <= MAX_CHOSEN:
        return components
    knowledge, reading = request.knowledge, request.reading
    spec = knowledge.patterns.get(reading.pattern.id)
    related = {c.name for c in spec.components} if spec else set()
    related |= {c.name for b in reading.blocks if b.id in knowledge.blocks for c in knowledge.blocks[b.id].components}
    related |= {c.name for t in reading.traits for c in knowledge.general.trait_components.get(t, ())}
    related |= {c.name for c in knowledge.general.production_essentials.components}
    kept = [c for c in components if c.name in related]
    usage.dropped += [c.name for c in components if c.name not in related]
    return kept


def _named(services: list[ModelService], candidates: set[str] | None, usage: Usage) -> list[ModelService]:
    """Services with real names: one of the candidates when the schema offered a list (a server that ignores the
    schema may still send anything), and never a placeholder, a path, a URL or a finding's text."""
    kept = []
    for service in services:
        if is_name(service.name) and (not candidates or service.name in candidates):
            kept.append(service)
        else:
            usage.dropped.append(service.name)
    return kept


def _with_block_services(services: list[Service], reading: Reading, knowledge: Knowledge) -> list[Service]:
    """A building block none of whose services the model chose gets them from the knowledge base (a pastebin
    needs its paste service whatever a small model picked), marked as the knowledge base's."""
    chosen = {s.name for s in services}
    for block in reading.blocks:
        spec = knowledge.blocks.get(block.id)
        if spec is not None and not chosen & {s.name for s in spec.services}:
            for item in spec.services:
                added = item.build()
                added.by = "knowledge base"
                services.append(added)
                chosen.add(item.name)
    return services


def _dedupe_services(services: list[ModelService]) -> list[Service]:
    seen, result = set(), []
    for service in services:
        key = service.name.strip().lower()
        if key and key not in seen:  # small models loop: "Messaging", "Messaging", ...
            seen.add(key)
            result.append(Service(name=service.name.strip(), responsibility=service.responsibility.strip(), by="model"))
    return result


def to_architecture(draft: ModelDraft, request: DraftRequest, drafter: str, usage: Usage,
                    candidates: set[str] | None = None) -> Architecture:  # fmt: skip
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
        if tech is None and (_junk(canonical, request.prompt, knowledge.all_pattern_ids) or not is_name(canonical)):
            usage.dropped.append(canonical)
            continue
        if canonical and canonical.lower() not in seen:
            seen.add(canonical.lower())
            if tech:
                components.append(Component(name=canonical, category=tech.category, purpose=tech.use,
                                            citations=[tech.cite], by="model"))  # fmt: skip
            else:
                components.append(Component(name=canonical, by="model"))
    components = _not_a_catalogue(components, request, usage)
    traits = with_pattern_traits(reading.traits, pattern.id, spec.traits if spec else ())
    tier = choose_tier(pattern.id, traits, reading.small_scope, reading.enterprise, reading.large_scale)
    tier = block_tier(tier, reading) if pattern.id == OTHER else tier
    cap = CapChoice(choice=spec.cap.choice, why=spec.cap.why) if spec else None
    return Architecture(
        request=request.prompt,
        pattern=pattern,
        blocks=list(reading.blocks),  # the small schema does not ask the model for blocks: the reading's stand
        traits=list(traits),
        cap=cap,
        components=components,
        services=_with_block_services(_dedupe_services(_named(draft.services, candidates, usage)), reading, knowledge),
        flows=[Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for f in (spec.flows if spec else ())],
        scaling=[note.note for note in spec.scaling] if spec else [],
        estimate=estimate(tier, pattern.id, traits, knowledge),
        citations=[c for component in components for c in component.citations],
        drafter=drafter,
    )


SCHEMAS = ("small", "full")


class ChatDrafter(Drafter):
    """A drafter backed by a chat model; `revise` asks it to fix the checker's findings.

    Two schemas, chosen by what the backend declares (`capability`) unless overridden: "small" for local models
    (choose from lists), "full" for capable ones (write the document; the engine keeps it).
    """

    name: ClassVar[str] = "chat"
    can_revise: ClassVar[bool] = True
    capability: ClassVar[str] = "small"

    def __init__(self, client: ChatClient, prompts_dir: Path | None = None, schema: str | None = None) -> None:
        self.client = client
        self.prompts_dir = prompts_dir
        chosen = self.capability if schema in (None, "auto") else schema
        if chosen not in SCHEMAS:
            raise InvalidRequest(f"unknown drafting schema {schema!r}; use small or full")
        self.schema: Literal["small", "full"] = "full" if chosen == "full" else "small"
        self._usage = Usage()

    @property
    def usage(self) -> Usage:
        return self._usage

    @property
    def model(self) -> str:
        return self.client.model

    def _complete(self, messages: list[dict[str, str]], schema: dict) -> str:
        started = time.perf_counter()
        completion = self.client.complete(messages, schema)
        self._usage.seconds += time.perf_counter() - started
        self._usage.tokens += completion.tokens
        self._usage.history.append(completion.text)
        return completion.text

    def _system(self) -> dict[str, str]:
        return {"role": "system", "content": render_prompt("system.j2", self.prompts_dir)}

    def draft(self, request: DraftRequest) -> Architecture:
        self._usage = Usage(schema=self.schema)
        return self._full(request, None, []) if self.schema == "full" else self._small(request, None, [])

    def revise(self, request: DraftRequest, previous: Architecture, findings: list[Finding]) -> Architecture:
        if self.schema == "full":
            return self._full(request, previous, findings)
        return self._small(request, previous, findings)

    def _small(self, request: DraftRequest, previous: Architecture | None, findings: list[Finding]) -> Architecture:
        knowledge = request.knowledge
        technologies = offered_technologies(request)
        services = candidate_services(request)
        patterns = _suggested_first(request)
        schema = draft_schema(patterns, technologies, services)
        if previous is None:
            prompt = render_prompt(
                "draft.j2", self.prompts_dir, request=request.prompt, sections=sections_for(request),
                snippet_chars=SNIPPET_CHARS, pattern_ids=patterns, technologies=technologies,
                services=services, pattern_hint=_hint(request),
            )  # fmt: skip
        else:
            shown = json.dumps({"pattern": previous.pattern.id if previous.pattern else "other",
                                "components": [c.name for c in previous.components],
                                "services": [{"name": s.name, "responsibility": s.responsibility}
                                             for s in previous.services]})  # fmt: skip
            errors = [f for f in findings if f.severity == "error"][:12]
            prompt = render_prompt("repair.j2", self.prompts_dir, request=request.prompt, draft=shown, findings=errors)
        text = self._complete([self._system(), {"role": "user", "content": prompt}], schema)
        draft = parse_draft(text, knowledge.all_pattern_ids)
        if previous is None:
            self._usage.raw_pattern = draft.pattern
        return to_architecture(draft, request, self.name, self._usage, set(services))

    def _full(self, request: DraftRequest, previous: Architecture | None, findings: list[Finding]) -> Architecture:
        knowledge = request.knowledge
        schema = full_schema(knowledge.all_pattern_ids, sorted(knowledge.blocks))
        if previous is None:
            prompt = render_prompt(
                "draft_full.j2", self.prompts_dir, request=request.prompt, sections=sections_for(request),
                snippet_chars=FULL_SNIPPET_CHARS, pattern_ids=knowledge.all_pattern_ids,
                blocks=sorted(knowledge.blocks), pattern_hint=_hint(request),
            )  # fmt: skip
        else:
            shown = previous.model_dump_json(include=MODEL_FIELDS, exclude_none=True)
            kept = {k.rule_id for k in self._usage.kept}
            errors = [f for f in findings if f.severity in ("error", "warning") and f.rule_id not in kept][:12]
            prompt = render_prompt("repair_full.j2", self.prompts_dir, request=request.prompt, draft=shown,
                                   findings=errors)  # fmt: skip
        text = self._complete([self._system(), {"role": "user", "content": prompt}], schema)
        data = trimmed(extract_json(text))
        try:
            draft = FullDraft.model_validate(data)
        except ValidationError as exc:
            raise ModelError(f"the model's JSON does not fit the full schema: {first_error(exc)}") from None
        if previous is None:
            self._usage.raw_pattern = draft.pattern
        self._usage.kept = list({k.rule_id: k for k in [*self._usage.kept, *kept_of(draft)]}.values())
        return full_to_architecture(draft, request, self.name, self._usage)


FULL_SNIPPET_CHARS = 600
MODEL_FIELDS = {"pattern", "blocks", "components", "services", "flows", "tradeoffs", "failure_modes", "cap",
                "scaling"}  # fmt: skip
BLOCK_SECTIONS = ("core-components-and-services", "key-flows-and-algorithms", "trade-offs")


def sections_for(request: DraftRequest, limit: int = PROMPT_HITS) -> list[tuple[str, str]]:
    """The knowledge the model sees: the chapters of the building blocks the request composes first (their parts,
    flows and trade-offs), then the request's own retrieval hits; not the nearest of five apps when blocks fit."""
    from agent.retrieval.passages import chunk_text

    found: list[tuple[str, str]] = []
    for block in request.reading.blocks[:2]:
        spec = request.knowledge.blocks.get(block.id)
        if spec is None:
            continue
        for section in BLOCK_SECTIONS:
            text = chunk_text(f"{spec.chapter}/{section}")
            if text:
                found.append((f"{spec.chapter}/{section}", text))
    chapters = tuple(request.knowledge.blocks[b.id].chapter for b in request.reading.blocks
                     if b.id in request.knowledge.blocks)  # fmt: skip
    for hit in request.hits:
        if len(found) >= limit + 2 * len(chapters):
            break
        if chapters and hit.pattern is not None and not hit.chunk_id.startswith(chapters):
            continue  # another application's section would be copied ("Video Upload Service" in a URL shortener)
        if hit.chunk_id not in {cid for cid, _ in found}:
            found.append((hit.chunk_id, hit.text))
    return found


SURE = 0.7
"""From this confidence in an application, "other" is not offered to a small model (it cannot outweigh the evidence)."""


def _suggested_first(request: DraftRequest) -> list[str]:
    """The patterns the request could be, the knowledge base's reading first, then its runners-up and "other": a
    small model chooses among the candidates the evidence allows, not among every application."""
    reading = request.reading
    ids = set(request.knowledge.all_pattern_ids)
    sure = reading.pattern.id != OTHER and reading.pattern.confidence >= SURE
    candidates = [reading.pattern.id, *reading.secondary, *([] if sure else [OTHER])]
    return [p for p in dict.fromkeys(candidates) if p in ids]


def _hint(request: DraftRequest) -> str:
    reading = request.reading
    if reading.pattern.id == "other":
        return ""
    spec = request.knowledge.patterns[reading.pattern.id]
    names = sorted({name for group in spec.required for name in group.any_of[:1]})
    return f"pattern {reading.pattern.id!r} ({reading.pattern.confidence:.2f}); core components {', '.join(names)}"

"""The pipeline: retrieve → recognise → draft → check → repair → check, and checking documents from anyone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from agent.brief.meaning import design_vectors, has_meaning, kin_of, meaning_confidence
from agent.brief.model import Brief
from agent.brief.reading import read_brief
from agent.cancellation import raise_if_cancelled
from agent.document import parse_document
from agent.drafting.authorship import authored, mark_authors, merged
from agent.drafting.base import Drafter, DraftRequest, FallbackDrafter
from agent.drafting.registry import with_fallback
from agent.errors import InvalidRequest, ModelError
from agent.knowledge import Knowledge, load_knowledge
from agent.recognition import Reading, read_request, remember, without_brands
from agent.requirements.extract import Extracted
from agent.requirements.reading import open_questions, read_requirements, requirements_section, scope_signals
from agent.requirements.shaping import block_failure_modes, block_tradeoffs, shape
from agent.retrieval.embedders import DEFAULT_MODEL
from agent.retrieval.search import Retriever, validate_text
from agent.rules.checker import Rule, all_rules, run_rules, to_findings, violations
from agent.rules.context import build_context, type_evidence
from agent.rules.repair import repair
from agent.rules.waivers import Waiver, apply_waivers
from agent.schema import (
    Architecture,
    Assumption,
    AssumptionSource,
    Audit,
    BlockChoice,
    Change,
    CheckReport,
    Estimate,
    Finding,
    Hit,
    PatternChoice,
    Resolution,
    ResolvedBy,
)
from agent.sizing.capacity import capacity
from agent.sizing.estimation import EstimationConfig, estimate, three_point

RETRIEVAL_DEPTH = 10
RAW_FIELDS = {"pattern", "blocks", "components", "services", "flows", "tradeoffs", "failure_modes"}


@dataclass(frozen=True)
class Understood:
    """A request read once: its stated requirements, retrieval hits, recognition and the Brief built from them."""

    found: Extracted
    hits: list[Hit]
    reading: Reading
    brief: Brief


@dataclass(frozen=True)
class Sizing:
    """What the user tells the estimator: team size, factors to leave out, scale figures."""

    team: int | None = None
    without: tuple[str, ...] = ()
    dau: float | None = None
    write_share: float | None = None
    media_mb_per_day: float | None = None

    def overrides(self) -> dict[str, float | None]:
        return {"dau": self.dau, "write_share": self.write_share, "media_mb_per_day": self.media_mb_per_day}


DEFAULT_ROUNDS = 2
MAX_ROUNDS = 10
log = logging.getLogger("sysdesign")


def validate_prompt(prompt: object) -> str:
    """The request, stripped; InvalidRequest when it is not usable text."""
    return validate_text(prompt, "request", "describe the app, e.g. 'Build a Twitter clone'")


MEANING_CHARS = 2_000
"""How much of a document's request and jobs its meaning is read from (far more than the model's window)."""


class Engine:
    """Recommends and checks architectures; load once and share across threads."""

    def __init__(
        self,
        retriever: Retriever | None = None,
        knowledge: Knowledge | None = None,
        estimation: EstimationConfig | None = None,
        index: Path | None = None,
        embedding_model: str = DEFAULT_MODEL,
    ) -> None:
        self._retriever = retriever
        self._index = index
        self._embedding_model = embedding_model
        self.knowledge = knowledge or load_knowledge()
        self.estimation = estimation or EstimationConfig()
        self._lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        """The retriever, opened on first use (checking a document never needs it)."""
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever.open(self._index, self._embedding_model)
            return self._retriever

    def recommend(
        self,
        prompt: str,
        drafter: str | Drafter = "kb",
        *,
        rounds: int = DEFAULT_ROUNDS,
        fallback: str | None = "kb",
        sizing: Sizing | None = None,
        hits: list[Hit] | None = None,
        answers: Mapping[str, str] | None = None,
        stated: Sequence[str] = (),
        **options: Any,
    ) -> Architecture:
        """A checked architecture for `prompt`: drafted, revised by the model, repaired, with an audit trail.

        Args:
            drafter: 'kb' (offline), 'llama-cpp', 'openai', 'anthropic', a plugin's name, or a Drafter.
            rounds: how many times a model is asked to fix error findings before the engine repairs.
            fallback: 'kb' to answer offline when the model fails (the audit says so); None to raise.
            sizing: team size, factors to leave out, and scale figures for the estimate and capacity.
            hits: the request's retrieval results when already computed (`Retriever.search_many`).
            answers: answers to the design's open questions (`questions[].key` → value, e.g. {"team": "3"}).
            stated: later statements of requirements, in order (a chat's "we are 3 engineers, keep it simple").
            options: passed to the drafter (model, model_path, base_url, timeout, prompts_dir).
        """
        prompt = validate_prompt(prompt)
        if not isinstance(rounds, int) or isinstance(rounds, bool) or not 0 <= rounds <= MAX_ROUNDS:
            raise InvalidRequest(f"rounds must be a whole number from 0 to {MAX_ROUNDS}, not {rounds!r}")
        backend = with_fallback(drafter, fallback, **options)  # an unknown name fails before any work
        understood = self._understand(prompt, hits, answers, stated)
        raise_if_cancelled()  # between the steps of a call the MCP server gave up on (its deadline passed)
        found, hits, reading, brief = understood.found, understood.hits, understood.reading, understood.brief
        request = DraftRequest(prompt=prompt, hits=hits, reading=reading, knowledge=self.knowledge, brief=brief)

        draft, pairs, audit, drafted = self._draft_with_model(backend, request, rounds)
        draft.coverage = brief.coverage  # repair holds a design nothing covers to no quota of services
        if audit.fallback:
            log.warning("%s drafter failed (%s); the fallback %r drafter answered instead", audit.drafter, audit.error,
                        backend.name)  # fmt: skip
        first = to_findings(pairs)
        after_model = first if draft is drafted else self._findings(draft)
        written = authored(draft)
        model_said = [a for a in draft.assumptions if a.source == "model"]  # e.g. the tier, and why
        if audit.model is not None and not audit.fallback:  # what the model itself wrote, before anyone fixed it
            audit.raw_draft = drafted.model_dump_json(include=RAW_FIELDS, exclude_none=True)
        kept = {k.rule_id for k in audit.kept}
        rules = [r for r in all_rules() if r.id not in kept] if kept else None  # the model's reasons stand
        raise_if_cancelled()
        fixed, changes = repair(draft, self.knowledge, rules=rules, in_place=True, estimation=self.estimation,
                                initial=pairs if draft is drafted and not kept else None)  # fmt: skip
        raise_if_cancelled()
        fixed.changes = changes
        fixed.drafter = backend.name
        self._size(fixed, reading.traits, sizing or Sizing(), found)
        self._requirements(fixed, found)
        if written:
            mark_authors(fixed, written)
            fixed.assumptions += model_said
        fixed.coverage = brief.coverage
        fixed.tier = fixed.estimate.tier if fixed.estimate else brief.tier.tier
        fixed.findings = run_rules(build_context(fixed, self.knowledge))
        audit.raw_errors = sum(f.severity == "error" for f in first)
        audit.repairs = _resolutions(first, after_model, fixed.findings)
        final_pattern = fixed.pattern.id if fixed.pattern else None
        audit.pattern_corrected = audit.raw_pattern is not None and audit.raw_pattern != final_pattern
        fixed.audit = audit
        return fixed

    def brief(self, prompt: str, hits: list[Hit] | None = None) -> Brief:
        """The Brief of `prompt`: what it asks for, read once by words and meaning (no design is drafted)."""
        return self._understand(validate_prompt(prompt), hits).brief

    def _understand(self, prompt: str, hits: list[Hit] | None, answers: Mapping[str, str] | None = None,
                    stated: Sequence[str] = ()) -> Understood:  # fmt: skip
        found = read_requirements(prompt, answers, stated)
        retriever = self.retriever
        vector = retriever.embed(prompt) if hits is None or has_meaning(prompt) else None
        hits = hits if hits is not None else retriever.search(prompt, k=RETRIEVAL_DEPTH, vector=vector)
        meaning = self._meaning(prompt, vector) if has_meaning(prompt) else None
        reading = read_request(prompt, hits, self.knowledge, meaning=meaning)
        remember(prompt, reading, self.knowledge)
        if answers or stated:  # what the answers state weighs in on the scope as the request's own words do
            small, enterprise, large = scope_signals(found, prompt)
            # "keep it simple", said after the request, is the user's decision: it outweighs the load's signals
            large = [] if found.scope == "simple" else [*reading.large_scale, *large]
            reading = replace(
                reading,
                small_scope=[*reading.small_scope, *small],
                enterprise=[*reading.enterprise, *enterprise],
                large_scale=large,
            )
        brief = read_brief(prompt, reading, found, self.knowledge, meaning)
        return Understood(found, hits, reading, brief)

    def _meaning(self, text: str, vector: Any = None) -> dict[str, float]:
        """How surely `text` as a whole means each design (`vector`: its embedding, when already computed)."""
        retriever = self.retriever
        vectors = design_vectors(retriever.index, self.knowledge, retriever.embedder)
        unbranded = without_brands(text, self.knowledge)  # "Netflix-style A/B tests" means A/B tests
        meant = vector if unbranded == text and vector is not None else retriever.embed(unbranded)
        return meaning_confidence(vectors.similarities(meant[0]), kin_of(self.knowledge))

    def _read_document(self, document: Architecture) -> None:
        """What a document written by anyone is, read once by its words and its meaning together: its request
        and its parts' jobs (the reading the checker takes its type from), remembered for the checker."""
        evidence = type_evidence(document)
        if document.pattern is not None or document.brief is not None or not has_meaning(evidence):
            return
        # the model reads 256 word pieces: the request and the first parts' jobs are all its meaning can take
        meaning = self._meaning(evidence[:MEANING_CHARS])
        reading = read_request(evidence, (), self.knowledge, scope=False, meaning=meaning)
        remember(evidence, reading, self.knowledge, scope=False)

    def _requirements(self, design: Architecture, found: Extracted) -> None:
        """The requirements section, the trade-offs they force, and the open questions, in place. A model's own
        trade-offs and failure modes are kept; the knowledge base's are added where they say something else."""
        assert design.pattern is not None
        design.tradeoffs = merged(design.tradeoffs, shape(design, found, self.knowledge)
                                  + block_tradeoffs(design, self.knowledge), lambda t: t.decision)  # fmt: skip
        design.failure_modes = merged(design.failure_modes, block_failure_modes(design, self.knowledge),
                                      lambda f: f"{f.component} {f.failure}")  # fmt: skip
        spec = self.knowledge.patterns.get(design.pattern.id)
        services = spec.services if spec else design.services
        infrastructure = ("gateway", "auth", "web app", "platform service")
        functional = [s.responsibility for s in services
                      if s.responsibility and not any(word in s.name.lower() for word in infrastructure)]  # fmt: skip
        if design.requirements is not None and design.requirements.functional:  # a model's own list is kept
            functional = list(design.requirements.functional)
        consistency = f"{design.cap.choice}: {design.cap.why}" if design.cap else None
        design.requirements = requirements_section(found, functional[:8], consistency)
        assumed = next((a.value for a in design.assumptions if a.name == "dau"), "not sized")
        design.questions = open_questions(found, design.pattern.id, design.traits, f"{assumed} daily users")

    def _size(self, architecture: Architecture, traits: dict, sizing: Sizing, found: Extracted | None = None) -> None:
        """Final estimate (three points, per service, calendar), capacity and assumptions, in place."""
        assert architecture.estimate is not None and architecture.pattern is not None
        request = architecture.request or ""
        found = found if found is not None else read_requirements(request)
        team = sizing.team or found.team
        plan = estimate(architecture.estimate.tier, architecture.pattern.id, traits, self.knowledge,
                        sizing.without, self.estimation)  # fmt: skip
        architecture.estimate = three_point(plan, architecture.services, team)
        architecture.capacity, architecture.assumptions = capacity(
            architecture.pattern.id, request, sizing.overrides(), len(architecture.services), found
        )
        if team:
            source: AssumptionSource = "flag" if sizing.team else _team_source(found)
            architecture.assumptions.append(Assumption(name="team size", value=f"{team} engineers", source=source))
        if sizing.without:
            architecture.assumptions.append(
                Assumption(name="factors left out", value=", ".join(sizing.without), source="flag")
            )

    def _findings(self, architecture: Architecture) -> list[Finding]:
        return run_rules(build_context(architecture, self.knowledge))

    def _draft_with_model(self, backend: Drafter, request: DraftRequest, rounds: int):
        """(final draft, violations of the first draft, audit, first draft)."""
        draft = first_draft = backend.draft(request)
        draft.drafted_from(request.brief)
        pairs = violations(build_context(draft, self.knowledge))
        first = to_findings(pairs)
        usage = backend.usage
        if usage.fallback_error is not None:
            primary = backend.primary_name if isinstance(backend, FallbackDrafter) else backend.name
            return draft, pairs, Audit(drafter=primary, fallback=True, error=usage.fallback_error), first_draft
        if not backend.revises:
            audit = Audit(drafter=backend.name, raw_pattern=draft.pattern.id if draft.pattern else None)
            return draft, pairs, audit, first_draft
        findings, used = first, 0
        while used < rounds and any(f.severity == "error" for f in findings):
            raise_if_cancelled()
            try:
                draft = backend.revise(request, draft, findings)
                draft.drafted_from(request.brief)
            except ModelError as exc:  # a failed revision keeps the last good draft
                log.warning("revision round %d failed: %s", used + 1, exc)
                break
            used += 1
            findings = self._findings(draft)
        usage = backend.usage
        audit = Audit(drafter=backend.name, model=backend.model, rounds=used, tokens=usage.tokens,
                      seconds=round(usage.seconds, 2), raw_pattern=usage.raw_pattern,
                      dropped=list(dict.fromkeys(usage.dropped)), schema_used=usage.schema,
                      kept=list(usage.kept))  # fmt: skip
        return draft, pairs, audit, first_draft

    def check(
        self,
        document: str | bytes | dict[str, Any] | Architecture,
        fix: bool = False,
        rules: Sequence[Rule] | None = None,
        waivers: Sequence[Waiver] = (),
        today: date | None = None,
        pattern: str | None = None,
        blocks: Sequence[str] = (),
    ) -> CheckReport:
        """Findings for a document written by anyone; with `fix`, the repaired document and its changes.

        Args:
            rules: the rules to apply (default: the built-in ones; `load_rules([dir])` adds a team's packs).
            waivers: accepted findings; a waived finding moves to `suppressed` until its waiver expires.
            pattern, blocks: what the document is, when the reader should not guess (they override its fields).
        """
        architecture = parse_document(document, self.knowledge)
        if pattern is not None:
            if pattern not in (*self.knowledge.pattern_ids, "other"):
                raise InvalidRequest(f"unknown pattern {pattern!r}; known: {', '.join(self.knowledge.pattern_ids)}")
            architecture.pattern = PatternChoice(id=pattern, confidence=1.0, evidence=["given"])
        if unknown := [b for b in blocks if b not in self.knowledge.blocks]:
            raise InvalidRequest(f"unknown block(s) {unknown!r}; known: {', '.join(sorted(self.knowledge.blocks))}")
        if blocks:
            architecture.blocks = [BlockChoice(id=b, confidence=1.0, evidence=["given"]) for b in blocks]
        raise_if_cancelled()  # between the steps of a call the MCP server gave up on (its deadline passed)
        self._read_document(architecture)
        raise_if_cancelled()
        context = build_context(architecture, self.knowledge)
        findings, suppressed, notices = apply_waivers(run_rules(context, rules), list(waivers), today)
        repaired: Architecture | None = None
        changes: list[Change] = []
        if fix:
            raise_if_cancelled()
            repaired, changes = repair(architecture, self.knowledge, rules, estimation=self.estimation)
            raise_if_cancelled()
            after = run_rules(build_context(repaired, self.knowledge), rules)
            repaired.findings, _, _ = apply_waivers(after, list(waivers), today)
            repaired.changes = changes
        final = repaired.findings if repaired is not None else findings
        held_by = "declared" if architecture.blocks else "read from the request"
        errors = sum(f.severity == "error" for f in final)
        return CheckReport(
            pattern=context.pattern,
            tier=context.tier,
            findings=findings,
            errors=errors,
            warnings=sum(f.severity == "warning" for f in final),
            passed=errors == 0,
            errors_before=sum(f.severity == "error" for f in findings) if fix else None,
            warnings_before=sum(f.severity == "warning" for f in findings) if fix else None,
            blocks=[BlockChoice(id=b.id, confidence=1.0, evidence=[held_by]) for b in context.blocks],
            repaired=repaired,
            changes=changes,
            suppressed=suppressed,
            notices=[*context.notices, *notices],
        )

    def estimate(self, subject: str | dict[str, Any] | Architecture, sizing: Sizing | None = None) -> Estimate:
        """The complexity estimate of a request (text) or of an architecture document."""
        sizing = sizing or Sizing()
        if isinstance(subject, str) and not subject.lstrip().startswith("{"):
            return self.recommend(subject, sizing=sizing).estimate  # type: ignore[return-value]
        architecture = parse_document(subject, self.knowledge)
        raise_if_cancelled()
        context = build_context(architecture, self.knowledge)
        plan = estimate(context.tier, context.pattern.id, context.traits, self.knowledge, sizing.without,
                        self.estimation)  # fmt: skip
        team = sizing.team or read_requirements(architecture.request or "").team
        return three_point(plan, architecture.services, team)


def _team_source(found: Extracted) -> AssumptionSource:
    team = next((c for c in found.constraints if c.name == "team"), None)
    return "answer" if team is not None and team.source == "answer" else "request"


def _resolutions(first: list[Finding], after_model: list[Finding], final: list[Finding]) -> list[Resolution]:
    """For each problem of the first draft: fixed by the model's revisions, by the engine's repair, or not."""

    def key(finding: Finding) -> tuple[str, str | None]:
        return finding.rule_id, finding.subject

    model_left = {key(f) for f in after_model}
    final_left = {key(f) for f in final}
    resolutions = []
    for finding in first:
        if finding.severity == "info":
            continue
        by: ResolvedBy = (
            "model" if key(finding) not in model_left else "engine" if key(finding) not in final_left else "unresolved"
        )
        resolutions.append(Resolution(rule_id=finding.rule_id, subject=finding.subject, by=by))
    return resolutions

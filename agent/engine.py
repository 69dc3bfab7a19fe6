"""The pipeline: retrieve → recognise → draft → check → repair → check, and checking documents from anyone."""

from __future__ import annotations

import threading
from typing import Any

from agent.document import parse_document
from agent.drafting import DraftRequest, get_drafter
from agent.errors import InvalidRequest
from agent.estimation import choose_tier, estimate
from agent.knowledge import Knowledge, load_knowledge
from agent.recognition import read_request
from agent.retrieval import MAX_QUERY_CHARS, Retriever
from agent.rules import run_rules
from agent.rules.context import build_context
from agent.rules.repair import repair
from agent.schema import Architecture, CheckReport, Estimate

RETRIEVAL_DEPTH = 10


def validate_prompt(prompt: object) -> str:
    """The request, stripped; InvalidRequest when it is not usable text."""
    if not isinstance(prompt, str):
        raise InvalidRequest(f"the request must be text, not {type(prompt).__name__}")
    text = prompt.strip()
    if not text:
        raise InvalidRequest("the request is empty; describe the app, e.g. 'Build a Twitter clone'")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"the request has {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    return text


class Engine:
    """Recommends and checks architectures; load once and share across threads."""

    def __init__(self, retriever: Retriever | None = None, knowledge: Knowledge | None = None) -> None:
        self._retriever = retriever
        self.knowledge = knowledge or load_knowledge()
        self._lock = threading.Lock()

    @property
    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                self._retriever = Retriever.open()
            return self._retriever

    def recommend(self, prompt: str, drafter: str = "kb") -> Architecture:
        """A checked architecture for `prompt`: drafted, repaired, with findings and changes recorded."""
        prompt = validate_prompt(prompt)
        backend = get_drafter(drafter)
        hits = self.retriever.search(prompt, k=RETRIEVAL_DEPTH)
        reading = read_request(prompt, hits, self.knowledge)
        draft = backend.draft(DraftRequest(prompt=prompt, hits=hits, reading=reading, knowledge=self.knowledge))
        fixed, changes = repair(draft, self.knowledge)
        fixed.findings = run_rules(build_context(fixed, self.knowledge))
        fixed.changes = changes
        fixed.drafter = backend.name
        return fixed

    def check(self, document: str | bytes | dict[str, Any] | Architecture, fix: bool = False) -> CheckReport:
        """Findings for a document written by anyone; with `fix`, the repaired document and its changes."""
        architecture = parse_document(document)
        context = build_context(architecture, self.knowledge)
        findings = run_rules(context)
        repaired, changes = (None, [])
        if fix:
            repaired, changes = repair(architecture, self.knowledge)
            repaired.findings = run_rules(build_context(repaired, self.knowledge))
            repaired.changes = changes
        errors = sum(f.severity == "error" for f in findings)
        return CheckReport(
            pattern=context.pattern,
            tier=context.tier,
            findings=findings,
            errors=errors,
            warnings=sum(f.severity == "warning" for f in findings),
            passed=errors == 0,
            repaired=repaired,
            changes=changes,
        )

    def estimate(self, subject: str | dict[str, Any] | Architecture) -> Estimate:
        """The complexity estimate of a request (text) or of an architecture document."""
        if isinstance(subject, str) and not subject.lstrip().startswith("{"):
            prompt = validate_prompt(subject)
            reading = read_request(prompt, self.retriever.search(prompt, k=RETRIEVAL_DEPTH), self.knowledge)
            tier = choose_tier(
                reading.pattern.id, reading.traits, reading.small_scope, reading.enterprise, reading.large_scale
            )
            return estimate(tier, reading.pattern.id, reading.traits, self.knowledge)
        context = build_context(parse_document(subject), self.knowledge)
        return estimate(context.tier, context.pattern.id, context.traits, self.knowledge)

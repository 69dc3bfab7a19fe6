"""Scoring one architecture against one case."""

from __future__ import annotations

from pydantic import BaseModel

from agent.evaluation.cases import EvalCase
from agent.knowledge import Knowledge, normalise_name
from agent.schema import Architecture


class RawScore(BaseModel):
    """How the model's first draft did on its own: what a model adds, measured before the engine helps."""

    pattern_correct: bool | None
    blocks_correct: bool | None
    concepts_found: int
    names: int
    junk: int
    fixed_by_model: int
    fixed_by_engine: int


class CaseResult(BaseModel):
    """How one drafter did on one case."""

    case_id: str
    drafter: str
    prompt: str
    tags: list[str]
    expected_pattern: str | None
    pattern: str | None
    confidence: float
    pattern_correct: bool | None
    true_positives: list[str]
    missed: list[str]
    forbidden_present: list[str]
    forbidden_absent: list[str]
    services: int
    expected_services: tuple[int, int] | None
    services_in_band: bool | None
    expected_tier: str | None
    tier: str | None
    tier_correct: bool | None
    raw_errors: int | None
    errors: int
    seconds: float
    fallback: bool = False
    error: str | None = None
    expected_blocks: list[str] = []
    blocks_correct: bool | None = None
    concepts_found: list[str] = []
    concepts_missed: list[str] = []
    leaked: list[str] = []
    """Services of building blocks the request did not ask for (Shipping rates in a ticketing site)."""
    filler: list[str] = []
    """Generic platform services (Billing, Workflow, Admin...) no expected block or application calls for."""
    raw: RawScore | None = None
    """The model's own first draft, before the engine repaired it (model drafters only)."""
    grade: float | None = None
    """The grader's score of a prediction (`eval --predictions`); 0 when it was missing or unreadable."""
    grade_explanation: str | None = None

    @property
    def problems(self) -> int:
        """How far off the case is, for ranking the worst cases."""
        return (
            (self.pattern_correct is False) * 3
            + len(self.missed)
            + len(self.forbidden_present) * 2
            + (self.services_in_band is False)
            + (self.tier_correct is False)
            + (self.blocks_correct is False) * 3
            + len(self.concepts_missed)
            + len(self.leaked) * 2
            + len(self.filler)
            + self.errors * 2
        )


def _key(name: str, knowledge: Knowledge) -> str:
    return normalise_name(knowledge.canonical(name))


def _leaks_and_filler(case: EvalCase, architecture: Architecture, knowledge: Knowledge) -> tuple[list[str], list[str]]:
    """For a case that names its blocks: the design's services owned by other blocks only, and generic filler."""
    if not case.blocks:
        return [], []
    pattern = knowledge.patterns.get(case.pattern or "")
    asked = {normalise_name(s.name) for b in case.blocks if b in knowledge.blocks for s in knowledge.blocks[b].services}
    asked |= {normalise_name(s.name) for s in (pattern.services if pattern else ())}
    others = {normalise_name(s.name) for b, spec in knowledge.blocks.items() if b not in case.blocks
              for s in spec.services}  # fmt: skip
    services = knowledge.general.generic_services
    generic = {normalise_name(s.name) for s in services.extra}
    others -= generic | {normalise_name(s.name) for s in services.always}  # general services are not a block's
    names = [s.name for s in architecture.services]
    leaked = [n for n in names if normalise_name(n) in others - asked]
    filler = [n for n in names if normalise_name(n) in generic - asked]
    return leaked, filler


def score_case(
    case: EvalCase,
    architecture: Architecture | None,
    knowledge: Knowledge,
    drafter: str,
    seconds: float,
    raw_errors: int | None = None,
    error: str | None = None,
    grade: float | None = None,
    explanation: str | None = None,
) -> CaseResult:
    """Compare an architecture (None when drafting failed) with what the case expects."""
    architecture = architecture or Architecture()
    present = {_key(c.name, knowledge) for c in architecture.components}
    wanted = {_key(n, knowledge): knowledge.canonical(n) for n in case.must_include}
    banned = {_key(n, knowledge): knowledge.canonical(n) for n in case.must_not_include}
    pattern = architecture.pattern.id if architecture.pattern else None
    tier = architecture.estimate.tier if architecture.estimate else None
    count = len(architecture.services)
    band = case.services
    found_blocks = {b.id for b in architecture.blocks}
    text = architecture.model_dump_json().lower()
    concepts = {concept: concept.lower() in text for concept in case.concepts}
    leaked, filler = _leaks_and_filler(case, architecture, knowledge)
    return CaseResult(
        case_id=case.id,
        drafter=drafter,
        prompt=case.prompt,
        tags=list(case.tags),
        expected_pattern=case.pattern,
        pattern=pattern,
        confidence=architecture.pattern.confidence if architecture.pattern else 0.0,
        pattern_correct=None if case.pattern is None else pattern == case.pattern,
        true_positives=[name for key, name in wanted.items() if key in present],
        missed=[name for key, name in wanted.items() if key not in present],
        forbidden_present=[name for key, name in banned.items() if key in present],
        forbidden_absent=[name for key, name in banned.items() if key not in present],
        services=count,
        expected_services=band,
        services_in_band=None if band is None else band[0] <= count <= band[1],
        expected_blocks=list(case.blocks),
        blocks_correct=None if not case.blocks else set(case.blocks) <= found_blocks,
        concepts_found=[c for c, hit in concepts.items() if hit],
        concepts_missed=[c for c, hit in concepts.items() if not hit],
        leaked=leaked,
        filler=filler,
        expected_tier=case.tier,
        tier=tier,
        tier_correct=None if case.tier is None else tier == case.tier,
        raw_errors=raw_errors,
        errors=sum(f.severity == "error" for f in architecture.findings),
        seconds=round(seconds, 4),
        fallback=bool(architecture.audit and architecture.audit.fallback),
        error=error,
        raw=raw_score(case, architecture),
        grade=grade,
        grade_explanation=explanation,
    )


def raw_score(case: EvalCase, architecture: Architecture) -> RawScore | None:
    """The first draft's pattern, blocks and concepts, its junk names, and who fixed its problems."""
    audit = architecture.audit
    if audit is None or audit.raw_draft is None:
        return None
    raw = Architecture.model_validate_json(audit.raw_draft)
    text = audit.raw_draft.lower()
    found_blocks = {b.id for b in raw.blocks}
    return RawScore(
        pattern_correct=None if case.pattern is None else (raw.pattern.id if raw.pattern else None) == case.pattern,
        blocks_correct=None if not case.blocks else set(case.blocks) <= found_blocks,
        concepts_found=sum(concept.lower() in text for concept in case.concepts),
        names=len(raw.components) + len(raw.services),
        junk=len(audit.dropped),
        fixed_by_model=sum(r.by == "model" for r in audit.repairs),
        fixed_by_engine=sum(r.by == "engine" for r in audit.repairs),
    )

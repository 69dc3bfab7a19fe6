"""The models that cross module boundaries: knowledge-base chunks and hits, and the architecture document.

The closed vocabularies live here once: tiers, severities, chunk kinds. Pattern ids are open: the knowledge
data defines them (`Knowledge.all_pattern_ids`), so a new application pattern needs no code change.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

PatternId = str
"""An application pattern's id from the knowledge base (e.g. 'social_media'), or 'other'."""
OTHER: PatternId = "other"
Tier = Literal["low", "medium", "high", "enterprise"]
TIERS: tuple[Tier, ...] = ("low", "medium", "high", "enterprise")
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
AssumptionSource = Literal["request", "answer", "flag", "knowledge base", "heuristic", "default", "model"]
ResolvedBy = Literal["model", "engine", "unresolved"]
Author = Literal["model", "knowledge base", "repair"]
"""Who wrote an item of a model-drafted design: the model, the knowledge base filling a gap, or repair."""
BY = Field(default=None, description="Who wrote it (model-drafted designs): model, knowledge base or repair.")

ChunkKind = Literal[
    "guide",
    "principle",
    "characteristics",
    "technology",
    "services",
    "flow",
    "decision",
    "scaling",
    "decomposition",
    "estimate",
    "mistake",
    "rule",
    "other",
]


class Chunk(BaseModel):
    """A self-contained section of a knowledge-base document."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id derived from the heading path, e.g. 'core-principles/cap-theorem'.")
    heading_path: tuple[str, ...] = Field(description="Headings from the document's top section down.")
    text: str = Field(description="The markdown of the section (or of one piece of it).")
    source: str = Field(description="The document the chunk comes from, relative to its knowledge-base folder.")
    span: tuple[int, int] = Field(description="Character offsets [start, end) of `text` in the source.")
    pattern: PatternId | None = Field(default=None, description="Application pattern the section belongs to.")
    kind: ChunkKind = "other"
    tokens: int = Field(default=0, description="Word pieces of the embedded text (heading path + text).")

    def embedding_text(self) -> str:
        """The text that is embedded and searched: the heading path gives a short piece its context."""
        return " > ".join(self.heading_path) + "\n" + self.text


class Hit(BaseModel):
    """One search result: a chunk with its scores."""

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    heading_path: tuple[str, ...]
    text: str
    pattern: PatternId | None
    kind: ChunkKind
    score: float = Field(description="Fused reciprocal-rank score (higher is better).")
    dense_score: float | None = Field(description="Cosine similarity, or None when not in the dense top list.")
    lexical_score: float | None = Field(description="BM25 score, or None when not in the lexical top list.")
    dense_rank: int | None = None
    lexical_rank: int | None = None


# ---- the architecture document ---------------------------------------------------------------------------

TierId = Tier


class _Document(BaseModel):
    """Parts of the architecture document: extra fields are kept, as people and models add their own."""

    model_config = ConfigDict(extra="allow")


class PatternAlternative(_Document):
    id: PatternId
    confidence: float = Field(ge=0, le=1)


class PatternChoice(_Document):
    id: PatternId
    confidence: float = Field(default=1.0, ge=0, le=1)
    alternatives: list[PatternAlternative] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="Words of the request that point to it.")


class CapChoice(_Document):
    choice: Literal["CP", "AP"]
    why: str = ""


class Component(_Document):
    name: str = Field(min_length=1)
    category: str | None = None
    purpose: str = ""
    citations: list[str] = Field(default_factory=list)
    by: Author | None = BY


class Service(_Document):
    name: str = Field(min_length=1)
    responsibility: str = ""
    data_stores: list[str] = Field(default_factory=list)
    by: Author | None = BY


class Flow(_Document):
    name: str
    steps: list[str] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)
    by: Author | None = BY


class AppliedMultiplier(_Document):
    factor: str
    value: float = Field(gt=0)
    why: str = ""
    triggers: list[str] = Field(default_factory=list, description="Words of the request that set it off.")
    citation: str | None = None


class ServiceEffort(_Document):
    service: str
    low: int
    likely: int
    high: int
    pert: int


class Estimate(_Document):
    tier: TierId
    services_band: tuple[int, int]
    base_hours: tuple[int, int]
    multipliers: list[AppliedMultiplier] = Field(default_factory=list)
    factor: float = Field(default=1.0, description="The multipliers combined (see docs/estimation.md).")
    combination: str = Field(default="diminishing", description="How multipliers combine: diminishing or product.")
    hours: tuple[int, int]
    low: int | None = None
    likely: int | None = None
    high: int | None = None
    pert: int | None = Field(default=None, description="(low + 4 likely + high) / 6")
    per_service: list[ServiceEffort] = Field(default_factory=list)
    team: int | None = None
    weeks: tuple[float, float] | None = Field(default=None, description="Calendar weeks for the team, a range.")
    citations: list[str] = Field(default_factory=list)


class CapacityFigure(_Document):
    """One back-of-the-envelope number, with its formula and inputs."""

    name: str
    value: float
    unit: str
    formula: str


class Assumption(_Document):
    """What a design assumes, and where that came from."""

    name: str
    value: str
    source: AssumptionSource
    citation: str | None = None


class Finding(_Document):
    rule_id: str
    severity: Severity
    message: str
    fix: str = ""
    citation: str | None = None
    subject: str | None = Field(default=None, description="The component or service concerned, if one.")


class Change(_Document):
    """One edit made by repair."""

    rule_id: str
    action: Literal[
        "add_component", "add_service", "merge_services", "set_estimate", "set_pattern", "rename", "annotate", "rewrite"
    ]
    detail: str


class Resolution(_Document):
    """How one finding of the first draft was resolved."""

    rule_id: str
    subject: str | None = None
    by: ResolvedBy


class Kept(_Document):
    """A finding a capable model answered with a reason instead of a change (recorded like a waiver)."""

    rule_id: str
    reason: str


class Audit(_Document):
    """What a model drafted and what had to be fixed: the honest trail of a model-drafted architecture."""

    drafter: str
    model: str | None = None
    rounds: int = Field(default=0, description="Repair rounds the model was asked for.")
    fallback: bool = Field(default=False, description="True when the offline drafter answered instead.")
    error: str | None = None
    tokens: int = 0
    seconds: float = 0.0
    raw_pattern: str | None = Field(default=None, description="The pattern the model chose before any correction.")
    raw_errors: int = Field(default=0, description="Error-level findings in the first draft.")
    pattern_corrected: bool = False
    dropped: list[str] = Field(default_factory=list, description="Model output that was not a technology.")
    repairs: list[Resolution] = Field(default_factory=list)
    schema_used: Literal["small", "full"] | None = Field(default=None, description="The schema the model filled.")
    kept: list[Kept] = Field(default_factory=list, description="Findings the model kept its choice on, with reasons.")
    raw_draft: str | None = Field(default=None, description="The model's first draft as the engine read it (JSON).")


RequirementSource = Literal["request", "answer", "flag", "knowledge base", "default"]
ScaleKind = Literal["users", "population", "concurrent", "rate", "peak", "peak factor", "ratio", "size"]
"""users: people who use it; population: things or people counted without a period (servers, trucks); rate: a
count per period; peak: a rate or a count in a window at the busiest time; peak factor: how many times the
average the peak is; ratio: reads per write; size: bytes."""


class NonFunctional(_Document):
    """A quality the system must have: latency, availability, ... with its target and where it came from."""

    name: str
    target: str
    source: RequirementSource = "request"
    citation: str | None = None


class ScaleFigure(_Document):
    """A stated (or assumed) amount of work, in the workload's own units ("100,000,000 new URLs per month")."""

    name: str
    value: float
    unit: str
    source: RequirementSource = "request"
    text: str | None = Field(default=None, description="The words of the request it was read from.")
    kind: ScaleKind | None = Field(default=None, description="What the figure counts: users, a population, ...")
    noun: str | None = Field(default=None, description="The counted noun in the request's words ('staff').")
    when: str | None = Field(default=None, description="When a peak happens, in the request's words.")
    window_seconds: float | None = Field(default=None, description="The window a peak count falls in.")


class Constraint(_Document):
    """A limit on how the system may be built: team, deadline, budget, region, compliance, scope, offline use,
    data residency."""

    name: str
    value: str
    source: RequirementSource = "request"
    text: str | None = Field(default=None, description="The words of the request it was read from.")


class Requirements(_Document):
    """What the request asks for, read from its own words (and answers), before any design choice."""

    functional: list[str] = Field(default_factory=list)
    non_functional: list[NonFunctional] = Field(default_factory=list)
    scale: list[ScaleFigure] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)


class Question(_Document):
    """An open question whose answer would change the design, with the default the design assumed."""

    key: str = Field(description="Answer it with `ask --set KEY=VALUE`.")
    question: str
    why: str
    default: str


class BlockChoice(_Document):
    """A design building block the request needs (a URL shortener, a rate limiter, ...), with the evidence."""

    id: str
    confidence: float = Field(default=1.0, ge=0, le=1)
    evidence: list[str] = Field(default_factory=list)


class FailureMode(_Document):
    """What can fail, what that does, and what the design does about it."""

    component: str
    failure: str
    impact: str = ""
    mitigation: str = ""
    citation: str | None = None
    by: Author | None = BY


class Tradeoff(_Document):
    """A design decision: what was chosen, over what, and why."""

    decision: str
    chosen: str
    alternatives: list[str] = Field(default_factory=list)
    why: str = ""
    citation: str | None = None
    by: Author | None = BY


CoverageStatus = Literal["covered", "partial", "not_covered"]


class Coverage(_Document):
    """How much of the request the knowledge base covers: what the design rests on and what it does not."""

    status: CoverageStatus
    chapters: list[str] = Field(default_factory=list, description="Chunk ids of the chapters the design rests on.")
    uncovered: list[str] = Field(default_factory=list, description="What no chapter covers, in the request's words.")
    note: str = ""


class Architecture(_Document):
    """The architecture document: what `recommend` returns and what `check` reads."""

    coverage: Coverage | None = Field(default=None, description="What the knowledge base covers; read it first.")
    request: str | None = None
    tier: TierId | None = Field(default=None, description="The complexity tier the design was drafted for.")
    _brief: Any = PrivateAttr(default=None)
    requirements: Requirements | None = None
    pattern: PatternChoice | None = None
    blocks: list[BlockChoice] = Field(default_factory=list, description="Building blocks the design is composed of.")
    traits: list[str] = Field(default_factory=list)
    cap: CapChoice | None = None
    components: list[Component] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    flows: list[Flow] = Field(default_factory=list)
    scaling: list[str] = Field(default_factory=list)
    estimate: Estimate | None = None
    tradeoffs: list[Tradeoff] = Field(default_factory=list)
    failure_modes: list[FailureMode] = Field(default_factory=list)
    capacity: list[CapacityFigure] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list, description="What repair changed, with the rule behind it.")
    citations: list[str] = Field(default_factory=list)
    drafter: str | None = None
    audit: Audit | None = None

    def drafted_from(self, brief: Any) -> None:
        """Record the engine's reading of `request` (an `agent.brief.Brief`) this document was drafted from: the
        checker holds the draft to that reading instead of reading the request and the services again. It is the
        engine's own note, never serialised: a document read back from JSON is someone else's, read afresh."""
        self._brief = brief

    @property
    def brief(self) -> Any:
        """The reading recorded by `drafted_from`, or None."""
        return self._brief


class Suppressed(BaseModel):
    """A finding a waiver accepted, with the waiver's reason and expiry."""

    finding: Finding
    reason: str
    expires: date


class CheckReport(BaseModel):
    """The checker's verdict on one document."""

    pattern: PatternChoice
    tier: TierId
    findings: list[Finding] = Field(description="What the document as written gets.")
    errors: int = Field(description="Error findings; with a repair, of the repaired document.")
    warnings: int = Field(description="Warning findings; with a repair, of the repaired document.")
    passed: bool = Field(description="True when no finding is an error (with a repair: after it).")
    errors_before: int | None = Field(default=None, description="With a repair: errors of the document as written.")
    warnings_before: int | None = Field(default=None, description="With a repair: warnings as written.")
    blocks: list[BlockChoice] = Field(default_factory=list, description="The building blocks it was held to.")
    repaired: Architecture | None = None
    changes: list[Change] = Field(default_factory=list)
    suppressed: list[Suppressed] = Field(default_factory=list, description="Findings accepted by a waiver.")
    notices: list[str] = Field(default_factory=list, description="Expired or invalid waivers, and the like.")
    source: str | None = Field(default=None, description="The file the document came from.")

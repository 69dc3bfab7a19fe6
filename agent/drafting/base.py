"""The drafter contract: an abstract base with `draft`, an optional declared `revise`, `usage` and `model`.

A drafter turns a request and its retrieved knowledge into an architecture document. The engine checks and
repairs whatever a drafter returns, so a drafter may be imperfect but never has the last word. A drafter
that can fix the checker's findings says so with `can_revise = True` (the engine never probes for methods).
`FallbackDrafter` composes two drafters: the second answers when the first fails.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from agent.brief.model import Brief
from agent.errors import ModelError
from agent.knowledge import Knowledge, Tier
from agent.recognition import Reading
from agent.redaction import redact_text
from agent.schema import Architecture, Finding, Hit
from agent.sizing.estimation import choose_tier


@dataclass(frozen=True)
class DraftRequest:
    """Everything a drafter gets: the request, what retrieval found, what recognition read, the knowledge."""

    prompt: str
    hits: Sequence[Hit]
    reading: Reading
    knowledge: Knowledge
    brief: Brief | None = None
    """The one typed reading of the request (tier, coverage, requirements); None for a bare reading."""

    @property
    def tier(self) -> Tier:
        """The tier the Brief decided (or the reading implies, for a request built without one)."""
        if self.brief is not None:
            return self.brief.tier.tier
        r = self.reading
        return choose_tier(r.pattern.id, r.traits, r.small_scope, r.enterprise, r.large_scale)

    @property
    def covered(self) -> bool:
        """False when no chapter covers the request: the design then rests on general principles only."""
        return self.brief is None or self.brief.coverage.status != "not_covered"


@dataclass
class Usage:
    """What drafting cost and what it left behind, for the audit trail."""

    tokens: int = 0
    seconds: float = 0.0
    raw_pattern: str | None = None
    history: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """Names the model gave as components that are not technologies (its own words, ids, loops)."""
    fallback_error: str | None = None
    """Why the primary drafter failed, when a fallback answered instead."""
    schema: Literal["small", "full"] | None = None
    """The drafting schema the model filled: "small" (choices) or "full" (the document)."""
    kept: list = field(default_factory=list)
    """Findings a capable model kept its choice on, with reasons (`schema.Kept`)."""


class Drafter(ABC):
    """Drafts an architecture document for a request."""

    name: ClassVar[str]
    can_revise: ClassVar[bool] = False
    """True when `revise` is implemented: the engine then asks the drafter to fix error findings itself."""

    @abstractmethod
    def draft(self, request: DraftRequest) -> Architecture:
        """A first architecture for the request."""

    def revise(self, request: DraftRequest, previous: Architecture, findings: list[Finding]) -> Architecture:
        """`previous`, changed to fix `findings` (only drafters that declare `can_revise`)."""
        raise NotImplementedError(f"the {self.name!r} drafter does not revise")

    @property
    def usage(self) -> Usage:
        """Tokens, seconds and the raw answer's facts of the last draft (nothing for offline drafters)."""
        return Usage()

    @property
    def model(self) -> str | None:
        """The model behind the drafter, if any."""
        return None

    @property
    def revises(self) -> bool:
        """Whether this drafter, as it stands now, will revise (a fallback that answered may not)."""
        return self.can_revise


class FallbackDrafter(Drafter):
    """The primary drafter, and when it fails with a ModelError (while being built, or drafting), the fallback.

    The primary is built lazily, so a model that cannot even be loaded also falls back.
    """

    def __init__(self, primary: Callable[[], Drafter], fallback: Drafter, primary_name: str) -> None:
        self._make_primary = primary
        self._fallback = fallback
        self._primary: Drafter | None = None
        self.primary_name = primary_name
        self.failure: str | None = None

    @property
    def name(self) -> str:  # type: ignore[override]  # the answering drafter's name, known only after drafting
        return self.answered_by.name if self.failure or self._primary is None else self._primary.name

    @property
    def answered_by(self) -> Drafter:
        return self._fallback if self.failure is not None or self._primary is None else self._primary

    def draft(self, request: DraftRequest) -> Architecture:
        self.failure = None
        try:
            if self._primary is None:
                self._primary = self._make_primary()
            return self._primary.draft(request)
        except ModelError as exc:
            self.failure = redact_text(str(exc))
            return self._fallback.draft(request)

    @property
    def revises(self) -> bool:
        return self.answered_by.revises

    def revise(self, request: DraftRequest, previous: Architecture, findings: list[Finding]) -> Architecture:
        return self.answered_by.revise(request, previous, findings)

    @property
    def usage(self) -> Usage:
        usage = self.answered_by.usage
        usage.fallback_error = self.failure
        return usage

    @property
    def model(self) -> str | None:
        return self.answered_by.model

"""Drafters turn a request and its retrieved knowledge into an architecture document.

A drafter is one method. Built-ins are chosen by name; the engine checks and repairs whatever a drafter
returns, so a drafter may be imperfect but never has the last word.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from agent.errors import InvalidRequest
from agent.knowledge import Knowledge
from agent.recognition import Reading
from agent.schema import Architecture, Hit


@dataclass(frozen=True)
class DraftRequest:
    """Everything a drafter gets: the request, what retrieval found, what recognition read, the knowledge."""

    prompt: str
    hits: Sequence[Hit]
    reading: Reading
    knowledge: Knowledge


class Drafter(Protocol):
    """Drafts an architecture document for a request."""

    name: ClassVar[str]

    def draft(self, request: DraftRequest) -> Architecture: ...


def _kb() -> Drafter:
    from agent.drafting.kb import KnowledgeBaseDrafter

    return KnowledgeBaseDrafter()


BUILTIN: dict[str, Callable[[], Drafter]] = {"kb": _kb}


def get_drafter(name: str) -> Drafter:
    """The drafter called `name`; InvalidRequest lists the known ones."""
    factory = BUILTIN.get(name)
    if factory is None:
        close = difflib.get_close_matches(name, list(BUILTIN), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InvalidRequest(f"unknown drafter {name!r}; known: {', '.join(sorted(BUILTIN))}{hint}")
    return factory()

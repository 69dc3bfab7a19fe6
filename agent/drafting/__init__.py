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
    """Drafts an architecture document for a request.

    A drafter may also offer `revise(request, previous, findings) -> Architecture`: the engine then asks it to
    fix the checker's error findings before repairing deterministically itself.
    """

    name: ClassVar[str]

    def draft(self, request: DraftRequest) -> Architecture: ...


ENTRY_POINT_GROUP = "sysdesign_agent.drafters"


def _kb(**_: object) -> Drafter:
    from agent.drafting.kb import KnowledgeBaseDrafter

    return KnowledgeBaseDrafter()


def _llama_cpp(**options: object) -> Drafter:
    from agent.drafting.llm.llama_cpp import LlamaCppDrafter

    return LlamaCppDrafter(**options)  # type: ignore[arg-type]


def _openai(**options: object) -> Drafter:
    from agent.drafting.llm.openai_compat import OpenAIDrafter

    return OpenAIDrafter(**options)  # type: ignore[arg-type]


def _anthropic(**options: object) -> Drafter:
    from agent.drafting.llm.anthropic_compat import AnthropicDrafter

    return AnthropicDrafter(**options)  # type: ignore[arg-type]


BUILTIN: dict[str, Callable[..., Drafter]] = {
    "kb": _kb,
    "llama-cpp": _llama_cpp,
    "openai": _openai,
    "anthropic": _anthropic,
}


def available_drafters() -> dict[str, Callable[..., Drafter]]:
    """Built-in drafters and those third parties register in the `sysdesign_agent.drafters` entry-point group."""
    from importlib.metadata import entry_points

    found = dict(BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.load)
    return found


def get_drafter(name: str, **options: object) -> Drafter:
    """The drafter called `name`, built with `options` (model, model_path, base_url, timeout, prompts_dir)."""
    if name in BUILTIN:  # no need to scan installed packages' entry points (about 10 ms)
        return BUILTIN[name](**options)
    drafters = available_drafters()
    factory = drafters.get(name)
    if factory is None:
        close = difflib.get_close_matches(name, list(drafters), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise InvalidRequest(f"unknown drafter {name!r}; known: {', '.join(sorted(drafters))}{hint}")
    plugin = factory()  # an entry point names a drafter class, a factory function, or an instance
    if isinstance(plugin, type) or (callable(plugin) and not hasattr(plugin, "draft")):
        return plugin(**options)
    return plugin

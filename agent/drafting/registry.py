"""Drafters by name: the built-ins, and third parties' through the `sysdesign_agent.drafters` entry points."""

from __future__ import annotations

import difflib
import importlib.metadata
from collections.abc import Callable

from agent.drafting.base import Drafter, FallbackDrafter
from agent.errors import InvalidRequest

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
    found = dict(BUILTIN)
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.load)
    return found


def get_drafter(name: str, **options: object) -> Drafter:
    """The drafter called `name`, built with `options` (model, model_path, base_url, timeout, prompts_dir)."""
    if not isinstance(name, str):
        raise InvalidRequest(f"a drafter is named by a string such as 'kb' or 'openai', not {name!r}")
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


def with_fallback(drafter: str | Drafter, fallback: str | None, **options: object) -> Drafter:
    """The drafter to use: `drafter` (a name or an instance), wrapped so that `fallback` answers when it fails."""
    if isinstance(drafter, Drafter):
        primary, name = (lambda: drafter), drafter.name
    else:
        if drafter not in BUILTIN and drafter not in available_drafters():
            get_drafter(drafter)  # an unknown name is a usage error, never something to fall back from
        primary, name = (lambda: get_drafter(drafter, **options)), drafter
    if fallback is None or fallback == name:
        return primary()
    return FallbackDrafter(primary, get_drafter(fallback), primary_name=name)

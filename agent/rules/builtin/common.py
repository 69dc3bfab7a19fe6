"""Conditions several built-in rules share."""

from __future__ import annotations

import re
from functools import lru_cache

from agent.rules.context import CheckContext

AT_LEAST_MEDIUM = {"medium", "high", "enterprise"}


def tier_at_least_medium(context: CheckContext) -> bool:
    return context.tier in AT_LEAST_MEDIUM


def pattern_reports(context: CheckContext) -> set[str]:
    """Categories and names SD020 already reports as missing (other rules then stay quiet about them)."""
    spec = context.knowledge.patterns.get(context.pattern.id)
    reported: set[str] = set()
    request = context.document.request or ""
    for requirement in spec.required if spec else ():
        if not requirement.asked_for(request):
            continue
        if not context.has(*requirement.any_of):
            for name in requirement.any_of:
                tech = context.knowledge.technology(name)
                reported |= {name, tech.category} if tech else {name}
    return reported


def focused(context: CheckContext) -> bool:
    """Someone else's design of no application type (a crawler, a cache, a batch job, one subsystem): a whole
    application's quota of services and production essentials are questions for its author, not findings."""
    return context.pattern.id == "other" and context.document.brief is None


_SENTENCES = re.compile(r"(?<!\d)\.(?!\d)|[;\n]+")  # a decimal point ends no sentence


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[str, ...]:
    """A document's text in sentences, split once for all the rules that read them sentence by sentence."""
    return tuple(s for s in _SENTENCES.split(text) if s.strip())

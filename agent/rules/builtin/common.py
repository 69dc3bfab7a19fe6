"""Conditions several built-in rules share."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from agent.knowledge.regexes import KnowledgeRegex
from agent.rules.context import CheckContext

AT_LEAST_MEDIUM = {"medium", "high", "enterprise"}
NEGATED = re.compile(r"\b(?:no|not|never|without|skip\w*|unencrypted|un-?sharded|instead of)\b")
"""A sentence that says a thing is not done ("never edit the issued invoice"): it does not state it."""


@lru_cache(maxsize=256)
def on_lowered(pattern: KnowledgeRegex) -> KnowledgeRegex:
    """`pattern` for a checker's text, which is lowercased already: without IGNORECASE, whose case folding makes a
    search several times slower. A pattern that spells a capital letter is kept as it is."""
    if not isinstance(pattern, re.Pattern):
        return pattern  # on RE2 (a knowledge folder's own), where case folding costs nothing
    if not pattern.flags & re.IGNORECASE or re.search(r"(?<!\\)[A-Z]", pattern.pattern):
        return pattern
    return re.compile(pattern.pattern, pattern.flags & ~re.IGNORECASE)


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
def _spans(text: str) -> tuple[tuple[int, int], ...]:
    """Where each sentence of `text` starts and ends, blank ones left out."""
    spans, start = [], 0
    for end in _SENTENCES.finditer(text):
        spans.append((start, end.start()))
        start = end.end()
    spans.append((start, len(text)))
    return tuple((a, b) for a, b in spans if text[a:b].strip())


@lru_cache(maxsize=64)
def sentences(text: str) -> tuple[str, ...]:
    """A document's text in sentences, split once for all the rules that read them sentence by sentence."""
    return tuple(text[a:b] for a, b in _spans(text))


@lru_cache(maxsize=512)
def sentences_with(text: str, *patterns: KnowledgeRegex) -> tuple[str, ...]:
    """The sentences of `text` in which every one of `patterns` matches, in order: each pattern is searched once
    over the whole text (C speed) and only the sentences its matches touch are searched again alone. A match that
    runs on into the next sentence counts that one too, so no sentence that matches alone is missed."""
    spans = _spans(text)
    starts = [a for a, _ in spans]
    candidates: set[int] | None = None
    for pattern in patterns:
        touched: set[int] = set()
        for match in pattern.finditer(text):
            first = max(0, bisect_right(starts, match.start()) - 1)
            last = max(0, bisect_right(starts, max(match.start(), match.end() - 1)) - 1)
            touched.update(range(first, last + 1))
        candidates = touched if candidates is None else candidates & touched
        if not candidates:
            return ()
    said = (text[a:b] for i, (a, b) in enumerate(spans) if candidates is None or i in candidates)
    return tuple(s for s in said if all(p.search(s) for p in patterns))

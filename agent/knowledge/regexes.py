"""The regular expressions in the structured knowledge: the bundled ones on `re`, a knowledge folder's own on RE2.

A pattern's `chapter`, a requirement's `when` and a block's mistakes (`lacks`, `says`) are expressions. The
bundled YAML is ours, tested, and uses look-arounds RE2 cannot run, so its expressions keep `re` (compiled once
per machine). Any other expression (one a knowledge folder adds, which may come with a cloned repository) runs
on RE2 with its size bounded (`agent.rules.user_regex`), so that no folder can make `ask` or `check` hang. An
expression counts as bundled only when a bundled file holds exactly that text: a folder's own cannot reach `re`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from agent.compiled_patterns import compile_pattern
from agent.files import read_yaml
from agent.rules.user_regex import UserRegex, compile_user_regex

HERE = Path(__file__).resolve().parent
KnowledgeRegex = re.Pattern[str] | UserRegex
"""A knowledge expression compiled: `re`'s for the bundled knowledge, RE2's for a folder's own; both `search`."""


def pattern_regexes(spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, expression) for each expression in a pattern's entry (its `chapter`, its requirements' `when`)."""
    if isinstance(chapter := spec.get("chapter"), str):
        yield "chapter", chapter
    yield from _listed(spec, "required", ("when",))


def block_regexes(spec: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(key, expression) for each expression in a block's entry (its requirements' `when`, its mistakes' tests)."""
    yield from _listed(spec, "required", ("when",))
    yield from _listed(spec, "mistakes", ("lacks", "says"))


def _listed(spec: Mapping[str, Any], field: str, keys: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    items = spec.get(field)
    for number, item in enumerate(items if isinstance(items, list | tuple) else ()):
        for key in keys:
            if isinstance(item, Mapping) and isinstance(value := item.get(key), str):
                yield f"{field}[{number}].{key}", value


@cache
def bundled_regexes() -> frozenset[str]:
    """Every expression the bundled knowledge files hold, exactly as written."""
    found = {
        regex
        for spec in read_yaml(HERE / "patterns.yaml", "knowledge file").values()
        for _, regex in pattern_regexes(spec)
    }
    for path in (HERE / "blocks").glob("*.yaml"):
        found.update(regex for _, regex in block_regexes(read_yaml(path, "knowledge file")))
    return frozenset(found)


@lru_cache(maxsize=2048)
def knowledge_regex(pattern: str) -> KnowledgeRegex:
    """`pattern` compiled case-insensitively: on `re` when it is the bundled knowledge's own, else on RE2 (where a
    ValueError, one sentence, says why it is refused)."""
    if pattern in bundled_regexes():
        return compile_pattern(pattern, re.IGNORECASE)
    return compile_user_regex(pattern)

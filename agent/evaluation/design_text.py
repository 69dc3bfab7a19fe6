"""A design document's own words: what it says, without the request pasted back or bookkeeping fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from agent.retrieval.bm25 import terms

NOT_THE_DESIGN = frozenset({"request", "prompt", "pattern", "blocks", "citations", "citation", "findings", "audit",
                            "coverage", "drafter", "changes", "assumptions", "questions", "requirements", "estimate",
                            "traits", "tier", "by", "id"})  # fmt: skip
"""Fields that are labels, the request's own words or the engine's bookkeeping: a design is not graded on them."""
ECHO_SHARE = 0.85
ECHO_MIN_TERMS = 5


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key not in NOT_THE_DESIGN:
                yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def design_units(document: dict[str, Any]) -> list[str]:
    """Every text of the design, a unit per field value (a service's name, its job, a flow's step...)."""
    return [text for text in _strings(document) if text.strip()]


def words_without_echo(units: list[str], request: str) -> set[str]:
    """The words of the units that are not the request said again (a long unit made almost only of the
    request's words is)."""
    asked = set(terms(request))
    kept: set[str] = set()
    for unit in units:
        words = terms(unit)
        if len(words) >= ECHO_MIN_TERMS and sum(w in asked for w in words) >= ECHO_SHARE * len(words):
            continue
        kept.update(words)
    return kept


def _item(value: Any, name_field: str) -> dict[str, Any] | None:
    if isinstance(value, str) and value.strip():
        return {name_field: value.strip()}
    if isinstance(value, dict):
        name = value.get(name_field)
        if isinstance(name, str) and name.strip():
            return value
    return None


_SHAPES = {"components": "name", "services": "name", "flows": "name", "tradeoffs": "decision",
           "failure_modes": "component"}  # fmt: skip


def for_the_checker(document: dict[str, Any], request: str) -> dict[str, Any]:
    """The document with every list item in the shape the checker reads (a bare string becomes its name; an item
    without one is dropped), its labels removed and the request it answers put in: the checker is told what the
    request is instead of believing the completion."""
    shaped: dict[str, Any] = {k: v for k, v in document.items() if k not in {"pattern", "blocks", "notes", "tier"}}
    shaped["request"] = request
    for field, name_field in _SHAPES.items():
        items = document.get(field)
        if not isinstance(items, list):
            shaped.pop(field, None)
            continue
        kept = [item for item in (_item(v, name_field) for v in items) if item is not None]
        if field == "tradeoffs":
            kept = [{**t, "chosen": t.get("chosen") if isinstance(t.get("chosen"), str) else t["decision"]}
                    for t in kept]  # fmt: skip
        if field == "failure_modes":
            kept = [{**f, "failure": f.get("failure") if isinstance(f.get("failure"), str) else ""} for f in kept]
        if field == "flows":
            kept = [{**f, "steps": [s for s in f.get("steps", []) if isinstance(s, str)]
                     if isinstance(f.get("steps"), list) else []} for f in kept]  # fmt: skip
        shaped[field] = kept
    scaling = document.get("scaling")
    shaped["scaling"] = [s for s in scaling if isinstance(s, str)] if isinstance(scaling, list) else []
    return shaped

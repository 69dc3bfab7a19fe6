"""Who wrote each item of a model-drafted design: the model (kept as written), the knowledge base (a gap filled),
or repair (what the checker's fixes added). Items of the offline drafter's designs carry no mark."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from agent.schema import Architecture, FailureMode, Tradeoff

Item = TypeVar("Item", Tradeoff, FailureMode)


def authored(draft: Architecture) -> dict[str, set[str]]:
    """The names of the parts, services and flows the model wrote (empty for a design no model wrote)."""
    found = {
        "components": {c.name for c in draft.components if c.by == "model"},
        "services": {s.name for s in draft.services if s.by == "model"},
        "flows": {f.name for f in draft.flows if f.by == "model"},
    }
    return found if any(found.values()) else {}


def mark_authors(design: Architecture, written: dict[str, set[str]]) -> None:
    """Mark what the model did not write: added by repair (parts, services) or by the knowledge base (flows)."""
    for component in design.components:
        component.by = "model" if component.name in written["components"] else component.by or "repair"
    for service in design.services:
        service.by = "model" if service.name in written["services"] else service.by or "repair"
    for flow in design.flows:
        flow.by = "model" if flow.name in written["flows"] else flow.by or "knowledge base"
    for tradeoff in design.tradeoffs:
        tradeoff.by = tradeoff.by or "knowledge base"
    for mode in design.failure_modes:
        mode.by = mode.by or "knowledge base"


def merged(own: Sequence[Item], known: Sequence[Item], key: Callable[[Item], str]) -> list[Item]:
    """A model's items first, as written, then the knowledge base's on subjects the model did not cover."""
    kept = [item for item in own if item.by == "model"]
    seen = {key(item).lower() for item in kept}
    return kept + [item for item in known if key(item).lower() not in seen]

"""Edits that several rules' fixes share: adding catalogue components, rewriting dangerous text."""

from __future__ import annotations

import re

from agent.knowledge import Knowledge, normalise_name
from agent.schema import Architecture, Change, Component, Service


def add_components(doc: Architecture, rule_id: str, citation: str, names: tuple[str, ...], why: str,
                   knowledge: Knowledge) -> list[Change]:  # fmt: skip
    """Add the catalogue's components named in `names` that the document lacks."""
    changes = []
    present = {normalise_name(knowledge.canonical(c.name)) for c in doc.components}
    for name in names:
        tech = knowledge.technology(name)
        if tech is None or normalise_name(tech.name) in present:
            continue
        doc.components.append(Component(name=tech.name, category=tech.category, purpose=tech.use, citations=[citation]))
        present.add(normalise_name(tech.name))
        changes.append(Change(rule_id=rule_id, action="add_component", detail=f"added {tech.name}: {why}"))
    return changes


def rewrite_text(doc: Architecture, rule_id: str, pattern: re.Pattern[str], replacement: str) -> list[Change]:
    """Replace what `pattern` matches in every free-text field of the document."""
    changes = []
    items: list[Component | Service] = [*doc.components, *doc.services]
    for item in items:
        field = "purpose" if isinstance(item, Component) else "responsibility"
        text = getattr(item, field)
        new = pattern.sub(replacement, text)
        if new != text:
            setattr(item, field, new)
            changes.append(Change(rule_id=rule_id, action="rewrite", detail=f"{item.name}: {text!r} -> {new!r}"))
    for lines in [doc.scaling, *(flow.steps for flow in doc.flows)]:
        for i, text in enumerate(lines):
            new = pattern.sub(replacement, text)
            if new != text:
                lines[i] = new
                changes.append(Change(rule_id=rule_id, action="rewrite", detail=f"{text!r} -> {new!r}"))
    return changes

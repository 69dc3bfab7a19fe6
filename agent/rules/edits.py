"""Edits that several rules' fixes share: adding catalogue components, rewriting dangerous text."""

from __future__ import annotations

import re

from agent.knowledge import Knowledge, normalise_name
from agent.rules.roles import roles_of_name, roles_present, service_key
from agent.schema import Architecture, Change, Component, Service

DATA_CATEGORIES = {"database", "cache", "queue", "storage", "search", "geospatial", "realtime"}
"""Parts a service reads or writes: an added one is wired into a service, never left an orphan."""


def _user_of(doc: Architecture, knowledge: Knowledge) -> Service | None:
    """The service that should use a new data part: one that already keeps data (a cache goes in front of its
    database), else the first that is not the API gateway (a chat's connection gateway is a real user); None when
    the design has no service to wire it into."""
    services = [s for s in doc.services if service_key(s.name, knowledge) != "apigateway"]
    keeping = [s for s in services if s.data_stores]
    choices = keeping or services
    return choices[0] if choices else None


def add_components(doc: Architecture, rule_id: str, citation: str, names: tuple[str, ...], why: str,
                   knowledge: Knowledge) -> list[Change]:  # fmt: skip
    """Add the catalogue's components named in `names` that the document lacks: never a second part for a role
    a part already fills under another name, and a data part only wired into the service that will use it."""
    changes = []
    present = {normalise_name(knowledge.canonical(c.name)) for c in doc.components}
    filled = roles_present(doc, knowledge)
    for name in names:
        tech = knowledge.technology(name)
        if tech is None or normalise_name(tech.name) in present or roles_of_name(tech.name, knowledge) & filled:
            continue
        user = _user_of(doc, knowledge) if tech.category in DATA_CATEGORIES else None
        if tech.category in DATA_CATEGORIES and user is None:
            continue  # no service would use it: left out rather than added as an orphan
        doc.components.append(Component(name=tech.name, category=tech.category, purpose=tech.use, citations=[citation]))
        present.add(normalise_name(tech.name))
        filled |= roles_of_name(tech.name, knowledge)
        detail = f"added {tech.name}: {why}"
        if user is not None:
            user.data_stores.append(tech.name)
            detail += f" (used by {user.name})"
        changes.append(Change(rule_id=rule_id, action="add_component", detail=detail))
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

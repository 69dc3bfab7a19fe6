"""Deterministic repair: apply each rule's fix, record every change, stop when nothing is left to fix.

Repair only adds, merges, annotates or rewrites what a rule points at; it never drops a technology the
author chose. `repair(repair(x)) == repair(x)`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.knowledge import Knowledge, normalise_name
from agent.rules import Rule, Violation, violations
from agent.rules.context import CheckContext, build_context
from agent.schema import Architecture, Change, Component, Service
from agent.sizing.estimation import estimate

MAX_ROUNDS = 5
_TEXT_FIXES = {
    "SD033": (r"plain[- ]?text passwords?|passwords? (stored )?(in )?plain[- ]?text|unhashed passwords?",
              "passwords hashed with bcrypt"),
    "SD034": (r"\bno https\b|without (https|tls)|plain http\b|http only", "HTTPS (TLS)"),
    "SD037": (r"(stor|sav|keep|persist)\w*[^.\n]{0,40}(card numbers?|credit cards?|\bpan\b|cvv)",
              "keep only card tokens from the payment gateway"),
}  # fmt: skip


def _service_key(name: str) -> str:
    return normalise_name(name).removesuffix("service")


def _add_components(doc: Architecture, spec: Rule, violation: Violation, knowledge: Knowledge) -> list[Change]:
    changes = []
    present = {normalise_name(knowledge.canonical(c.name)) for c in doc.components}
    for name in violation.add:
        tech = knowledge.technology(name)
        if tech is None or normalise_name(tech.name) in present:
            continue
        doc.components.append(
            Component(name=tech.name, category=tech.category, purpose=tech.use, citations=[spec.citation])
        )
        present.add(normalise_name(tech.name))
        changes.append(
            Change(rule_id=spec.id, action="add_component", detail=f"added {tech.name}: {violation.message}")
        )
    return changes


def _catalogue(context: CheckContext) -> list[Service]:
    knowledge = context.knowledge
    spec = knowledge.patterns.get(context.pattern.id)
    generic = knowledge.general.generic_services
    items = [*spec.services, *generic.extra] if spec else [*generic.always, *generic.by_trait.values(), *generic.extra]
    return [Service(name=s.name, responsibility=s.responsibility, data_stores=list(s.data_stores)) for s in items]


def _fill_services(doc: Architecture, context: CheckContext) -> list[Change]:
    low = context.band[0]
    present = {_service_key(s.name) for s in doc.services}
    changes = []
    for service in _catalogue(context):
        if len(doc.services) >= low:
            break
        if _service_key(service.name) not in present:
            doc.services.append(service)
            present.add(_service_key(service.name))
            changes.append(Change(rule_id="SD010", action="add_service", detail=f"added {service.name}"))
    return changes


def _merge_services(doc: Architecture, context: CheckContext) -> list[Change]:
    high = context.band[1]
    if context.tier == "low":
        modules = ", ".join(s.name for s in doc.services)
        stores = sorted({store for s in doc.services for store in s.data_stores})
        doc.services = [Service(name="Web App", responsibility=f"modular monolith: {modules}", data_stores=stores)]
        return [Change(rule_id="SD011", action="merge_services", detail=f"merged into one modular monolith: {modules}")]
    kept, extra = doc.services[: high - 1], doc.services[high - 1 :]
    names = ", ".join(s.name for s in extra)
    stores = list(dict.fromkeys(store for s in extra for store in s.data_stores))
    merged = Service(name="Platform Service", responsibility=f"merged: {names}", data_stores=stores)
    doc.services = [*kept, merged]
    return [Change(rule_id="SD011", action="merge_services", detail=f"merged {names} into Platform Service")]


def _rewrite(doc: Architecture, rule_id: str) -> list[Change]:
    pattern, replacement = _TEXT_FIXES[rule_id]
    changes = []
    for item in [*doc.components, *doc.services]:
        field = "purpose" if isinstance(item, Component) else "responsibility"
        text = getattr(item, field)
        new = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
        if new != text:
            setattr(item, field, new)
            changes.append(Change(rule_id=rule_id, action="rewrite", detail=f"{item.name}: {text!r} -> {new!r}"))
    for lines in [doc.scaling, *(flow.steps for flow in doc.flows)]:
        for i, text in enumerate(lines):
            new = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
            if new != text:
                lines[i] = new
                changes.append(Change(rule_id=rule_id, action="rewrite", detail=f"{text!r} -> {new!r}"))
    return changes


def _move_to_postgres(doc: Architecture, context: CheckContext, subject: str) -> list[Change]:
    for service in doc.services:
        if service.name == subject:
            canonical = context.knowledge.canonical
            service.data_stores = ["Postgres" if canonical(s) == "MongoDB" else s for s in service.data_stores]
            return [Change(rule_id="SD030", action="rename", detail=f"{subject}: MongoDB -> Postgres (transactions)")]
    return []


def _note_replication(doc: Architecture, context: CheckContext, subject: str) -> list[Change]:
    for component in doc.components:
        if context.knowledge.canonical(component.name) == subject:
            note = "replicated (primary + read replicas) with automated backups"
            component.purpose = f"{component.purpose}; {note}" if component.purpose else note
            return [Change(rule_id="SD031", action="annotate", detail=f"{component.name}: {note}")]
    return []


def _add_gateway(doc: Architecture) -> list[Change]:
    gateway = Service(name="API Gateway", responsibility="single entry point, authentication, rate limiting")
    doc.services.insert(0, gateway)
    return [Change(rule_id="SD035", action="add_service", detail="added API Gateway (rate limiting)")]


def _fix_round(doc: Architecture, context: CheckContext, found: list[tuple[Rule, Violation]]) -> list[Change]:
    changes: list[Change] = []
    for spec, violation in found:
        if not spec.autofix:
            continue
        if spec.id in _TEXT_FIXES:
            changes += _rewrite(doc, spec.id)
        elif spec.id == "SD030" and violation.subject and violation.subject != "MongoDB":
            changes += _move_to_postgres(doc, context, violation.subject)
        elif spec.id == "SD031" and violation.subject:
            changes += _note_replication(doc, context, violation.subject)
        elif spec.id == "SD035":
            changes += _add_gateway(doc)
        # at the low tier a warning's suggestion (a second database, a broker) would undo the monolith the
        # tier calls for: only errors add components there
        severity = violation.severity or spec.severity
        if severity == "error" or context.tier != "low":
            changes += _add_components(doc, spec, violation, context.knowledge)
    rule_ids = {spec.id for spec, _ in found}
    if "SD010" in rule_ids:
        changes += _fill_services(doc, context)
    elif "SD011" in rule_ids:
        changes += _merge_services(doc, context)
    return changes


def _estimate_changes(doc: Architecture, context: CheckContext) -> list[Change]:
    plan = estimate(context.tier, context.pattern.id, context.traits, context.knowledge)
    if doc.estimate is not None and doc.estimate.model_dump(exclude={"citations"}) == plan.model_dump(
        exclude={"citations"}
    ):
        return []
    doc.estimate = plan
    detail = f"{plan.tier} tier, {plan.hours[0]}-{plan.hours[1]} hours ({plan.factor}x)"
    return [Change(rule_id="SD040", action="set_estimate", detail=detail)]


def repair(
    document: Architecture,
    knowledge: Knowledge,
    rules: Sequence[Rule] | None = None,
    initial: list[tuple[Rule, Violation]] | None = None,
    in_place: bool = False,
) -> tuple[Architecture, list[Change]]:
    """A copy of `document` with every automatic fix applied, and the changes made.

    `initial`: the document's violations when the caller has already computed them (saves a checking pass).
    `in_place`: repair `document` itself (the engine does, for drafts nobody else holds; a deep copy costs ~1 ms).
    """
    doc = document if in_place else document.model_copy(deep=True)
    doc.findings, doc.changes = [], []
    changes: list[Change] = []
    if doc.pattern is None:
        doc.pattern = build_context(doc, knowledge).pattern
        changes.append(Change(rule_id="SD051", action="set_pattern", detail=f"inferred {doc.pattern.id!r}"))
        initial = None
    found = initial
    for _ in range(MAX_ROUNDS):
        context = build_context(doc, knowledge)
        found = found if found is not None else violations(context, rules)
        round_changes = _fix_round(doc, context, found)
        changes += round_changes
        if not round_changes:
            break
        found = None  # the document changed: check it again
    context = build_context(doc, knowledge)
    found = found if found is not None else violations(context, rules)
    if any(spec.id == "SD040" for spec, _ in found) or doc.estimate is None:
        changes += _estimate_changes(doc, context)
    return doc, changes

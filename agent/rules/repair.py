"""Deterministic repair: apply each rule's fix, record every change, stop when nothing is left to fix.

Each built-in rule's fix lives beside its check (`agent.rules.builtin`); what every rule shares is adding the
technologies a violation names (`Violation.add`). Repair only adds, merges, annotates or rewrites what a rule
points at; it never drops a technology the author chose. `repair(repair(x)) == repair(x)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.knowledge import Knowledge
from agent.rules.checker import Rule, violations
from agent.rules.context import CheckContext, build_context
from agent.rules.edits import add_components
from agent.rules.registry import FIXES, Violation
from agent.schema import Architecture, Change
from agent.sizing.estimation import EstimationConfig, estimate

MAX_ROUNDS = 5
WHOLE_DESIGN_FIXES = ("SD010", "SD011")
"""Service-count fixes run after the others, on the design the other fixes left (one of the two at most)."""


def _fix_round(doc: Architecture, context: CheckContext, found: list[tuple[Rule, Violation]]) -> list[Change]:
    changes: list[Change] = []
    by_rule: dict[str, tuple[Rule, list[Violation]]] = {}
    for rule, violation in found:
        by_rule.setdefault(rule.id, (rule, []))[1].append(violation)
    for rule_id, (rule, found_here) in by_rule.items():
        if not rule.autofix or rule_id in WHOLE_DESIGN_FIXES:
            continue
        if rule_id in FIXES:
            changes += FIXES[rule_id](doc, context, found_here)
        for violation in found_here:
            # at the low tier a warning's suggestion (a second database, a broker) would undo the monolith the
            # tier calls for: only errors add components there
            if (violation.severity or rule.severity) == "error" or context.tier != "low":
                changes += add_components(doc, rule.id, rule.citation, violation.add, violation.message,
                                          context.knowledge)  # fmt: skip
    for rule_id in WHOLE_DESIGN_FIXES:
        if rule_id in by_rule:
            changes += FIXES[rule_id](doc, context, by_rule[rule_id][1])
            break
    return changes


def _estimate_changes(doc: Architecture, context: CheckContext, config: EstimationConfig | None) -> list[Change]:
    plan = estimate(context.tier, context.pattern.id, context.traits, context.knowledge, config=config)
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
    estimation: EstimationConfig | None = None,
) -> tuple[Architecture, list[Change]]:
    """A copy of `document` with every automatic fix applied, and the changes made.

    `initial`: the document's violations when the caller has already computed them (saves a checking pass).
    `in_place`: repair `document` itself (the engine does, for drafts nobody else holds; a deep copy costs ~1 ms).
    `estimation`: how a missing or inconsistent estimate is recomputed (the user's [estimation] settings).
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
    if any(rule.id == "SD040" for rule, _ in found) or doc.estimate is None:
        changes += _estimate_changes(doc, context, estimation)
    return doc, changes

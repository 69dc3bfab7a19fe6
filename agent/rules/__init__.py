"""The rule checker: one small function per rule, each with a stable id, severity, fix and citation.

`check(document)` runs every rule and returns findings; `repair` (in `agent.rules.repair`) applies the
deterministic fixes. `docs/rules.md` is generated from the definitions here (`python -m agent.rules.docs`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from agent.rules.context import CheckContext
from agent.schema import Finding, Severity

Pillar = Literal["reliability", "security", "performance", "cost", "operations"]


@dataclass(frozen=True)
class Violation:
    """One thing a rule found; `add` names technologies whose presence would fix it."""

    message: str
    subject: str | None = None
    severity: Severity | None = None
    add: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    pillar: Pillar
    citation: str
    fix: str
    autofix: bool
    check: Callable[[CheckContext], Iterable[Violation]] = field(repr=False)


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str, title: str, severity: Severity, pillar: Pillar, citation: str, fix: str, autofix: bool = True
) -> Callable[[Callable[[CheckContext], Iterable[Violation]]], Callable[[CheckContext], Iterable[Violation]]]:
    """Register a rule function under `rule_id`."""

    def register(function: Callable[[CheckContext], Iterable[Violation]]):
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id!r} is defined twice")
        RULES[rule_id] = Rule(rule_id, title, severity, pillar, citation, fix, autofix, function)
        return function

    return register


def violations(context: CheckContext) -> list[tuple[Rule, Violation]]:
    """Every violation of every rule, with its rule."""
    return [(spec, violation) for spec in all_rules() for violation in spec.check(context)]


def run_rules(context: CheckContext) -> list[Finding]:
    """Every finding of every rule, errors first, then by rule id."""
    findings = [
        Finding(
            rule_id=spec.id,
            severity=violation.severity or spec.severity,
            message=violation.message,
            fix=spec.fix,
            citation=spec.citation,
            subject=violation.subject,
        )
        for spec, violation in violations(context)
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.rule_id))


def all_rules() -> list[Rule]:
    """Every rule, by id."""
    from agent.rules import definitions  # noqa: F401

    return sorted(RULES.values(), key=lambda r: r.id)

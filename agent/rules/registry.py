"""Where a built-in rule's Python lives: its check and, beside it, its fix, registered by the rule's id.

A rule is one unit: its description (title, severity, citation) in the built-in pack, and in one module of
`agent.rules.builtin` its check and its fix side by side, sharing their patterns:

    @check("SD033")
    def plain_text_passwords(context): ...          # yields Violations

    @fix("SD033")
    def hash_passwords(document, context, found): ...  # edits the document, returns the Changes
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from agent.rules.context import CheckContext
from agent.schema import Architecture, Change, Severity


@dataclass(frozen=True)
class Violation:
    """One thing a rule found; `add` names technologies whose presence would fix it."""

    message: str
    subject: str | None = None
    severity: Severity | None = None
    add: tuple[str, ...] = ()
    citation: str | None = None
    """The chunk that says so, when it is not the rule's own (a building block's chapter)."""
    fix: str | None = None
    """What to do, when it is more specific than the rule's remediation."""


CheckFunction = Callable[[CheckContext], Iterable[Violation]]
FixFunction = Callable[[Architecture, CheckContext, list[Violation]], list[Change]]
"""Repairs what a rule found (all its violations of one checking pass) and says what it changed."""
CHECKS: dict[str, CheckFunction] = {}
FIXES: dict[str, FixFunction] = {}


def _register(table: dict, rule_id: str, what: str) -> Callable:
    def register(function):
        if rule_id in table:
            raise ValueError(f"{what} {rule_id!r} is registered twice")
        table[rule_id] = function
        return function

    return register


def check(rule_id: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register the Python check of the rule `rule_id` (its description lives in a pack)."""
    return _register(CHECKS, rule_id, "check")


def fix(rule_id: str) -> Callable[[FixFunction], FixFunction]:
    """Register the repair of the rule `rule_id`, beside its check."""
    return _register(FIXES, rule_id, "fix")

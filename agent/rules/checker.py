"""The rule checker: rules described as data (packs), checked by small functions, each with a stable id.

The built-in pack (`agent/rules/packs/builtin.yaml`) describes every rule of the knowledge base; its checks and
fixes are the functions in `agent.rules.builtin`, registered by id. Teams add packs of their own
(`--rules-dir`), declarative or naming a registered check. `docs/rules.md` is generated from all of this
(`python -m agent.rules.docs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from agent.errors import InvalidRequest
from agent.rules.context import CheckContext
from agent.rules.packs import PACKS_DIR, RuleSpec, declarative_check, load_pack, pack_files
from agent.rules.registry import CHECKS, CheckFunction, Violation
from agent.schema import Finding


@dataclass(frozen=True)
class Rule:
    """A rule: its description from a pack and the check that runs it."""

    spec: RuleSpec
    source: str
    run: CheckFunction = field(repr=False)

    id = property(lambda self: self.spec.id)
    title = property(lambda self: self.spec.title)
    severity = property(lambda self: self.spec.severity)
    pillar = property(lambda self: self.spec.pillar)
    citation = property(lambda self: self.spec.help)
    fix = property(lambda self: self.spec.remediation)
    autofix = property(lambda self: self.spec.autofix)

    def check(self, context: CheckContext) -> Iterable[Violation]:
        return self.run(context) if self.spec.when.holds(context) else ()


def _rules_of(pack_file: Path, builtin: bool) -> list[Rule]:
    import agent.rules.builtin  # noqa: F401 -- registers the built-in checks and fixes

    pack = load_pack(pack_file)
    rules = []
    for spec in pack.rules:
        if spec.declarative:
            run = declarative_check(spec)
        elif spec.id in CHECKS:
            run = CHECKS[spec.id]
        else:
            raise InvalidRequest(
                f"rule pack {str(pack_file)!r}: rule {spec.id!r} has no check: give require, require_category, "
                "require_text or forbid"
            )
        rules.append(Rule(spec=spec, source="builtin" if builtin else str(pack_file), run=run))
    return rules


@cache
def builtin_rules() -> tuple[Rule, ...]:
    rules = _rules_of(PACKS_DIR / "builtin.yaml", builtin=True)
    missing = set(CHECKS) - {r.id for r in rules}
    if missing:
        raise RuntimeError(f"checks without a description in builtin.yaml: {sorted(missing)}")
    return tuple(rules)


def load_rules(rules_dirs: Sequence[Path] = ()) -> list[Rule]:
    """The built-in rules plus every pack in `rules_dirs`; ids must be unique."""
    rules = list(builtin_rules())
    seen = {rule.id: rule.source for rule in rules}
    for directory in rules_dirs:
        for file in pack_files(Path(directory)):
            for rule in _rules_of(file, builtin=False):
                if rule.id in seen:
                    raise InvalidRequest(f"rule pack {str(file)!r}: rule id {rule.id!r} is already defined by "
                                         f"{seen[rule.id]!r}; rename it")  # fmt: skip
                seen[rule.id] = rule.source
                rules.append(rule)
    return sorted(rules, key=lambda r: r.id)


def all_rules() -> list[Rule]:
    """The built-in rules, by id."""
    return sorted(builtin_rules(), key=lambda r: r.id)


def violations(context: CheckContext, rules: Sequence[Rule] | None = None) -> list[tuple[Rule, Violation]]:
    """Every violation of every rule, with its rule."""
    return [(spec, violation) for spec in (rules or all_rules()) for violation in spec.check(context)]


def run_rules(context: CheckContext, rules: Sequence[Rule] | None = None) -> list[Finding]:
    """Every finding of every rule, errors first, then by rule id."""
    return to_findings(violations(context, rules))


def to_findings(pairs: Sequence[tuple[Rule, Violation]]) -> list[Finding]:
    """Findings from (rule, violation) pairs, errors first, then by rule id."""
    findings = [
        Finding(
            rule_id=spec.id,
            severity=violation.severity or spec.severity,
            message=violation.message,
            fix=violation.fix or spec.fix,
            citation=violation.citation or spec.citation,
            subject=violation.subject,
        )
        for spec, violation in pairs
    ]
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: (order[f.severity], f.rule_id))

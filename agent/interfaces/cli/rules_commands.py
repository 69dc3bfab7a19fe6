"""`sysdesign rules list|show`: what the checker enforces, and why."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent.errors import InvalidRequest
from agent.interfaces.cli.common import advisor_for, print_json

rules_app = typer.Typer(help="The rules the checker applies.", no_args_is_help=True)
RulesDir = Annotated[list[Path] | None, typer.Option("--rules-dir", help="Include your own packs (repeatable).")]


def _describe(rule) -> dict:
    spec = rule.spec
    return {"id": spec.id, "title": spec.title, "severity": spec.severity, "pillar": spec.pillar,
            "tags": list(spec.tags), "when": spec.when.model_dump(exclude_defaults=True), "message": spec.message,
            "remediation": spec.remediation, "help": spec.help, "requires": spec.requires,
            "autofix": spec.autofix, "source": rule.source}  # fmt: skip


@rules_app.command("list")
def rules_list(
    rules_dir: RulesDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List every rule: id, severity, pillar, title."""
    from agent.rules.checker import load_rules

    rules = load_rules(rules_dir or [])
    if as_json:
        print_json([_describe(r) for r in rules])
        return
    for rule in rules:
        typer.echo(f"{rule.id:<8} {rule.severity:<8} {rule.pillar:<12} {rule.title}")


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. SD020.")],
    rules_dir: RulesDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the explanation as JSON.")] = False,
) -> None:
    """Explain one rule like `ruff rule`: what it checks, why, what it requires, an example that breaks it, the fix.

    Examples:
      sysdesign rules show SD020
      sysdesign rules show sd061 --json
    """
    from agent.rules.checker import load_rules
    from agent.rules.explain import explain, render

    rules = {r.id: r for r in load_rules(rules_dir or [])}
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise InvalidRequest(f"no rule {rule_id!r}; 'sysdesign rules list' shows them")
    info = explain(rule, advisor_for().engine)
    if as_json:
        print_json(info)
        return
    typer.echo(render(info), nl=False)

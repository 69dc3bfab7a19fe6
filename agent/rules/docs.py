"""The rules' documentation: docs/rules.md generated from the rule definitions
(`python -m agent.rules.docs > docs/rules.md`), and the links into it that reports carry."""

from __future__ import annotations

from urllib.parse import urlsplit

import agent.rules.builtin  # noqa: F401 -- registers the built-in checks and fixes
from agent.errors import InvalidRequest
from agent.paths import data_root
from agent.rules.checker import all_rules
from agent.rules.registry import FIXES

RULES_DOC = data_root() / "docs" / "rules.md"


def docs_url(configured: str | None = None) -> str:
    """Where the rules' documentation is: `configured` (the `docs_url` setting, `SYSDESIGN_DOCS_URL`), which must
    be an absolute URL, else the packaged docs/rules.md."""
    if not configured:
        return RULES_DOC.as_uri()
    parts = urlsplit(configured)
    if not parts.scheme or not (parts.netloc or parts.path) or parts.fragment:
        example = "https://example.com/docs/rules.md"
        raise InvalidRequest(
            f"docs_url must be an absolute URL without a '#' part, such as {example!r}, not {configured!r}"
        )
    return configured


def rule_url(rule_id: str, base: str) -> str:
    """The link to one rule's section of the docs at `base` (docs/rules.md heads each section with its id)."""
    return f"{base}#{rule_id.lower()}"


def render_rules_markdown() -> str:
    """Every rule as a markdown section: id, title, severity, pillar, citation, fix, autofix."""
    lines = [
        "# Rules",
        "",
        "Generated from `agent/rules/packs/builtin.yaml` and `agent/rules/builtin/` by",
        "`python -m agent.rules.docs > docs/rules.md`;",
        "a test fails when this file and the definitions differ. Severities are defaults: some rules raise or",
        "lower them by tier (for example, a missing core component is an error at the high tier and a warning",
        "below it). Citations are chunk ids of the knowledge base (`sysdesign search` finds them; the text is in",
        "`kb_chunks/chunks.jsonl`). `sysdesign rules show ID` adds the knowledge base's words and an example that",
        "breaks the rule, run through the checker.",
        "",
        "| id | rule | severity | pillar | autofix |",
        "|---|---|---|---|---|",
    ]
    rules = all_rules()
    lines += [
        f"| [{r.id}](#{r.id.lower()}) | {r.title} | {r.severity} | {r.pillar} | {'yes' if r.autofix else 'no'} |"
        for r in rules
    ]
    for r in rules:
        lines += ["", f"## {r.id}", "", f"**{r.title}** ({r.severity}, {r.pillar})", ""]
        lines += [f"- Requires: {r.spec.requires}"] if r.spec.requires else []
        lines += [f"- Fix: {r.fix}", f"- Knowledge base: `{r.citation}`", f"- Autofix: {'yes' if r.autofix else 'no'}"]
        lines.append(f"- Checked by: `{r.run.__module__}.{r.run.__qualname__}`".replace(".<locals>", ""))
        if r.id in FIXES:
            lines.append(f"- Repaired by: `{FIXES[r.id].__module__}.{FIXES[r.id].__qualname__}`")
        if r.spec.tags:
            lines.append(f"- Tags: {', '.join(r.spec.tags)}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_rules_markdown(), end="")

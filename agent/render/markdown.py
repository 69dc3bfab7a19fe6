"""The architecture as Markdown, with its Mermaid diagram.

Every text that comes from a request, a model or someone's document goes through `md` (or `md_code` inside a code
span): line breaks and control characters become spaces (a newline could end a heading or a table row and open a
code fence), HTML's `<`, `>` and `&` become entities (no `<script>` or `<img onerror>` reaches a renderer) and the
characters that make links, emphasis, code and table cells are escaped (`[x](javascript:...)` stays text).
"""

from __future__ import annotations

import re
from collections import defaultdict

from agent.render.coverage import coverage_lines
from agent.render.diagram import to_mermaid
from agent.schema import Architecture

_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md(value: object) -> str:
    """Any text as inert inline Markdown, safe in a paragraph, a list item, a heading and a table cell."""
    text = " ".join(_BREAKS.sub(" ", str(value)).split())
    text = _SPECIAL.sub(r"\\\1", text)
    return "".join(_HTML.get(ch, ch) for ch in text)


def md_code(value: object) -> str:
    """Text for inside a code span, where backslashes do not escape: no backtick or line break can end it."""
    return " ".join(_BREAKS.sub(" ", str(value)).replace("`", "'").split())


def _cited(citation: str | None) -> str:
    return f"`{md_code(citation)}`" if citation else ""


def to_markdown(arch: Architecture) -> str:
    """A Markdown document: pattern, stack, services, flows, estimate, findings, diagram, citations."""
    lines = [f"# Architecture: {md(arch.request or 'design')}", ""]
    lines += [f"> {md(line.strip())}  " for line in coverage_lines(arch)] + ([""] if arch.coverage else [])
    if arch.pattern:
        lines.append(f"**Pattern:** `{md_code(arch.pattern.id)}` ({arch.pattern.confidence:.0%})  ")
    if arch.cap:
        lines.append(f"**CAP:** {md(arch.cap.choice)}: {md(arch.cap.why)}  ")
    if arch.blocks:
        blocks = ", ".join(f"`{md_code(b.id)}` ({b.confidence:.0%})" for b in arch.blocks)
        lines.append(f"**Building blocks:** {blocks}  ")
    if arch.traits:
        lines.append(f"**Traits:** {md(', '.join(arch.traits))}")
    lines += _requirements(arch)
    lines += ["", "## Diagram", "", "```mermaid", to_mermaid(arch).rstrip(), "```", "", "## Stack", "",
              "| category | technology | why | source |", "|---|---|---|---|"]  # fmt: skip
    grouped = defaultdict(list)
    for component in arch.components:
        grouped[component.category or "other"].append(component)
    for category, components in grouped.items():
        for c in components:
            cited = ", ".join(f"`{md_code(x)}`" for x in c.citations)
            lines.append(f"| {md(category)} | {md(c.name)} | {md(c.purpose)} | {cited} |")
    lines += ["", f"## Services ({len(arch.services)})", "", "| service | responsibility | data |", "|---|---|---|"]
    lines += [f"| {md(s.name)} | {md(s.responsibility)} | {md(', '.join(s.data_stores))} |" for s in arch.services]
    for flow in arch.flows:
        lines += ["", f"## Flow: {md(flow.name)}", ""] + [f"{n}. {md(step)}" for n, step in enumerate(flow.steps, 1)]
    lines += _decisions(arch)
    if arch.estimate:
        e = arch.estimate
        summary = (f"{md(e.tier)} tier, {e.hours[0]:,}-{e.hours[1]:,} hours (likely {e.likely or '-'}, "
                   f"PERT {e.pert or '-'}); multipliers x{e.factor} ({md(e.combination)})")  # fmt: skip
        lines += ["", "## Estimate", "", summary, ""]
        lines += [f"- x{m.value} {md(m.why)} ({md(', '.join(m.triggers[:3]))})" for m in e.multipliers]
    lines += ["", "## Findings", ""]
    lines += [f"- **{md(f.severity)}** {md(f.rule_id)}: {md(f.message)} (fix: {md(f.fix)})"
              for f in arch.findings] or ["None."]  # fmt: skip
    if arch.questions:
        lines += ["", "## Open questions", ""]
        lines += [f"- **{md(q.question)}** Assumed: {md(q.default)}. Why it matters: {md(q.why)} "
                  f"(`--set {md_code(q.key)}=...`)" for q in arch.questions]  # fmt: skip
    if arch.citations:
        lines += ["", "## Citations", "", ", ".join(f"`{md_code(c)}`" for c in arch.citations)]
    return "\n".join(lines) + "\n"


def _requirements(arch: Architecture) -> list[str]:
    found = arch.requirements
    if found is None:
        return []
    lines = ["", "## Requirements", ""]
    lines += [
        f"- Scale: {f.value:,.0f} {md(f.unit)} ({md(f.source)}{': ' + md(repr(f.text)) if f.text else ''})"
        for f in found.scale
    ]
    lines += [f"- {md(n.name.capitalize())}: {md(n.target)} ({md(n.source)})" for n in found.non_functional]
    lines += [f"- {md(c.name.capitalize())}: {md(c.value)} ({md(c.source)})" for c in found.constraints]
    lines += [f"- Must: {md(item)}" for item in found.functional]
    return lines if len(lines) > 3 else [*lines, "- None stated: the design rests on defaults."]


def _failure_modes(arch: Architecture) -> list[str]:
    if not arch.failure_modes:
        return []
    lines = [
        "",
        "## Failure modes",
        "",
        "| component | failure | impact | mitigation | source |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {md(f.component)} | {md(f.failure)} | {md(f.impact)} | {md(f.mitigation)} | {_cited(f.citation)} |"
        for f in arch.failure_modes
    ]
    return lines


def _decisions(arch: Architecture) -> list[str]:
    lines: list[str] = []
    if arch.tradeoffs:
        lines += ["", "## Trade-offs", "", "| decision | chosen | over | why | source |", "|---|---|---|---|---|"]
        lines += [f"| {md(tr.decision)} | {md(tr.chosen)} | {md(', '.join(tr.alternatives))} | {md(tr.why)} "
                  f"| {_cited(tr.citation)} |" for tr in arch.tradeoffs]  # fmt: skip
    lines += _failure_modes(arch)
    if arch.capacity:
        lines += ["", "## Capacity", "", "| figure | value | formula |", "|---|---|---|"]
        lines += [f"| {md(f.name)} | {f.value:,.1f} {md(f.unit)} | {md(f.formula)} |" for f in arch.capacity]
    if arch.assumptions:
        lines += ["", "## Assumptions", ""]
        for a in arch.assumptions:
            cited = f", `{md_code(a.citation)}`" if a.citation else ""
            lines.append(f"- {md(a.name)}: {md(a.value)} ({md(a.source)}{cited})")
    return lines

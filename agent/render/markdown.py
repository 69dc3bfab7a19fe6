"""The architecture as Markdown, with its Mermaid diagram."""

from __future__ import annotations

from collections import defaultdict

from agent.render.coverage import coverage_lines
from agent.render.diagram import to_mermaid
from agent.schema import Architecture


def to_markdown(arch: Architecture) -> str:
    """A Markdown document: pattern, stack, services, flows, estimate, findings, diagram, citations."""
    lines = [f"# Architecture: {arch.request or 'design'}", ""]
    lines += [f"> {line.strip()}  " for line in coverage_lines(arch)] + ([""] if arch.coverage else [])
    if arch.pattern:
        lines.append(f"**Pattern:** `{arch.pattern.id}` ({arch.pattern.confidence:.0%})  ")
    if arch.cap:
        lines.append(f"**CAP:** {arch.cap.choice}: {arch.cap.why}  ")
    if arch.blocks:
        lines.append("**Building blocks:** " + ", ".join(f"`{b.id}` ({b.confidence:.0%})" for b in arch.blocks) + "  ")
    if arch.traits:
        lines.append(f"**Traits:** {', '.join(arch.traits)}")
    lines += _requirements(arch)
    lines += ["", "## Diagram", "", "```mermaid", to_mermaid(arch).rstrip(), "```", "", "## Stack", "",
              "| category | technology | why | source |", "|---|---|---|---|"]  # fmt: skip
    grouped = defaultdict(list)
    for component in arch.components:
        grouped[component.category or "other"].append(component)
    for category, components in grouped.items():
        for c in components:
            lines.append(f"| {category} | {c.name} | {c.purpose} | {', '.join(f'`{x}`' for x in c.citations)} |")
    lines += ["", f"## Services ({len(arch.services)})", "", "| service | responsibility | data |", "|---|---|---|"]
    lines += [f"| {s.name} | {s.responsibility} | {', '.join(s.data_stores)} |" for s in arch.services]
    for flow in arch.flows:
        lines += ["", f"## Flow: {flow.name}", ""] + [f"{n}. {step}" for n, step in enumerate(flow.steps, 1)]
    lines += _decisions(arch)
    if arch.estimate:
        e = arch.estimate
        summary = (f"{e.tier} tier, {e.hours[0]:,}-{e.hours[1]:,} hours (likely {e.likely or '-'}, "
                   f"PERT {e.pert or '-'}); multipliers x{e.factor} ({e.combination})")  # fmt: skip
        lines += ["", "## Estimate", "", summary, ""]
        lines += [f"- x{m.value} {m.why} ({', '.join(m.triggers[:3])})" for m in e.multipliers]
    lines += ["", "## Findings", ""]
    lines += [f"- **{f.severity}** {f.rule_id}: {f.message} (fix: {f.fix})" for f in arch.findings] or ["None."]
    if arch.questions:
        lines += ["", "## Open questions", ""]
        lines += [f"- **{q.question}** Assumed: {q.default}. Why it matters: {q.why} (`--set {q.key}=...`)"
                  for q in arch.questions]  # fmt: skip
    if arch.citations:
        lines += ["", "## Citations", "", ", ".join(f"`{c}`" for c in arch.citations)]
    return "\n".join(lines) + "\n"


def _requirements(arch: Architecture) -> list[str]:
    found = arch.requirements
    if found is None:
        return []
    lines = ["", "## Requirements", ""]
    lines += [
        f"- Scale: {f.value:,.0f} {f.unit} ({f.source}{': ' + repr(f.text) if f.text else ''})" for f in found.scale
    ]
    lines += [f"- {n.name.capitalize()}: {n.target} ({n.source})" for n in found.non_functional]
    lines += [f"- {c.name.capitalize()}: {c.value} ({c.source})" for c in found.constraints]
    lines += [f"- Must: {item}" for item in found.functional]
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
        f"| {f.component} | {f.failure} | {f.impact} | {f.mitigation} | `{f.citation}` |" for f in arch.failure_modes
    ]
    return lines


def _decisions(arch: Architecture) -> list[str]:
    lines: list[str] = []
    if arch.tradeoffs:
        lines += ["", "## Trade-offs", "", "| decision | chosen | over | why | source |", "|---|---|---|---|---|"]
        lines += [f"| {tr.decision} | {tr.chosen} | {', '.join(tr.alternatives)} | {tr.why} | `{tr.citation}` |"
                  for tr in arch.tradeoffs]  # fmt: skip
    lines += _failure_modes(arch)
    if arch.capacity:
        lines += ["", "## Capacity", "", "| figure | value | formula |", "|---|---|---|"]
        lines += [f"| {f.name} | {f.value:,.1f} {f.unit} | {f.formula} |" for f in arch.capacity]
    if arch.assumptions:
        lines += ["", "## Assumptions", ""]
        lines += [f"- {a.name}: {a.value} ({a.source}{', `' + a.citation + '`' if a.citation else ''})"
                  for a in arch.assumptions]  # fmt: skip
    return lines

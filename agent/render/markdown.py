"""The architecture as Markdown, with its Mermaid diagram."""

from __future__ import annotations

from collections import defaultdict

from agent.render.diagram import to_mermaid
from agent.schema import Architecture


def to_markdown(arch: Architecture) -> str:
    """A Markdown document: pattern, stack, services, flows, estimate, findings, diagram, citations."""
    lines = [f"# Architecture: {arch.request or 'design'}", ""]
    if arch.pattern:
        lines.append(f"**Pattern:** `{arch.pattern.id}` ({arch.pattern.confidence:.0%})  ")
    if arch.cap:
        lines.append(f"**CAP:** {arch.cap.choice}: {arch.cap.why}  ")
    if arch.traits:
        lines.append(f"**Traits:** {', '.join(arch.traits)}")
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
    if arch.estimate:
        e = arch.estimate
        summary = (f"{e.tier} tier, {e.hours[0]:,}-{e.hours[1]:,} hours (likely {e.likely or '-'}, "
                   f"PERT {e.pert or '-'}); multipliers x{e.factor} ({e.combination})")  # fmt: skip
        lines += ["", "## Estimate", "", summary, ""]
        lines += [f"- x{m.value} {m.why} ({', '.join(m.triggers[:3])})" for m in e.multipliers]
    lines += ["", "## Findings", ""]
    lines += [f"- **{f.severity}** {f.rule_id}: {f.message} (fix: {f.fix})" for f in arch.findings] or ["None."]
    if arch.citations:
        lines += ["", "## Citations", "", ", ".join(f"`{c}`" for c in arch.citations)]
    return "\n".join(lines) + "\n"

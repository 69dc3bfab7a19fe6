"""The terminal rendering: header, stack by category, services, flows, estimate table, coloured findings."""

from __future__ import annotations

from collections import defaultdict

from rich.markup import escape

from agent.render.coverage import coverage_lines
from agent.render.text import render_requirements
from agent.schema import Architecture, Estimate

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def print_architecture(arch: Architecture, console) -> None:  # console: rich.console.Console
    """Print `arch` with rich: colours when the terminal has them (NO_COLOR is honoured by rich)."""
    _header(arch, console)
    _stack(arch, console)
    _services(arch, console)
    _decisions(arch, console)
    if arch.estimate:
        _estimate(arch.estimate, console)
    _findings(arch, console)
    _questions(arch, console)


def _header(arch: Architecture, console) -> None:
    from rich.panel import Panel

    title = f"[bold]{arch.pattern.id}[/] {arch.pattern.confidence:.0%}" if arch.pattern else "design"
    lines = [escape(line) for line in coverage_lines(arch)] + [arch.request or ""]
    if arch.pattern and arch.pattern.alternatives:
        lines.append("runners-up: " + ", ".join(f"{a.id} {a.confidence:.0%}" for a in arch.pattern.alternatives))
    if arch.pattern and arch.pattern.id == "other":
        lines.append("[italic]Outside the five known patterns: designed from the general principles[/]")
    if arch.traits:
        lines.append("traits: " + ", ".join(arch.traits))
    if arch.cap:
        lines.append(f"CAP: {arch.cap.choice} — {arch.cap.why}")
    lines += [escape(line) for line in render_requirements(arch)]
    console.print(Panel("\n".join(lines), title=title, title_align="left"))


def _stack(arch: Architecture, console) -> None:
    from rich.table import Table

    stack = Table(title="Stack", show_lines=False, expand=True)
    for column in ("category", "technology", "why"):
        stack.add_column(column)
    grouped = defaultdict(list)
    for component in arch.components:
        grouped[component.category or "other"].append(component)
    for category, components in grouped.items():
        for n, c in enumerate(components):
            stack.add_row(category.replace("_", " ") if n == 0 else "", f"[bold]{c.name}[/]", c.purpose)
    console.print(stack)


def _services(arch: Architecture, console) -> None:
    from rich.table import Table

    services = Table(title=f"Services ({len(arch.services)})", expand=True)
    for column in ("service", "responsibility", "data"):
        services.add_column(column)
    for s in arch.services:
        services.add_row(s.name, s.responsibility, ", ".join(s.data_stores))
    console.print(services)
    for flow in arch.flows:
        console.print(f"[bold]Flow: {flow.name}[/]")
        for n, step in enumerate(flow.steps, 1):
            console.print(f"  {n}. {step}")


def _estimate(e: Estimate, console) -> None:
    from rich.table import Table

    table = Table(title=f"Estimate: {e.tier} tier, {e.hours[0]:,}-{e.hours[1]:,} hours", expand=False)
    for column in ("", "value", "why"):
        table.add_column(column)
    table.add_row("base hours", f"{e.base_hours[0]:,}-{e.base_hours[1]:,}", e.tier)
    for m in e.multipliers:
        table.add_row(f"x {m.value}", m.factor, f"{m.why} [{', '.join(m.triggers[:2])}]")
    table.add_row("combined", f"x {e.factor}", e.combination)
    if e.pert:
        table.add_row("low/likely/high", f"{e.low:,} / {e.likely:,} / {e.high:,}", f"PERT {e.pert:,}")
    console.print(table)
    if e.per_service:
        widest = max(effort.pert for effort in e.per_service) or 1
        for effort in e.per_service:
            bar = "█" * max(1, round(30 * effort.pert / widest))
            console.print(f"  {effort.service:<26} [blue]{bar:<30}[/] {effort.pert:>6,} h")


def _findings(arch: Architecture, console) -> None:
    if arch.findings:
        console.print("[bold]Findings[/]")
        for f in arch.findings:
            console.print(f"  [{SEVERITY_STYLE[f.severity]}]{f.severity.upper():7} {f.rule_id}[/] {f.message}")
    else:
        console.print("[green]Findings: none[/]")
    if arch.citations:
        console.print(f"[dim]Citations: {', '.join(arch.citations)}[/]")


def _decisions(arch: Architecture, console) -> None:
    from rich.table import Table

    if arch.tradeoffs:
        table = Table(title="Trade-offs", expand=True)
        for column in ("decision", "chosen", "over", "why"):
            table.add_column(column)
        for tr in arch.tradeoffs:
            table.add_row(tr.decision, f"[bold]{escape(tr.chosen)}[/]", ", ".join(tr.alternatives), tr.why)
        console.print(table)
    if arch.capacity:
        table = Table(title="Capacity (key figures)", expand=False)
        for column in ("figure", "value"):
            table.add_column(column)
        for figure in arch.capacity[:6]:
            table.add_row(figure.name, f"{figure.value:,.1f} {figure.unit}")
        console.print(table)


def _questions(arch: Architecture, console) -> None:
    if arch.questions:
        console.print("[bold]Open questions[/] (answer with: ask ... --set KEY=VALUE)")
        for q in arch.questions:
            console.print(f"  [cyan]{q.key}[/]  {escape(q.question)} [dim](assumed: {escape(q.default)})[/]")

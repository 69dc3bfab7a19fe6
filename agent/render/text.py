"""Plain-text renderings: what `ask`, `check` and `estimate` print by default."""

from __future__ import annotations

from collections import defaultdict

from agent.render.coverage import coverage_lines
from agent.schema import Architecture, Assumption, Audit, CapacityFigure, CheckReport, Estimate, Finding


def _pct(value: float) -> str:
    return f"{value:.0%}"


def render_estimate(plan: Estimate) -> list[str]:
    lines = [
        f"Estimate: {plan.tier} tier, {plan.hours[0]:,}-{plan.hours[1]:,} hours "
        f"({plan.services_band[0]}-{plan.services_band[1]} services)",
        f"  base hours  {plan.base_hours[0]:,}-{plan.base_hours[1]:,}",
    ]
    for multiplier in plan.multipliers:
        trigger = ", ".join(multiplier.triggers[:3])
        lines.append(f"  x {multiplier.value:<5} {multiplier.why} [{trigger}]")
    lines.append(f"  = x {plan.factor} combined ({plan.combination})")
    if plan.likely is not None:
        lines.append(f"  low {plan.low:,} / likely {plan.likely:,} / high {plan.high:,} hours; PERT mean {plan.pert:,}")
    if plan.weeks:
        lines.append(f"  {plan.team} engineers: {plan.weeks[0]:g}-{plan.weeks[1]:g} weeks")
    return lines


def render_sizing(plan: Estimate, capacity: list[CapacityFigure], assumptions: list[Assumption]) -> str:
    """The estimate with hours per service (a bar each), capacity with formulas, and the assumptions."""
    lines = render_estimate(plan)
    if plan.per_service:
        widest = max(s.pert for s in plan.per_service) or 1
        lines.append("\nHours per service (PERT mean; low-high):")
        for effort in plan.per_service:
            bar = "#" * max(1, round(24 * effort.pert / widest))
            lines.append(f"  {effort.service:<26} {bar:<24} {effort.pert:>6,}  ({effort.low:,}-{effort.high:,})")
    if capacity:
        lines.append("\nCapacity:")
        for figure in capacity:
            lines.append(f"  {figure.name:<38} {figure.value:>16,.1f} {figure.unit:<10} = {figure.formula}")
    if assumptions:
        lines.append("\nAssumptions:")
        for item in assumptions:
            where = f"{item.source}: {item.citation}" if item.citation else item.source
            lines.append(f"  {item.name:<20} {item.value:<18} ({where})")
    return "\n".join(lines)


def render_findings(findings: list[Finding]) -> list[str]:
    if not findings:
        return ["Findings: none"]
    lines = ["Findings:"]
    for finding in findings:
        subject = f" ({finding.subject})" if finding.subject else ""
        lines.append(f"  {finding.severity.upper():7} {finding.rule_id}{subject}: {finding.message}")
        if finding.severity != "info":
            lines.append(f"          fix: {finding.fix}  [{finding.citation}]")
    return lines


def _header(arch: Architecture) -> list[str]:
    lines: list[str] = coverage_lines(arch)
    if arch.pattern:
        others = ", ".join(f"{a.id} {_pct(a.confidence)}" for a in arch.pattern.alternatives)
        evidence = f" from {', '.join(repr(e) for e in arch.pattern.evidence)}" if arch.pattern.evidence else ""
        lines.append(f"Pattern: {arch.pattern.id} ({_pct(arch.pattern.confidence)}{evidence})")
        if others:
            lines.append(f"  runners-up: {others}")
        if arch.pattern.id == "other" and arch.blocks:
            lines.append("  Outside the five applications: composed of the building blocks below")
        elif arch.pattern.id == "other":
            lines.append("  Outside the five known patterns: designed from the knowledge base's general principles, "
                         "with lower confidence")  # fmt: skip
    if arch.blocks:
        lines.append("Building blocks: " + ", ".join(f"{b.id} ({_pct(b.confidence)})" for b in arch.blocks))
    if arch.traits:
        lines.append(f"Traits: {', '.join(arch.traits)}")
    if arch.cap:
        lines.append(f"CAP: {arch.cap.choice}: {arch.cap.why}")
    return lines + render_requirements(arch)


def render_architecture(arch: Architecture, answer_hint: str = "ask ... --set KEY=VALUE") -> str:
    """The architecture as a readable page of plain text."""
    lines = _header(arch)
    by_category: dict[str, list] = defaultdict(list)
    for component in arch.components:
        by_category[component.category or "other"].append(component)
    lines.append("\nStack:")
    for category, components in by_category.items():
        lines.append(f"  {category.replace('_', ' ')}:")
        for component in components:
            cites = ", ".join(component.citations)
            lines.append(f"    {component.name:<22} {component.purpose}  [{cites}]")
    lines.append(f"\nServices ({len(arch.services)}):")
    for service in arch.services:
        stores = f"  (data: {', '.join(service.data_stores)})" if service.data_stores else ""
        lines.append(f"  {service.name:<26} {service.responsibility}{stores}")
    for flow in arch.flows:
        lines.append(f"\nFlow: {flow.name}")
        lines += [f"  {n}. {step}" for n, step in enumerate(flow.steps, start=1)]
    if arch.scaling:
        lines.append("\nScaling:")
        lines += [f"  - {note}" for note in arch.scaling]
    if arch.tradeoffs:
        lines.append("\nTrade-offs:")
        lines += [f"  {tr.decision}: {tr.chosen} (over {', '.join(tr.alternatives) or '-'}) - {tr.why}  [{tr.citation}]"
                  for tr in arch.tradeoffs]  # fmt: skip
    if arch.failure_modes:
        lines.append("\nFailure modes:")
        lines += [
            f"  {f.component}: {f.failure} -> {f.impact}; {f.mitigation}  [{f.citation}]" for f in arch.failure_modes
        ]
    if arch.capacity:
        lines.append("\nCapacity (key figures; --json or estimate for all, with formulas):")
        lines += [f"  {f.name:<40} {f.value:>14,.1f} {f.unit}" for f in arch.capacity[:6]]
    if arch.estimate:
        lines.append("")
        lines += render_estimate(arch.estimate)
    lines.append("")
    lines += render_findings(arch.findings)
    if arch.changes:
        lines.append("Repaired:")
        lines += [f"  {change.rule_id} {change.action}: {change.detail}" for change in arch.changes]
    if arch.citations:
        lines.append(f"\nCitations: {', '.join(arch.citations)}")
    lines += render_questions(arch, answer_hint)
    return "\n".join(lines)


def render_requirements(arch: Architecture) -> list[str]:
    """What the request stated, compactly: scale, qualities and constraints, each with where it came from."""
    found = arch.requirements
    if found is None:
        return []
    stated = [f"{f.value:,.0f} {f.unit}" for f in found.scale]
    stated += [f"{n.name} {n.target}" for n in found.non_functional if n.source != "knowledge base"]
    stated += [f"{c.name}: {c.value}" for c in found.constraints]
    if not stated:
        return ["Requirements: none stated; the design rests on defaults (see the questions at the end)"]
    return ["Requirements: " + "; ".join(stated)]


def render_questions(arch: Architecture, how: str = "ask ... --set KEY=VALUE") -> list[str]:
    """The open questions, each with the default the design assumed and how to answer it."""
    if not arch.questions:
        return []
    lines = [f"\nOpen questions (answer with: {how}):"]
    for q in arch.questions:
        lines.append(f"  [{q.key}] {q.question}")
        lines.append(f"        assumed: {q.default}; why it matters: {q.why}")
    return lines


def render_report(report: CheckReport) -> str:
    """A check report as plain text."""
    verdict = "passed" if report.passed else "failed"
    lines = [
        f"Check {verdict}: {report.errors} error(s), {report.warnings} warning(s) "
        f"(pattern {report.pattern.id} {_pct(report.pattern.confidence)}, {report.tier} tier)",
        *render_findings(report.findings),
    ]
    if report.suppressed:
        lines.append("Waived:")
        for item in report.suppressed:
            finding = item.finding
            lines.append(f"  {finding.rule_id} ({finding.subject or '-'}): {finding.message} — {item.reason} "
                         f"(until {item.expires.isoformat()})")  # fmt: skip
    lines += [f"Notice: {notice}" for notice in report.notices]
    if report.repaired is not None:
        lines.append("\nChanges:")
        lines += [f"  {c.rule_id} {c.action}: {c.detail}" for c in report.changes] or ["  none"]
    return "\n".join(lines)


def render_audit(audit: Audit) -> str:
    """Who drafted, how long it took, and who fixed what."""
    if audit.fallback:
        return f"Audit: the {audit.drafter} drafter failed ({audit.error}); the offline kb drafter answered."
    by = {"model": 0, "engine": 0, "unresolved": 0}
    for resolution in audit.repairs:
        by[resolution.by] += 1
    lines = [
        f"Audit: {audit.drafter} ({audit.model}), {audit.rounds} repair round(s), {audit.tokens} tokens, "
        f"{audit.seconds:.1f} s",
        f"  first draft: {len(audit.repairs)} problem(s); fixed by the model {by['model']}, "
        f"by the engine {by['engine']}, left {by['unresolved']}",
    ]
    if audit.pattern_corrected:
        lines.append(f"  the model said {audit.raw_pattern!r}; the engine corrected the pattern")
    if audit.dropped:
        lines.append(f"  dropped model output that is not a technology: {', '.join(audit.dropped[:5])}")
    return "\n".join(lines)

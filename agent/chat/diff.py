"""What a turn changed in the design, as lines a person reads: parts, services, requirements, hours, and the
reason for the changes the user did not name."""

from __future__ import annotations

from agent.requirements.extract import extract
from agent.requirements.reading import read_requirements, scope_signals
from agent.schema import Architecture


def diff(before: Architecture, after: Architecture) -> str:
    """What changed: components, services, pattern, stated requirements and hours; then the check's summary."""
    lines = []
    old_c, new_c = {c.name for c in before.components}, {c.name for c in after.components}
    old_s, new_s = {s.name for s in before.services}, {s.name for s in after.services}
    if before.pattern and after.pattern and before.pattern.id != after.pattern.id:
        lines.append(f"pattern: {before.pattern.id} -> {after.pattern.id}")
    lines += [f"+ {name}" for name in sorted(new_c - old_c)] + [f"- {name}" for name in sorted(old_c - new_c)]
    lines += [f"+ service {name}" for name in sorted(new_s - old_s)]
    lines += [f"- service {name}" for name in sorted(old_s - new_s)]
    lines += _requirement_changes(before, after)
    lines += _decision_changes(before, after)
    if before.estimate and after.estimate and before.estimate.hours != after.estimate.hours:
        b, a = before.estimate, after.estimate
        lines.append(f"hours: {b.hours[0]:,}-{b.hours[1]:,} -> {a.hours[0]:,}-{a.hours[1]:,} ({a.tier} tier)")
    errors = sum(f.severity == "error" for f in after.findings)
    services = f"{len(after.services)} service" + ("" if len(after.services) == 1 else "s")
    lines.append(f"checked: {errors} error(s), {services}, {len(after.components)} components")
    return "\n".join(lines) if len(lines) > 1 else "No change to the design.\n" + lines[-1]


def _decision_changes(before: Architecture, after: Architecture) -> list[str]:
    """The trade-offs and scaling notes a turn brought, each with its reason and source: what a statement such as
    "99.99% availability" or "it has to be HIPAA compliant" changed in the design beyond its parts."""
    old = {(t.decision, t.chosen) for t in before.tradeoffs}
    lines = []
    for tradeoff in after.tradeoffs:
        if (tradeoff.decision, tradeoff.chosen) not in old:
            cite = f" [{tradeoff.citation}]" if tradeoff.citation else ""
            why = f"; {tradeoff.why}" if tradeoff.why else ""
            lines.append(f"+ decision: {tradeoff.decision}: {tradeoff.chosen}{why}{cite}")
    noted = set(before.scaling)
    lines += [f"+ scaling: {note}" for note in after.scaling if note not in noted]
    return lines


def _requirement_changes(before: Architecture, after: Architecture) -> list[str]:
    """Stated requirements that appeared, and the first capacity figure when it moved."""

    def stated(design: Architecture) -> set[str]:
        found = design.requirements
        if found is None:
            return set()
        return {f"{f.value:,.0f} {f.unit}" for f in found.scale} | {f"{c.name}: {c.value}" for c in found.constraints}

    lines = [f"requirement: {item}" for item in sorted(stated(after) - stated(before))]
    if before.capacity and after.capacity and before.capacity[0] != after.capacity[0]:
        old, new = before.capacity[0], after.capacity[0]
        lines.append(f"{new.name}: {old.value:,.1f} -> {new.value:,.1f} {new.unit}")
    return lines


def resized(before: Architecture, after: Architecture, statements: list[str], every: list[str]) -> list[str]:
    """Why a design re-sized for new `statements` (`every` statement so far) changed beyond what they name: what was
    read, and the tier."""
    read = []
    for statement in statements:
        found = extract(statement, source="answer")
        read += [f"{f.value:,.0f} {f.unit}" for f in found.scale] + [f"{c.name} {c.value}" for c in found.constraints]
        read += [f"{n.name} {n.target}" for n in found.non_functional]
    lines = [f"Read from what you said: {', '.join(dict.fromkeys(read))}."] if read else []
    b, a = before.estimate, after.estimate
    if b is None or a is None or b.tier == a.tier:
        return lines
    request = after.request or ""
    found = read_requirements(request, None, every)
    small, enterprise, large = scope_signals(found, request)
    why = ", ".join(enterprise or (small if a.tier == "low" else large)) or "the stated load"
    cite = f" [{a.citations[0]}]" if a.citations else ""
    low, high = a.services_band
    lines.append(f"Every other change follows from the tier: {b.tier} -> {a.tier} ({why}); a {a.tier}-tier design "
                 f"keeps {low}-{high} services and only the parts they use{cite}.")  # fmt: skip
    return lines

"""The required components of each application pattern (SD020) and each building block (SD060)."""

from __future__ import annotations

from collections.abc import Iterator

from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check
from agent.schema import Severity


@check("SD020")
def pattern_components(context: CheckContext) -> Iterator[Violation]:
    spec = context.knowledge.patterns.get(context.pattern.id)
    if spec is None:
        return
    severity: Severity = "error" if context.tier in ("high", "enterprise") else "warning"
    for requirement in spec.required:
        if not context.has(*requirement.any_of):
            names = " or ".join(requirement.any_of)
            yield Violation(f"{spec.name.lower()} without {names}: {requirement.why}", subject=requirement.any_of[0],
                            severity=severity, add=(requirement.any_of[0],))  # fmt: skip


@check("SD060")
def block_components(context: CheckContext) -> Iterator[Violation]:
    for block in context.blocks:
        for requirement in block.required:
            if not context.has(*requirement.any_of):
                names = " or ".join(requirement.any_of)
                first = requirement.any_of[0]
                yield Violation(f"{block.name.lower()} without {names}: {requirement.why}", subject=first, add=(first,))

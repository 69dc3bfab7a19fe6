"""The required components of each application pattern (SD020) and each building block (SD060), and the
building blocks' common mistakes (SD061)."""

from __future__ import annotations

from collections.abc import Iterator

from agent.rules.builtin.common import NEGATED, on_lowered, sentences_with
from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check, fix
from agent.schema import Architecture, Change, Severity


@check("SD020")
def pattern_components(context: CheckContext) -> Iterator[Violation]:
    spec = context.knowledge.patterns.get(context.pattern.id)
    if spec is None:
        return
    # an inferred type's stack is advice; a declared one's is the author's own claim
    severity: Severity = "error" if context.tier in ("high", "enterprise") and context.pattern_claimed else "warning"
    request = context.document.request or ""
    for requirement in spec.required:
        if not requirement.asked_for(request):
            continue  # a feature the request does not ask for (end-to-end encryption in a team chat)
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


@check("SD061")
def block_mistakes(context: CheckContext) -> Iterator[Violation]:
    for block in context.blocks:
        for mistake in block.mistakes:
            test = on_lowered(mistake.regex)
            if mistake.lacks is not None:
                found = not test.search(context.text)
            else:  # stated in a sentence that does not say it is not done
                found = any(not NEGATED.search(s) for s in sentences_with(context.text, test))
            if found:
                yield Violation(f"{block.name.lower()}: {mistake.mistake}", severity=mistake.severity,
                                citation=mistake.cite, fix=mistake.fix, subject=block.id)  # fmt: skip


@fix("SD061")
def state_the_remedy(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    """The remedy of a missing mechanism becomes a design note; a mistake stated in the text stays for a person."""
    changes = []
    for block in context.blocks:
        for mistake in block.mistakes:
            asked = any(v.fix == mistake.fix for v in found)
            if mistake.lacks is not None and asked and mistake.fix not in doc.scaling:
                doc.scaling.append(mistake.fix)
                changes.append(Change(rule_id="SD061", action="annotate", detail=f"{block.name}: {mistake.fix}"))
    return changes

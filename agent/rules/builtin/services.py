"""The Microservice Count Guidelines (SD010, SD011): each check with its fix."""

from __future__ import annotations

from collections.abc import Iterator

from agent.rules.builtin.common import focused
from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check, fix
from agent.rules.roles import service_key
from agent.schema import Architecture, Change, Service, Severity


@check("SD010")
def too_few_services(context: CheckContext) -> Iterator[Violation]:
    if "monolith" in context.text:
        return  # a monolith is a choice the document made, not a missing service
    low, high = context.band
    if 0 < context.service_count < low or (context.service_count == 0 and context.tier != "low"):
        what = context.pattern.id.replace("_", " ")
        # an error for a whole application (declared, or asked for by name); a design read as one may be its
        # core only, so there the count is a question for the author
        claimed = context.pattern.id != "other" and context.pattern_claimed
        severity: Severity | None = "error" if claimed else "info" if focused(context) else None
        yield Violation(f"{context.service_count} service(s) for a {context.tier}-tier {what} design; "
                        f"the guideline is {low}-{high}", severity=severity)  # fmt: skip


def _catalogue(context: CheckContext) -> list[Service]:
    knowledge = context.knowledge
    if context.blocks and context.pattern.id == "other":  # the blocks' own services, never generic filler
        items = [s for block in context.blocks for s in block.services]
        return [s.build() for s in items]
    spec = knowledge.patterns.get(context.pattern.id)
    generic = knowledge.general.generic_services
    items = [*spec.services, *generic.extra] if spec else [*generic.always, *generic.by_trait.values(), *generic.extra]
    return [s.build() for s in items]


@fix("SD010")
def fill_services(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    low = context.band[0]
    knowledge = context.knowledge
    present = {service_key(s.name, knowledge) for s in doc.services}
    changes = []
    for service in _catalogue(context):
        if len(doc.services) >= low:
            break
        if service_key(service.name, knowledge) not in present:
            doc.services.append(service)
            present.add(service_key(service.name, knowledge))
            changes.append(Change(rule_id="SD010", action="add_service", detail=f"added {service.name}"))
    return changes


@check("SD011")
def too_many_services(context: CheckContext) -> Iterator[Violation]:
    low, high = context.band
    if context.service_count > high:
        severity: Severity = "error" if context.tier == "low" else "warning"
        yield Violation(f"{context.service_count} services for a {context.tier}-tier design; the guideline is "
                        f"{low}-{high} (over-engineering)", severity=severity)  # fmt: skip


@fix("SD011")
def merge_services(doc: Architecture, context: CheckContext, found: list[Violation]) -> list[Change]:
    if context.tier == "low":
        modules = ", ".join(s.name for s in doc.services)
        stores = sorted({store for s in doc.services for store in s.data_stores})
        doc.services = [Service(name="Web App", responsibility=f"modular monolith: {modules}", data_stores=stores)]
        return [Change(rule_id="SD011", action="merge_services", detail=f"merged into one modular monolith: {modules}")]
    # above the low tier the count is a guideline, not a quota: which services to merge is the team's call, and a
    # catch-all "Platform Service" would be filler of its own; the warning stays for the user to accept
    return []

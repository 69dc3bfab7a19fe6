"""Consistency and input hygiene (SD040, SD041, SD050, SD051)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from agent.rules.builtin.common import sentences
from agent.rules.context import CONTEXT_APPLICATION, CheckContext
from agent.rules.registry import Violation, check
from agent.rules.roles import roles_in_text
from agent.schema import TIERS
from agent.sizing.estimation import combine


@check("SD040")
def estimate_consistency(context: CheckContext) -> Iterator[Violation]:
    plan = context.document.estimate
    if plan is None:
        yield Violation("the document has no complexity estimate", severity="info")
        return
    tier = context.knowledge.estimation.tiers[plan.tier]
    if tuple(plan.base_hours) != tier.hours:
        yield Violation(f"base hours {list(plan.base_hours)} differ from the {plan.tier} tier's {list(tier.hours)}")
    values = [m.value for m in plan.multipliers]
    # the engine's own combination, a plain product, or the factor the document states: any is coherent
    factors = {combine(values), math.prod(values), plan.factor}

    def matches(factor: float) -> bool:
        expected = (plan.base_hours[0] * factor, plan.base_hours[1] * factor)
        return all(abs(h - e) <= max(10.0, 0.02 * e) for h, e in zip(plan.hours, expected, strict=True))

    if not any(matches(f) for f in factors):
        yield Violation(f"hours {list(plan.hours)} are not base hours times the multipliers "
                        f"({combine(values):.2f}x combined)")  # fmt: skip
    few = context.service_count and context.service_count < 4 and not context.blocks  # a block may be small
    if TIERS.index(plan.tier) >= TIERS.index("high") and few:
        count = context.service_count
        yield Violation(f"a {plan.tier}-tier estimate for {count} service{'s' if count != 1 else ''}")


@check("SD041")
def under_engineering(context: CheckContext) -> Iterator[Violation]:
    """Judged on the users the document states, never on the scale of the type's famous example (a messaging
    design is not held to WhatsApp's 2 billion users); a stated write load is SD070's."""
    from agent.requirements.extract import extract_once
    from agent.sizing.capacity import stated_daily_users

    if context.has_category("cache") or "cache" in context.roles:
        return
    users = stated_daily_users(extract_once(context.document.request or ""))
    if users is not None and users >= 1_000_000:
        yield Violation(f"{users:,.0f} daily users and no cache in front of the database", subject="cache",
                        add=("Redis",))  # fmt: skip
    elif said := next((s for s in sentences(context.text) if READ_THROUGH.search(s)), None):
        yield Violation(f"every read goes to the database and nothing caches it: {said.strip()[:100]!r}",
                        subject="cache", add=("Redis",))  # fmt: skip


READ_THROUGH = re.compile(
    r"(?:quer\w*|read\w*|rendered|fetch\w*|load\w*|served|hits?)\b[^.;\n]{0,60}\b(?:on|for|with) (?:every|each) "
    r"(?:request|hit|view|page ?view|page load|load|visit|call)|straight (?:from|out of) (?:the )?(?:[\w-]+ )?"
    r"(?:database|db|sql|tables?|mysql|postgres\w*)|fresh (?:[\w-]+ )?queries|directly from (?:the )?(?:[\w-]+ )?"
    r"(?:database|db|mysql|postgres\w*)"
)
"""A read path that says it goes to the database each time ("pages query MySQL on every hit")."""


# ---- Input hygiene ---------------------------------------------------------------------------------------


@check("SD050")
def unknown_technology(context: CheckContext) -> Iterator[Violation]:
    for name in context.unknown:
        roles = sorted(roles_in_text(name, context.knowledge))
        what = ", ".join(role.replace("_", " ") for role in roles)
        read = f"; read as {what}" if roles else "; its role was not recognised"
        yield Violation(f"{name!r} is not in the technology catalogue{read}", subject=name)


@check("SD051")
def pattern_mismatch(context: CheckContext) -> Iterator[Violation]:
    inferred = context.inferred_pattern
    if context.pattern_declared and inferred.id not in ("other", context.pattern.id) and inferred.confidence >= 0.7:
        yield Violation(f"declared {context.pattern.id!r}, but the request and names read as {inferred.id!r} "
                        f"({inferred.confidence:.2f})")  # fmt: skip


@check("SD042")
def plan_fits_the_deadline(context: CheckContext) -> Iterator[Violation]:
    from agent.requirements.extract import extract
    from agent.sizing.estimation import HOURS_PER_ENGINEER_WEEK

    plan, requirements = context.document.estimate, context.document.requirements
    if plan is None or requirements is None:
        return
    stated = {c.name: c.value for c in requirements.constraints}
    if "team" not in stated or "deadline" not in stated:
        return
    team = extract(f"team of {stated['team'].split()[0]}").team or extract(stated["team"]).team
    weeks = extract(f"in {stated['deadline']}").deadline_weeks or extract(stated["deadline"]).deadline_weeks
    likely = plan.likely or (plan.hours[0] + plan.hours[1]) / 2
    if not team or not weeks:
        return
    available = team * weeks * HOURS_PER_ENGINEER_WEEK
    if likely > available:
        yield Violation(f"about {likely:,.0f} hours of work, but {team} engineer(s) x {weeks:g} week(s) x "
                        f"{HOURS_PER_ENGINEER_WEEK} focused hours = {available:,.0f} hours before the deadline "
                        f"({stated['deadline']})", subject="deadline")  # fmt: skip


DATA_CATEGORIES = ("database", "cache", "search", "queue", "storage", "geospatial")


@check("SD052")
def has_service_and_store(context: CheckContext) -> Iterator[Violation]:
    if not context.document.services:
        yield Violation("the design names no service: nothing says what runs", severity="error")
    if not any(context.categories.get(category) for category in ("database", "storage", "cache", "search")):
        stores = {store for service in context.document.services for store in service.data_stores}
        if not stores:
            yield Violation("the design names no data store: nothing says where data lives", severity="error",
                            add=(_usual_store(context),))  # fmt: skip


def _usual_store(context: CheckContext) -> str:
    """The database the design's building blocks or application keep their data in; else Postgres."""
    spec = context.knowledge.patterns.get(context.pattern.id)
    parts = [c for block in context.blocks for c in block.components] + list(spec.components if spec else ())
    return next((c.name for c in parts if c.category == "database"), "Postgres")


@check("SD053")
def catalogue_dump(context: CheckContext) -> Iterator[Violation]:
    canonical = context.knowledge.canonical
    used = {canonical(store) for service in context.document.services for store in service.data_stores}
    unused = [name for category in DATA_CATEGORIES for name in context.categories.get(category, [])
              if canonical(name) not in used]  # fmt: skip
    if len(context.document.components) >= 15 and len(unused) >= 5 and context.document.services:
        yield Violation(f"{len(unused)} data technologies no service uses ({', '.join(unused[:6])}): "
                        "a list of the catalogue rather than a design")  # fmt: skip


@check("SD080")
def not_covered(context: CheckContext) -> Iterator[Violation]:
    """Honest about what it cannot judge: a design no chapter covers is held to general principles only, and the
    report says so instead of "Findings: none"."""
    coverage = context.document.coverage
    if coverage is not None:
        if coverage.status != "covered":
            what = "; ".join(coverage.uncovered) or "what it designs"
            part = "covers only part of this design" if coverage.status == "partial" else "has no chapter for"
            yield Violation(f"the knowledge base {part} {what[:120]!r}: the findings rest on general principles "
                            f"only, not on a chapter's design")  # fmt: skip
        return
    context_app = any(a.confidence >= CONTEXT_APPLICATION for a in context.pattern.alternatives)
    if context.pattern.id == "other" and not context.blocks and not context_app:
        yield Violation("the knowledge base has no chapter for what this document designs (read from its request "
                        "and its services): the findings rest on general principles only")  # fmt: skip

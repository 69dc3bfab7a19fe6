"""What the rules look at: a document with names made canonical, and the pattern, traits and tier it implies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.evidence import is_lent, with_pattern_traits
from agent.knowledge import TIERS, Knowledge, Tier, Trait, normalise_name
from agent.knowledge.models import BlockSpec
from agent.recognition import Reading, designs_a_part, read_text
from agent.rules.roles import category_of_role, roles_in_text, roles_of_name, roles_present
from agent.schema import OTHER, Architecture, PatternAlternative, PatternChoice, PatternId
from agent.sizing.estimation import choose_tier, services_band

PATTERN_RULES_CONFIDENCE = 0.6
CONTEXT_APPLICATION = 0.3
"""How sure an application must be read to be the context a requested part belongs to."""
"""Below this, an application's own rules (its required stack, its service band) are not applied to a document
that does not declare its pattern: a wrong guess would put most of the findings wrong."""


CLONE = re.compile(r"\bclones?\b|\bcopy of\b", re.IGNORECASE)
WHOLE_APP = (
    r"\b(?:like|build|create|make|design|develop)\s+(?:an?\s+)?(?:(?:app|site|platform|service)\s+)?"
    r"(?:like\s+)?(?:{})\b"
)
"""How a request names a whole application ("build an app like Uber") rather than a part of one ("Twitter home
timelines"); {} is the brands the request names."""


def asks_for_whole_app(request: str, pattern: PatternChoice, knowledge: Knowledge) -> bool:
    spec = knowledge.patterns.get(pattern.id)
    brands = [b for b in (spec.brands if spec else ()) if re.search(rf"\b{re.escape(b)}\b", request, re.IGNORECASE)]
    if not brands:
        return False
    names = "|".join(re.escape(b) for b in brands)
    return bool(CLONE.search(request) or re.search(WHOLE_APP.format(names), request, re.IGNORECASE))


@dataclass
class CheckContext:
    """A document as the rules see it."""

    document: Architecture
    knowledge: Knowledge
    pattern: PatternChoice
    pattern_declared: bool
    inferred_pattern: PatternChoice
    traits: dict[Trait, list[str]]
    tier: Tier
    tier_declared: bool
    band: tuple[int, int]
    blocks: tuple[BlockSpec, ...] = ()
    """The building blocks the design is held to (declared in the document, or read from its request)."""
    names: set[str] = field(default_factory=set)
    """Canonical technology names present, normalised."""
    categories: dict[str, list[str]] = field(default_factory=dict)
    """Category → the component names in it."""
    unknown: list[str] = field(default_factory=list)
    text: str = ""
    """Every free-text field, lower-cased, for rules that read what people wrote."""
    roles: set[str] = field(default_factory=set)
    """The roles the parts fill, however they are named (rules/roles.py)."""
    notices: list[str] = field(default_factory=list)
    """What the checker assumed about the document (the type it read, how sure), for the report."""

    whole_app: bool = False
    """The request asks for the whole application by name ("Twitter clone", "build an app like Uber")."""

    @property
    def pattern_claimed(self) -> bool:
        """The document says what it is: declared, or a request for the whole application by name. Its type's
        usual features, stack (as errors) and service band then hold; a design read as the type is advised."""
        return self.pattern_declared or self.whole_app

    def has_named(self, *names: str) -> bool:
        """Whether any of these very technologies is present (a team's policy names brands)."""
        return any(normalise_name(name) in self.names for name in names)

    def has(self, *names: str) -> bool:
        """Whether any of the technologies is present, or a part that does the same job under another name."""
        return self.has_named(*names) or any(roles_of_name(name, self.knowledge) & self.roles for name in names)

    def has_category(self, category: str) -> bool:
        return bool(self.categories.get(category)) or any(
            category_of_role(role, self.knowledge) == category for role in self.roles
        )

    @property
    def service_count(self) -> int:
        return len(self.document.services)


def _text(document: Architecture) -> str:
    parts = [document.request or ""]
    parts += [f"{c.name} {c.purpose}" for c in document.components]
    parts += [f"{s.name} {s.responsibility}" for s in document.services]
    parts += [step for flow in document.flows for step in (flow.name, *flow.steps)]
    parts += document.scaling
    parts += [f"{t.decision} {t.chosen} {t.why}" for t in document.tradeoffs]
    parts += [f"{f.component} {f.failure} {f.mitigation}" for f in document.failure_modes]
    return "\n".join(parts).lower()


def _blocks(document: Architecture, read: tuple, knowledge: Knowledge) -> tuple[BlockSpec, ...]:
    chosen = [b.id for b in document.blocks] or [b.id for b in read]
    return tuple(knowledge.blocks[block_id] for block_id in chosen if block_id in knowledge.blocks)


def type_evidence(document: Architecture) -> str:
    """What a document's type is read from: its request and what its services do."""
    jobs = [f"{s.name} {s.responsibility or ''}" for s in document.services]
    return " ".join([document.request or "", *jobs])


def _read_type(document: Architecture, knowledge: Knowledge) -> tuple[Reading, PatternChoice, bool, list[str]]:
    """What the system is, from the request and what its services do (a "Feed Service" is social media), never
    from vendor words in component names ("Amazon S3" is not a shop); below PATTERN_RULES_CONFIDENCE an
    undeclared type is held to general rules only, and the notices say what was read and how sure."""
    brief = document.brief
    if brief is not None and brief.request == document.request:  # drafted here: the reading it was drafted from
        reading = read_text(document.request or "", knowledge)  # the drafter's own reading, remembered
    else:  # the type only: scope comes from the request
        reading = read_text(type_evidence(document), knowledge, scope=False)
    declared = document.pattern is not None
    pattern = document.pattern or reading.pattern
    notices: list[str] = []
    # the application a part belongs to: the one read, or a close second to "none of them" (not a faint 0.07)
    application = (
        pattern.id
        if pattern.id != OTHER
        else next((a.id for a in pattern.alternatives if a.confidence >= CONTEXT_APPLICATION), None)
    )
    if not declared and application is not None and designs_a_part(document.request or ""):
        article = "an" if application[0] in "aeiou" else "a"
        notices.append(
            f"read as a part of {article} {application} application (the request designs one feature or subsystem "
            f"of it): judged as that part, so the application's stack, essentials and service band are not held "
            f"against it"
        )
        sure = pattern.confidence if pattern.id != OTHER else max(a.confidence for a in pattern.alternatives)
        pattern = PatternChoice(id=OTHER, confidence=sure, evidence=[],
                                alternatives=[PatternAlternative(id=application, confidence=sure)])  # fmt: skip
    elif not declared and pattern.id != OTHER:
        if pattern.confidence < PATTERN_RULES_CONFIDENCE:
            notices.append(
                f"read as {pattern.id} only {pattern.confidence:.2f} sure (from the request and the "
                f"services): {pattern.id}'s own rules were not applied; declare the pattern to apply them"
            )
            pattern = PatternChoice(id=OTHER, confidence=round(1 - pattern.confidence, 2),
                                    alternatives=[PatternAlternative(id=pattern.id, confidence=pattern.confidence)],
                                    evidence=[])  # fmt: skip
        else:
            notices.append(
                f"read as {pattern.id}, {pattern.confidence:.2f} sure (from the request and the services: "
                f"{', '.join(pattern.evidence[:4]) or 'retrieval'})"
            )
    return reading, pattern, declared, notices


def _band(document: Architecture, pid: PatternId, tier: Tier, blocks: tuple[BlockSpec, ...], notices: list[str],
          knowledge: Knowledge) -> tuple[int, int]:  # fmt: skip
    """How many services the document is held to: the tier's band for its type, widened for what it is."""
    band = services_band(tier, pid, knowledge)
    if document.coverage is not None and document.coverage.status == "not_covered":
        band = (1, band[1])  # a design from general principles only is never padded to a tier's quota of services
    if any(n.startswith("read as a part of") for n in notices):
        band = (1, band[1])  # one part of an application is never held to the whole application's quota
    if blocks and pid == "other" and tier != "low":
        # a design of building blocks is held to their own services, not to a quota of a whole application's
        core = len({s.name for block in blocks for s in block.services})
        band = (max(1, core - 1), core + 6)
    elif blocks and pid in knowledge.patterns:  # an application joined with blocks: room for their services
        own = {normalise_name(s.name) for s in knowledge.patterns[pid].services}
        joined = [b for b in blocks if not b.held_by(pid)]  # not the pattern's own core
        added = {normalise_name(s.name) for b in joined for s in b.services} - own
        band = (band[0], band[1] + len(added))
    return band


def build_context(document: Architecture, knowledge: Knowledge) -> CheckContext:
    """Canonicalise names and work out the pattern, traits and tier the document should be held to."""
    names: set[str] = set()
    categories: dict[str, list[str]] = {}
    unknown: list[str] = []
    for component in document.components:
        tech = knowledge.technology(component.name)
        if tech is None:
            unknown.append(component.name)
            category = (component.category or "").strip().lower() or None
            if category is None and (spoken := sorted(roles_in_text(component.name, knowledge))):
                category = category_of_role(spoken[0], knowledge)  # "Memory Cache" is a cache
            name = component.name
        else:
            category, name = tech.category, tech.name
        names.add(normalise_name(name))
        if category:
            categories.setdefault(category, []).append(name)
    reading, pattern, declared, notices = _read_type(document, knowledge)
    # traits come from what was asked, not from the design's own names ("Notification Service" is not a
    # request for real-time features): the request, the pattern, and the traits the document declares
    request_reading = read_text(document.request or "", knowledge)
    traits = {
        t: cues
        for t, cues in request_reading.traits.items()
        if not is_lent(cues[0], "pattern") and not (len(cues) == 1 and cues[0] in knowledge.traits[t].ambiguous)
    }  # one ambiguous word is not enough
    # a block the application itself holds as a part (payments in a shop) is judged as part of the application
    blocks = tuple(b for b in _blocks(document, request_reading.blocks, knowledge) if pattern.id not in b.part_of)
    if blocks:  # a building block is what was asked: traits lent by a product or by the block's own words do not apply
        named = " ".join(e for b in request_reading.blocks for e in b.evidence)
        traits = {t: cues for t, cues in traits.items() if not all(is_lent(c, "product", "pattern") or c in named
                                                                    for c in cues)}  # fmt: skip
    for trait in document.traits:
        if trait in knowledge.traits:
            traits.setdefault(trait, ["declared"])
    # what a typical app of the type has (social media is media-heavy) sizes the tier; it is held against the
    # document only when the document says it is that type: an inferred type's usual features are not its own
    spec = knowledge.patterns.get(pattern.id)
    typical = with_pattern_traits(traits, pattern.id, spec.traits if spec else ())
    whole_app = asks_for_whole_app(document.request or "", pattern, knowledge)
    if declared or whole_app:
        traits = typical
    tier_declared = document.estimate is not None and document.estimate.tier in TIERS
    if tier_declared:
        tier = document.estimate.tier  # type: ignore[union-attr]
    else:
        tier = choose_tier(
            pattern.id, typical, request_reading.small_scope, request_reading.enterprise, request_reading.large_scale
        )
    band = _band(document, pattern.id, tier, blocks, notices, knowledge)
    return CheckContext(
        document=document,
        knowledge=knowledge,
        pattern=pattern,
        pattern_declared=declared,
        whole_app=whole_app,
        inferred_pattern=reading.pattern,
        traits=traits,
        tier=tier,
        tier_declared=tier_declared,
        band=band,
        blocks=blocks,
        names=names,
        categories=categories,
        unknown=unknown,
        text=_text(document),
        roles=roles_present(document, knowledge),
        notices=notices,
    )

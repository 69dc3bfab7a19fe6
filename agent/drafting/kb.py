"""The offline drafter: an architecture assembled from the structured knowledge, every part cited.

Order of assembly: the pattern's stack (or the tier's base stack), the production essentials (medium tier
and above), what each trait adds (Technology Inference Rules), security basics; then services from the
pattern's catalogue (or generic services, the request's domain and its traits), flows, scaling notes and the
estimate. At the low tier the design stays a modular monolith with one database and no broker: the document
warns against microservices for simple apps.
"""

from __future__ import annotations

import re
from typing import ClassVar

from agent.drafting.base import Drafter, DraftRequest
from agent.drafting.compose import LOW_TIER_SCALING, compose, own_blocks, with_blocks
from agent.evidence import asked as asked_traits
from agent.knowledge import ComponentSpec, Knowledge, PatternSpec, ServiceSpec, Tier, normalise_name
from agent.recognition import Words, matched_cues
from agent.requirements.nouns import is_person, singular
from agent.schema import Architecture, CapChoice, Component, Flow, Service
from agent.sizing.estimation import estimate, services_band

# at the low tier these categories would mean a second database or a broker to run: left out
LOW_TIER_SKIP = {"queue", "orchestration", "load_balancer"}
GENERIC_SERVICE_NAMES = {
    "api gateway", "user service", "auth service", "notification service", "analytics service",
    "search service", "media service", "recommendation service",
}  # fmt: skip


class KnowledgeBaseDrafter(Drafter):
    """Drafts from the knowledge base alone: offline, deterministic, about a millisecond."""

    name: ClassVar[str] = "kb"

    def draft(self, request: DraftRequest) -> Architecture:
        reading, knowledge = request.reading, request.knowledge
        pattern_id = reading.pattern.id
        spec = knowledge.patterns.get(pattern_id)
        tier = request.tier
        if spec is None and reading.blocks:
            return compose(request, tier, self.name)
        people = request.covered or _has_people(request)
        components = _components(spec, tier, reading, knowledge, request.prompt, people)
        services = _services(spec, tier, request, knowledge)
        flows = [Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for f in (spec.flows if spec else ())]
        scaling = [note.note for note in spec.scaling] if spec else []
        scaling_cites = [note.cite for note in spec.scaling] if spec else []
        extra = own_blocks(request, pattern_id) if spec else []
        if extra and tier != "low":
            components, services = with_blocks(extra, components, services, knowledge)
            flows += [Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for b in extra for f in b.flows]
            scaling += [note.note for b in extra for note in b.scaling]
            scaling_cites += [note.cite for b in extra for note in b.scaling]
        if tier != "low":
            scaling.append("Stateless services scale horizontally behind the load balancer")
            scaling_cites.append("horizontal-scaling")
        else:
            scaling.append(LOW_TIER_SCALING)
            scaling_cites.append("vertical-scaling")
        cap = _cap(spec, reading.traits, request)
        plan = estimate(tier, pattern_id, reading.traits, knowledge)
        citations = _ordered_unique(
            [spec.cite, spec.recognition_cite, spec.services_cite] if spec else ["for-inference-time"],
            [c for component in components for c in component.citations],
            [b.cite for b in extra],
            [c for flow in flows for c in flow.citations],
            scaling_cites,
            plan.citations,
            ["cap-theorem-understanding"],
        )
        return Architecture(
            request=request.prompt,
            pattern=reading.pattern,
            blocks=list(reading.blocks),
            traits=list(reading.traits),
            cap=cap,
            components=components,
            services=services,
            flows=flows,
            scaling=scaling,
            estimate=plan,
            citations=citations,
            drafter=self.name,
        )


# groups of people: "a company with many teams" has people who sign in even when no person is named
_GROUPS = frozenset({"team", "company", "organisation", "organization", "business", "department", "office", "school"})


def _has_people(request: DraftRequest) -> bool:
    """Whether people use the system directly (they need accounts): a person noun or a group of people in the
    request. Infrastructure (deploys, traces, builds, sensors) names none and gets no sign-in."""
    words = {singular(w) for w in re.findall(r"[a-z][a-z-]+", request.prompt.lower())}
    return bool(words & _GROUPS) or any(is_person(w) for w in words) or "log in" in request.prompt.lower()


def _ordered_unique(*groups: list[str]) -> list[str]:
    return list(dict.fromkeys(item for group in groups for item in group))


def _cap(spec: PatternSpec | None, traits: dict, request: DraftRequest | None = None) -> CapChoice:
    """The pattern's CAP choice; otherwise what the request states, then what its traits imply."""
    if spec:
        return CapChoice(choice=spec.cap.choice, why=spec.cap.why)
    stated = request.brief.requirements if request is not None and request.brief is not None else None
    if stated is not None and any(c.name in ("consistency", "partition") for c in stated.constraints):
        return CapChoice(choice="CP", why="the request asks for correct answers even when the network splits")
    if stated is not None and any(c.name == "offline" for c in stated.constraints):
        return CapChoice(choice="AP", why="the request asks to keep working offline: writes are merged later")
    if {"transaction_heavy", "payments", "compliance"} & set(traits):
        return CapChoice(choice="CP", why="money and records must be consistent, as banking chooses CP")
    return CapChoice(choice="AP", why="staying available matters more than every read being the latest")


def _component(spec: ComponentSpec) -> Component:
    return spec.build()


def _components(
    spec: PatternSpec | None, tier: Tier, reading, knowledge: Knowledge, prompt: str = "", people: bool = True
) -> list[Component]:
    """The stack: the pattern's or the tier's, the production essentials, the traits' additions, security. With
    no people using the system (`people`), no web client and no sign-in (tokens, password hashing)."""
    general = knowledge.general
    chosen: list[ComponentSpec] = []
    if tier == "low":
        chosen += general.low_tier_stack
        if spec:  # keep what the pattern cannot work without (for what was asked), minus extra databases and brokers
            required = {group.any_of[0] for group in spec.required if group.asked_for(prompt)}
            chosen += [c for c in spec.components if c.name in required and c.category != "database"]
    elif spec:
        chosen += spec.components
    else:
        chosen += general.tier_stack
    if tier != "low":
        present = {c.category for c in chosen}
        chosen += [c for c in general.production_essentials.components if c.category not in present
                   or c.category == "monitoring"]  # fmt: skip
    for trait in reading.traits:
        chosen += general.trait_components.get(trait, ())
    chosen += general.security_components if people else [c for c in general.security_components if c.name == "TLS"]
    if not people:
        chosen = [c for c in chosen if c.category not in ("frontend", "mobile")]
    result: dict[str, Component] = {}
    for item in chosen:
        key = normalise_name(item.name)
        if tier == "low" and item.category in LOW_TIER_SKIP:
            continue
        if tier == "low" and item.category == "database" and any(c.category == "database" for c in result.values()):
            continue
        if key not in result:
            result[key] = _component(item)
    return list(result.values())


def _service(spec: ServiceSpec) -> Service:
    return spec.build()


def domain_services(prompt: str, knowledge: Knowledge, reading=None) -> list[ServiceSpec]:
    """The services of the request's own domain: named products first, then domain words."""
    words = Words(prompt)
    products = [
        ServiceSpec(name=s.name, responsibility=s.responsibility, data_stores=("Postgres",))
        for product in (reading.products if reading else ())
        for s in product.services
    ]
    domains = [
        ServiceSpec(name=d.name, responsibility=d.responsibility, data_stores=("Postgres",))
        for d in knowledge.general.domains
        if matched_cues(d.cues, words)
    ]
    return list({s.name: s for s in [*products, *domains]}.values())


def _services(spec: PatternSpec | None, tier: Tier, request: DraftRequest, knowledge: Knowledge) -> list[Service]:
    reading = request.reading
    low, high = services_band(tier, reading.pattern.id, knowledge)
    generic = knowledge.general.generic_services
    domain = domain_services(request.prompt, knowledge, reading)
    if tier == "low":
        modules = [s.name.removesuffix(" Service") for s in (spec.services if spec else domain)][:8]
        what = ", ".join(modules) if modules else "the app's features"
        app = Service(name="Web App", responsibility=f"modular monolith: {what}", data_stores=["Postgres"])
        return [app]
    by_trait = [generic.by_trait[t] for t in reading.traits if t in generic.by_trait]
    if spec:
        # the pattern's catalogue already serves the pattern's own traits: add services only for what was asked
        asked = asked_traits(reading.traits)
        by_trait = [generic.by_trait[t] for t in asked if t in generic.by_trait]
        # the pattern's catalogue, making room for what the request adds: a mixed request borrows the other
        # pattern's signature services, and a trait the pattern lacks (payments on a social app) its service
        additions = [s for s in domain if reading.products]  # a named product brings its own services first
        additions += [
            s for other in reading.secondary for s in knowledge.patterns[other].services
            if s.name.lower() not in GENERIC_SERVICE_NAMES
        ][: 2 * len(reading.secondary)]  # fmt: skip
        additions += by_trait
        known = {normalise_name(s.name) for s in spec.services}
        additions = [s for s in additions if normalise_name(s.name) not in known]
        room = max(low, min(len(spec.services), high) - len(additions))
        # an enterprise band (20+) outgrows the pattern's catalogue: the platform services of large organisations
        candidates = [*spec.services[:room], *additions, *generic.extra]
        target = min(high, max(low, min(len(spec.services), high)))
    elif not request.covered:
        # general principles only: the request's own domain and traits, sign-in only when people use it, no filler
        core = domain or [ServiceSpec(name="Core Service", responsibility="the app's main domain logic")]
        entry = [s for s in generic.always if s.name == "API Gateway" or _has_people(request)]
        return [_service(s) for s in {normalise_name(s.name): s for s in [*entry, *core, *by_trait]}.values()]
    else:
        core = domain or [ServiceSpec(name="Core Service", responsibility="the app's main domain logic")]
        candidates = [*generic.always, *core, *by_trait, *generic.extra]
        target = max(low, min(high, low + (high - low) // 2))
    services: dict[str, Service] = {}
    for item in candidates:
        services.setdefault(normalise_name(item.name), _service(item))
    return list(services.values())[:target]

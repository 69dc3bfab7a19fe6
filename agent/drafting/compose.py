"""Designs composed of building blocks: a request outside the five applications gets the parts of the blocks it
needs (a URL shortener's key generation and redirect cache, a crawler's frontier and politeness), and nothing from
an unrelated application. No service is added to reach a count: the blocks' own services are the design."""

from __future__ import annotations

import re

from agent.drafting.base import DraftRequest
from agent.knowledge import ComponentSpec, Knowledge, ServiceSpec, normalise_name
from agent.knowledge.models import BlockSpec
from agent.recognition import Reading
from agent.schema import Architecture, CapChoice, Component, Flow, Service, Tier
from agent.sizing.capacity import peak_writes_per_second
from agent.sizing.estimation import estimate

LOW_TIER_SKIP = {"queue", "orchestration", "load_balancer", "coordination"}
LOW_TIER_SCALING = (
    "One modular monolith and one database: scale up first, then run identical instances behind "
    "a load balancer; split a module out only when it needs to scale on its own"
)


def blocks_of(request: DraftRequest) -> list[BlockSpec]:
    return [request.knowledge.blocks[b.id] for b in request.reading.blocks if b.id in request.knowledge.blocks]


SIGN_IN = re.compile(r"\baccounts?\b|\blog ?ins?\b|\bsign[- ]?(in|up)\b|\bprofiles?\b", re.IGNORECASE)


def _components(
    blocks: list[BlockSpec], tier: Tier, traits: list[str], knowledge: Knowledge, sign_in: bool = False
) -> list[Component]:
    general = knowledge.general
    chosen: list[ComponentSpec] = [c for block in blocks for c in block.components]
    if tier == "low":
        # a modular monolith on the low tier's one database: a block's own database (Cassandra for a shortener
        # at scale) is for the scale the request did not state
        chosen = [*general.low_tier_stack, *[c for c in chosen if c.category not in (*LOW_TIER_SKIP, "database")]]
    else:
        present = {c.category for c in chosen}
        # the essentials a block does not bring itself, less a queue or cache it has no use for
        skip = present | {"queue", "cache"}
        chosen += [c for c in general.production_essentials.components
                   if c.category not in skip or c.category == "monitoring"]  # fmt: skip
    for trait in traits:
        chosen += [c for c in general.trait_components.get(trait, ()) if c.category not in {x.category for x in chosen}]
    # infrastructure is called by services, not people; anonymous use (a pastebin) needs no passwords unless asked
    users = sign_in or any(block.end_users for block in blocks)
    chosen += [c for c in general.security_components if users or c.category != "security" or c.name == "TLS"]
    result: dict[str, Component] = {}
    for item in chosen:
        key = normalise_name(knowledge.canonical(item.name))
        if key not in result:
            result[key] = item.build()
    return list(result.values())


def _scaled_down(blocks: list[BlockSpec], prompt: str) -> dict[str, str]:
    """Parts a block needs only from some write rate, when the request states a lower one: each with what takes
    its place ("Cassandra" → "Postgres" for a shortener minting 12 links a second)."""
    rate = peak_writes_per_second(prompt)
    if rate is None:
        return {}
    return {c.name: c.otherwise for b in blocks for c in b.components
            if c.at_scale is not None and c.otherwise and rate < c.at_scale}  # fmt: skip


def _replace(components: list[Component], services: list[Service], swap: dict[str, str],
             knowledge: Knowledge) -> tuple[list[Component], list[Service]]:  # fmt: skip
    if not swap:
        return components, services
    kept: dict[str, Component] = {}
    for component in components:
        if component.name in swap:
            name = swap[component.name]
            tech = knowledge.technology(name)
            component = Component(name=name, category=tech.category if tech else component.category,
                                  purpose=f"{component.purpose} (at the stated load one relational database is "
                                          f"enough)", citations=component.citations)  # fmt: skip
        kept.setdefault(normalise_name(component.name), component)
    for service in services:
        service.data_stores = list(dict.fromkeys(swap.get(s, s) for s in service.data_stores))
    return list(kept.values()), services


def _services(blocks: list[BlockSpec], tier: Tier) -> list[Service]:
    specs: dict[str, ServiceSpec] = {}
    for block in blocks:
        for spec in block.services:
            specs.setdefault(normalise_name(spec.name), spec)
    if tier == "low":
        modules = ", ".join(s.name.removesuffix(" Service") for s in specs.values())
        stores = sorted({store for s in specs.values() for store in s.data_stores})
        return [Service(name="Web App", responsibility=f"modular monolith: {modules}", data_stores=stores)]
    services = [spec.build() for spec in specs.values()]
    if tier in ("high", "enterprise") and not any("gateway" in s.name.lower() for s in services):
        services.insert(
            0, Service(name="API Gateway", responsibility="single entry point, authentication, rate limiting")
        )
    return services


def _only_present_stores(services: list[Service], components: list[Component], knowledge: Knowledge) -> None:
    """A service names only stores the design has (the low tier leaves a block's broker and coordinator out);
    one left with none keeps the design's database."""
    present = {normalise_name(knowledge.canonical(c.name)): c.name for c in components}
    database = next((c.name for c in components if c.category == "database"), None)
    for service in services:
        stores = [
            present[key] for s in service.data_stores if (key := normalise_name(knowledge.canonical(s))) in present
        ]
        service.data_stores = list(dict.fromkeys(stores or ([database] if service.data_stores and database else [])))


def own_blocks(request: DraftRequest, pattern_id: str) -> list[BlockSpec]:
    """The blocks a seed application's design does not already hold (a news feed is social media's own)."""
    return [block for block in blocks_of(request) if not block.held_by(pattern_id)]


def with_blocks(
    blocks: list[BlockSpec], components: list[Component], services: list[Service], knowledge: Knowledge
) -> tuple[list[Component], list[Service]]:
    """A seed application's design joined with the blocks it also needs (food delivery = a shop + courier
    dispatch): each block adds its own parts, replaces the services it stands in for, and nothing else."""
    have = {normalise_name(knowledge.canonical(c.name)) for c in components}
    for part in (c for block in blocks for c in block.components):
        key = normalise_name(knowledge.canonical(part.name))
        if key not in have:
            have.add(key)
            components.append(part.build())
    replaced = {normalise_name(name) for block in blocks for name in block.supersedes}
    kept = [s for s in services if normalise_name(s.name) not in replaced]
    names = {normalise_name(s.name) for s in kept}
    for spec in (s for block in blocks for s in block.services):
        if normalise_name(spec.name) not in names:
            names.add(normalise_name(spec.name))
            kept.append(spec.build())
    return components, kept


def block_tier(tier: Tier, reading: Reading) -> Tier:
    """A building block is infrastructure: no smaller than a few services unless the request asks for small."""
    return "medium" if tier == "low" and reading.blocks and not reading.small_scope else tier


def compose(request: DraftRequest, tier: Tier, drafter: str) -> Architecture:
    """The design of a request that needs building blocks rather than one of the five applications."""
    reading, knowledge = request.reading, request.knowledge
    blocks = blocks_of(request)
    tier = block_tier(tier, reading)
    # traits a named product lends ("web crawler" as a search engine) are not the block's own, and neither are
    # traits read from the very words that named the block ("push notifications" is not a request for WebSocket)
    named = " ".join(e for b in reading.blocks for e in b.evidence)
    lent = ("product:", "pattern:")  # by a named product, or by a pattern the request only resembles
    stated = [t for t, cues in reading.traits.items() if not all(c.startswith(lent) or c in named for c in cues)]
    traits = list(dict.fromkeys([*stated, *(t for b in blocks for t in b.traits)]))
    components = _components(blocks, tier, traits, knowledge, sign_in=bool(SIGN_IN.search(request.prompt)))
    components, services = _replace(components, _services(blocks, tier), _scaled_down(blocks, request.prompt),
                                    knowledge)  # fmt: skip
    _only_present_stores(services, components, knowledge)
    flows = [Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for b in blocks for f in b.flows]
    scaling = [note.note for b in blocks for note in b.scaling]
    if tier != "low":
        scaling.append("Stateless services scale horizontally behind the load balancer")
    else:
        scaling.append(LOW_TIER_SCALING)
    first = blocks[0]
    plan = estimate(tier, reading.pattern.id, {t: reading.traits.get(t, ["block"]) for t in traits}, knowledge)
    citations = list(dict.fromkeys([
        *(b.cite for b in blocks), first.cap.cite, *(c for comp in components for c in comp.citations),
        *(c for flow in flows for c in flow.citations), *plan.citations, "cap-theorem-understanding",
    ]))  # fmt: skip
    return Architecture(
        request=request.prompt,
        pattern=reading.pattern,
        blocks=list(reading.blocks),
        traits=traits,
        cap=CapChoice(choice=first.cap.choice, why=first.cap.why),
        components=components,
        services=services,
        flows=flows,
        scaling=scaling,
        estimate=plan,
        citations=citations,
        drafter=drafter,
    )

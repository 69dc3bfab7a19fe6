"""How stated requirements shape a design: the trade-offs they force, and what they add (a cache for a latency
target, replicas across zones for four nines, a queue for spikes), each with its reason and citation."""

from __future__ import annotations

from agent.knowledge import Knowledge
from agent.requirements.extract import Extracted
from agent.schema import Architecture, Component, FailureMode, Tradeoff

TIGHT_LATENCY_MS = 200
NO_NETWORK_HOP_MS = 5
"""Below this a target leaves no room for a network call per operation: the work is done in process."""
HIGH_AVAILABILITY = 99.95


def _has(design: Architecture, knowledge: Knowledge, *names: str) -> bool:
    present = {knowledge.canonical(c.name) for c in design.components}
    return any(knowledge.canonical(name) in present for name in names)


def _has_category(design: Architecture, category: str) -> bool:
    return any(c.category == category for c in design.components)


def _add(design: Architecture, knowledge: Knowledge, name: str, purpose: str, citation: str) -> None:
    tech = knowledge.technology(name)
    if tech is not None and not _has(design, knowledge, name):
        design.components.append(Component(name=tech.name, category=tech.category, purpose=purpose,
                                           citations=[citation]))  # fmt: skip


def shape(design: Architecture, found: Extracted, knowledge: Knowledge) -> list[Tradeoff]:
    """The design's trade-offs, adding in place what a stated target needs."""
    tradeoffs = []
    if design.cap is not None:
        other = "CP" if design.cap.choice == "AP" else "AP"
        tradeoffs.append(Tradeoff(decision="consistency or availability when the network partitions",
                                  chosen=design.cap.choice, alternatives=[other], why=design.cap.why,
                                  citation="cap-theorem-understanding"))  # fmt: skip
    tier = design.estimate.tier if design.estimate else None
    if tier == "low":
        who = f"a team of {found.team}" if found.team else (found.scope or "a small scope")
        tradeoffs.append(Tradeoff(decision="one deployable or many services", chosen="a modular monolith",
                                  alternatives=["microservices"],
                                  why=f"{who}: separate services would add deployment and coordination cost before "
                                      "the load calls for it", citation="over-engineering"))  # fmt: skip
    elif design.services:
        tradeoffs.append(Tradeoff(decision="one deployable or many services", chosen=f"{len(design.services)} services",
                                  alternatives=["a modular monolith"],
                                  why=f"the {tier} tier's scope: parts that scale and change independently",
                                  citation="microservice-count-guidelines"))  # fmt: skip
    if found.latency_ms is not None and found.latency_ms < NO_NETWORK_HOP_MS:
        tradeoffs.append(Tradeoff(decision=f"meeting {found.latency_ms:g} ms",
                                  chosen="evaluate in process from a local copy kept current by pushed updates",
                                  alternatives=["a network call (even to Redis) per evaluation"],
                                  why="one network round trip inside a data centre costs about half a millisecond "
                                  "to a millisecond, so the budget leaves no room for one",
                                  citation="caching-strategies/cache-aside"))  # fmt: skip
    elif found.latency_ms is not None and found.latency_ms <= TIGHT_LATENCY_MS:
        if not _has_category(design, "cache"):  # a design with a cache uses its own
            _add(design, knowledge, "Redis", f"keeps hot reads in memory for the {found.latency_ms:g} ms target",
                 "caching-strategies/cache-aside")  # fmt: skip
        cache = next((c.name for c in design.components if c.category == "cache"), "Redis")
        tradeoffs.append(Tradeoff(decision=f"meeting p99 under {found.latency_ms:g} ms",
                                  chosen=f"cache hot reads in {cache} in front of the database",
                                  alternatives=["read from the database on every request"],
                                  why="a database round trip on every hot read leaves little of the budget",
                                  citation="caching-strategies/cache-aside"))  # fmt: skip
    if found.availability is not None and found.availability >= HIGH_AVAILABILITY:
        minutes = (100 - found.availability) / 100 * 30 * 24 * 60
        design.scaling.append(f"{found.availability:g}% availability: replicas in at least two availability zones, "
                              "automatic failover, health-checked load balancing")  # fmt: skip
        tradeoffs.append(Tradeoff(decision=f"reaching {found.availability:g}% availability",
                                  chosen="replicas across availability zones with automatic failover",
                                  alternatives=["one zone with backups"],
                                  why=f"{minutes:,.1f} minutes of downtime a month is less than a restore takes",
                                  citation="single-point-of-failure"))  # fmt: skip
    named = [c.value for c in found.constraints if c.name == "compliance"]
    for regulation in dict.fromkeys(named):  # what each regulation obliges, with its parts
        for control in knowledge.general.regulations.get(regulation, ()):
            for part in control.add:
                _add(design, knowledge, part, f"{control.decision}: required", control.cite)
            tradeoffs.append(Tradeoff(decision=control.decision, chosen=control.chosen, alternatives=[],
                                      why=control.why, citation=control.cite))  # fmt: skip
    regulations = [r for r in named if r != "data residency"]
    if regulations:
        at_rest = "practice/limits-and-pitfalls/regulated-data-encrypted-at-rest"
        tradeoffs.append(Tradeoff(decision=f"protecting data under {', '.join(regulations)}",
                                  chosen="every store encrypted at rest with keys in a key management service "
                                         "(volumes, backups, object storage), the most sensitive fields envelope-"
                                         "encrypted in the application, TLS in transit and an audit log of access",
                                  alternatives=["encryption in transit only"],
                                  why="a stolen disk, snapshot or backup must not expose regulated records",
                                  citation=at_rest))  # fmt: skip
    if found.spikes:
        _add(
            design,
            knowledge,
            "RabbitMQ",
            "absorbs bursts: slow work waits in the queue instead of failing",
            "no-message-queue",
        )
        tradeoffs.append(Tradeoff(decision="absorbing traffic spikes",
                                  chosen="a queue in front of slow work, autoscaled stateless services",
                                  alternatives=["provision for the peak all the time"],
                                  why="spikes are short: queueing and scaling out cost less than idle capacity",
                                  citation="horizontal-scaling"))  # fmt: skip
    if found.region == "global":
        tradeoffs.append(
            Tradeoff(
                decision="serving users worldwide",
                chosen="a CDN and regional read replicas",
                alternatives=["one region for everyone"],
                why="distance adds latency no server can remove",
                citation="cdn-strategies",
            )
        )
    elif found.region is not None:  # one city, one region, the EU, the US, a named country or city
        tradeoffs.append(Tradeoff(decision="where it runs", chosen=f"one region ({found.region})",
                                  alternatives=["multi-region"],
                                  why="users are in one place: one primary database, no cross-region replication",
                                  citation="database-scaling"))  # fmt: skip
    return tradeoffs


def block_tradeoffs(design: Architecture, knowledge: Knowledge) -> list[Tradeoff]:
    """The decisions the design's building blocks make, with their reasons and chapters."""
    specs = [knowledge.blocks[b.id] for b in design.blocks if b.id in knowledge.blocks]
    return [
        Tradeoff(decision=t.decision, chosen=t.chosen, alternatives=list(t.alternatives), why=t.why, citation=t.cite)
        for spec in specs
        for t in spec.tradeoffs
    ]


def block_failure_modes(design: Architecture, knowledge: Knowledge) -> list[FailureMode]:
    """What fails in the design's building blocks, what that does, and the mitigation; then, for each kind of
    part the blocks say nothing about, what usually fails in it (every design gets its failure modes)."""
    specs = [knowledge.blocks[b.id] for b in design.blocks if b.id in knowledge.blocks]
    modes = [FailureMode(component=f.component, failure=f.failure, impact=f.impact, mitigation=f.mitigation,
                         citation=f.cite) for spec in specs for f in spec.failure_modes]  # fmt: skip
    covered = {knowledge.canonical(m.component) for m in modes}
    by_category: dict[str, str] = {}
    for component in design.components:
        category = component.category or (tech.category if (tech := knowledge.technology(component.name)) else "")
        if category in knowledge.general.failure_modes and knowledge.canonical(component.name) not in covered:
            by_category.setdefault(category, component.name)
    for category, name in by_category.items():
        spec = knowledge.general.failure_modes[category]
        modes.append(FailureMode(component=name, failure=spec.failure, impact=spec.impact,
                                 mitigation=spec.mitigation, citation=spec.cite))  # fmt: skip
    return modes

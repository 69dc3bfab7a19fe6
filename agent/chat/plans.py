"""Answers computed from the design's own parts: its single points of failure, and the order to build it in.

Both read only the design (its parts, what each is said to do, its failure modes, trade-offs and scaling notes,
its estimate per service): nothing here is retrieved text about other systems.
"""

from __future__ import annotations

import re

from agent.schema import Architecture, Component, Service

SPOF = re.compile(r"single points? of failure|\bspofs?\b|what (?:can|could|would) take (?:us|it|the (?:whole )?"
                  r"(?:site|system|app|platform|service)) down|no (?:backup|replica|redundancy)|what is not redundant",
                  re.IGNORECASE)  # fmt: skip
BUILD_ORDER = re.compile(r"build (?:it )?first|what (?:should|do|would) (?:we|i|you) (?:build|ship|do) first|\bmvp\b"
                         r"|build order|order to build|where (?:do|should) (?:we|i) start|first (?:version|release)"
                         r"|phase (?:1|one)|roadmap|what can wait", re.IGNORECASE)  # fmt: skip
STATEFUL = ("database", "cache", "queue", "search", "storage", "geospatial", "realtime", "load_balancer", "audit")
REDUNDANT = re.compile(r"replica|replicat|failover|fail over|standby|cluster|multi[- ]az|availability zones?|quorum|"
                       r"sharded|partitioned|high[- ]availability|managed|redundan|raft|mirrored|several nodes",
                       re.IGNORECASE)  # fmt: skip
MANAGED = re.compile(r"\b(?:s3|sqs|sns|dynamodb|cloud storage|blob storage|cloudfront|cdn|stripe|firebase|cosmos|"
                     r"spanner|pub/?sub|kinesis|bigquery|aurora)\b", re.IGNORECASE)  # fmt: skip
WHAT_IT_TAKES = {
    "database": "a standby replica in another zone with automatic failover (or a managed database that has one)",
    "cache": "a replica with automatic failover (Redis Sentinel or a managed cluster); the database must take the "
    "load while it warms",
    "queue": "a cluster of at least three brokers with replicated partitions or queues",
    "search": "at least two nodes with a replica of every shard; the index can be rebuilt from the database",
    "storage": "managed object storage replicated across zones",
    "geospatial": "a replica, or rebuilding the index from the latest positions on failover",
    "realtime": "several connection servers behind the load balancer; clients reconnect to another",
    "load_balancer": "a pair of load balancers (or the cloud's managed one) across zones",
    "audit": "append-only storage replicated across zones",
}
LATER = re.compile(r"analytic|recommend|report|admin|search|notification|review|rating|loyalt|promotion|"
                   r"moderation|export|dashboard|ml|machine learning|experiment", re.IGNORECASE)  # fmt: skip
FIRST = re.compile(r"gateway|auth|user|account|identity", re.IGNORECASE)
MODULES = re.compile(r"^modular monolith:\s*(?P<modules>.+)$", re.IGNORECASE)
HOURS_A_WEEK = 30
"""Focused engineering hours in a week (the rest is meetings, review and support), as the estimate's calendar."""


def _said_of(component: Component, design: Architecture) -> str:
    """Everything the design says about a part: its purpose, its failure modes, trade-offs and scaling notes
    that name it."""
    name = component.name.lower()
    said = [component.purpose or ""]
    said += [f"{m.failure} {m.mitigation}" for m in design.failure_modes if m.component.lower() == name]
    said += [f"{t.chosen} {t.why}" for t in design.tradeoffs if name in t.chosen.lower()]
    names = [c.name.lower() for c in design.components]
    # a note about this part, or about every part ("replicas in at least two availability zones")
    said += [note for note in design.scaling if name in note.lower() or not any(n in note.lower() for n in names)]
    return " ".join(said)


def single_points_of_failure(design: Architecture) -> str:
    """The parts of this design with no replica or failover said for them, and what each would take."""
    single, covered = [], []
    for component in design.components:
        if (component.category or "") not in STATEFUL:
            continue
        said = _said_of(component, design)
        if REDUNDANT.search(said) or MANAGED.search(component.name):
            covered.append(component.name)
        else:
            single.append(component)
    lines = []
    if single:
        lines.append("Single points of failure in this design (nothing in it gives them a replica or failover):")
        for component in single:
            users = [s.name for s in design.services if component.name in s.data_stores]
            used = f", used by {', '.join(users[:4])}" if users else ""
            lines.append(f"  {component.name} ({component.category}{used}): needs "
                         f"{WHAT_IT_TAKES.get(component.category or '', 'a second instance')}.")  # fmt: skip
    else:
        lines.append("No part of this design is left without a replica or failover in what it says.")
    if covered:
        lines.append(f"Redundant as designed: {', '.join(covered)}.")
    if not any((c.category or "") in ("orchestration", "load_balancer") for c in design.components):
        lines.append("The services themselves: nothing here runs several instances of each (no orchestrator or "
                     "load balancer), so each service is one too.")  # fmt: skip
    return "\n".join(lines)


def _hours(design: Architecture) -> dict[str, int]:
    return {e.service: e.pert for e in design.estimate.per_service} if design.estimate else {}


def build_order(design: Architecture) -> str:
    """The services in the order to build them: the ones every request goes through, then those the main flows
    use, then what can wait; with weeks for the team where the estimate has them."""
    hours = _hours(design)
    in_flows = " ".join(step for flow in design.flows for step in flow.steps).lower()

    def rank(service: Service) -> tuple[int, int]:
        name = service.name.lower()
        if FIRST.search(name):
            return 0, 0
        if LATER.search(name) or (service.responsibility and LATER.search(service.responsibility[:40])):
            return 2, 0
        core = name.removesuffix(" service")
        return 1, -in_flows.count(core)

    services = list(design.services)
    if len(services) == 1 and (monolith := MODULES.match(services[0].responsibility or "")):
        # one deployable: its modules are what is built in turn
        share = hours.get(services[0].name, 0)
        modules = [m.strip() for m in monolith.group("modules").split(",") if m.strip()]
        services = [Service(name=f"{m} module", responsibility=f"the {m.lower()} part of {services[0].name}")
                    for m in modules]  # fmt: skip
        hours = {s.name: round(share / len(services)) for s in services} if share else {}
    ordered = sorted(services, key=rank)
    now = [s for s in ordered if rank(s)[0] < 2]
    later = [s for s in ordered if rank(s)[0] == 2]
    team = design.estimate.team if design.estimate and design.estimate.team else None
    lines = ["Build in this order (the services every request goes through, then the main flows, then what can "
             "wait):"]  # fmt: skip
    for n, service in enumerate(now, 1):
        effort = f" — about {hours[service.name]} h" if service.name in hours else ""
        lines.append(f"  {n}. {service.name}: {service.responsibility or 'its named job'}{effort}")
    if later:
        lines.append(f"Can wait for after the first release: {', '.join(s.name for s in later)}.")
    first = sum(hours.get(s.name, 0) for s in now)
    if first and team:
        weeks = first / (team * HOURS_A_WEEK)
        people = f"{team} engineer{'s' if team != 1 else ''}"
        lines.append(f"The first release is about {first:,} engineering hours: {max(weeks, 1):.0f} week"
                     f"{'s' if weeks >= 1.5 else ''} for {people} at {HOURS_A_WEEK} focused hours a week.")  # fmt: skip
    elif first:
        lines.append(f"The first release is about {first:,} engineering hours (say the team's size for weeks).")
    return "\n".join(lines)

"""The architecture as a graph, read from its parts, its services' stores and its flows: clients → load balancer →
gateway → services; the CDN beside the API path (static assets and media, from object storage); each queue with the
services that publish to it and those that consume it; external providers with the service that calls them; and
the key flow (the design's first) highlighted. Every notation (Mermaid, DOT, PlantUML C4, draw.io) draws this graph.

Node ids are generated (`n0`, `n1`, ...), never derived from names, so no name can merge two nodes or be a
reserved word in any notation; each notation escapes labels its own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.knowledge import Knowledge, load_knowledge
from agent.retrieval.bm25 import stem
from agent.schema import Architecture, Component, Service

LAYERS = {"clients": "Clients", "edge": "Edge", "services": "Services", "messaging": "Messaging", "data": "Data",
          "external": "External services"}  # fmt: skip
"""Layers in drawing order (left to right), with their titles."""
DATA_CATEGORIES = {"database", "cache", "search", "storage", "geospatial"}
QUEUE_CATEGORIES = {"queue"}
EXTERNAL_CATEGORIES = {"payments", "maps", "email", "sms", "push", "notifications", "auth_provider", "llm"}
CONSUMER_NAMES = re.compile(r"worker|consumer|feed|notif|index|search|analytic|process|dispatch|fan|deliver|sync|"
                            r"transcod|encod|parser|ledger|aggregat|timeline", re.IGNORECASE)  # fmt: skip
REALTIME_NAMES = (re.compile(r"real|chat|messag|presence|live", re.IGNORECASE),
                  re.compile(r"location|notif|collab|sync|track", re.IGNORECASE))  # fmt: skip
"""Who holds the clients' persistent connections: a real-time service first, then one that pushes updates."""
NEARBY = 3
"""Parts a flow names within this many mentions of each other are linked on the highlighted path."""
_GENERIC = {"servic", "service", "api", "app", "web", "the", "a", "and", "of"}


@dataclass
class Node:
    id: str
    label: str
    kind: str  # client, edge, cdn, gateway, service, store, queue, external
    layer: str
    detail: str = ""  # the technology or the job, for notations that show it (C4)


@dataclass
class Edge:
    source: str
    target: str
    label: str = ""
    key: bool = False  # on the highlighted key flow


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")


def printable(text: str) -> str:
    """A label without control characters (NUL and ESC end a DOT file, make XML ill-formed and reach terminals):
    each becomes a space, so every notation has only printable text to escape its own way."""
    return _CONTROL.sub(" ", text)


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    key_flow: str | None = None
    _by_name: dict[tuple[str, str], str] = field(default_factory=dict)

    def node(self, label: str, kind: str, layer: str, detail: str = "") -> str:
        """The id of the node for `label` in `layer` (one per label and layer), created on first use."""
        label, detail = printable(label), printable(detail)
        key = (layer, label)
        if key not in self._by_name:
            nid = f"n{len(self._by_name)}"
            self._by_name[key] = nid
            self.nodes[nid] = Node(nid, label, kind, layer, detail)
        return self._by_name[key]

    def connect(self, source: str, target: str, label: str = "") -> None:
        if source != target and not any(e.source == source and e.target == target for e in self.edges):
            self.edges.append(Edge(source, target, printable(label)))

    def in_layer(self, layer: str) -> list[Node]:
        return [n for n in self.nodes.values() if n.layer == layer]


def build_graph(architecture: Architecture, knowledge: Knowledge | None = None) -> Graph:
    knowledge = knowledge or load_knowledge()
    graph = Graph()
    parts = {c.name: c for c in architecture.components}
    category = {c.name: _category(c, knowledge) for c in architecture.components}
    clients = graph.node("Clients (web, mobile)", "client", "clients")
    entry = clients
    for name in [n for n, cat in category.items() if cat == "load_balancer"]:
        lb = graph.node(name, "edge", "edge", "load balancer")
        graph.connect(entry, lb, "HTTPS" if entry == clients else "")
        entry = lb
    gateway = next((s for s in architecture.services if _is_gateway(s)), None)
    services = [s for s in architecture.services if s is not gateway]
    if gateway is not None:
        gid = graph.node(gateway.name, "gateway", "services", gateway.responsibility)
        graph.connect(entry, gid, "HTTPS" if entry == clients else "")
        entry = gid
    ids = {s.name: graph.node(s.name, "service", "services", s.responsibility) for s in services}
    for service in services:
        graph.connect(entry, ids[service.name], "HTTPS" if entry == clients else "")
    _stores(graph, architecture, services, ids, category, knowledge)
    _queues(graph, architecture, services, ids, category, parts)
    _edge_paths(graph, clients, services, ids, category, parts)
    _externals(graph, services, ids, category, parts)
    _highlight(graph, architecture)
    return graph


def _category(component: Component, knowledge: Knowledge) -> str:
    if component.category:
        return component.category
    tech = knowledge.technology(component.name)
    return tech.category if tech else "other"


def _is_gateway(service: Service) -> bool:
    from agent.rules.roles import service_key

    return service_key(service.name) == "apigateway" or "gateway" in service.name.lower()


def _stores(graph: Graph, architecture: Architecture, services: list[Service], ids: dict[str, str],
            category: dict[str, str], knowledge: Knowledge) -> None:  # fmt: skip
    """Each service to the stores it names; a one-service design (a monolith) to every data part it has."""
    canonical = {knowledge.canonical(name): name for name in category}
    purpose = {c.name: c.purpose or category[c.name] for c in architecture.components}
    for service in services:
        for store in service.data_stores:
            name = canonical.get(knowledge.canonical(store), store)
            if category.get(name) in QUEUE_CATEGORIES:
                continue  # drawn with its producers and consumers
            graph.connect(ids[service.name], graph.node(name, "store", "data", purpose.get(name, "data")))
    if len(services) == 1:
        only = ids[services[0].name]
        for name, cat in category.items():
            if cat in DATA_CATEGORIES:
                graph.connect(only, graph.node(name, "store", "data", purpose[name]))


def _distinct(name: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9]+", name.lower())} - _GENERIC


def _mentioned(text: str, services: list[Service]) -> list[Service]:
    """The services a sentence names ("a new post updates follower feeds": Post, then Feed), in order."""
    words = [stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())]
    found = []
    for service in services:
        own = _distinct(service.name)
        positions = [i for i, w in enumerate(words) if w in own]
        if own and positions:
            found.append((positions[0], service))
    return [s for _, s in sorted(found, key=lambda pair: pair[0])]


def _queues(graph: Graph, architecture: Architecture, services: list[Service], ids: dict[str, str],
            category: dict[str, str], parts: dict[str, Component]) -> None:  # fmt: skip
    """Every queue with who publishes to it and who consumes from it: from the services that name it, the order
    its purpose and the flows name services in, then the names of services that usually consume."""
    for name in [n for n, cat in category.items() if cat in QUEUE_CATEGORIES]:
        qid = graph.node(name, "queue", "messaging", parts[name].purpose)
        users = [s for s in services if name in s.data_stores]
        text = " ".join([parts[name].purpose, *(step for f in architecture.flows for step in f.steps if name in step)])
        named = _mentioned(text, services)
        producers = users or named[:1]
        consumers = [s for s in named if s not in producers]
        consumers = [s for s in consumers if CONSUMER_NAMES.search(s.name)] or consumers
        if not consumers and len(producers) > 1:
            producers, consumers = producers[:1], producers[1:]
        if not consumers:
            consumers = [s for s in services if CONSUMER_NAMES.search(s.name) and s not in producers][:3]
        if not producers and services:
            producers = [next((s for s in services if s not in consumers), services[0])]
        for service in producers:
            graph.connect(ids[service.name], qid, "publishes")
        for service in consumers:
            graph.connect(qid, ids[service.name], "consumes")


def _edge_paths(graph: Graph, clients: str, services: list[Service], ids: dict[str, str],
                category: dict[str, str], parts: dict[str, Component]) -> None:  # fmt: skip
    """The CDN beside the API path (static assets and media, pulled from object storage); persistent connections
    (WebSocket) from the clients to the service that pushes."""
    storage = [n for n, cat in category.items() if cat == "storage"]
    for name in [n for n, cat in category.items() if cat == "cdn"]:
        cdn = graph.node(name, "cdn", "edge", "static assets and media")
        graph.connect(clients, cdn, "static, media")
        for store in storage:
            graph.connect(cdn, graph.node(store, "store", "data", parts[store].purpose or "storage"), "origin")
    pushers = [s for pattern in REALTIME_NAMES for s in services if pattern.search(s.name)]
    for name in [n for n, cat in category.items() if cat == "realtime" and "pub" not in n.lower()][:1]:
        for service in pushers[:1]:
            graph.connect(clients, ids[service.name], name)


def _externals(graph: Graph, services: list[Service], ids: dict[str, str], category: dict[str, str],
               parts: dict[str, Component]) -> None:  # fmt: skip
    """A provider outside the system (Stripe, Google Maps, Twilio) with the service that calls it."""
    for name, cat in category.items():
        if cat not in EXTERNAL_CATEGORIES:
            continue
        ext = graph.node(name, "external", "external", parts[name].purpose or cat)
        words = _distinct(f"{cat} {parts[name].purpose}") | _distinct(name)
        callers = [s for s in services if name in s.data_stores or _distinct(s.name) & words]
        for service in callers[:2] or services[:1]:
            graph.connect(ids[service.name], ext)


def _highlight(graph: Graph, architecture: Architecture) -> None:
    """The design's first flow, drawn along the edges between the parts its steps name, in order."""
    if not architecture.flows:
        return
    flow = architecture.flows[0]
    by_label = {n.label.lower(): n.id for n in graph.nodes.values()}
    services = [Service(name=n.label) for n in graph.nodes.values() if n.kind in ("service", "gateway")]
    order: list[str] = []
    for step in [flow.name, *flow.steps]:  # "Matching" names the Matching Service before its steps do
        named = [by_label[s.name.lower()] for s in _mentioned(step, services)]
        named += [nid for label, nid in by_label.items() if re.search(rf"\b{re.escape(label)}\b", step.lower())]
        order += [nid for nid in named if nid not in order]
    marked = False
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1 : i + 1 + NEARBY]]
    for first, second in pairs:
        direct = [e for e in graph.edges if {e.source, e.target} == {first, second}]
        # through a queue: the flow names the producer and the consumer, the queue carries it between them
        via = [e for q in graph.in_layer("messaging") for e in graph.edges
               if (e.source, e.target) in ((first, q.id), (q.id, second))]  # fmt: skip
        for edge in direct or (via if len(via) == 2 else []):
            edge.key = marked = True
    if marked:
        graph.key_flow = flow.name

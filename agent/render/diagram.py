"""The architecture as a graph: clients → gateway → services → their data stores, queues and caches.

One graph model, two notations: Mermaid (for Markdown and GitHub) and Graphviz DOT (for the HTML report's SVG).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.knowledge import load_knowledge
from agent.schema import Architecture

# how a component is drawn, by category
STORE_CATEGORIES = {"database", "cache", "search", "storage", "geospatial"}
ASYNC_CATEGORIES = {"queue"}
EDGE_CATEGORIES = {"cdn", "load_balancer"}


@dataclass
class Graph:
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    """id → (label, kind): client, edge, gateway, service, store, queue."""
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    """(from, to, label)."""


def node_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", name).strip("_") or "node"


def build_graph(architecture: Architecture) -> Graph:
    knowledge = load_knowledge()
    graph = Graph()
    categories = {}
    for component in architecture.components:
        tech = knowledge.technology(component.name)
        categories[component.name] = component.category or (tech.category if tech else "other")
    graph.nodes["clients"] = ("Clients (web, mobile)", "client")
    previous = "clients"
    for name, category in categories.items():
        if category in EDGE_CATEGORIES:
            graph.nodes[node_id(name)] = (name, "edge")
            graph.edges.append((previous, node_id(name), ""))
            previous = node_id(name)
    gateway = next((s for s in architecture.services if "gateway" in s.name.lower()), None)
    services = [s for s in architecture.services if s is not gateway]
    if gateway is not None:
        graph.nodes[node_id(gateway.name)] = (gateway.name, "gateway")
        graph.edges.append((previous, node_id(gateway.name), "HTTPS"))
        previous = node_id(gateway.name)
    queues = [name for name, category in categories.items() if category in ASYNC_CATEGORIES]
    for service in services:
        sid = node_id(service.name)
        graph.nodes[sid] = (service.name, "service")
        graph.edges.append((previous, sid, ""))
        for store in service.data_stores:
            canonical = knowledge.canonical(store)
            kind = "store"
            graph.nodes.setdefault(node_id(canonical), (canonical, kind))
            graph.edges.append((sid, node_id(canonical), ""))
    for name in queues:
        graph.nodes[node_id(name)] = (name, "queue")
        for service in services[:3]:  # the first services publish events; enough to show the flow
            graph.edges.append((node_id(service.name), node_id(name), "events"))
    return graph


_MERMAID_SHAPES = {
    "client": ('(["', '"])'),
    "edge": ('{{"', '"}}'),
    "gateway": ('["', '"]'),
    "service": ('["', '"]'),
    "store": ('[("', '")]'),
    "queue": ('>"', '"]'),
}


def to_mermaid(architecture: Architecture) -> str:
    """A Mermaid flowchart of the architecture."""
    graph = build_graph(architecture)
    lines = ["flowchart LR"]
    for nid, (label, kind) in graph.nodes.items():
        left, right = _MERMAID_SHAPES[kind]
        lines.append(f"  {nid}{left}{label.replace(chr(34), '')}{right}")
    for source, target, label in dict.fromkeys(graph.edges):
        arrow = f" -->|{label}| " if label else " --> "
        lines.append(f"  {source}{arrow}{target}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {"client": "ellipse", "edge": "hexagon", "gateway": "box", "service": "box", "store": "cylinder",
               "queue": "cds"}  # fmt: skip


def to_dot(architecture: Architecture) -> str:
    """The same graph in Graphviz DOT."""
    graph = build_graph(architecture)
    lines = ["digraph architecture {", "  rankdir=LR;", '  node [fontname="Helvetica", fontsize=10];']
    for nid, (label, kind) in graph.nodes.items():
        style = ', style="filled", fillcolor="#eef4ff"' if kind == "service" else ""
        lines.append(f'  {nid} [label="{label.replace(chr(34), "")}", shape={_DOT_SHAPES[kind]}{style}];')
    for source, target, label in dict.fromkeys(graph.edges):
        attributes = f' [label="{label}"]' if label else ""
        lines.append(f"  {source} -> {target}{attributes};")
    lines.append("}")
    return "\n".join(lines) + "\n"

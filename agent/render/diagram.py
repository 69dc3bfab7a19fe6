"""The architecture as a graph: clients → gateway → services → their data stores, queues and caches.

One graph model, two notations: Mermaid (for Markdown and GitHub) and Graphviz DOT (for the HTML report's SVG).
Safe by construction: node ids are generated (`n0`, `n1`, ...), never derived from names, so no name can merge
two nodes or be a reserved word; labels are escaped for each notation (the `graphviz` package's `escape` and
quoting for DOT, Mermaid's entity codes inside quoted labels), so no name can add an attribute or a link.
"""

from __future__ import annotations

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
    ids: dict[tuple[str, str], str] = field(default_factory=dict)

    def node(self, name: str, kind: str, role: str = "") -> str:
        """The id of the node for `name` (one per name and role), created on first use."""
        key = (role or kind, name)
        if key not in self.ids:
            self.ids[key] = f"n{len(self.ids)}"
            self.nodes[self.ids[key]] = (name, kind)
        return self.ids[key]


def build_graph(architecture: Architecture) -> Graph:
    knowledge = load_knowledge()
    graph = Graph()
    categories = {}
    for component in architecture.components:
        tech = knowledge.technology(component.name)
        categories[component.name] = component.category or (tech.category if tech else "other")
    previous = graph.node("Clients (web, mobile)", "client")
    for name, category in categories.items():
        if category in EDGE_CATEGORIES:
            edge = graph.node(name, "edge", role="component")
            graph.edges.append((previous, edge, ""))
            previous = edge
    gateway = next((s for s in architecture.services if "gateway" in s.name.lower()), None)
    services = [s for s in architecture.services if s is not gateway]
    if gateway is not None:
        gid = graph.node(gateway.name, "gateway", role="service")
        graph.edges.append((previous, gid, "HTTPS"))
        previous = gid
    queues = [name for name, category in categories.items() if category in ASYNC_CATEGORIES]
    service_ids = []
    for service in services:
        sid = graph.node(service.name, "service", role="service")
        service_ids.append(sid)
        graph.edges.append((previous, sid, ""))
        for store in service.data_stores:
            graph.edges.append((sid, graph.node(knowledge.canonical(store), "store", role="component"), ""))
    for name in queues:
        qid = graph.node(name, "queue", role="component")
        for sid in service_ids[:3]:  # the first services publish events; enough to show the flow
            graph.edges.append((sid, qid, "events"))
    return graph


_MERMAID_SHAPES = {
    "client": ('(["', '"])'),
    "edge": ('{{"', '"}}'),
    "gateway": ('["', '"]'),
    "service": ('["', '"]'),
    "store": ('[("', '")]'),
    "queue": ('>"', '"]'),
}
# inside a quoted Mermaid label these would end the label or be read as markup: written as entity codes
_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;",
                     "`": "#96;", "\\": "#92;"}  # fmt: skip


def mermaid_text(text: str) -> str:
    """Text for inside a quoted Mermaid label (newlines would end the statement: they become spaces)."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in " ".join(text.split()))


def to_mermaid(architecture: Architecture) -> str:
    """A Mermaid flowchart of the architecture."""
    graph = build_graph(architecture)
    lines = ["flowchart LR"]
    for nid, (label, kind) in graph.nodes.items():
        left, right = _MERMAID_SHAPES[kind]
        lines.append(f"  {nid}{left}{mermaid_text(label)}{right}")
    for source, target, label in dict.fromkeys(graph.edges):
        arrow = f' -->|"{mermaid_text(label)}"| ' if label else " --> "
        lines.append(f"  {source}{arrow}{target}")
    return "\n".join(lines) + "\n"


_DOT_SHAPES = {"client": "ellipse", "edge": "hexagon", "gateway": "box", "service": "box", "store": "cylinder",
               "queue": "cds"}  # fmt: skip


def to_dot(architecture: Architecture) -> str:
    """The same graph in Graphviz DOT, written by the `graphviz` package (quoting and escaping by construction)."""
    import graphviz

    graph = build_graph(architecture)
    dot = graphviz.Digraph("architecture", graph_attr={"rankdir": "LR"},
                           node_attr={"fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "9"})  # fmt: skip
    for nid, (label, kind) in graph.nodes.items():
        style = {"style": "filled", "fillcolor": "#eef4ff"} if kind == "service" else {}
        dot.node(nid, label=graphviz.escape(" ".join(label.split())), shape=_DOT_SHAPES[kind], **style)
    for source, target, label in dict.fromkeys(graph.edges):
        dot.edge(source, target, **({"label": graphviz.escape(label)} if label else {}))
    return dot.source

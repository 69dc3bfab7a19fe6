"""The architecture graph (`agent.render.graph`) in Mermaid (for Markdown and GitHub) and Graphviz DOT (for the
HTML report's SVG): grouped by layer, one font throughout, the key flow highlighted.

Safe by construction: node ids are generated, labels are escaped for each notation (the `graphviz` package's
`escape` and quoting for DOT, Mermaid's entity codes inside quoted labels), so no name can add an attribute or a link.
"""

from __future__ import annotations

from agent.render.graph import LAYERS, Graph, build_graph
from agent.schema import Architecture

FONT = "Helvetica, Arial, sans-serif"
KEY_COLOUR = "#d9480f"
_MERMAID_SHAPES = {
    "client": ('(["', '"])'),
    "edge": ('{{"', '"}}'),
    "cdn": ('{{"', '"}}'),
    "gateway": ('["', '"]'),
    "service": ('["', '"]'),
    "store": ('[("', '")]'),
    "queue": ('>"', '"]'),
    "external": ('[/"', '"/]'),
}
# inside a quoted Mermaid label these would end the label or be read as markup: written as entity codes
_MERMAID_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "|": "#124;",
                     "`": "#96;", "\\": "#92;"}  # fmt: skip


def mermaid_text(text: str) -> str:
    """Text for inside a quoted Mermaid label (newlines would end the statement: they become spaces)."""
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in " ".join(text.split()))


def to_mermaid(architecture: Architecture, graph: Graph | None = None) -> str:
    """A Mermaid flowchart: one subgraph per layer, ELK layout (edges routed around boxes) where the renderer has
    it, the key flow's edges drawn thick."""
    graph = graph or build_graph(architecture)
    lines = ["---", "config:", "  layout: elk", "  theme: neutral", f'  fontFamily: "{FONT}"', "  themeVariables:",
             f'    fontFamily: "{FONT}"', "---", "flowchart LR"]  # fmt: skip
    for number, (layer, title) in enumerate(LAYERS.items()):
        members = graph.in_layer(layer)
        if not members:
            continue
        lines.append(f'  subgraph L{number}["{mermaid_text(title)}"]')
        for node in members:
            left, right = _MERMAID_SHAPES[node.kind]
            lines.append(f"    {node.id}{left}{mermaid_text(node.label)}{right}")
        lines.append("  end")
    key = []
    for index, edge in enumerate(graph.edges):
        arrow = f' ==>|"{mermaid_text(edge.label)}"| ' if edge.key and edge.label else " ==> " if edge.key else None
        arrow = arrow or (f' -->|"{mermaid_text(edge.label)}"| ' if edge.label else " --> ")
        lines.append(f"  {edge.source}{arrow}{edge.target}")
        if edge.key:
            key.append(str(index))
    if key:
        lines.append(f"  linkStyle {','.join(key)} stroke:{KEY_COLOUR},stroke-width:3px")
    return "\n".join(lines) + "\n"


_COLUMN = {"clients": 0, "edge": 1, "services": 2, "messaging": 3, "data": 3, "external": 3}
"""Where each layer sits, left to right: queues, stores and providers all sit right of the services."""
_DOT_SHAPES = {"client": "ellipse", "edge": "hexagon", "cdn": "hexagon", "gateway": "box", "service": "box",
               "store": "cylinder", "queue": "cds", "external": "parallelogram"}  # fmt: skip


def to_dot(architecture: Architecture, graph: Graph | None = None) -> str:
    """The same graph in Graphviz DOT, written by the `graphviz` package (quoting and escaping by construction):
    clusters per layer, one font and size for nodes, edges and labels."""
    import graphviz

    graph = graph or build_graph(architecture)
    font = {"fontname": "Helvetica", "fontsize": "11"}
    legend = f"Highlighted: {graph.key_flow}" if graph.key_flow else ""
    dot = graphviz.Digraph("architecture", graph_attr={"rankdir": "LR", "nodesep": "0.25", "ranksep": "0.6",
                                                       "newrank": "true", "label": graphviz.escape(legend),
                                                       "labelloc": "b", **font},
                           node_attr=font, edge_attr={**font, "color": "#555555"})  # fmt: skip
    for number, (layer, title) in enumerate(LAYERS.items()):
        members = graph.in_layer(layer)
        if not members:
            continue
        with dot.subgraph(name=f"cluster_{number}") as cluster:
            cluster.attr(label=graphviz.escape(title), style="rounded,dashed", color="#999999", **font)
            for node in members:
                style = {"style": "filled", "fillcolor": "#eef4ff"} if node.kind in ("service", "gateway") else {}
                cluster.node(node.id, label=graphviz.escape(" ".join(node.label.split())),
                             shape=_DOT_SHAPES[node.kind], **style)  # fmt: skip
            # one column per layer (the gateway before its services): the layers read left to right
            column = [n.id for n in members if n.kind != "gateway"]
            if len(column) > 1:
                with cluster.subgraph() as same:
                    same.attr(rank="same")
                    for nid in column:
                        same.node(nid)
    ranked = {n.id: _COLUMN[n.layer] for n in graph.nodes.values()}
    for edge in graph.edges:
        attrs = {"label": graphviz.escape(edge.label)} if edge.label else {}
        step = ranked[edge.target] - ranked[edge.source]
        if step < 0 or step > 1:
            attrs["constraint"] = "false"  # a consumer, the CDN's origin: drawn, but not allowed to reorder layers
        if edge.key:
            attrs |= {"color": KEY_COLOUR, "penwidth": "2.5", "fontcolor": KEY_COLOUR}
        dot.edge(edge.source, edge.target, **attrs)
    return dot.source

"""The architecture as a C4 container view in PlantUML, with the C4 library PlantUML ships (`!include <C4/...>`):
the users as a Person, the system's services and stores as Containers inside its boundary (databases as
ContainerDb, queues as ContainerQueue), providers outside it as System_Ext, and the graph's edges as Rel.

Labels are written inside double quotes; a double quote, a backslash or a line break in a name would end the
string or start an escape, `[[...]]` would make a link and `%getenv(...)` would be evaluated, so they are replaced.
"""

from __future__ import annotations

from agent.render.graph import Graph, build_graph
from agent.schema import Architecture

_MACROS = {"client": "Person", "edge": "Container", "cdn": "Container", "gateway": "Container", "service": "Container",
           "store": "ContainerDb", "queue": "ContainerQueue", "external": "System_Ext"}  # fmt: skip
_TECHNOLOGY = {"edge": "load balancer", "cdn": "CDN", "gateway": "API gateway", "service": "service",
               "store": "data store", "queue": "message queue"}  # fmt: skip
MAX_TEXT = 120
_REPLACE = (('"', "'"), ("\\", "/"), ("[[", "[ ["), ("]]", "] ]"), ("%", "\uff05"), ("<", "\u2039"), (">", "\u203a"))
"""PlantUML evaluates %functions even inside quoted arguments (%getenv would put an environment variable in the
diagram): a percent sign becomes the full-width ％. Creole reads tags in labels (`<img:URL>` fetches the URL when
the diagram is rendered, `<color>`, `<size>`...): angle brackets become the single guillemets ‹ ›."""


def puml_text(text: str) -> str:
    """Text for inside a PlantUML double-quoted argument."""
    for unsafe, safe in _REPLACE:
        text = text.replace(unsafe, safe)
    cleaned = " ".join(text.split())
    return cleaned if len(cleaned) <= MAX_TEXT else cleaned[: MAX_TEXT - 1].rsplit(" ", 1)[0] + "…"


def to_plantuml(architecture: Architecture, graph: Graph | None = None) -> str:
    graph = graph or build_graph(architecture)
    title = puml_text(architecture.request or "Architecture")
    lines = ["@startuml", "!include <C4/C4_Container>", "LAYOUT_LEFT_RIGHT()", f"title Container view: {title}", ""]
    outside = [n for n in graph.nodes.values() if n.kind in ("client", "external")]
    inside = [n for n in graph.nodes.values() if n.kind not in ("client", "external")]
    for node in outside:
        lines.append(f'{_MACROS[node.kind]}({node.id}, "{puml_text(node.label)}", "{puml_text(node.detail)}")')
    lines.append(f'System_Boundary(system, "{title}") {{')
    for node in inside:
        kind = _TECHNOLOGY.get(node.kind, node.kind)
        lines.append(f'  {_MACROS[node.kind]}({node.id}, "{puml_text(node.label)}", "{puml_text(kind)}", '
                     f'"{puml_text(node.detail)}")')  # fmt: skip
    lines.append("}")
    for edge in graph.edges:
        style = ', $tags="key"' if edge.key else ""
        label = edge.label or ("reads/writes" if graph.nodes[edge.target].kind == "store" else "")
        lines.append(f'Rel({edge.source}, {edge.target}, "{puml_text(label)}"{style})')
    if graph.key_flow:
        lines.insert(4, 'AddRelTag("key", $lineColor="#d9480f", $textColor="#d9480f")')
        lines.append(f"SHOW_LEGEND()\nfooter Highlighted: {puml_text(graph.key_flow)}")
    lines.append("@enduml")
    return "\n".join(lines) + "\n"

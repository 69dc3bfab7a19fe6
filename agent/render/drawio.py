"""The architecture as a diagrams.net (draw.io) file: one swimlane per layer, one shape per service, store,
queue and provider inside it, every edge with a real source and target, so the file opens editable.

Written with `xml.etree` (escaping by construction). Layers are columns left to right and shapes stack
down each column; draw.io's own layout tools rearrange them if one wishes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from agent.render.graph import LAYERS, Graph, build_graph, printable
from agent.schema import Architecture

WIDTH, HEIGHT, GAP, LANE_GAP, HEADER = 170, 50, 20, 60, 30
_STYLES = {
    "client": "ellipse;whiteSpace=wrap;html=0;",
    "edge": "shape=hexagon;perimeter=hexagonPerimeter2;whiteSpace=wrap;html=0;",
    "cdn": "shape=hexagon;perimeter=hexagonPerimeter2;whiteSpace=wrap;html=0;",
    "gateway": "rounded=1;whiteSpace=wrap;html=0;fillColor=#dae8fc;strokeColor=#6c8ebf;",
    "service": "rounded=1;whiteSpace=wrap;html=0;fillColor=#dae8fc;strokeColor=#6c8ebf;",
    "store": "shape=cylinder3;whiteSpace=wrap;html=0;boundedLbl=1;size=10;",
    "queue": "shape=step;perimeter=stepPerimeter;whiteSpace=wrap;html=0;fixedSize=1;size=12;",
    "external": "shape=parallelogram;perimeter=parallelogramPerimeter;whiteSpace=wrap;html=0;",
}
LANE = "swimlane;startSize=30;html=0;rounded=1;dashed=1;fillColor=none;"
EDGE = "edgeStyle=orthogonalEdgeStyle;rounded=1;html=0;endArrow=block;"
KEY_EDGE = EDGE + "strokeColor=#d9480f;strokeWidth=3;fontColor=#d9480f;"


def to_drawio(architecture: Architecture, graph: Graph | None = None) -> str:
    graph = graph or build_graph(architecture)
    mxfile = ET.Element("mxfile", host="sysdesign-agent")
    name = printable(architecture.request or "Architecture")[:80]
    diagram = ET.SubElement(mxfile, "diagram", id="architecture", name=name)
    model = ET.SubElement(diagram, "mxGraphModel", grid="1", gridSize="10", page="0")
    root = ET.SubElement(model, "root")
    ET.SubElement(root, "mxCell", id="0")
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    x = 0
    for layer, title in LAYERS.items():
        members = graph.in_layer(layer)
        if not members:
            continue
        lane_height = HEADER + GAP + len(members) * (HEIGHT + GAP)
        lane = ET.SubElement(root, "mxCell", {"id": f"lane-{layer}", "value": title, "style": LANE, "vertex": "1",
                                              "parent": "1"})  # fmt: skip
        _geometry(lane, x, 0, WIDTH + 2 * GAP, lane_height)
        for row, node in enumerate(members):
            cell = ET.SubElement(root, "mxCell", {"id": node.id, "value": node.label, "style": _STYLES[node.kind],
                                                  "vertex": "1", "parent": f"lane-{layer}"})  # fmt: skip
            _geometry(cell, GAP, HEADER + GAP + row * (HEIGHT + GAP), WIDTH, HEIGHT)
        x += WIDTH + 2 * GAP + LANE_GAP
    for number, edge in enumerate(graph.edges):
        cell = ET.SubElement(root, "mxCell", {"id": f"e{number}", "value": edge.label, "edge": "1", "parent": "1",
                                              "style": KEY_EDGE if edge.key else EDGE, "source": edge.source,
                                              "target": edge.target})  # fmt: skip
        ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
    ET.indent(mxfile)
    return ET.tostring(mxfile, encoding="unicode") + "\n"


def _geometry(cell: ET.Element, x: int, y: int, width: int, height: int) -> None:
    ET.SubElement(cell, "mxGeometry", {"x": str(x), "y": str(y), "width": str(width), "height": str(height),
                                       "as": "geometry"})  # fmt: skip

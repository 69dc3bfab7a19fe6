"""Diagrams worth sending, looked at the way a person would: each notation rendered by its real tool, PNGs saved in
.cache/ for a reviewer to open, and layout facts asserted (no overlapping nodes in Graphviz's layout, no Mermaid edge
through a box, every draw.io edge between real cells, the key flow highlighted, queues with both ends)."""

from __future__ import annotations

import base64
import itertools
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from agent.render.diagram import to_dot, to_mermaid
from agent.render.drawio import to_drawio
from agent.render.graph import build_graph
from agent.render.html import to_html
from agent.render.plantuml import to_plantuml
from tests.conftest import PROJECT_ROOT
from tests.test_rendering import CHROMIUM_FLAGS, MMDC

CACHE = PROJECT_ROOT / ".cache"
PLANTUML = CACHE / "plantuml.jar"


@pytest.fixture(scope="module")
def large(retriever):
    """A 15-service design (a ride-hailing app with its payments)."""
    from agent.pipeline import Engine

    design = Engine(retriever).recommend("Design an Uber clone with payments and in-app chat")
    assert len(design.services) >= 14
    return design


@pytest.fixture(scope="module")
def twitter(retriever):
    from agent.pipeline import Engine

    return Engine(retriever).recommend("Build a Twitter clone")


def test_the_graph_reads_flows_queues_and_the_edge(twitter):
    graph = build_graph(twitter)
    label = {n.id: n.label for n in graph.nodes.values()}
    edges = {(label[e.source], label[e.target]) for e in graph.edges}
    assert ("Post Service", "Kafka") in edges and ("Kafka", "Feed Service") in edges  # the fan-out is drawn
    assert ("Clients (web, mobile)", "CDN") in edges and ("CDN", "S3") in edges  # CDN beside the API path
    assert not any(src == "CDN" and dst.endswith("Service") for src, dst in edges)
    assert graph.key_flow == "Hybrid fan-out" and any(e.key for e in graph.edges)
    monolith = build_graph(twitter.model_copy(update={"services": twitter.services[1:2]}))
    stores = {n.label for n in monolith.in_layer("data")}
    assert {"Postgres", "Redis", "Cassandra", "S3", "Elasticsearch"} <= stores  # a monolith keeps its data parts


def test_graphviz_layout_has_no_overlapping_nodes(large):
    source = to_dot(large)
    layout = json.loads(subprocess.run(["dot", "-Tjson"], input=source, capture_output=True, text=True,
                                       check=True, timeout=60).stdout)  # fmt: skip
    boxes = []
    for obj in layout["objects"]:
        if "pos" in obj and "width" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            w, h = float(obj["width"]) * 72, float(obj["height"]) * 72
            boxes.append((obj["name"], x - w / 2, y - h / 2, x + w / 2, y + h / 2))
    assert len(boxes) >= 20
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[3], b[3]) - max(a[1], b[1]) > 1 and min(a[4], b[4]) - max(a[2], b[2]) > 1
            assert not overlap, (a[0], b[0])
    fonts = set(re.findall(r"fontname=(\w+)", source))
    assert fonts == {"Helvetica"}
    png = CACHE / "diagram-dot.png"
    subprocess.run(["dot", "-Tpng", "-o", str(png)], input=source, text=True, check=True, timeout=60)
    assert png.read_bytes()[:4] == b"\x89PNG"


def _mermaid(tmp_path, source: str, suffix: str) -> str:
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": shutil.which("chromium"), "args": CHROMIUM_FLAGS[1:]}))
    (tmp_path / "d.mmd").write_text(source)
    out = tmp_path / f"d.{suffix}"
    subprocess.run([str(MMDC), "-i", str(tmp_path / "d.mmd"), "-o", str(out), "-p", str(config), "-w", "1400"],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    return str(out)


def edges_through_boxes(svg: str) -> list[str]:
    """Edges of a Mermaid SVG that cross the label box of a node that is neither their source nor their target."""
    boxes = {}
    node = re.compile(r'<g class="node [^"]*" id="[^"]*-(n\d+)-\d+"[^>]*transform="translate\(([-\d.]+), ?'
                      r'([-\d.]+)\)".*?<foreignObject width="([\d.]+)" height="([\d.]+)"', re.S)  # fmt: skip
    for match in node.finditer(svg):
        nid, x, y, w, h = match.group(1), *(float(v) for v in match.groups()[1:])
        boxes[nid] = (x - w / 2 + 2, y - h / 2 + 2, x + w / 2 - 2, y + h / 2 - 2)
    crossing = []
    for match in re.finditer(r'data-id="L_(n\d+)_(n\d+)_\d+"[^>]*data-points="([^"]+)"', svg):
        source, target, encoded = match.groups()
        points = [(p["x"], p["y"]) for p in json.loads(base64.b64decode(encoded))]
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            for step in range(21):
                x, y = x1 + (x2 - x1) * step / 20, y1 + (y2 - y1) * step / 20
                for nid, (left, top, right, bottom) in boxes.items():
                    if nid not in (source, target) and left < x < right and top < y < bottom:
                        crossing.append(f"{source}->{target} through {nid}")
    assert boxes, "no node boxes found: the SVG's structure changed"
    return sorted(set(crossing))


@pytest.mark.skipif(not MMDC.exists() or shutil.which("chromium") is None, reason="Mermaid CLI not installed")
def test_mermaid_routes_no_edge_through_a_box(tmp_path, large):
    source = to_mermaid(large)
    assert "layout: elk" in source and source.count("subgraph") >= 4
    svg = Path(_mermaid(tmp_path, source, "svg")).read_text()
    assert edges_through_boxes(svg) == []
    assert set(re.findall(r"font-family:([^;}\"]+)", svg)) == {"Helvetica,Arial,sans-serif"}
    png = _mermaid(tmp_path, source, "png")
    shutil.copy(png, CACHE / "diagram-mermaid.png")


def test_the_crossing_check_can_fail():
    box = '<g class="node default" id="x-flowchart-n2-0" transform="translate(50, 50)"><foreignObject width="40" ' \
          'height="20"></foreignObject></g>'  # fmt: skip
    points = base64.b64encode(json.dumps([{"x": 0, "y": 50}, {"x": 100, "y": 50}]).encode()).decode()
    assert edges_through_boxes(box + f'<path data-id="L_n0_n1_0" data-points="{points}"/>') == ["n0->n1 through n2"]


@pytest.mark.skipif(not PLANTUML.exists() or shutil.which("java") is None, reason="PlantUML or Java not installed")
def test_c4_container_view_renders_with_plantuml(tmp_path, large):
    source = tmp_path / "c4.puml"
    source.write_text(to_plantuml(large))
    text = source.read_text()
    assert "!include <C4/C4_Container>" in text and "ContainerDb(" in text and "ContainerQueue(" in text
    result = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(PLANTUML), "-tpng", "-failfast2",
                             str(source)], capture_output=True, text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    png = tmp_path / "c4.png"
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000
    shutil.copy(png, CACHE / "diagram-c4.png")


def test_drawio_cells_and_edges_are_real(large):
    """No renderer for draw.io installs offline, so the file's structure is checked with a parser."""
    root = ET.fromstring(to_drawio(large))
    cells = {c.get("id"): c for c in root.iter("mxCell")}
    vertices = {cid: c for cid, c in cells.items() if c.get("vertex") == "1"}
    labels = {c.get("value") for c in vertices.values()}
    assert {s.name for s in large.services} <= labels
    stores = {name for s in large.services for name in s.data_stores}
    assert stores <= labels | {c.name for c in large.components if c.category == "queue"} | labels
    edges = [c for c in cells.values() if c.get("edge") == "1"]
    assert edges and all(e.get("source") in vertices and e.get("target") in vertices for e in edges)
    assert all(
        c.get("parent", "").startswith("lane-") for c in vertices.values() if not c.get("id", "").startswith("lane-")
    )


def test_html_report_is_legible_at_700_pixels(tmp_path, large):
    """The diagram keeps its drawn size (scrolling sideways) instead of shrinking below legibility, and the report
    shows requirements, capacity, questions, trade-offs, failure modes and who drafted it."""
    html = to_html(large)
    for section in ('id="capacity"', 'id="tradeoffs"', 'id="failure-modes"', 'id="questions"', 'id="drafter"',
                    "<h2>Requirements</h2>"):  # fmt: skip
        assert section in html
    probe = ("<script>window.onload=()=>{const s=document.querySelector('#diagram svg');"
             "const t=s.querySelector('text');document.title=[s.getBoundingClientRect().width,"
             "t.getBoundingClientRect().height].join(' ');}</script></body>")  # fmt: skip
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", probe))
    profile = tmp_path / "profile"
    dom = subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=700,1200",
                          "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout  # fmt: skip
    width, text_height = (float(v) for v in re.search(r"<title>([\d.]+) ([\d.]+)</title>", dom).groups())
    assert width > 700 and text_height >= 10  # drawn at full size: 11-point labels stay readable
    shot = CACHE / "report-700px.png"
    subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=700,1600",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)  # fmt: skip
    assert shot.read_bytes()[:4] == b"\x89PNG"

"""Diagrams are escaped by construction: any name renders in the real Graphviz and Mermaid CLI, nodes stay
distinct, and no name puts a link or a script into the HTML report."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.render.diagram import to_dot, to_mermaid
from agent.render.drawio import to_drawio
from agent.render.graph import build_graph
from agent.render.html import to_html
from agent.render.plantuml import to_plantuml
from agent.schema import Architecture
from tests.conftest import PROJECT_ROOT
from tests.test_diagrams import PLANTUML
from tests.test_rendering import CHROMIUM_FLAGS, MMDC

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = [
    'Cache\\", URL=<javascript:alert(1)>, target=<_top>]; //',  # the fuzzing campaign's link injection
    "Node", "Edge", "Graph", "end", "clients", "subgraph", "style", "click", "classDef",
    "trailing\\", 'quote " inside', "a --> b", "x[y]", "{braces}", "(parens)", "line\nbreak",
    "缓存服务", "缓存数据库", "🚀 Launch Service", "3D Render Service", "<script>alert(1)</script>", "#hash;", "a|b",
]  # fmt: skip
names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=24).filter(
    lambda s: s.strip() != ""
)


def _design(services: list[str], stores: list[str]) -> Architecture:
    return Architecture.model_validate({
        "request": "fuzz",
        "components": [{"name": s, "category": "database"} for s in stores]
                      + [{"name": "Kafka", "category": "queue"}, {"name": "CDN", "category": "cdn"}],
        "services": [{"name": s, "data_stores": stores[:2]} for s in services],
    })  # fmt: skip


def _dot_nodes(source: str) -> list[str]:
    svg = subprocess.run(["dot", "-Tsvg"], input=source, capture_output=True, text=True, check=True, timeout=60).stdout
    root = ET.fromstring(svg[svg.find("<svg") :])
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(services=st.lists(names, min_size=1, max_size=6, unique=True), stores=st.lists(names, max_size=3, unique=True))
def test_any_names_render_in_graphviz_as_distinct_nodes(services, stores):
    design = _design(services, stores)
    graph = build_graph(design)
    assert sorted(_dot_nodes(to_dot(design))) == sorted(graph.nodes)  # nothing merged, nothing added
    # every service is a node; one whose name says gateway is drawn as the gateway in front of the others
    assert len({nid for nid, node in graph.nodes.items() if node.kind in ("service", "gateway")}) == len(services)
    drawn = ET.fromstring(to_drawio(design))  # the draw.io file parses whatever the names, one cell per node
    assert {c.get("id") for c in drawn.iter("mxCell") if c.get("vertex") == "1"} >= set(graph.nodes)


def test_hostile_names_keep_links_and_scripts_out_of_the_html_report():
    design = _design(HOSTILE, ["Redis", 'Mongo"DB', "end"])
    html = to_html(design)
    assert "<script" not in html
    assert not re.search(r'href="\s*javascript:', html) and "<a " not in html.split("<svg", 1)[-1].split("</svg>")[0]
    nodes = _dot_nodes(to_dot(design))
    assert len(nodes) == len(build_graph(design).nodes)


@pytest.mark.skipif(not MMDC.exists() or shutil.which("chromium") is None, reason="Mermaid CLI not installed")
def test_hostile_names_render_in_the_real_mermaid_cli(tmp_path):
    design = _design(HOSTILE, ["Redis", 'Mongo"DB', "end"])
    source = tmp_path / "d.mmd"
    source.write_text(to_mermaid(design))
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": shutil.which("chromium"), "args": CHROMIUM_FLAGS[1:]}))
    svg = tmp_path / "d.svg"
    run = subprocess.run([str(MMDC), "-i", str(source), "-o", str(svg), "-p", str(config)], capture_output=True,
                         text=True, timeout=180)  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    rendered = svg.read_text()
    assert len(re.findall(r'<g class="node ', rendered)) == len(build_graph(design).nodes)
    assert "<script" not in rendered  # the label is there as text: &lt;script&gt;
    assert not re.search(r'href="\s*javascript:', rendered)
    shutil.copy(svg, PROJECT_ROOT / ".cache" / "hostile-names-mermaid.svg")


# a 1x1 transparent PNG
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082")  # fmt: skip


@pytest.mark.skipif(not PLANTUML.exists() or shutil.which("java") is None, reason="PlantUML or Java not installed")
def test_hostile_names_render_in_real_plantuml(tmp_path):
    from tests.model_server import ReplayHandler, serving

    fetched: list[str] = []

    class Pixel(ReplayHandler):  # a server the names point at: rendering must never call it
        def do_GET(self) -> None:
            fetched.append(self.path)
            self.send_body(_PNG)

    server = serving(Pixel)
    port = next(server).server_address[1]
    design = _design(
        [
            *HOSTILE,
            "[[javascript:alert(1) click]] Service",
            "!include /etc/passwd",
            '%getenv("HOME") Service',
            "%version() Service",
            f"<img:http://127.0.0.1:{port}/pixel.png> Tracker Service",
            f'<img src="http://127.0.0.1:{port}/p.png"> Pixel Service',
            "<color:red><size:90>Loud Service",
        ],
        ["Redis", "end"],
    )
    source = tmp_path / "c4.puml"
    source.write_text(to_plantuml(design))
    result = subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(PLANTUML), "-tsvg", "-failfast2",
                             str(source)], capture_output=True, text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    svg = re.sub(r"<!--.*?-->", "", (tmp_path / "c4.svg").read_text(), flags=re.S)  # PlantUML keeps its source
    assert not [e for e in ET.fromstring(svg).iter() if e.tag.endswith(("script", "a"))]  # inert text only
    assert svg.count("Launch Service") == 1
    assert os.environ.get("HOME", "/nonexistent") not in svg and "1.2022" not in svg  # no %function evaluated
    assert fetched == [] and f"127.0.0.1:{port}" in svg  # the URL is shown as text, never fetched
    next(server, None)  # stop the server
    assert 'font-size="90"' not in svg  # nor is any other Creole tag read


def test_control_characters_in_names_leave_every_export_well_formed():
    from agent.render.diagram import to_dot, to_mermaid
    from agent.render.drawio import to_drawio

    bad = "Svc\x1b[31m\x00\x07\x0b\x7f name"
    design = Architecture.model_validate({
        "request": bad, "components": [{"name": bad, "category": "database"}],
        "services": [{"name": bad, "data_stores": [bad]}, {"name": "Other\x1b]8;;http://x\x07 Service"}],
    })  # fmt: skip
    ET.fromstring(to_drawio(design))  # ill-formed XML would raise
    dot = subprocess.run(["dot", "-Tsvg"], input=to_dot(design), capture_output=True, text=True, timeout=60)
    assert dot.returncode == 0, dot.stderr
    for text in (to_dot(design), to_mermaid(design), to_drawio(design)):
        assert not any(ch in text for ch in "\x00\x1b\x07\x0b\x7f")

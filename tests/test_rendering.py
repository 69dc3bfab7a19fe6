"""Renderings through the real tools: Mermaid CLI (with Debian's chromium), Graphviz, headless chromium."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from agent.errors import InvalidRequest
from agent.render.diagram import to_dot, to_mermaid
from agent.render.html import to_html
from agent.render.markdown import to_markdown
from agent.render.output import choose_format
from tests.conftest import PROJECT_ROOT, run_cli

MMDC = PROJECT_ROOT / ".cache" / "node" / "node_modules" / ".bin" / "mmdc"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture(scope="module")
def twitter(retriever):
    from agent.pipeline import Engine

    return Engine(retriever).recommend("Build a Twitter clone")


def test_mermaid_renders_with_the_real_mermaid_cli(tmp_path, twitter):
    source = tmp_path / "diagram.mmd"
    source.write_text(to_mermaid(twitter))
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": shutil.which("chromium"), "args": CHROMIUM_FLAGS[1:]}))
    svg = tmp_path / "diagram.svg"
    subprocess.run([str(MMDC), "-i", str(source), "-o", str(svg), "-p", str(config)], check=True,
                   capture_output=True, timeout=120)  # fmt: skip
    text = svg.read_text()
    assert "<svg" in text and "Feed Service" in text and "Cassandra" in text


def test_dot_renders_with_graphviz(twitter):
    svg = subprocess.run(["dot", "-Tsvg"], input=to_dot(twitter), capture_output=True, text=True, check=True).stdout
    root = ET.fromstring(svg[svg.find("<svg") :])
    labels = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"API Gateway", "Feed Service", "Redis", "Kafka"} <= labels


def test_html_report_opens_in_headless_chromium(tmp_path, twitter):
    page = tmp_path / "report.html"
    page.write_text(to_html(twitter))
    html = page.read_text()
    assert "<script" not in html and "<link" not in html and ' src="http' not in html  # nothing fetched
    profile = tmp_path / "profile"
    dom = subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout  # fmt: skip
    for section in ("summary", "diagram", "stack", "services", "flows", "estimate", "findings", "citations"):
        assert f'id="{section}"' in dom, section
    assert "<svg" in dom and "Hybrid fan-out" in dom
    screenshot = PROJECT_ROOT / ".cache" / "report-screenshot.png"
    subprocess.run(["chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,1600",
                    f"--screenshot={screenshot}", page.as_uri()], capture_output=True, timeout=120)  # fmt: skip
    assert screenshot.read_bytes()[:4] == b"\x89PNG"


def test_html_without_graphviz_shows_the_mermaid_source(twitter):
    html = to_html(twitter, use_graphviz=False)
    assert 'id="mermaid-source"' in html and "apt-get install graphviz" in html


def test_markdown_has_the_diagram_and_citations(twitter):
    text = to_markdown(twitter)
    assert "```mermaid" in text and "## Services (12)" in text and "`social-media-platforms/" in text


@pytest.mark.parametrize(("fmt", "path", "expected"), [(None, "a.md", "markdown"), (None, "a.gv", "dot"),
                                                        ("html", "a.txt", "html"), (None, None, "text")])  # fmt: skip
def test_format_from_flag_or_suffix(fmt, path, expected):
    from pathlib import Path

    assert choose_format(fmt, Path(path) if path else None) == expected


def test_unknown_formats_are_usage_errors():
    from pathlib import Path

    with pytest.raises(InvalidRequest):
        choose_format("pdf", None)
    with pytest.raises(InvalidRequest):
        choose_format(None, Path("a.pdf"))


def test_cli_writes_files_and_plain_text_when_piped(tmp_path):
    out = tmp_path / "twitter.html"
    assert run_cli("ask", "Build a Twitter clone", "-o", str(out)).returncode == 0
    assert out.read_text().startswith("<!doctype html>")
    piped = run_cli("ask", "Build a Twitter clone", env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in piped and piped.startswith("Coverage: covered") and "\nPattern: social_media" in piped
    missing = run_cli("ask", "Build a Twitter clone", "-o", str(tmp_path / "no" / "such" / "x.md"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert run_cli("ask", "Build a Twitter clone", "--format", "pdf").returncode == 2


def test_rich_rendering_on_a_terminal(twitter):
    from rich.console import Console

    from agent.render.rich_view import print_architecture

    console = Console(record=True, width=140, force_terminal=True, color_system="truecolor", file=io.StringIO())
    print_architecture(twitter, console)
    text = console.export_text(clear=False)
    assert "social_media" in text and "Stack" in text and "Feed Service" in text and "Estimate" in text
    assert "\x1b[" in console.export_text(styles=True)


def test_mermaid_cli_exists():
    assert MMDC.exists() and shutil.which("chromium") and shutil.which("dot"), "run 'make install-dev system-deps'"
    assert os.access(MMDC, os.X_OK)


HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "Name\n```\n<script>alert(2)</script>\n```",
    "a | b | c",
    "# not a heading\n## nor this",
    "**bold** _em_ `code`",
    "<javascript:alert(3)>",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_markdown_shows_hostile_text_as_text(text):
    from markdown_it import MarkdownIt

    from agent.schema import Architecture

    design = Architecture.model_validate({
        "request": text,
        "components": [{"name": text, "category": "database", "purpose": text}],
        "services": [{"name": f"Svc {text}", "responsibility": text, "data_stores": [text]}],
        "flows": [{"name": text, "steps": [text, text]}],
        "tradeoffs": [{"decision": text, "chosen": text, "alternatives": [text], "why": text}],
        "failure_modes": [{"component": text, "failure": text, "impact": text, "mitigation": text}],
    })  # fmt: skip
    source = to_markdown(design)
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(source)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.split('href="')[-1][:11]
    assert 'href="javascript' not in html and "<em>" not in html and "<strong>bold" not in html
    headings = [line for line in source.splitlines() if line.startswith("#")]
    assert len(headings) == len([h for h in headings if h.startswith(("# Architecture", "## "))])  # none injected
    assert html.count("<pre>") == 1 and '<pre><code class="language-mermaid">' in html  # the diagram's fence only
    stack_rows = [row for row in html.split("<tr>") if "<td>database</td>" in row]
    assert len(stack_rows) == 1 and stack_rows[0].count("<td>") == 4  # a '|' in a name splits no cell
    assert "<code>None</code>" not in html  # an uncited row leaves its source empty

"""One self-contained HTML page: no script, no network request when opened; the diagram as inline SVG."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from agent.ingest.sources import CHUNKS_FILE, load_chunks
from agent.render.diagram import to_dot, to_mermaid
from agent.schema import Architecture

TEMPLATES = Path(__file__).resolve().parent / "templates"


def dot_svg(dot_source: str) -> str | None:
    """SVG from Graphviz's `dot`, or None when it is not installed (or fails)."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    try:
        result = subprocess.run([dot, "-Tsvg"], input=dot_source, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    svg = result.stdout
    return svg[svg.find("<svg") :] if "<svg" in svg else None


@cache
def _chunk_texts() -> dict[str, str]:
    return {chunk.id: chunk.text for chunk in load_chunks(CHUNKS_FILE)}


def to_html(arch: Architecture, use_graphviz: bool = True) -> str:
    """The architecture report as one HTML file (jinja2, autoescaped)."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined
    )
    svg = dot_svg(to_dot(arch)) if use_graphviz else None
    widest = max((e.pert for e in arch.estimate.per_service), default=1) if arch.estimate else 1
    return environment.get_template("report.html.j2").render(
        arch=arch, svg=svg, mermaid=to_mermaid(arch), chunks=_chunk_texts(), widest=widest or 1
    )

"""One self-contained HTML page: no script, no network request when opened; the diagram as inline SVG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from agent.render.diagram import to_dot, to_mermaid
from agent.retrieval.passages import chunk_texts
from agent.schema import Architecture

TEMPLATES = Path(__file__).resolve().parent / "templates"


def dot_svg(dot_source: str) -> tuple[str | None, str]:
    """(SVG from Graphviz's `dot`, or None; why there is none) — a missing `dot` and a failing one differ."""
    dot = shutil.which("dot")
    if dot is None:
        return None, "Graphviz (dot) is not installed"
    try:
        result = subprocess.run([dot, "-Tsvg"], input=dot_source, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"Graphviz (dot) did not finish ({type(exc).__name__})"
    svg = result.stdout
    if result.returncode != 0 or "<svg" not in svg:
        return None, f"Graphviz (dot) could not draw this design ({result.stderr.strip()[:200] or 'no output'})"
    return svg[svg.find("<svg") :], ""


def to_html(arch: Architecture, use_graphviz: bool = True) -> str:
    """The architecture report as one HTML file (jinja2, autoescaped)."""
    from jinja2 import FileSystemLoader, StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    environment = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined
    )
    svg, why_not = dot_svg(to_dot(arch)) if use_graphviz else (None, "Graphviz was not used")
    widest = max((e.pert for e in arch.estimate.per_service), default=1) if arch.estimate else 1
    return environment.get_template("report.html.j2").render(
        arch=arch, svg=svg, why_no_svg=why_not, mermaid=to_mermaid(arch), chunks=chunk_texts(), widest=widest or 1
    )

"""Choosing and writing an output format: stdout or a file, the format from the flag or the file's suffix."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from agent.errors import InvalidRequest
from agent.files import write_atomic
from agent.render.terminal import inert, inert_strings
from agent.schema import Architecture

FORMATS = ("text", "json", "markdown", "mermaid", "dot", "html", "plantuml", "drawio")
SUFFIXES = {".txt": "text", ".json": "json", ".md": "markdown", ".markdown": "markdown", ".mmd": "mermaid",
            ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot", ".html": "html", ".htm": "html", ".puml": "plantuml",
            ".plantuml": "plantuml", ".drawio": "drawio"}  # fmt: skip


def choose_format(fmt: str | None, output: Path | None) -> str:
    """The flag's format, else the output file's suffix, else text; InvalidRequest for anything unknown."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InvalidRequest(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in SUFFIXES:
            raise InvalidRequest(f"cannot tell the format from {output.name!r}; add --format ({', '.join(FORMATS)})")
        return SUFFIXES[suffix]
    return "text"


def render(arch: Architecture, fmt: str) -> str:
    """`arch` as text in `fmt` (each renderer is imported only when its format is asked for)."""
    if fmt == "json":
        return json.dumps(arch.model_dump(mode="json", exclude_none=True), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from agent.render.markdown import to_markdown

        return to_markdown(arch)
    if fmt in ("mermaid", "dot"):
        from agent.render.diagram import to_dot, to_mermaid

        return to_mermaid(arch) if fmt == "mermaid" else to_dot(arch)
    if fmt == "html":
        from agent.render.html import to_html

        return to_html(arch)
    if fmt == "plantuml":
        from agent.render.plantuml import to_plantuml

        return to_plantuml(arch)
    if fmt == "drawio":
        from agent.render.drawio import to_drawio

        return to_drawio(arch)
    from agent.render.text import render_architecture, render_audit

    text = render_architecture(arch)
    if arch.audit and (arch.audit.fallback or arch.audit.model):
        text += "\n\n" + render_audit(arch.audit)
    return inert(text) + "\n"  # plain text carries no sequences of its own: any in it came from the document


def write_output(text: str, output: Path) -> None:
    """Write atomically; a missing folder is a usage error, not something to create silently."""
    if not output.parent.is_dir():
        raise InvalidRequest(f"folder {str(output.parent)!r} does not exist; create it or choose another path")
    write_atomic(output, text)


def show(arch: Architecture, fmt: str, output: Path | None) -> None:
    """Print or write `arch`: rich on a terminal (plain when piped or NO_COLOR), the format's text otherwise."""
    if output is not None:
        write_output(render(arch, fmt), output)
        print(f"wrote {fmt} to {output}", file=sys.stderr)
        return
    if fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console

        from agent.render.rich_view import print_architecture

        # the document's text is data: its control characters shown, never sent to the terminal as sequences
        shown = Architecture.model_validate(inert_strings(arch.model_dump(mode="json", exclude_none=True)))
        print_architecture(shown, Console())
        return
    sys.stdout.write(render(arch, fmt))

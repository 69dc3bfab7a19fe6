"""What every command shares: the front door (an Advisor with the settings), common options, JSON and progress."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from agent.errors import InvalidRequest
from agent.files import read_stdin, read_text_file


def advisor_for(**overrides: Any):  # -> Advisor
    """The one front door every command goes through: settings from flags > SYSDESIGN_* > sysdesign.toml."""
    from agent.advisor import Advisor
    from agent.config import load_settings

    return Advisor(settings=load_settings(**overrides))


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder (default: your own index if you built one, else the bundled one)."),
]


EmbeddingModelOption = Annotated[
    str | None,
    typer.Option("--embedding-model", help="Embedding model: 'all-MiniLM-L6-v2' or a sentence-transformers folder."),
]


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
SchemaOption = Annotated[
    Literal["auto", "small", "full"] | None,
    typer.Option("--schema", help="What a model fills: small (choices) or full (the document); default: its own."),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, max=256, help="llama.cpp threads (default: cores - 1 on small machines)."),
]
FormatJsonOption = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]


def output_format(as_json: bool, fmt: str | None) -> str | None:
    """--json is --format json; asking for both JSON and another format is a usage error, not a silent choice."""
    if as_json and fmt not in (None, "json"):
        raise InvalidRequest(f"--json and --format {fmt} ask for two formats; choose one")
    return "json" if as_json else fmt


def print_json(data: Any) -> None:
    """JSON on stdout, for scripts."""
    # allow_nan=False: NaN or Infinity would make the output invalid JSON; they never get this far by design
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def progress_printer(label: str):  # -> ProgressCallback
    """Progress on stderr: a counter rewritten in place on a terminal; elsewhere (a log file) only the final line.
    Nothing with -q."""
    logger = logging.getLogger("sysdesign")
    terminal = sys.stderr.isatty()

    def report(done: int, total: int) -> None:
        if not logger.isEnabledFor(logging.INFO):
            return
        if terminal:
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{label}: {done}/{total}{end}")
        elif done >= total:
            sys.stderr.write(f"{label}: {done}/{total} done\n")
        sys.stderr.flush()

    return report


def read_input(file: str) -> str:
    """The text of FILE, or of stdin for '-'; InvalidRequest for a missing or unreadable file."""
    if file == "-":
        return read_stdin()
    path = Path(file)
    if not path.is_file():
        raise InvalidRequest(f"no file at {file!r}; pass a JSON architecture document or '-' for stdin")
    return read_text_file(path)

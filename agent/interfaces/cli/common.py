"""What every command shares: the front door (an Advisor with the settings), common options, JSON and progress."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

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
    typer.Option(
        "--embedding-model", "--model", help="Embedding model: 'all-MiniLM-L6-v2' or a sentence-transformers folder."
    ),
]


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def print_json(data: Any) -> None:
    """JSON on stdout, for scripts."""
    # allow_nan=False: NaN or Infinity would make the output invalid JSON; they never get this far by design
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))


def progress_printer(label: str):  # -> ProgressCallback
    """A progress line on stderr (only when stderr is a terminal or notices are on)."""
    logger = logging.getLogger("sysdesign")

    def report(done: int, total: int) -> None:
        if logger.isEnabledFor(logging.INFO):
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{label}: {done}/{total}{end}")
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

"""The root typer app, shared output helpers and the entry point."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from agent.errors import SysdesignError
from agent.redaction import redact_text

app = typer.Typer(
    name="sysdesign",
    help="Grounded, checked software architectures from a system-design knowledge base.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
index_app = typer.Typer(help="Build and inspect the FAISS index of the knowledge base.", no_args_is_help=True)
kb_app = typer.Typer(help="The knowledge base's chunks.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure quality against labelled cases.")
app.add_typer(index_app, name="index")
app.add_typer(kb_app, name="kb")
app.add_typer(eval_app, name="eval")


def _version(value: bool) -> None:
    if value:
        from agent import __version__

        typer.echo(f"sysdesign-agent {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Hide notices and progress on stderr.")] = False,
) -> None:
    """Turn app ideas into architectures, and check architectures against the knowledge base."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sysdesign: %(message)s"))
    logger = logging.getLogger("sysdesign")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.ERROR if quiet else logging.INFO)
    logger.propagate = False


def advisor_for(**overrides: Any):  # -> Advisor
    """The one front door every command goes through: settings from flags > SYSDESIGN_* > sysdesign.toml."""
    from agent.advisor import Advisor
    from agent.config import load_settings

    return Advisor(settings=load_settings(**overrides))


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", help="Index folder (default: your own index if you built one, else the bundled one)."),
]


def print_json(data: Any) -> None:
    """JSON on stdout, for scripts."""
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def progress_printer(label: str):  # -> ProgressCallback
    """A progress line on stderr (only when stderr is a terminal or notices are on)."""
    logger = logging.getLogger("sysdesign")

    def report(done: int, total: int) -> None:
        if logger.isEnabledFor(logging.INFO):
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{label}: {done}/{total}{end}")
            sys.stderr.flush()

    return report


def main() -> None:
    """The console-script entry point."""
    # importing the command modules registers their commands on `app`
    from agent.interfaces.cli import (  # noqa: F401
        chat_commands,
        engine_commands,
        eval_commands,
        retrieval_commands,
        rules_commands,
        server_commands,
        settings_commands,
        training_commands,
    )

    try:
        app()  # standalone: click reports its own usage errors (exit 2) and exits
    except SysdesignError as exc:
        typer.echo(f"error: {redact_text(str(exc))}", err=True)
        sys.exit(exc.exit_code)

"""The root typer app, shared output helpers and the entry point."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

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


_added: list[bool] = []


def add_commands() -> None:
    """Add every command module's own Typer app to the root (once)."""
    if _added:
        return
    from agent.interfaces.cli import (
        chat_commands,
        check_commands,
        engine_commands,
        eval_commands,
        retrieval_commands,
        rules_commands,
        server_commands,
        settings_commands,
        training_commands,
    )

    for module in (engine_commands, check_commands, chat_commands, retrieval_commands, server_commands,
                   settings_commands, training_commands):  # fmt: skip
        app.add_typer(module.app)
    app.add_typer(retrieval_commands.index_app, name="index")
    app.add_typer(retrieval_commands.kb_app, name="kb")
    app.add_typer(eval_commands.eval_app, name="eval")
    app.add_typer(rules_commands.rules_app, name="rules")
    _added.append(True)


def main() -> None:
    """The console-script entry point."""
    add_commands()
    # bytes that are not UTF-8 arrive as lone surrogates (as arguments already do) and are refused with a
    # clear message by the input checks, instead of a UnicodeDecodeError while reading
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")
    try:
        app()  # standalone: click reports its own usage errors (exit 2) and exits
    except SysdesignError as exc:
        typer.echo(f"error: {redact_text(str(exc))}", err=True)
        sys.exit(exc.exit_code)

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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also show debugging notes on stderr.")] = False,
) -> None:
    """Turn app ideas into architectures, and check architectures against the knowledge base.

    -q/--quiet and -v/--verbose work anywhere on the command line, before or after the command.
    """
    configure_logging(quiet or _GLOBAL["quiet"], verbose or _GLOBAL["verbose"])


_GLOBAL = {"quiet": False, "verbose": False}
GLOBAL_FLAGS = {"-q": "quiet", "--quiet": "quiet", "-v": "verbose", "--verbose": "verbose"}


def take_global_flags(argv: list[str]) -> list[str]:
    """`argv` without -q/-v (anywhere before a `--`), which are remembered: every command accepts them."""
    kept: list[str] = []
    for position, arg in enumerate(argv):
        if arg == "--":
            return kept + argv[position:]
        if arg in GLOBAL_FLAGS:
            _GLOBAL[GLOBAL_FLAGS[arg]] = True
        else:
            kept.append(arg)
    return kept


def configure_logging(quiet: bool, verbose: bool) -> None:
    """Notices on stderr ("sysdesign: ..."); quiet hides them and every progress bar, including the libraries'."""
    import os

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sysdesign: %(message)s"))
    logger = logging.getLogger("sysdesign")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.ERROR if quiet else logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    if quiet or not sys.stderr.isatty():  # "Loading weights: 100%|███" belongs on a terminal, and only there
        for name in ("TQDM_DISABLE", "HF_HUB_DISABLE_PROGRESS_BARS"):
            os.environ.setdefault(name, "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


_added: list[str] = []
COMMAND_HOMES = {
    "ask": "engine_commands",
    "schema": "engine_commands",
    "estimate": "engine_commands",
    "check": "check_commands",
    "chat": "chat_commands",
    "search": "retrieval_commands",
    "serve": "server_commands",
    "tools": "server_commands",
    "trust": "settings_commands",
    "features": "training_commands",
    "synth": "training_commands",
    "grade": "grade_commands",
    "prefs": "training_commands",
}
"""The module of each top-level command: a run of one command imports only its own module (a cold `ask` does not
pay for the checker's, the chat's and the server's imports). tests/test_cli_conventions.py holds it true."""


def add_commands(command: str | None = None) -> None:
    """Add the Typer app of `command`'s module to the root, or every module's when `command` is None or a group."""
    import importlib

    if command in COMMAND_HOMES:
        wanted = [COMMAND_HOMES[command]]
    else:
        wanted = list(dict.fromkeys([*COMMAND_HOMES.values(), "eval_commands", "rules_commands"]))
    for name in wanted:
        if name in _added:
            continue
        module = importlib.import_module(f"agent.interfaces.cli.{name}")
        if hasattr(module, "app"):
            app.add_typer(module.app)
        for group in ("index_app", "kb_app", "eval_app", "rules_app"):
            if hasattr(module, group):
                app.add_typer(getattr(module, group), name=group.removesuffix("_app"))
        _added.append(name)


def _command_of(args: list[str]) -> str | None:
    """The command named on the command line: the first word that is not an option (root options take no value)."""
    return next((arg for arg in args if not arg.startswith("-")), None)


def main() -> None:
    """The console-script entry point."""
    # bytes that are not UTF-8 arrive as lone surrogates (as arguments already do) and are refused with a
    # clear message by the input checks, instead of a UnicodeDecodeError while reading
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")
    from agent.interfaces.cli.conventions import polish

    args = take_global_flags(sys.argv[1:])
    add_commands(_command_of(args))
    command = polish(typer.main.get_command(app))
    try:
        command(args=args, prog_name="sysdesign")  # standalone: click reports its own usage errors (exit 2) and exits
    except SysdesignError as exc:
        typer.echo(f"error: {redact_text(str(exc))}", err=True)
        sys.exit(exc.exit_code)

"""The root typer app, shared output helpers and the entry point."""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import json
import logging
import os
import sys
from typing import Annotated, NoReturn, TextIO

import typer

from agent.errors import SysdesignError, os_problem
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


def known_error(exc: BaseException) -> SysdesignError | None:
    """What the CLI says of `exc` in one sentence: the library's own errors, and the operating system's (a full disk,
    a name too long, a read-only folder), naming the path; None for anything else, a bug that keeps its traceback."""
    if isinstance(exc, SysdesignError):
        return exc
    if isinstance(exc, OSError):
        return os_problem(exc, action="write to" if exc.filename == STDOUT else "use")
    return None


STDOUT = "<stdout>"
"""The name a failed write to standard output carries (Python's own name for the stream)."""


class _Output(io.TextIOWrapper):
    """Standard output whose failures name it, as a file's do: a full disk under `> file` is then said as such."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            raise self._failed(exc) from None

    def _failed(self, exc: OSError) -> OSError:
        if exc.filename is None and exc.errno != errno.EPIPE:  # a closed pipe (`| head`): click ends quietly
            exc.filename = STDOUT
        return exc


def _drop(stream: TextIO) -> None:
    """Send what a failed stream still holds to the null device: Python's flush at exit would fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


ESCAPE = "sysdesign-escape"
"""The error handler of stdout and stderr: a character the stream's encoding lacks is written as its JSON escape."""


def _escape(error: UnicodeError) -> tuple[str, int]:
    # JSON's own escapes (\u00e9, a surrogate pair for an emoji): printed JSON stays valid JSON in any encoding
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return json.dumps(error.object[error.start : error.end])[1:-1], error.end


def _safe_streams() -> None:
    """stdout and stderr that never fail on a character their encoding lacks (PYTHONIOENCODING=latin-1, a C
    locale), stdout whose write errors name it, and stdin that reads bytes that are not UTF-8 as lone surrogates,
    which the input checks refuse with a message."""
    codecs.register_error(ESCAPE, _escape)
    out = sys.stdout
    if isinstance(out, io.TextIOWrapper):  # detached: the old wrapper, collected, would close the stream under us
        encoding, lines, through = out.encoding, out.line_buffering, out.write_through
        sys.stdout = _Output(out.detach(), encoding=encoding, errors=ESCAPE, line_buffering=lines,
                             write_through=through)  # fmt: skip
    if isinstance(sys.stderr, io.TextIOWrapper):
        sys.stderr.reconfigure(errors=ESCAPE)
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")


def _fail(error: SysdesignError) -> NoReturn:
    try:
        typer.echo(f"error: {redact_text(str(error))}", err=True)
    except (OSError, ValueError):  # stderr itself may be the full disk: the exit code still says it
        _drop(sys.stderr)
    sys.exit(error.exit_code)


def main() -> None:
    """The console-script entry point."""
    _safe_streams()
    from agent.interfaces.cli.conventions import polish

    args = take_global_flags(sys.argv[1:])
    add_commands(_command_of(args))
    command = polish(typer.main.get_command(app))
    try:
        try:
            command(args=args, prog_name="sysdesign")  # standalone: click reports its own usage errors (exit 2)
        finally:
            sys.stdout.flush()  # a full disk under `> file` is said here, not as a traceback while Python exits
    except Exception as exc:
        known = known_error(exc)
        if known is None:
            raise
        if isinstance(exc, OSError) and exc.filename == STDOUT:
            _drop(sys.stdout)
        logging.getLogger("sysdesign").debug("%s", type(exc).__name__, exc_info=True)  # -v: where it happened
        _fail(known)

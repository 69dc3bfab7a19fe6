"""`sysdesign chat`: a design refined turn by turn, with line editing on a terminal, scriptable otherwise."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from agent.interfaces.cli.common import IndexOption, advisor_for

app = typer.Typer()

PROMPT = "sysdesign> "


@app.command()
def chat(
    resume: Annotated[bool, typer.Option("--resume", help="Continue the last session.")] = False,
    drafter: Annotated[str | None, typer.Option(help="Who drafts (default kb); /model changes it.")] = None,
    index: IndexOption = None,
) -> None:
    """Chat about a design: follow-ups change it, questions are answered from the knowledge base.

    Examples:
      sysdesign chat
      printf 'Build a Twitter clone\\nadd payments\\n/json\\n' | sysdesign chat
    """
    from agent.interfaces.chat import ChatSession, data_dir

    advisor = advisor_for(index=index)
    session = ChatSession.resume(advisor) if resume else ChatSession(advisor)
    if drafter:
        typer.echo(session.handle(f"/model {drafter}"))
    if not sys.stdin.isatty():
        # scripted: one turn a line, no line editor
        for raw in _stdin_lines():
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                typer.echo("That line is not UTF-8 text; it was skipped.")
                continue
            if not line.strip():
                continue
            typer.echo(f"{PROMPT}{line.rstrip()}")
            typer.echo(session.handle(line))
            if session.finished:
                break
        return
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    data_dir().mkdir(parents=True, exist_ok=True)
    prompt: PromptSession[str] = PromptSession(history=FileHistory(str(data_dir() / "chat-history")))
    typer.echo("Describe what to build; /help for commands. Ctrl-C cancels a turn, Ctrl-D exits.")
    if session.design is not None:
        typer.echo(f"Resumed: {session.request}")
    while not session.finished:
        try:
            line = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            typer.echo(session.handle(line))
        except KeyboardInterrupt:
            typer.echo("cancelled")


def _stdin_lines():  # -> Iterator[bytes]
    """Standard input line by line as bytes, so that one line that is not UTF-8 does not end the session."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (as in some test runners)
        yield from (line.encode("utf-8", "surrogatepass") for line in sys.stdin)
        return
    yield from buffer

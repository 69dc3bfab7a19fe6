"""`sysdesign chat`: a design refined turn by turn, with line editing on a terminal, scriptable otherwise."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import InvalidRequest
from agent.interfaces.cli.common import IndexOption, advisor_for, print_json
from agent.render.terminal import inert

app = typer.Typer()

PROMPT = "sysdesign> "


@app.command()
def chat(
    resume: Annotated[str | None, typer.Option("--resume", metavar="ID", help="Resume the chat with this id.")] = None,
    continue_: Annotated[bool, typer.Option("--continue", "-c", help="Resume the latest chat.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="List the stored chats, newest first.")] = False,
    show: Annotated[str | None, typer.Option("--show", metavar="ID", help="Print one stored chat's turns.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --list or --show: print JSON.")] = False,
    drafter: Annotated[
        str | None, typer.Option(help="Who drafts and reads follow-ups (default kb); /model changes it.")
    ] = None,
    store: Annotated[
        Path | None, typer.Option(help="The chat store (default: chats.db in the user data folder).")
    ] = None,
    index: IndexOption = None,
) -> None:
    """Chat about a design: follow-ups change it, questions are answered about it. Every chat is stored.

    Examples:
      sysdesign chat
      sysdesign chat --continue
      sysdesign chat --list
      sysdesign chat --show 20261125-220101-a1b2c3 --json
      printf 'Build a Twitter clone\\nadd payments\\n/json\\n' | sysdesign chat
    """
    from agent.chat import ChatSession, SessionStore

    if sum([resume is not None, continue_, list_, show is not None]) > 1:
        raise InvalidRequest("choose one of --resume ID, --continue, --list and --show ID")
    if as_json and not (list_ or show is not None):
        raise InvalidRequest("--json goes with --list or --show")
    sessions = SessionStore(store, read_only=list_ or show is not None)  # listing and showing create nothing
    if sessions.notice:
        logging.getLogger("sysdesign").warning("%s", sessions.notice)
    if list_:
        _list(sessions, as_json)
        return
    if show is not None:
        _show(sessions, show, as_json)
        return
    advisor = advisor_for(index=index)
    session = ChatSession.open(advisor, sessions, resume="latest" if continue_ else resume)
    if session.notice and session.notice != sessions.notice:
        logging.getLogger("sysdesign").warning("%s", session.notice)
    if drafter:
        typer.echo(inert(session.handle(f"/model {drafter}")))
    if not sys.stdin.isatty():
        _scripted(session)
        return
    _interactive(session)


def _list(sessions, as_json: bool) -> None:  # sessions: SessionStore
    rows = sessions.summaries()
    if as_json:
        print_json([row.__dict__ for row in rows])
        return
    if not rows:
        typer.echo("No stored chats yet.")
    for row in rows:
        flag = "" if row.status == "ok" else f"  [{row.status}]"
        typer.echo(inert(f"{row.id}  {row.updated}  {row.turns:>3} turns  {row.title[:60]}{flag}"))


def _show(sessions, conversation: str, as_json: bool) -> None:
    turns = sessions.turns(conversation)
    if as_json:
        print_json({"id": conversation, "turns": turns})
        return
    for turn in turns:
        by = f"  (read by the {turn['read_by']})" if turn["read_by"] else ""
        typer.echo(inert(f"{PROMPT}{turn['user']}{by}\n{turn['reply']}\n"))


def _scripted(session) -> None:  # session: ChatSession
    """One turn a line, no line editor."""
    logging.getLogger("sysdesign").info("chat %s", session.conversation)  # -q hides it
    for raw in _stdin_lines():
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            typer.echo("That line is not UTF-8 text; it was skipped.")
            continue
        if not line.strip():
            continue
        typer.echo(inert(f"{PROMPT}{line.rstrip()}"))
        typer.echo(inert(session.handle(line)))
        if session.finished:
            break


def _interactive(session) -> None:  # session: ChatSession
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, History, InMemoryHistory

    from agent.paths import data_folder

    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    kept = data_folder() / "chat-history"
    # the line history is a file of ours or nothing: a folder, a FIFO or a device there is left alone
    history: History = FileHistory(str(kept)) if kept.is_file() or not os.path.lexists(kept) else InMemoryHistory()
    prompt: PromptSession[str] = PromptSession(history=history)
    typer.echo(f"Chat {session.conversation}. Describe what to build; /help for commands. Ctrl-C cancels a turn, "
               "Ctrl-D exits.")  # fmt: skip
    if session.design is not None:
        typer.echo(inert(f"Resumed: {session.request}"))
    while not session.finished:
        try:
            line = prompt.prompt(PROMPT)
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        try:
            before = session.design
            reply = session.handle(line)
            if session.design is not None and _whole(line, before, session.design):
                from agent.render.output import show

                show(session.design, "text", None)  # a new or shown design: the `ask` view, width-aware, in colour
            else:
                typer.echo(inert(reply))
        except KeyboardInterrupt:
            typer.echo("cancelled")
    typer.echo(f"Stored as {session.conversation}; `sysdesign chat --continue` resumes it.")


def _whole(line: str, before: object, after: object) -> bool:
    """Whether a turn's answer is a whole design (the first turn, /load, /show), not a diff or an answer."""
    command = line.strip().split(" ", 1)[0]
    return (before is None and after is not None) or command == "/show" or (command == "/load" and after is not before)


def _stdin_lines() -> Iterator[bytes]:
    """Standard input line by line as bytes, so that one line that is not UTF-8 does not end the session."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (as in some test runners)
        yield from (line.encode("utf-8", "surrogatepass") for line in sys.stdin)
        return
    yield from buffer

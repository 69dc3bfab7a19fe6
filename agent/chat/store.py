"""Every chat kept in one SQLite file in the user data folder, like `llm`'s logs: a conversation has an id, its
turns, and its latest state (request, statements, edits, design). A new chat never touches another one.

The store is only ever a file this tool made: a path that is a folder, a device, a FIFO, a text file or another
program's database is refused with one sentence and left exactly as it is. A store of ours that is damaged is
moved aside (never deleted) and a fresh one started. A conversation is validated whole when it is read back (its
size, its shape, every state on its undo stack): one that is damaged, tampered with or oversized is refused in one
sentence and left as it is. Listing and showing chats only read: they create nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import stat
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from agent.chat.edits import Edit
from agent.errors import InvalidRequest, first_error
from agent.files import is_read_only, load_json
from agent.paths import data_folder
from agent.redaction import redact_text
from agent.retrieval.search import MAX_QUERY_CHARS
from agent.schema import Architecture

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, started TEXT NOT NULL, updated TEXT NOT NULL, title TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '{}', status TEXT NOT NULL DEFAULT 'ok');
CREATE TABLE IF NOT EXISTS turns (
    conversation TEXT NOT NULL REFERENCES conversations(id), n INTEGER NOT NULL, at TEXT NOT NULL,
    user TEXT NOT NULL, reply TEXT NOT NULL, read_by TEXT NOT NULL DEFAULT '', PRIMARY KEY (conversation, n));
"""
MAX_STATE_CHARS = 20_000_000
"""A stored state larger than this is not read (a hostile or runaway file must not exhaust memory)."""
UNDO_DEPTH = 20
SAID_KEPT = 12
"""The user's last turns kept for what a later question refers to ("so what's the rate per second?")."""

Said = Annotated[str, Field(max_length=MAX_QUERY_CHARS)]
"""Anything the user typed: a chat turn is refused past this length, so a longer stored one was not typed."""


class State(BaseModel):
    """What a design in the chat is made of; enough to rebuild it and to undo a turn. Validated when read back,
    so a damaged, hostile or oversized stored chat is refused whole."""

    request: Said | None = None
    stated: list[Said] = Field(default_factory=list)
    edits: list[Edit] = Field(default_factory=list)  # a dataclass: pydantic validates its fields too
    removed: list[str] = Field(default_factory=list)
    said: list[Said] = Field(default_factory=list, max_length=2 * SAID_KEPT)
    drafter: str | None = Field(default=None, max_length=200)
    design: Architecture | None = None


class StoredChat(State):
    """A conversation as stored: its state and the states its undo stack returns to."""

    undo: list[State] = Field(default_factory=list, max_length=UNDO_DEPTH)


APPLICATION_ID = int.from_bytes(b"sdcs", "big")
"""Written into the SQLite header (offset 68) of every store this tool creates: how a damaged store is known as ours."""
SQLITE_HEADER = b"SQLite format 3\x00"


class ForeignDatabase(InvalidRequest):
    """The store path holds an SQLite database that is not a chat store; it is left as it is."""


class UnreadableSession(InvalidRequest):
    """A stored conversation that cannot be restored (damaged, tampered with, oversized); it is left as it is."""


@dataclass(frozen=True)
class Summary:
    id: str
    started: str
    updated: str
    title: str
    turns: int
    status: str


def default_path(create: bool = True) -> Path:
    """chats.db in the user data folder (refused, one sentence, when that is not a folder this user can write)."""
    return data_folder(create=create) / "chats.db"


def _now() -> str:
    """UTC to the microsecond: two turns in one second still sort in the order they happened."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class SessionStore:
    """The chats in one SQLite file; `read_only` (listing, showing) never creates, changes or moves anything."""

    def __init__(self, path: Path | None = None, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_path(create=not read_only)
        self.read_only = read_only
        self.notice: str | None = None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        if not _claim(self.path, self.read_only):
            return _empty()  # nothing stored yet, and listing must not create the store
        existed = os.path.lexists(self.path)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:
            if not existed:  # the empty file SQLite made before the disk or the folder refused the rest
                with contextlib.suppress(OSError):
                    if os.stat(self.path).st_size == 0:
                        os.unlink(self.path)
            if self.read_only or not _damage(exc) or not _made_by_us(self.path):
                raise _refusal(self.path, exc) from None
            # a store of ours that is damaged: keep it beside, start afresh
            stamp = f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"  # never the name of an earlier one
            kept = self.path.with_name(f"{self.path.stem}.unreadable-{stamp}.db")
            try:
                self.path.rename(kept)
            except OSError as move:
                raise InvalidRequest(f"the chat store {str(self.path)!r} is damaged ({exc}) and could not be moved "
                                     f"aside ({move.strerror}); move it away to start a new one") from None  # fmt: skip
            self.notice = f"The chat store could not be read ({exc}); it was kept as {kept} and a new one started."
            try:
                return self._connect()
            except sqlite3.DatabaseError as again:
                raise _refusal(self.path, again) from None

    def _connect(self) -> sqlite3.Connection:
        if self.read_only:
            uri = "file:" + urllib.parse.quote(str(self.path.absolute())) + "?mode=ro"
            db = sqlite3.connect(uri, timeout=5, isolation_level=None, uri=True)
        else:
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            (application,) = db.execute("PRAGMA application_id").fetchone()
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if application != APPLICATION_ID and tables and not {"conversations", "turns"} <= tables:
                raise ForeignDatabase(f"{str(self.path)!r} is another program's SQLite database, not a chat store; "
                                      "choose another path")  # fmt: skip
            if not self.read_only:
                db.executescript(SCHEMA)
                if application != APPLICATION_ID:
                    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            elif not tables:
                db.close()
                return _empty()
            db.execute("SELECT id, state, status FROM conversations LIMIT 1").fetchall()
            db.execute("SELECT conversation, read_by FROM turns LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # ---- writing ---------------------------------------------------------------------------------------

    def new(self) -> str:
        """A new conversation's id: sortable by time, unique without coordination."""
        conversation = f"{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
        now = _now()
        try:
            self._db.execute("INSERT INTO conversations (id, started, updated) VALUES (?, ?, ?)",
                             (conversation, now, now))  # fmt: skip
        except sqlite3.DatabaseError as exc:  # a full disk, a read-only folder: say so, start nothing
            raise _refusal(self.path, exc) from None
        return conversation

    def save(self, conversation: str, state: dict[str, Any], title: str, turn: dict[str, str] | None = None) -> None:
        """The conversation's state and (when given) its newest turn, in one transaction: never half-written."""
        text = redact_text(json.dumps(state))  # no credentials on disk
        with self._transaction():
            self._db.execute("UPDATE conversations SET state = ?, title = ?, updated = ? WHERE id = ?",
                             (text, title[:200], _now(), conversation))  # fmt: skip
            if turn is not None:
                (count,) = self._db.execute("SELECT COUNT(*) FROM turns WHERE conversation = ?",
                                            (conversation,)).fetchone()  # fmt: skip
                self._db.execute(
                    "INSERT INTO turns (conversation, n, at, user, reply, read_by) VALUES (?, ?, ?, ?, ?, ?)",
                    (conversation, count + 1, _now(), redact_text(turn["user"]), redact_text(turn["reply"]),
                     turn.get("read_by", "")),
                )  # fmt: skip

    @contextlib.contextmanager
    def _transaction(self):  # -> Iterator[None]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ---- reading ---------------------------------------------------------------------------------------

    def latest(self) -> str | None:
        row = self._db.execute("SELECT id FROM conversations WHERE status = 'ok' AND EXISTS "
                               "(SELECT 1 FROM turns WHERE conversation = id) ORDER BY updated DESC, rowid DESC "
                               "LIMIT 1").fetchone()  # fmt: skip
        return row[0] if row else None

    def state(self, conversation: str) -> StoredChat:
        """The stored conversation, validated whole; UnreadableSession (one sentence, nothing changed) when it is
        damaged, tampered with or too large."""
        row = self._db.execute("SELECT state, status FROM conversations WHERE id = ?", (conversation,)).fetchone()
        if row is None:
            raise InvalidRequest(f"no chat {conversation!r}; `sysdesign chat --list` shows them")
        text, status = row
        left = "it was left as it is; `sysdesign chat` starts a new one"
        if status != "ok":
            raise UnreadableSession(f"chat {conversation} was set aside earlier as unreadable; {left}")
        if not isinstance(text, str) or len(text) > MAX_STATE_CHARS:
            size = f"{len(text):,} characters" if isinstance(text, str) else type(text).__name__
            raise UnreadableSession(f"chat {conversation} has a stored state of {size}, not text of at most "
                                    f"{MAX_STATE_CHARS:,} characters; {left}")  # fmt: skip
        try:
            return StoredChat.model_validate(load_json(text, "the stored chat"))
        except InvalidRequest as exc:
            raise UnreadableSession(f"chat {conversation} could not be read ({exc}); {left}") from None
        except ValidationError as exc:
            raise UnreadableSession(f"chat {conversation} holds a state that is not a conversation "
                                    f"({first_error(exc)}); {left}") from None  # fmt: skip

    def summaries(self, limit: int = 50) -> list[Summary]:
        rows = self._db.execute(
            "SELECT c.id, c.started, c.updated, c.title, COUNT(t.n), c.status FROM conversations c "
            "LEFT JOIN turns t ON t.conversation = c.id GROUP BY c.id HAVING COUNT(t.n) > 0 "
            "ORDER BY c.updated DESC, c.rowid DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [Summary(*row) for row in rows]

    def turns(self, conversation: str) -> list[dict[str, Any]]:
        if self._db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation,)).fetchone() is None:
            raise InvalidRequest(f"no chat {conversation!r}; `sysdesign chat --list` shows them")
        rows = self._db.execute("SELECT n, at, user, reply, read_by FROM turns WHERE conversation = ? ORDER BY n",
                                (conversation,)).fetchall()  # fmt: skip
        return [{"n": n, "at": at, "user": user, "reply": reply, "read_by": by} for n, at, user, reply, by in rows]


# ---- what may be used as a store ----------------------------------------------------------------------------


def _claim(path: Path, read_only: bool) -> bool:
    """Whether there is a store to open at `path` (False: nothing there yet); InvalidRequest, with nothing touched,
    for anything but nothing, an empty file or an SQLite file: a folder, a device, a FIFO, a dangling symlink, text."""
    shown = repr(str(path))
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.lexists(path):
            raise InvalidRequest(f"{shown} is a symlink to nothing; choose a file for the chat store") from None
        folder = path.parent
        if not read_only and not folder.is_dir():
            raise InvalidRequest(f"folder {str(folder)!r} does not exist; create it or choose another path") from None
        return not read_only
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise InvalidRequest(f"cannot use {shown} as the chat store ({why}); choose another path") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidRequest(f"{shown} is a folder; name a file for the chat store, e.g. {str(path / 'chats.db')!r}")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidRequest(f"{shown} is not a regular file; the chat store must be a file sysdesign created")
    if not read_only and is_read_only(path):
        raise InvalidRequest(f"{shown} is read-only; make it writable (chmod u+w) or list it with --list")
    if info.st_size == 0:
        return not read_only  # an empty file holds nothing to lose; listing it lists nothing
    if not _header(path).startswith(SQLITE_HEADER):
        raise InvalidRequest(f"{shown} is not a chat store (it is not an SQLite database); it was left as it is, "
                             "choose another path")  # fmt: skip
    return True


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(100)
    except OSError as exc:
        raise InvalidRequest(f"cannot read the chat store {str(path)!r}: {exc.strerror}") from None


def _made_by_us(path: Path) -> bool:
    """True for a regular file (not a symlink) whose SQLite header carries our application id."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    head = _header(path)
    return head.startswith(SQLITE_HEADER) and int.from_bytes(head[68:72], "big") == APPLICATION_ID


def _damage(exc: sqlite3.DatabaseError) -> bool:
    """True when SQLite says the file itself is damaged (corrupt, not a database, tables it cannot read), not that
    the folder, the disk or a lock is the trouble."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_ERROR)


def _refusal(path: Path, exc: sqlite3.DatabaseError) -> InvalidRequest:
    """A store that cannot be used, as one sentence; nothing was moved or changed."""
    if _damage(exc):
        fix = "`sysdesign chat` moves it aside" if _made_by_us(path) else "move it away"
        return InvalidRequest(f"the chat store {str(path)!r} cannot be read ({exc}); it was left as it is: {fix} "
                              "to start a new one")  # fmt: skip
    return InvalidRequest(f"cannot use the chat store {str(path)!r}: {exc}; nothing was changed")


def _empty() -> sqlite3.Connection:
    """An in-memory store with no chats: what listing shows when no store exists yet."""
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    return db

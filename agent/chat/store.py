"""Every chat kept in one SQLite file in the user data folder, like `llm`'s logs: a conversation has an id, its
turns, and its latest state (request, statements, edits, design). A new chat never touches another one.

A file that is not a database is moved aside (never deleted) and a fresh one started; a conversation whose stored
state cannot be read is marked unreadable and left as it is, for the user to look at.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from agent.errors import InvalidRequest
from agent.files import load_json
from agent.paths import user_data_dir
from agent.redaction import redact_text

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


class UnreadableSession(Exception):
    """A stored conversation that cannot be restored; its message is one sentence for the user."""


@dataclass(frozen=True)
class Summary:
    id: str
    started: str
    updated: str
    title: str
    turns: int
    status: str


def default_path() -> Path:
    return user_data_dir() / "chats.db"


def _now() -> str:
    """UTC to the microsecond: two turns in one second still sort in the order they happened."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class SessionStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.notice: str | None = None
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._connect()
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one: keep it, start afresh
            kept = self.path.with_name(f"{self.path.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}.db")
            self.path.replace(kept)
            self.notice = f"The chat store could not be read ({exc}); it was kept as {kept} and a new one started."
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            db.executescript(SCHEMA)
            db.execute("SELECT id, state, status FROM conversations LIMIT 1").fetchall()
            db.execute("SELECT conversation, read_by FROM turns LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
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
        self._db.execute("INSERT INTO conversations (id, started, updated) VALUES (?, ?, ?)", (conversation, now, now))
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

    def set_aside(self, conversation: str) -> None:
        self._db.execute("UPDATE conversations SET status = 'unreadable' WHERE id = ?", (conversation,))

    # ---- reading ---------------------------------------------------------------------------------------

    def latest(self) -> str | None:
        row = self._db.execute("SELECT id FROM conversations WHERE status = 'ok' AND EXISTS "
                               "(SELECT 1 FROM turns WHERE conversation = id) ORDER BY updated DESC, rowid DESC "
                               "LIMIT 1").fetchone()  # fmt: skip
        return row[0] if row else None

    def state(self, conversation: str) -> dict[str, Any]:
        """The stored state; UnreadableSession (one sentence) when it is missing, damaged or hostile."""
        row = self._db.execute("SELECT state, status FROM conversations WHERE id = ?", (conversation,)).fetchone()
        if row is None:
            raise InvalidRequest(f"no chat {conversation!r}; `sysdesign chat --list` shows them")
        text, status = row
        if status != "ok":
            raise UnreadableSession(f"chat {conversation} was set aside earlier as unreadable")
        if not isinstance(text, str) or len(text) > MAX_STATE_CHARS:
            raise UnreadableSession(f"chat {conversation} has a stored state that is not text of a sane size")
        try:
            data = load_json(text, "the stored chat")
        except Exception as exc:
            raise UnreadableSession(f"chat {conversation} could not be read ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise UnreadableSession(f"chat {conversation} holds {type(data).__name__}, not a conversation")
        return data

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

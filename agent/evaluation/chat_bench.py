"""The chat suite: scripted conversations, each turn with the design change it must make (parts and services
added and removed, the estimate's direction, the tier) or the facts its answer must contain. A turn is right when
every expectation holds; the score is the share of turns right.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import InvalidRequest
from agent.files import jsonl_records
from agent.paths import bundled
from agent.schema import Architecture

CHAT_CASES = bundled("evals", "chat")


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    added: list[str] = Field(default=[], description="Parts or services the turn must add.")
    removed: list[str] = Field(default=[], description="Parts or services the turn must remove.")
    added_any: bool | None = Field(default=None, description="True: something is added; False: nothing is.")
    removed_any: bool | None = None
    present: list[str] = Field(default=[], description="Parts or services the design has after the turn.")
    absent: list[str] = []
    unchanged: bool = Field(default=False, description="No part or service changes.")
    hours: Literal["up", "down", "same", "not_up", "not_down"] | None = None
    tier: str | None = None
    contains: list[str] = Field(default=[], description="Text the reply must contain (case-insensitive).")
    contains_any: list[str] = []
    not_contains: list[str] = []


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    say: str
    expect: Expect = Expect()


class Conversation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    turns: list[Turn] = Field(min_length=1)


class TurnResult(BaseModel):
    conversation: str
    n: int
    say: str
    right: bool
    misses: list[str] = []


class ChatScore(BaseModel):
    conversations: int
    turns: int
    right: int
    share_right: float
    wrong: list[TurnResult]


def load_conversations(path: Path) -> list[Conversation]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    found: list[Conversation] = []
    for file in files:
        for number, record in jsonl_records(file, Conversation, "chat suite"):
            if isinstance(record, str):
                raise InvalidRequest(f"{file.name} line {number}: {record}")
            found.append(record)
    if not found:
        raise InvalidRequest(f"no conversations in {str(path)!r}")
    return found


def _names(design: Architecture | None) -> set[str]:
    if design is None:
        return set()
    return {c.name.lower() for c in design.components} | {s.name.lower() for s in design.services}


def _hours(design: Architecture | None) -> int | None:
    return design.estimate.hours[1] if design is not None and design.estimate is not None else None


def judge(expect: Expect, before: Architecture | None, after: Architecture | None, reply: str) -> list[str]:
    """What the turn got wrong (empty when it is right)."""
    old, new = _names(before), _names(after)
    misses = [f"not added: {n}" for n in expect.added if n.lower() not in new - old]
    misses += [f"not removed: {n}" for n in expect.removed if n.lower() not in old - new]
    misses += [f"missing: {n}" for n in expect.present if n.lower() not in new]
    misses += [f"still there: {n}" for n in expect.absent if n.lower() in new]
    if expect.added_any is not None and bool(new - old) != expect.added_any:
        misses.append(f"added something: {bool(new - old)}, expected {expect.added_any}")
    if expect.removed_any is not None and bool(old - new) != expect.removed_any:
        misses.append(f"removed something: {bool(old - new)}, expected {expect.removed_any}")
    if expect.unchanged and old != new:
        misses.append(f"changed: +{sorted(new - old)} -{sorted(old - new)}")
    misses += _judge_numbers(expect, before, after)
    lowered = reply.lower()
    misses += [f"reply lacks {text!r}" for text in expect.contains if text.lower() not in lowered]
    if expect.contains_any and not any(text.lower() in lowered for text in expect.contains_any):
        misses.append(f"reply has none of {expect.contains_any}")
    misses += [f"reply has {text!r}" for text in expect.not_contains if text.lower() in lowered]
    if "Traceback" in reply:
        misses.append("a traceback")
    return misses


def _judge_numbers(expect: Expect, before: Architecture | None, after: Architecture | None) -> list[str]:
    misses = []
    if expect.hours is not None:
        b, a = _hours(before), _hours(after)
        ok = {
            "up": b is not None and a is not None and a > b,
            "down": b is not None and a is not None and a < b,
            "same": a == b,
            "not_up": b is None or a is None or a <= b,
            "not_down": b is None or a is None or a >= b,
        }[expect.hours]
        if not ok:
            misses.append(f"hours {b} -> {a}, expected {expect.hours}")
    if expect.tier is not None:
        tier = after.estimate.tier if after is not None and after.estimate is not None else None
        if tier != expect.tier:
            misses.append(f"tier {tier}, expected {expect.tier}")
    return misses


def run_conversation(advisor: Any, conversation: Conversation, store_dir: Path) -> list[TurnResult]:
    from agent.chat import ChatSession, SessionStore

    store = SessionStore(store_dir / f"{conversation.id}.db")
    session = ChatSession.open(advisor, store)
    results = []
    try:
        for n, turn in enumerate(conversation.turns, 1):
            before = session.design.model_copy(deep=True) if session.design is not None else None
            reply = session.handle(turn.say)
            misses = judge(turn.expect, before, session.design, reply)
            results.append(TurnResult(conversation=conversation.id, n=n, say=turn.say, right=not misses,
                                      misses=misses))  # fmt: skip
    finally:
        store.close()
    return results


def score(advisor: Any, path: Path = CHAT_CASES) -> ChatScore:
    conversations = load_conversations(path)
    results: list[TurnResult] = []
    with tempfile.TemporaryDirectory(prefix="sysdesign-chat-eval-") as folder:
        for conversation in conversations:
            results += run_conversation(advisor, conversation, Path(folder))
    right = sum(r.right for r in results)
    return ChatScore(conversations=len(conversations), turns=len(results), right=right,
                     share_right=round(right / len(results), 3), wrong=[r for r in results if not r.right])  # fmt: skip

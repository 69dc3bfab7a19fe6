"""The chat suite: scripted conversations, each turn with the design change it must make (parts and services
added and removed, the estimate's direction, the tier) or the facts its answer must contain. A turn is right when
every expectation holds; the score is the share of turns right.
"""

from __future__ import annotations

import re
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


class Checks(BaseModel):
    """What a turn of an outside-written conversation must do that a program can check without knowing the
    tool's wording (evals/chat/blind/README.md): groups of alternatives, any one of which counts."""

    model_config = ConfigDict(extra="forbid")
    present: list[list[str]] = []
    absent: list[list[str]] = []
    unchanged: bool = False
    answer_mentions: list[list[str]] = []
    requirement: dict[str, float | str] = {}


TurnKind = Literal["edit", "statement", "question", "meta"]


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    say: str
    expect: Expect | str = Expect()
    kind: TurnKind | None = None
    checks: Checks | None = None


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
    kind: TurnKind | None = None
    checked: bool = True
    """False for a turn whose expectation only a reader can judge (a sentence, no checks)."""
    expect: str | None = None
    reply: str | None = None


class KindScore(BaseModel):
    turns: int
    checked: int
    right: int
    share_right: float | None


class ChatScore(BaseModel):
    conversations: int
    turns: int
    right: int
    share_right: float
    wrong: list[TurnResult]
    checked: int | None = None
    by_kind: dict[str, KindScore] = {}
    unchecked: list[TurnResult] = []
    """Turns only a reader can judge, with their replies, for a judge who has not seen the code."""


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


def _normal(text: str) -> str:
    return re.sub(r"[\s_-]+", "", text.lower())


def _spellings(place: str) -> set[str]:
    """A place as it may be recorded: "UK" is also the United Kingdom (pycountry's codes and names)."""
    import pycountry

    found = {_normal(place)}
    try:
        country = pycountry.countries.lookup({"uk": "GB"}.get(place.lower(), place))  # "UK" is no ISO code
    except LookupError:
        return found
    names = [country.name, getattr(country, "common_name", ""), getattr(country, "official_name", "")]
    return found | {_normal(n) for n in names if n}


def _number(text: str) -> float | None:
    from agent.requirements.numbers import first_number

    return first_number(text)


def _requirement_misses(wanted: dict[str, float | str], design: Architecture | None) -> list[str]:
    """The recorded requirements a turn's statement should have left, compared loosely (2% for numbers, case,
    spaces and hyphens for names)."""
    req = design.requirements if design is not None else None
    if req is None:
        return [f"no requirements recorded (wanted {wanted})"]
    constraints: dict[str, list[str]] = {}
    for c in req.constraints:
        constraints.setdefault(c.name, []).append(c.value)
    assumed = {a.name: a.value for a in design.assumptions} if design is not None else {}

    def near(value: float | None, target: float) -> bool:
        return value is not None and abs(value - target) <= 0.02 * abs(target)

    misses = []
    for key, target in wanted.items():
        if key == "users":
            ok = any(near(f.value, float(target)) for f in req.scale if f.kind == "users" or "users" in f.unit)
        elif key == "availability":
            ok = any(near(_number(n.target), float(target)) for n in req.non_functional if n.name == "availability")
        elif key == "team":
            said = [*constraints.get("team", []), assumed.get("team size", "")]
            ok = any(near(_number(v), float(target)) for v in said if v)
        elif key == "budget_per_month":
            ok = any(near(_number(v), float(target)) for v in constraints.get("budget", []))
        elif key in ("region", "compliance"):
            names = ("region", "data residency") if key == "region" else ("compliance",)
            spelled = _spellings(str(target)) if key == "region" else {_normal(str(target))}
            ok = any(s in _normal(v) for n in names for v in constraints.get(n, []) for s in spelled)
        else:
            ok = False
        if not ok:
            misses.append(f"requirement {key}={target!r} not recorded")
    return misses


def check_turn(checks: Checks, before: Architecture | None, after: Architecture | None, reply: str) -> list[str]:
    """What a turn of an outside-written conversation got wrong, by its mechanical checks."""
    old, new = _names(before), _names(after)
    misses = [f"none of {group} in the design" for group in checks.present
              if not any(alt.lower() in name for alt in group for name in new)]  # fmt: skip
    misses += [f"still has {group}" for group in checks.absent
               if any(alt.lower() in name for alt in group for name in new)]  # fmt: skip
    if checks.unchanged and old != new:
        misses.append(f"changed: +{sorted(new - old)} -{sorted(old - new)}")
    lowered = reply.lower()
    misses += [f"reply mentions none of {group}" for group in checks.answer_mentions
               if not any(alt.lower() in lowered for alt in group)]  # fmt: skip
    if checks.requirement:
        misses += _requirement_misses(checks.requirement, after)
    if "Traceback" in reply:
        misses.append("a traceback")
    return misses


def run_conversation(advisor: Any, conversation: Conversation, store_dir: Path) -> list[TurnResult]:
    from agent.chat import ChatSession, SessionStore

    store = SessionStore(store_dir / f"{conversation.id}.db")
    session = ChatSession.open(advisor, store)
    results = []
    outside = any(t.kind is not None for t in conversation.turns)  # evals/chat/blind: a sentence and checks a turn
    try:
        for n, turn in enumerate(conversation.turns, 1):
            before = session.design.model_copy(deep=True) if session.design is not None else None
            reply = session.handle(turn.say)
            if outside:
                if turn.kind is None:
                    continue  # the app idea that starts the chat is not a follow-up
                checked = turn.checks is not None
                misses = check_turn(turn.checks, before, session.design, reply) if turn.checks else []
                results.append(TurnResult(conversation=conversation.id, n=n, say=turn.say, right=checked and not misses,
                                          misses=misses, kind=turn.kind, checked=checked,
                                          expect=turn.expect if isinstance(turn.expect, str) else None,
                                          reply=reply))  # fmt: skip
                continue
            assert isinstance(turn.expect, Expect)
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
    checked = [r for r in results if r.checked]
    right = sum(r.right for r in checked)
    by_kind: dict[str, KindScore] = {}
    for kind in sorted({r.kind for r in results if r.kind}):
        of_kind = [r for r in results if r.kind == kind]
        judged = [r for r in of_kind if r.checked]
        good = sum(r.right for r in judged)
        by_kind[kind] = KindScore(turns=len(of_kind), checked=len(judged), right=good,
                                  share_right=round(good / len(judged), 3) if judged else None)  # fmt: skip
    return ChatScore(conversations=len(conversations), turns=len(results), right=right,
                     share_right=round(right / len(checked), 3) if checked else 0.0,
                     wrong=[r for r in checked if not r.right], checked=len(checked), by_kind=by_kind,
                     unchecked=[r for r in results if not r.checked])  # fmt: skip

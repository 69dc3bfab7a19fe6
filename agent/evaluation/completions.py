"""Reading what a model emitted as a design: JSON, JSON in fences or prose, JSON cut off, or Markdown.

The grader scores what is there; how it was read decides a penalty (a cut-off answer is worth less than the same
answer whole). Missing or unreadable output is read as nothing, with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel

from agent.evaluation.markdown_design import markdown_design

ParsedAs = Literal["json", "fenced_json", "prose_json", "repaired_json", "truncated_json", "markdown", "none"]
MAX_COMPLETION_CHARS = 400_000
_FENCE = re.compile(r"```[ \t]*(?:json|JSON|jsonc)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL)
_DESIGN_KEYS = ("services", "components")


class ReadCompletion(BaseModel):
    """A completion read as a design document (None when nothing could be read), how, and why not."""

    document: dict[str, Any] | None
    parsed_as: ParsedAs
    problem: str | None = None


def _is_design(value: Any) -> bool:
    return isinstance(value, dict) and any(isinstance(value.get(key), list) and value[key] for key in _DESIGN_KEYS)


def _unwrapped(value: Any) -> Any:
    """A design nested one level down ({"architecture": {...}}, {"design": {...}}) is the design."""
    if isinstance(value, dict) and not _is_design(value):
        inner = [v for v in value.values() if _is_design(v)]
        if len(inner) == 1:
            return inner[0]
    return value


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*("?)|[{}\[\],]')


def _cut_points(text: str) -> tuple[int, list[tuple[int, str]]]:
    """How many brackets are still open at the end of `text` (strings skipped; > 0 means it was cut off), and the
    places it could be cut and closed: after each comma or opening bracket, with the closers needed there."""
    stack: list[str] = []
    points: list[tuple[int, str]] = []
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()[0]
        if char == '"':
            if not token.group(1):  # a string the text ends inside
                return len(stack) + 1, points
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
            points.append((token.end(), "".join(reversed(stack))))
        elif char == ",":
            points.append((token.start(), "".join(reversed(stack))))
        elif stack:
            stack.pop()
    return len(stack), points


CLOSING_TRIES = 40


def _closed(text: str, points: list[tuple[int, str]]) -> Any:
    """A cut-off JSON text closed at the last place where that gives valid JSON (the last whole item kept)."""
    for end, closers in reversed(points[-CLOSING_TRIES:]):
        try:
            return json.loads(text[:end] + closers)
        except ValueError:
            continue
    return None


def _json_from(text: str) -> tuple[Any, Literal["json", "repaired_json", "truncated_json"]] | None:
    """The JSON value `text` starts with: whole, repaired (a trailing comma, a missing quote) or cut off."""
    try:
        value, _ = json.JSONDecoder().raw_decode(text)
        return value, "json"
    except ValueError:
        pass
    still_open, points = _cut_points(text)
    if still_open > 0 and isinstance(value := _closed(text, points), dict | list) and value:
        return value, "truncated_json"  # the common case, closed without a repair library (20x faster)
    from json_repair import repair_json

    value = repair_json(text, return_objects=True)
    if not isinstance(value, dict | list) or not value:
        return None
    return value, "truncated_json" if still_open > 0 else "repaired_json"


def read_completion(completion: Any) -> ReadCompletion:
    """The design in `completion` (text, a chat message list, or an already parsed dict)."""
    if isinstance(completion, list):  # conversational: the last assistant message is the answer
        said = [m.get("content") for m in completion if isinstance(m, dict) and m.get("role") == "assistant"]
        completion = said[-1] if said else None
    if isinstance(completion, dict) and "content" in completion and "role" in completion:
        completion = completion["content"]
    if isinstance(completion, dict):
        value = _unwrapped(completion)
        if _is_design(value):
            return ReadCompletion(document=value, parsed_as="json")
        return ReadCompletion(document=None, parsed_as="none", problem="the object has no services or components")
    if not isinstance(completion, str) or not completion.strip():
        return ReadCompletion(document=None, parsed_as="none", problem="the completion is empty")
    text = completion.strip()[:MAX_COMPLETION_CHARS]
    candidates: list[tuple[str, ParsedAs]] = [(text, "json")] if text[0] in "{[" else []
    candidates += [(block.strip(), "fenced_json") for block in _FENCE.findall(text) if block.strip()[:1] in "{["]
    if "{" in text:
        candidates.append((text[text.index("{") :], "prose_json"))
    for candidate, where in candidates:
        found = _json_from(candidate)
        if found is None:
            continue
        value, how = found
        value = _unwrapped(value)
        if _is_design(value):
            parsed: ParsedAs = how if how != "json" else where
            return ReadCompletion(document=value, parsed_as=parsed)
        if where == "json" and how == "json":  # the whole answer is JSON, and no design
            return ReadCompletion(document=None, parsed_as="none",
                                  problem="the JSON holds no services or components")  # fmt: skip
    design = markdown_design(text)
    if any(design.values()):
        # a design told in sections or prose without a list of its parts: the grader finds the parts it names
        return ReadCompletion(document=design, parsed_as="markdown")
    problem = (
        "JSON was found but it holds no services or components"
        if candidates
        else "no design found: neither a JSON document nor Markdown sections naming services or components"
    )
    return ReadCompletion(document=None, parsed_as="none", problem=problem)

"""Where each value of a JSON text sits: the spans that let a report point at a line and an edit touch only
what it changes.

`json` parses values but forgets where they were; this walks the same grammar (and Python's extensions:
NaN, Infinity) over text `json.loads` has already accepted, and keeps each value's start and end offsets.
Strings are scanned by the json module's own (C) scanner, so escapes are read exactly as `json.loads` reads them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from json.decoder import scanstring  # type: ignore[attr-defined]  # there since Python 2.6; typeshed omits it

_SPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(
    r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?"  # a number as JSON spells it
    r"|true|false|null|NaN|-?Infinity"  # the literals, with the two Python accepts beyond JSON
)


@dataclass
class Span:
    """One value: `text[start:end]` is exactly its text; objects have `members`, arrays `items`."""

    start: int
    end: int
    kind: str  # "object", "array" or "scalar" (strings included)
    key_start: int = -1  # a member's: where its key's opening quote is
    key_end: int = -1  # and where its key ends (after the closing quote)
    members: dict[str, Span] = field(default_factory=dict)
    items: list[Span] = field(default_factory=list)

    def line(self, text: str) -> int:
        """The 1-based line the value starts on."""
        return text.count("\n", 0, self.start) + 1


def spans(text: str) -> Span:
    """The span tree of `text`, which must be valid JSON (check it with `json.loads` first): ValueError if not."""
    value, end = _value(text, _skip(text, 0))
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data at offset {end}")
    return value


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # the pattern matches the empty string


def _value(text: str, pos: int) -> tuple[Span, int]:
    char = text[pos : pos + 1]
    if char == "{":
        return _object(text, pos)
    if char == "[":
        return _array(text, pos)
    if char == '"':
        _, end = scanstring(text, pos + 1)
        return Span(pos, end, "scalar"), end
    match = _SCALAR.match(text, pos)
    if match is None or match.end() == pos:
        raise ValueError(f"no JSON value at offset {pos}")
    return Span(pos, match.end(), "scalar"), match.end()


def _object(text: str, start: int) -> tuple[Span, int]:
    node = Span(start, start, "object")
    pos = _skip(text, start + 1)
    while text[pos : pos + 1] != "}":
        key_start = pos
        key, key_end = scanstring(text, pos + 1)  # at the key's opening quote
        member, pos = _value(text, _skip(text, _skip(text, key_end) + 1))  # past the colon
        member.key_start, member.key_end = key_start, key_end
        node.members[key] = member  # a repeated key: the last wins, as in json.loads
        pos = _skip(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip(text, pos + 1)
        elif text[pos : pos + 1] != "}":
            raise ValueError(f"expected ',' or '}}' at offset {pos}")
    node.end = pos + 1
    return node, node.end


def _array(text: str, start: int) -> tuple[Span, int]:
    node = Span(start, start, "array")
    pos = _skip(text, start + 1)
    while text[pos : pos + 1] != "]":
        item, pos = _value(text, pos)
        node.items.append(item)
        pos = _skip(text, pos)
        if text[pos : pos + 1] == ",":
            pos = _skip(text, pos + 1)
        elif text[pos : pos + 1] != "]":
            raise ValueError(f"expected ',' or ']' at offset {pos}")
    node.end = pos + 1
    return node, node.end

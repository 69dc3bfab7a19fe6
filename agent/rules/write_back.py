"""A repaired document written back as a minimal edit of the text the user wrote.

Only what the repair changed is touched: a new member goes after the object's last one, a new list item after
the list's last one, a changed value replaces that value's text. Everything else stays byte for byte: key
order, layout, nulls, the user's own fields, numbers as spelled (``1e400``, ``2.50``, ``NaN``). New text
follows its surroundings: inline in a one-line object or list, one member a line with the sibling's indentation
in a laid-out one, and nested values indented by the document's own unit (two spaces, four, a tab).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from agent.document import TOOL_OUTPUT
from agent.json_spans import Span, spans
from agent.schema import Architecture

_GONE = object()
"""A key that one side of a comparison does not have."""
Edit = tuple[int, int, str]
"""Replace `text[start:end]` with the string."""


@dataclass(frozen=True)
class _Style:
    unit: str | None  # the indentation one level adds; None when the document is on one line
    key_sep: str  # between a key and its value, as the document writes it (": " or ":")
    item_sep: str  # between items on one line (", " or ",")


def written_back(original: str, before: Architecture, after: Architecture) -> str:
    """`original` (the JSON text `before` was read from) edited to hold `after`, its repair, and nothing more."""
    old, new = _dump(before), _dump(after)
    if old == new:
        return original  # nothing to write: not even the layout changes
    root = spans(original)
    compact = _dump(after, exclude_defaults=True)
    style = _style_of(original, root)
    if root.kind != "object":
        raise ValueError("an architecture document is a JSON object")
    edits = _object_edits(original, root, old, new, compact, style, drop=TOOL_OUTPUT & root.members.keys())
    text = original
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _dump(architecture: Architecture, exclude_defaults: bool = False) -> dict[str, Any]:
    return architecture.model_dump(
        mode="json", exclude_none=True, exclude_defaults=exclude_defaults, exclude=set(TOOL_OUTPUT)
    )


def _style_of(text: str, root: Span) -> _Style:
    """The document's indentation unit and separators, read from its top-level object."""
    members = list(root.members.values())
    unit = None
    if members and "\n" in text[root.start : members[0].key_start]:
        unit = _indent_at(text, members[0].key_start) or None
    key_sep = ": "
    if members and "\n" not in (between := text[members[0].key_end : members[0].start]):
        key_sep = between.strip() + between.partition(":")[2]
    item_sep = ", "
    for end, start in _pairs(root):
        between = text[end:start]
        if "\n" not in between:
            item_sep = "," + between.partition(",")[2]
            break
    return _Style(unit, key_sep, item_sep)


def _pairs(node: Span):
    """(end of a value, start of the next) for neighbouring values anywhere in the tree, outermost first."""
    children = list(node.members.values()) if node.kind == "object" else node.items
    for first, second in pairwise(children):
        yield first.end, second.key_start if second.key_start >= 0 else second.start
    for child in children:
        yield from _pairs(child)


def _indent_at(text: str, pos: int) -> str:
    """The whitespace that starts the line `pos` is on."""
    line_start = text.rfind("\n", 0, pos) + 1
    return re.match(r"[ \t]*", text[line_start:]).group()  # type: ignore[union-attr]  # matches the empty string


def _edits(text: str, node: Span, before: Any, after: Any, compact: Any, style: _Style) -> list[Edit]:
    if before == after:
        return []
    if node.kind == "object" and isinstance(before, dict) and isinstance(after, dict):
        return _object_edits(text, node, before, after, compact if isinstance(compact, dict) else after, style)
    if node.kind == "array" and isinstance(before, list) and isinstance(after, list) and len(before) == len(node.items):
        return _array_edits(text, node, before, after, compact if isinstance(compact, list) else after, style)
    return [(node.start, node.end, _render(text, compact, style, node.start, inline=_is_inline(text, node)))]


def _object_edits(
    text: str, node: Span, before: dict, after: dict, compact: dict, style: _Style, drop: frozenset[str] = frozenset()
) -> list[Edit]:
    edits: list[Edit] = []
    added = []
    for key, value in after.items():
        shown = compact.get(key, value)
        if key in node.members:
            edits += _edits(text, node.members[key], before.get(key, _GONE), value, shown, style)
        elif before.get(key, _GONE) != value:  # not a default the reader filled in: the repair's own
            added.append((key, shown))
    edits += _removals(node, drop | {key for key in before if key not in after and key in node.members})
    if added:
        keys = [json.dumps(key, ensure_ascii=False) + style.key_sep for key, _ in added]
        edits.append(_insertion(text, node, keys, [value for _, value in added], style))
    return edits


def _array_edits(text: str, node: Span, before: list, after: list, compact: list, style: _Style) -> list[Edit]:
    used: set[int] = set()
    matched = [_counterpart(item, before, used) for item in after]
    shown = [compact[i] if i < len(compact) else item for i, item in enumerate(after)]
    kept = len(before)
    if matched[:kept] == list(range(kept)) and all(m is None for m in matched[kept:]):
        edits = [e for i in range(kept) for e in _edits(text, node.items[i], before[i], after[i], shown[i], style)]
        if len(after) > kept:
            edits.append(_insertion(text, node, [""] * (len(after) - kept), shown[kept:], style))
        return edits
    # items merged, dropped or reordered: the list is laid out anew, each item the user wrote kept as written
    inline = _is_inline(text, node)
    pieces = []
    for position, (item, found) in enumerate(zip(after, matched, strict=True)):
        if found is None:
            pieces.append(_render(text, shown[position], style, node.start, inline))
            continue
        span = node.items[found]
        piece = text[span.start : span.end]
        inner_edits = _edits(text, span, before[found], item, shown[position], style)
        for start, end, replacement in sorted(inner_edits, reverse=True):
            piece = piece[: start - span.start] + replacement + piece[end - span.start :]
        pieces.append(piece)
    if inline or style.unit is None:
        return [(node.start, node.end, "[" + style.item_sep.join(pieces) + "]")]
    outer = _indent_at(text, node.start)
    inner = outer + style.unit
    return [(node.start, node.end, "[\n" + ",\n".join(inner + p for p in pieces) + f"\n{outer}]")]


def _counterpart(item: Any, before: list[Any], used: set[int]) -> int | None:
    """The position in `before` of the item `item` was (the same item, else the same name), claimed once."""
    free = [i for i in range(len(before)) if i not in used]
    same = [i for i in free if before[i] == item]
    named = isinstance(item, dict) and "name" in item
    same = same or [i for i in free if named and isinstance(before[i], dict) and before[i].get("name") == item["name"]]
    if not same:
        return None
    used.add(same[0])
    return same[0]


def _is_inline(text: str, node: Span) -> bool:
    return "\n" not in text[node.start : node.end]


def _insertion(text: str, node: Span, prefixes: list[str], values: list[Any], style: _Style) -> Edit:
    """New members (`prefixes`: their keys) or items after the container's last one, laid out like it."""
    children = list(node.members.values()) if node.kind == "object" else node.items
    if not children:
        inline = _is_inline(text, node) or style.unit is None
        inner = _indent_at(text, node.start) + (style.unit or "")
        pairs = zip(prefixes, values, strict=True)
        rendered = [prefix + _render(text, value, style, node.start, inline, depth=1) for prefix, value in pairs]
        if inline:
            return (node.start + 1, node.end - 1, style.item_sep.join(rendered))
        outer = _indent_at(text, node.start)
        return (node.start + 1, node.end - 1, "\n" + ",\n".join(inner + r for r in rendered) + f"\n{outer}")
    last = children[-1]
    first_of_last = last.key_start if last.key_start >= 0 else last.start
    on_own_line = not text[text.rfind("\n", 0, first_of_last) + 1 : first_of_last].strip()
    laid_out = not _is_inline(text, node) and on_own_line and "\n" in text[node.start : first_of_last]
    if laid_out:
        indent = _indent_at(text, first_of_last)
        nested = [c for c in children if c.kind != "scalar" and (c.members or c.items)]
        inline = bool(nested) and all(_is_inline(text, c) for c in nested)  # as the siblings that could be laid out
        rendered = [p + _render(text, v, style, first_of_last, inline) for p, v in zip(prefixes, values, strict=True)]
        return (last.end, last.end, "".join(f",\n{indent}{r}" for r in rendered))
    rendered = [p + _render(text, v, style, first_of_last, inline=True) for p, v in zip(prefixes, values, strict=True)]
    return (last.end, last.end, "".join(style.item_sep + r for r in rendered))


def _render(text: str, value: Any, style: _Style, at: int, inline: bool, depth: int = 0) -> str:
    """`value` as JSON: on one line (inline, or in a one-line document), else indented from the line `at` is on."""
    if inline or style.unit is None or not isinstance(value, dict | list) or not value:
        return json.dumps(value, ensure_ascii=False, separators=(style.item_sep, style.key_sep))
    indent = _indent_at(text, at) + style.unit * depth
    laid = json.dumps(value, ensure_ascii=False, indent=style.unit, separators=(",", style.key_sep))
    return laid.replace("\n", "\n" + indent)


def _removals(node: Span, keys: set[str] | frozenset[str]) -> list[Edit]:
    """Take the members `keys` out of object `node`, each with the comma that joined it to a neighbour; the
    ranges of neighbouring members meet but never overlap."""
    members = list(node.members.items())
    if not keys:
        return []
    if all(key in keys for key, _ in members):
        return [(members[0][1].key_start, members[-1][1].end, "")]
    edits: list[Edit] = []
    kept_before = False
    for position, (key, member) in enumerate(members):
        if key not in keys:
            kept_before = True
        elif kept_before:  # ", key: value" after the one before it
            edits.append((members[position - 1][1].end, member.end, ""))
        else:  # "key: value, " up to the one after it
            edits.append((member.key_start, members[position + 1][1].key_start, ""))
    return edits

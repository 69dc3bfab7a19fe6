"""Reading architecture documents as people and other models write them.

Accepts a JSON string, a dict or an `Architecture`; components and services may be plain names
(`"components": ["Redis", "Postgres"]`), the pattern may be a bare id or a display name. Anything that still
does not fit raises InvalidRequest naming the offending fields.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import ValidationError

from agent.errors import InvalidRequest
from agent.files import MAX_JSON_DEPTH, check_depth, load_json
from agent.knowledge import Knowledge, load_knowledge
from agent.schema import Architecture

MAX_DOCUMENT_BYTES = 2_000_000
"""The largest document read, as JSON text or as parsed JSON (an MCP argument, a dict from the Python API)."""


def check_document_size(document: Any) -> None:
    """Refuse a parsed document (an MCP argument, a dict from the Python API) whose JSON is longer than
    MAX_DOCUMENT_BYTES characters, as its text would be. Cheap (the JSON is written out in C) and exact."""
    try:
        size = len(json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str))
    except RecursionError:
        raise InvalidRequest(f"the document is nested too deeply (more than {MAX_JSON_DEPTH} levels)") from None
    except ValueError:  # a number of more than 4,300 digits, or a value that holds itself
        raise InvalidRequest("the document holds a value JSON text cannot carry (a number of more than "
                             f"{sys.get_int_max_str_digits():,} digits?)") from None  # fmt: skip
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidRequest(f"the document has {size:,} characters of JSON; the limit is {MAX_DOCUMENT_BYTES:,}")


def _lenient(data: dict[str, Any], knowledge: Knowledge) -> dict[str, Any]:
    _pattern_id = knowledge.pattern_id_for
    data = dict(data)
    for field in ("components", "services"):
        items = data.get(field)
        if isinstance(items, list):
            data[field] = [{"name": item} if isinstance(item, str) else item for item in items]
    pattern = data.get("pattern")
    if isinstance(pattern, str):
        data["pattern"] = {"id": _pattern_id(pattern)}
    elif isinstance(pattern, dict) and isinstance(pattern.get("id"), str):
        data["pattern"] = {**pattern, "id": _pattern_id(pattern["id"])}
    return data


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors()[:5]:
        where = ".".join(str(part) for part in error["loc"]) or "document"
        problems.append(f"{where}: {error['msg']}")
    more = f" (and {exc.error_count() - 5} more)" if exc.error_count() > 5 else ""
    return "; ".join(problems) + more


def parse_document(
    document: str | bytes | dict[str, Any] | Architecture, knowledge: Knowledge | None = None
) -> Architecture:
    """An `Architecture` from JSON text, a dict or an `Architecture`; InvalidRequest names what is wrong."""
    knowledge = knowledge or load_knowledge()
    if isinstance(document, Architecture):
        return document
    if isinstance(document, bytes | str):
        if len(document) > MAX_DOCUMENT_BYTES:
            raise InvalidRequest(f"the document has {len(document):,} bytes; the limit is {MAX_DOCUMENT_BYTES:,}")
        document = load_json(document, "the document")
    else:  # parsed already: bounded as its text would have been
        check_document_size(document)
        check_depth(document)
    if not isinstance(document, dict):
        raise InvalidRequest(f"the document must be a JSON object, not {type(document).__name__}")
    if not document.get("components") and not document.get("services"):
        raise InvalidRequest("the document needs 'components' or 'services' (a list of names is enough)")
    try:
        architecture = Architecture.model_validate(_lenient(document, knowledge))
    except ValidationError as exc:
        raise InvalidRequest(f"the document does not fit the architecture schema: {_describe(exc)}") from None
    if architecture.pattern and architecture.pattern.id not in knowledge.all_pattern_ids:
        known = ", ".join(knowledge.all_pattern_ids)
        raise InvalidRequest(f"pattern.id: unknown pattern {architecture.pattern.id!r}; known: {known}")
    return architecture


# ---- writing a repaired document back as the user wrote it ----------------------------------------------------

_GONE = object()
"""A key that one side of a comparison does not have."""
TOOL_OUTPUT = frozenset({"findings", "changes"})
"""What the checker adds to a document; a document written back carries none of it (it would be stale)."""


class _Spelled(str):
    """A number as the user spelled it (``1e400``, ``2.50``, ``NaN``), written back as it was."""


def written_back(original: str, before: Architecture, after: Architecture) -> str:
    """`after` as JSON text that keeps, wherever the repair left `before` as it was, what the user wrote there.

    Their key order, their null fields, their own extra fields and the spelling of their numbers (``1e400`` is
    not turned into null, ``2.50`` not into ``2.5``) survive; only what the repair changed is written anew.
    `before` is `original` as read (`parse_document`), `after` its repair.
    """
    old, new = _dump(before), _dump(after)
    if old == new:
        return original  # nothing to write: not even the layout changes
    raw = json.loads(original, parse_float=_Spelled, parse_constant=_Spelled)
    merged = _merge(raw, old, new)
    if isinstance(merged, dict):
        merged = {key: value for key, value in merged.items() if key not in TOOL_OUTPUT}
    return _to_json(merged) + "\n"


def _dump(architecture: Architecture) -> dict[str, Any]:
    return architecture.model_dump(mode="json", exclude_none=True, exclude=set(TOOL_OUTPUT))


def _merge(raw: Any, before: Any, after: Any) -> Any:
    """`raw` where `before` and `after` agree, `after` where the repair changed something, member by member."""
    if before == after:
        return raw
    if isinstance(raw, dict) and isinstance(before, dict) and isinstance(after, dict):
        merged = {}
        for key in [*raw, *(key for key in after if key not in raw)]:
            value = _merge(raw.get(key, _GONE), before.get(key, _GONE), after.get(key, _GONE))
            if value is not _GONE:
                merged[key] = value
        return merged
    if isinstance(raw, list) and isinstance(before, list) and isinstance(after, list) and len(raw) == len(before):
        used: set[int] = set()
        items = []
        for item in after:
            found = _counterpart(item, before, used)
            items.append(item if found is None else _merge(raw[found], before[found], item))
        return items
    return after


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


def _to_json(value: Any, level: int = 0) -> str:
    """JSON laid out as `json.dumps(indent=2)` lays it out, with numbers the user wrote kept as they were written."""
    if isinstance(value, _Spelled):
        return str(value)
    inner, outer = "  " * (level + 1), "  " * level
    if isinstance(value, dict) and value:
        members = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_to_json(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{outer}}}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"{inner}{_to_json(v, level + 1)}" for v in value) + f"\n{outer}]"
    return json.dumps(value, ensure_ascii=False)

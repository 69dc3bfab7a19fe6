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


TOOL_OUTPUT = frozenset({"findings", "changes"})
"""What the checker adds to a document; a document written back carries none of it (it would be stale)."""

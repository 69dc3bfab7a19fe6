"""What the portable forms share: one flat row per case, the instruction a model is given, the knowledge hash,
and the one-sentence message when the `[ml]` extra is missing."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Literal

from agent.errors import ML_EXTRA, InvalidRequest
from agent.evaluation.cases import CASES_DIR, EvalCase, load_cases

TASK_NAME = "sysdesign_design"
SPLIT = "test"

Kind = Literal["string", "strings", "int"]
COLUMNS: dict[str, Kind] = {
    "id": "string",
    "prompt": "string",
    "instruction": "string",
    "tags": "strings",
    "pattern": "string",
    "blocks": "strings",
    "tier": "string",
    "concepts": "strings",
    "must_include": "strings",
    "must_not_include": "strings",
    "services_min": "int",
    "services_max": "int",
}
"""The dataset's columns in order, each with its kind; `export` maps the kinds to Arrow types and card features.
`pattern`, `tier` and `services_min`/`services_max` are null where a case does not say."""

INSTRUCTION = """You are a software architect. Design the software architecture for the request below.
Answer with one JSON object and nothing else, with the keys:
  "pattern": the application pattern, one of {patterns};
  "blocks": the building blocks it is composed of (for example "url_shortener", "rate_limiter"), or [];
  "tier": the complexity tier, one of low, medium, high, enterprise;
  "components": the technologies it uses, each {{"name": ..., "purpose": ...}};
  "services": the services, each {{"name": ..., "responsibility": ...}};
  "flows": the main flows, each {{"name": ..., "steps": [...]}};
  "tradeoffs": the decisions, each {{"decision": ..., "chosen": ..., "alternatives": [...], "why": ...}};
  "failure_modes": what can fail, each {{"component": ..., "failure": ..., "mitigation": ...}};
  "scaling": how it grows with load, as sentences.

Request: {request}"""
"""Asks for every section the grader counts towards completeness (`grader.SECTIONS`, held by a test); the grader
believes none of the labels (pattern, blocks, tier), which a model's answer may still use to explain itself."""


def require(module: str) -> ModuleType:
    """Import `module` from the `[ml]` extra, or fail with the one sentence that says how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InvalidRequest(f"the portable evaluation needs {module!r}; run {ML_EXTRA}") from None


@cache
def _pattern_ids() -> tuple[str, ...]:
    from agent.knowledge import load_knowledge

    return load_knowledge().all_pattern_ids


def instruction(request: str) -> str:
    """What the model is asked for one request: a design as JSON, with the knowledge base's pattern ids."""
    return INSTRUCTION.format(patterns=", ".join(_pattern_ids()), request=request)


def case_row(case: EvalCase) -> dict[str, object]:
    """One case as a flat dataset row, in `COLUMNS` order."""
    low, high = case.services or (None, None)
    return {
        "id": case.id,
        "prompt": case.prompt,
        "instruction": instruction(case.prompt),
        "tags": list(case.tags),
        "pattern": case.pattern,
        "blocks": list(case.blocks),
        "tier": case.tier,
        "concepts": list(case.concepts),
        "must_include": list(case.must_include),
        "must_not_include": list(case.must_not_include),
        "services_min": low,
        "services_max": high,
    }


def chosen_cases(tags: Iterable[str] = (), limit: int | None = None, cases: Path | str | None = None) -> list[EvalCase]:
    """The cases under `cases` (default: the built-in suite) with any of `tags`, the first `limit` of them."""
    from agent.evaluation.runner import select

    tags = list(tags)
    chosen = select(load_cases(Path(cases) if cases else CASES_DIR), tags, limit)
    if not chosen:
        raise InvalidRequest(f"no case has the tag(s) {tags!r}")
    return chosen


def knowledge_hash() -> str:
    """The knowledge's sha256 as every dataset card of this project states it (`agent.datasets.card`): two exports
    with one hash were graded against one knowledge."""
    from agent.datasets.card import knowledge_version

    return knowledge_version()["sha256"]

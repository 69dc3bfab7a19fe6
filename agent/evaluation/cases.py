"""Evaluation cases: JSONL, one case a line; every field but `id` and `prompt` is optional."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agent.errors import InvalidRequest
from agent.files import jsonl_records
from agent.paths import bundled
from agent.schema import PatternId, TierId

CASES_DIR = bundled("evals", "cases")
log = logging.getLogger("sysdesign")


class EvalCase(BaseModel):
    """What a request should produce."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    prompt: str = Field(min_length=1)
    pattern: PatternId | None = None
    must_include: tuple[str, ...] = ()
    must_not_include: tuple[str, ...] = ()
    services: tuple[int, int] | None = None
    tier: TierId | None = None
    tags: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    """The building blocks the design must be composed of."""
    concepts: tuple[str, ...] = ()
    """Words a reviewer looks for in the design's text (the mechanism: "base62", "token bucket", "politeness")."""

    @field_validator("services")
    @classmethod
    def _band(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not 0 <= value[0] <= value[1]:
            raise ValueError("services must be [low, high] with 0 <= low <= high")
        return value


def case_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise InvalidRequest(f"no .jsonl case files in {str(path)!r}")
        return files
    if not path.is_file():
        raise InvalidRequest(f"no case file at {str(path)!r}")
    return [path]


def load_cases(path: Path = CASES_DIR, strict: bool = False) -> list[EvalCase]:
    """Every case under `path`; a bad line is reported with its number and skipped (or fails with `strict`)."""
    cases: list[EvalCase] = []
    for file in case_files(Path(path)):
        for number, record in jsonl_records(file, EvalCase, "case file"):
            if isinstance(record, EvalCase):
                cases.append(record)
                continue
            message = f"{file.name} line {number}: not a valid case ({record})"
            if strict:
                raise InvalidRequest(message)
            log.warning("%s; skipped", message)
    duplicates = [case_id for case_id, n in Counter(c.id for c in cases).items() if n > 1]
    if duplicates:
        raise InvalidRequest(f"case ids repeat: {duplicates[:3]!r}")
    if not cases:
        raise InvalidRequest(f"{str(path)!r} holds no valid cases")
    return cases

"""Grading millions of completions on a Ray cluster: the same pure per-row grading, run by Ray Data actors.

    from agent.evaluation.ray_grading import grade_on_ray
    grades = grade_on_ray(requests, completions, address="auto", workers=16)

Each actor loads its own grader once (the engine and the embedding model) and grades batches; the grades come
back in the input's order and equal a single process's. Needs the `[ml]` extra (ray[data]).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agent.errors import ML_EXTRA, InvalidRequest
from agent.evaluation.grader import Grade, Grader

BATCH_ROWS = 64


def ray_session(address: str | None, needed_for: str) -> Any:
    """Ray, connected to the cluster at `address` (a local one is started when None and Ray is not running yet),
    with Ray Data keeping rows in order; InvalidRequest naming the extra when Ray Data is not installed."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise InvalidRequest(f"{needed_for} needs Ray Data: {ML_EXTRA}") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    return ray


class _GradeBatch:
    """A Ray Data actor: one grader, many batches."""

    def __init__(self) -> None:
        self.grader = Grader()

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        completions = [json.loads(c) for c in batch["completion"]]
        grades = self.grader.grade_many(list(batch["request"]), completions)
        return {"row": batch["row"], "grade": [g.model_dump_json() for g in grades]}


def grade_on_ray(requests: Sequence[str], completions: Sequence[Any], address: str | None = None,
                 workers: int = 2, batch_rows: int = BATCH_ROWS) -> list[Grade]:  # fmt: skip
    """The grades of (request, completion) pairs, computed by `workers` actors on the cluster at `address` (a
    local one is started when None and Ray is not running yet)."""
    if len(requests) != len(completions):
        raise InvalidRequest(f"{len(completions)} completions for {len(requests)} requests")
    ray = ray_session(address, "grading on Ray")
    # completions may be text, chat messages or dicts: carried as JSON text, one Arrow type for all
    rows = [{"row": i, "request": r, "completion": json.dumps(c, ensure_ascii=False)}
            for i, (r, c) in enumerate(zip(requests, completions, strict=True))]  # fmt: skip
    dataset = ray.data.from_items(rows)
    graded = dataset.map_batches(_GradeBatch, batch_size=batch_rows, concurrency=workers).take_all()
    ordered = sorted(graded, key=lambda r: int(r["row"]))
    return [Grade.model_validate_json(r["grade"]) for r in ordered]

"""Grading many completions: the requests' Briefs read in this process in one batch, the completions graded in
worker processes (the same grades, in the same order, as one process)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from agent.brief.model import Brief
from agent.errors import InvalidRequest
from agent.evaluation.grader import Grade, Grader

_worker: Grader | None = None


def _start_worker() -> None:
    global _worker
    _worker = Grader()  # checking needs no retriever: the Briefs come with the work


def _grade_chunk(items: list[tuple[Brief, Any]]) -> list[Grade]:
    assert _worker is not None
    return [_worker.grade_with_brief(brief, completion) for brief, completion in items]


class GradingPool:
    """`workers` processes started on first use and kept until `close` (RL calls it every step)."""

    def __init__(self, grader: Grader, workers: int = 1, chunk: int = 16) -> None:
        if workers < 1:
            raise InvalidRequest(f"workers must be at least 1, not {workers}")
        self.grader, self.workers, self.chunk = grader, workers, chunk
        self._pool: ProcessPoolExecutor | None = None

    def grade(self, requests: Sequence[str], completions: Sequence[Any]) -> list[Grade]:
        if len(requests) != len(completions):
            raise InvalidRequest(f"{len(completions)} completions for {len(requests)} requests")
        if not requests:
            return []
        self.grader.read_briefs(requests)
        items = [(self.grader.brief(r), c) for r, c in zip(requests, completions, strict=True)]
        if self.workers == 1 or len(items) < 2 * self.chunk:
            return [self.grader.grade_with_brief(b, c) for b, c in items]
        chunks = [items[i : i + self.chunk] for i in range(0, len(items), self.chunk)]
        return [g for graded in self._executor().map(_grade_chunk, chunks) for g in graded]

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")  # onnxruntime and threads do not survive fork
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

"""The sysdesign-agent design cases as an inspect-ai task, scored by the grader (`agent.evaluation.grader`).

    LOCAL_API_KEY=none inspect eval "$(python -m agent.evaluation.portable.inspect_task)" -T tags=block \\
        -T limit=10 --model openai-api/local/m --model-base-url http://127.0.0.1:8080/v1

(`python -m agent.evaluation.portable.inspect_task` prints this file's path with `@sysdesign_design`, which is
how inspect takes a task by absolute path.) `-T cases=FILE` wants an absolute path: inspect creates the task from
this file's folder.

Each sample is one case: the model answers the case's instruction with `generate()`, and the scorer returns the
grader's score with its explanation and its parts (in the score's metadata); the metrics are mean and stderr.
inspect-ai belongs to the `[ml]` extra.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.evaluation.portable.cases import TASK_NAME, case_row, chosen_cases, require

if __name__ == "__main__":  # `python -m agent.evaluation.portable.inspect_task`: the task spec for `inspect eval`
    print(f"{Path(__file__).resolve()}@{TASK_NAME}")  # inspect takes an absolute path only with the @task
    raise SystemExit(0)
require("inspect_ai")

from inspect_ai import Task, task  # noqa: E402  (after the one-sentence check for the extra)
from inspect_ai.dataset import MemoryDataset, Sample  # noqa: E402
from inspect_ai.model import GenerateConfig  # noqa: E402
from inspect_ai.scorer import Score, Scorer, Target, mean, scorer, stderr  # noqa: E402
from inspect_ai.solver import TaskState, generate  # noqa: E402

if TYPE_CHECKING:
    from agent.evaluation.grader import Grade

MAX_TOKENS = 1024
_grading = threading.Lock()
"""One grade at a time: the grader's engine is shared, and grading runs in a worker thread so that the event loop
keeps other samples generating meanwhile."""


@task(name=TASK_NAME)
def sysdesign_design(
    tags: str | list[str] | None = None,
    limit: int | None = None,
    cases: str | None = None,
    max_tokens: int = MAX_TOKENS,
) -> Task:
    """The cases with any of `tags` (all when none), the first `limit` of them, from the built-in suite or `cases`.

    Args:
        cases: a JSONL case file or a folder of them, instead of the built-in suite.
        max_tokens: the most tokens a model may answer with.
    """
    wanted = [tags] if isinstance(tags, str) else list(tags or [])
    samples = [_sample(case_row(case)) for case in chosen_cases(wanted, limit, cases)]
    return Task(
        dataset=MemoryDataset(samples, name=TASK_NAME),
        solver=generate(),
        scorer=design_grade(),
        config=GenerateConfig(temperature=0.0, max_tokens=max_tokens),
        name=TASK_NAME,
        version=1,
    )


def _sample(row: dict[str, Any]) -> Sample:
    """One case as a sample: the instruction is its input, the rest of the row its metadata."""
    metadata = {name: value for name, value in row.items() if name not in ("id", "instruction")}
    return Sample(id=str(row["id"]), input=str(row["instruction"]), metadata=metadata)


@scorer(metrics=[mean(), stderr()])
def design_grade() -> Scorer:
    """The grader's score of the model's completion for the sample's request, with its explanation and parts."""

    async def score(state: TaskState, target: Target) -> Score:
        request = str(state.metadata["prompt"])
        graded = await asyncio.to_thread(_grade, request, state.output.completion)
        return Score(
            value=graded.score,
            answer=state.output.completion,
            explanation=graded.explanation,
            metadata={"parts": [part.model_dump() for part in graded.parts], "parsed_as": graded.parsed_as},
        )

    return score


def _grade(request: str, completion: str) -> Grade:
    from agent.evaluation.grader import grade

    with _grading:
        return grade(request, completion)

"""Rewards for reinforcement learning: the grader in the shape TRL's `reward_funcs` take.

    from agent.rewards import DesignReward
    trainer = GRPOTrainer(model=..., reward_funcs=[DesignReward(workers=4)], train_dataset=dataset, ...)

TRL calls a reward function with `prompts`, `completions` and the dataset's other columns as keyword arguments,
plain text or conversational (lists of messages), and wants one float per completion. The request graded against
is the dataset's `request` column when it has one, else the prompt's last user message. Requests are read into
their Briefs once (in this process, in one batch); the completions are graded in `workers` processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agent.errors import InvalidRequest
from agent.evaluation.grader import Grade, Grader
from agent.evaluation.grading_pool import GradingPool


def request_of(prompt: Any) -> str:
    """The request in a prompt: the text itself, or the last user message of a conversation."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list):
        said = [m.get("content") for m in prompt if isinstance(m, dict) and m.get("role") == "user"]
        if said and isinstance(said[-1], str):
            return said[-1]
    raise InvalidRequest(f"cannot find the request in a prompt of type {type(prompt).__name__}; give a 'request' "
                         "column or a prompt that is text or a list of messages with a user message")  # fmt: skip


class DesignReward:
    """A TRL reward function: each completion's grade (0 to 1) as an answer to its prompt's request."""

    __name__ = "sysdesign_grade"

    def __init__(self, workers: int = 1, grader: Grader | None = None, chunk: int = 16) -> None:
        self.grader = grader or Grader()
        self.pool = GradingPool(self.grader, workers, chunk)
        self.last: list[Grade] = []
        """The grades of the last call, for logging their parts."""

    def __call__(self, prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **columns: Any
                 ) -> list[float]:  # fmt: skip
        requests = columns.get("request") or [request_of(p) for p in (prompts or ())]
        if len(requests) != len(completions):
            raise InvalidRequest(f"{len(completions)} completions for {len(requests)} requests")
        self.last = self.grade(list(requests), list(completions))
        return [g.score for g in self.last]

    def grade(self, requests: list[str], completions: list[Any]) -> list[Grade]:
        return self.pool.grade(requests, completions)

    def close(self) -> None:
        self.pool.close()


def design_reward(prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **columns: Any
                  ) -> list[float]:  # fmt: skip
    """The grader as a plain TRL reward function, in this process (`DesignReward(workers=N)` for more)."""
    return _shared()(prompts, completions, **columns)


_reward: DesignReward | None = None


def _shared() -> DesignReward:
    global _reward
    if _reward is None:
        _reward = DesignReward()
    return _reward

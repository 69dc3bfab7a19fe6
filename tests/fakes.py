"""Test doubles that drive the engine without a model (as pydantic-ai's FunctionModel does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from agent.drafting.base import Drafter, DraftRequest, Usage
from agent.errors import ModelError
from agent.schema import Architecture, Finding

Answer = Architecture | dict | Exception
"""What the fake answers next: a document, a dict read as one, or an exception to raise."""


class FakeDrafter(Drafter):
    """Answers `draft` and then each `revise` with the next scripted answer; records what it was asked."""

    name: ClassVar[str] = "fake"
    can_revise: ClassVar[bool] = True

    def __init__(self, *answers: Answer | Callable[[DraftRequest], Answer]) -> None:
        self.answers = list(answers)
        self.revisions: list[list[Finding]] = []
        self._usage = Usage()

    def _next(self, request: DraftRequest) -> Architecture:
        if not self.answers:
            raise ModelError("the fake drafter has no answers left")
        answer = self.answers.pop(0)
        answer = answer(request) if callable(answer) else answer
        if isinstance(answer, Exception):
            raise answer
        document = answer if isinstance(answer, Architecture) else Architecture.model_validate(answer)
        self._usage.tokens += 1
        self._usage.raw_pattern = document.pattern.id if document.pattern else None
        return document.model_copy(update={"request": request.prompt})

    def draft(self, request: DraftRequest) -> Architecture:
        self._usage = Usage()
        return self._next(request)

    def revise(self, request: DraftRequest, previous: Architecture, findings: list[Finding]) -> Architecture:
        self.revisions.append(findings)
        return self._next(request)

    @property
    def usage(self) -> Usage:
        return self._usage

    @property
    def model(self) -> str:
        return "fake-model"

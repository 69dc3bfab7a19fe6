"""What a grade is: a score with its parts, their reasons and the penalties (the grader fills it)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field

from agent.evaluation.completions import ParsedAs

Rounded = Annotated[float, AfterValidator(lambda value: round(value, 4))]
"""Four places: sums of floats differ in their last bits between processes, grades must not."""


class GradePart(BaseModel):
    name: str
    score: Rounded = Field(ge=0, le=1)
    weight: float
    reason: str


class Penalty(BaseModel):
    name: str
    amount: Rounded = Field(ge=0)
    reason: str


class Grade(BaseModel):
    """A completion's grade: read factor x (addresses + relevance x the other parts, weighted) / the weights judged,
    minus penalties, within [0, 1] (docs/grading.md). A part that cannot be judged for this request (mechanisms,
    when no chapter covers it) has weight 0; relevance = min(1, addresses / 0.5)."""

    score: float = Field(ge=0, le=1)
    parts: list[GradePart] = Field(default_factory=list)
    penalties: list[Penalty] = Field(default_factory=list)
    parsed_as: ParsedAs
    problem: str | None = Field(default=None, description="Why nothing could be scored, when score is 0 for that.")
    expected: list[str] = Field(default_factory=list, description="The designs the request's Brief calls for.")
    explanation: str = ""

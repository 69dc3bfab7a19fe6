"""What a grade is: a score with its parts, their reasons and the penalties (the grader fills it)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from agent.evaluation.completions import ParsedAs


class GradePart(BaseModel):
    name: str
    score: float = Field(ge=0, le=1)
    weight: float
    reason: str

    @field_validator("score")
    @classmethod
    def _rounded(cls, value: float) -> float:
        return round(value, 4)


class Penalty(BaseModel):
    name: str
    amount: float = Field(ge=0)
    reason: str

    @field_validator("amount")
    @classmethod
    def _rounded(cls, value: float) -> float:
        return round(value, 4)


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

"""A follow-up read by the configured model into the same structured edits the rules produce (JSON-schema
constrained). The rules remain the default and the fallback: whatever the model answers is validated, names that
are not names (placeholders, paths, URLs) are refused, and any failure hands the turn back to the rules.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.chat.edits import Edit
from agent.chat.reading import FollowUp
from agent.drafting.llm.chat_drafter import extract_json
from agent.errors import ModelError, first_error
from agent.schema import Architecture

NOT_A_NAME = re.compile(r"[<>{}\[\]\\|]|https?://|\.\w{2,4}$|/\w+/|^\W*$")
MAX_NAME_WORDS = 6


class ModelEdit(BaseModel):
    action: Literal["add", "remove", "replace"]
    target: str = Field(min_length=1, max_length=80, description="What to add or remove, or what is replaced.")
    new: str = Field(default="", max_length=80, description="For replace: what takes its place.")


class ModelFollowUp(BaseModel):
    """What the model fills: the follow-up as edits, requirement statements, or a question."""

    kind: Literal["edit", "question", "undo", "other"]
    edits: list[ModelEdit] = Field(default_factory=list, max_length=10)
    statements: list[str] = Field(default_factory=list, max_length=5,
                                  description="Requirements stated, in the user's words ('team of 3').")  # fmt: skip


SYSTEM = """You turn a user's follow-up about a software architecture into JSON edits. Answer with JSON only.
kind: "edit" when the user changes the design, "question" when they ask about it, "undo" to revert, else "other".
edits: add / remove / replace a part, a service or a capability, e.g. {"action": "remove", "target": "search"},
{"action": "replace", "target": "Cassandra", "new": "DynamoDB"}.
statements: requirements the user states (users, traffic, team size, deadline, budget, region, compliance,
"keep it simple", "split into services"), copied in their own words."""


def follow_up_schema() -> dict[str, Any]:
    return ModelFollowUp.model_json_schema()


def read_with_model(text: str, client: Any, design: Architecture) -> FollowUp:
    """The follow-up as the model reads it; ModelError when its answer is unusable (the caller falls back)."""
    services = ", ".join(s.name for s in design.services)
    parts = ", ".join(c.name for c in design.components)
    messages = [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"Design parts: {parts}\nServices: {services}\nFollow-up: {text}"},
    ]
    completion = _bounded(client, messages)
    try:
        read = ModelFollowUp.model_validate(extract_json(completion.text))
    except ValidationError as exc:
        raise ModelError(f"the model's answer does not fit the follow-up schema: {first_error(exc)}") from None
    model = getattr(client, "model", "model")
    if read.kind == "undo":
        return FollowUp(undo=True, by=f"model {model}")
    if read.kind == "question":
        return FollowUp(question=text, by=f"model {model}")
    edits = [Edit(e.action, _name(e.target), _name(e.new) if e.action == "replace" else "") for e in read.edits]
    statements = [s.strip() for s in read.statements if s.strip()]
    return FollowUp(edits=edits, statements=statements, by=f"model {model}")


FOLLOW_UP_TOKENS = 400
"""A follow-up's edits fit in far less; a small model that loops must not run to a full design's budget."""


def _bounded(client: Any, messages: list[dict[str, str]]) -> Any:
    """The completion with the client's output budget lowered for the call (clients that have one)."""
    budget = getattr(client, "max_tokens", None)
    if budget is None:
        return client.complete(messages, follow_up_schema())
    client.max_tokens = min(budget, FOLLOW_UP_TOKENS)
    try:
        return client.complete(messages, follow_up_schema())
    finally:
        client.max_tokens = budget


def _name(value: str) -> str:
    """A part or service name as the model wrote it; a placeholder, a path, a URL or a sentence is refused."""
    value = value.strip()
    if not value or NOT_A_NAME.search(value) or len(value.split()) > MAX_NAME_WORDS:
        raise ModelError(f"the model named {json.dumps(value)[:60]}, which is not a part or a service")
    return value

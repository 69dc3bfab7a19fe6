"""The training target: the architecture document without its bookkeeping, and the row in chat form.

Bookkeeping is what records how a document was produced or checked rather than what the design is; a model
trained to write it learns to imitate the engine's logs. Left out of the target:

- top level: `request` (the prompt, repeated), `drafter`, `audit` (the drafting trail), `changes` (what repair
  did), `findings` (the checker's verdict: warnings and notes only, rows with errors are never kept) and
  `citations` (the list of every chunk cited);
- anywhere: `citation`/`citations` (chunk ids behind an item), `by` (who wrote an item) and `evidence` (the words
  of the request behind the pattern and blocks).

Kept: coverage, tier, requirements, pattern and blocks (id and confidence), traits, CAP, components, services,
flows, scaling, estimate, trade-offs, failure modes, capacity, assumptions and open questions.
"""

from __future__ import annotations

import json
from typing import Any

TOP_LEVEL_BOOKKEEPING = frozenset({"request", "drafter", "audit", "changes", "findings", "citations"})
NESTED_BOOKKEEPING = frozenset({"citation", "citations", "by", "evidence"})
SYSTEM = "You are a software architect. Answer with the architecture document as JSON."


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in NESTED_BOOKKEEPING}
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def compact(architecture: dict[str, Any]) -> dict[str, Any]:
    """The design without bookkeeping fields (see the module docstring for the list and why)."""
    return {k: _strip(v) for k, v in architecture.items() if k not in TOP_LEVEL_BOOKKEEPING}


def target_text(architecture: dict[str, Any]) -> str:
    """The compact design as one line of JSON (the target a model is trained to write)."""
    return json.dumps(compact(architecture), ensure_ascii=False, separators=(",", ":"))


def messages(prompt: str, target: str) -> list[dict[str, str]]:
    """The row as a chat: system, user (the request), assistant (the target)."""
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": prompt},
        {"role": "assistant", "content": target},
    ]

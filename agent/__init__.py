"""sysdesign-agent: grounded, checked software architectures from a system-design knowledge base.

>>> import agent
>>> agent.recommend("Build a Twitter clone").pattern.id
'social_media'
>>> agent.check({"request": "Twitter clone", "services": ["API", "Tweets"]}).passed
False
>>> agent.search("how do I find drivers near a rider quickly", k=1)[0].chunk_id
'ride-hailing-platforms/matching-algorithm/step-1-find-nearby-drivers'

The module-level calls share one `Advisor` (settings from SYSDESIGN_* and sysdesign.toml); create your own
`Advisor(...)` for another index or settings.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from agent._version import __version__
from agent.errors import IndexMissing, IndexOutOfDate, IndexProblem, InvalidRequest, ModelError, SysdesignError

if TYPE_CHECKING:  # imported on first use (PEP 562): `sysdesign search` should not pay for the engine
    from agent.advisor import Advisor
    from agent.evaluation.grader import Grade, Grader
    from agent.pipeline import Engine
    from agent.retrieval.search import Retriever
    from agent.schema import Architecture, Audit, CheckReport, Chunk, Estimate, Finding, Hit

_LAZY = {
    "Advisor": "agent.advisor",
    "Engine": "agent.pipeline",
    "Retriever": "agent.retrieval.search",
    **dict.fromkeys(["Architecture", "Audit", "CheckReport", "Chunk", "Estimate", "Finding", "Hit"], "agent.schema"),
    "Grade": "agent.evaluation.grader",
}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'agent' has no attribute {name!r}")


_default: Advisor | None = None
_default_lock = threading.Lock()


def default_advisor() -> Advisor:
    """The shared advisor, loaded on first use."""
    global _default
    from agent.advisor import Advisor

    with _default_lock:
        if _default is None:
            _default = Advisor()
        return _default


def default_retriever() -> Retriever:
    """The shared advisor's retriever."""
    return default_advisor().retriever


def default_engine() -> Engine:
    """The shared advisor's engine."""
    return default_advisor().engine


def search(query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
    """The `k` knowledge-base chunks that best answer `query`, best first (hybrid dense + BM25)."""
    return default_advisor().search(query, k=k, pattern=pattern)


def recommend(prompt: str, *, drafter: str | None = None, **options: Any) -> Architecture:
    """A checked architecture for an app idea: pattern, stack, services, flows, estimate, findings.

    `options`: rounds, fallback, model, model_path, base_url, timeout, prompts_dir.
    """
    return default_advisor().recommend(prompt, drafter, **options)


def check(document: str | bytes | dict[str, Any] | Architecture, *, fix: bool = False) -> CheckReport:
    """Findings for an architecture written by anyone (JSON text, dict or Architecture)."""
    return default_advisor().check(document, fix=fix)


def grade(request: str, completion: Any) -> Grade:
    """A model's design (JSON, fenced or cut-off JSON, Markdown, chat messages) graded from 0 to 1 as an answer to
    `request`, with its parts and their reasons (docs/grading.md)."""
    from agent.evaluation.grader import Grader

    global _grader
    engine = default_advisor().engine  # before the lock below: the advisor takes its own
    with _grader_lock:
        if _grader is None:
            _grader = Grader(engine)
    return _grader.grade(request, completion)


_grader: Grader | None = None
_grader_lock = threading.Lock()


def repair(document: str | bytes | dict[str, Any] | Architecture) -> Architecture:
    """The document with every automatic fix applied; `.changes` lists them."""
    return default_advisor().repair(document)


def estimate(subject: str | dict[str, Any] | Architecture) -> Estimate:
    """The complexity estimate of an app idea or an architecture document."""
    return default_advisor().estimate(subject)


__all__ = [
    "Advisor",
    "Architecture",
    "Audit",
    "CheckReport",
    "Chunk",
    "Engine",
    "Estimate",
    "Finding",
    "Grade",
    "Hit",
    "IndexMissing",
    "IndexOutOfDate",
    "IndexProblem",
    "InvalidRequest",
    "ModelError",
    "Retriever",
    "SysdesignError",
    "__version__",
    "check",
    "default_advisor",
    "default_engine",
    "default_retriever",
    "estimate",
    "grade",
    "recommend",
    "repair",
    "search",
]

"""sysdesign-agent: grounded, checked software architectures from a system-design knowledge base.

>>> import agent
>>> agent.recommend("Build a Twitter clone").pattern.id
'social_media'
>>> agent.check({"request": "Twitter clone", "services": ["API", "Tweets"]}).passed
False
>>> agent.search("how do I find drivers near a rider quickly", k=1)[0].chunk_id
'ride-hailing-platforms/matching-algorithm/step-1-find-nearby-drivers'
"""

from __future__ import annotations

import threading
from importlib import metadata
from typing import Any

from agent.engine import Engine
from agent.errors import IndexMissing, IndexOutOfDate, IndexProblem, InvalidRequest, ModelError, SysdesignError
from agent.retrieval import Retriever
from agent.schema import Architecture, CheckReport, Chunk, Estimate, Finding, Hit

try:
    __version__ = metadata.version("sysdesign-agent")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

_default_retriever: Retriever | None = None
_default_engine: Engine | None = None
_default_lock = threading.Lock()


def default_retriever() -> Retriever:
    """The retriever over the bundled index, loaded on first use and shared."""
    global _default_retriever
    with _default_lock:
        if _default_retriever is None:
            _default_retriever = Retriever.open()
        return _default_retriever


def default_engine() -> Engine:
    """The engine over the bundled index and knowledge, created on first use and shared."""
    global _default_engine
    retriever = default_retriever()
    with _default_lock:
        if _default_engine is None:
            _default_engine = Engine(retriever)
        return _default_engine


def search(query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
    """The `k` knowledge-base chunks that best answer `query`, best first (hybrid dense + BM25)."""
    return default_retriever().search(query, k=k, pattern=pattern)


def recommend(prompt: str, *, drafter: str = "kb", **options: Any) -> Architecture:
    """A checked architecture for an app idea: pattern, stack, services, flows, estimate, findings.

    `options` go to `Engine.recommend`: rounds, fallback, model, model_path, base_url, timeout, prompts_dir.
    """
    return default_engine().recommend(prompt, drafter, **options)


def check(document: str | bytes | dict[str, Any] | Architecture, *, fix: bool = False) -> CheckReport:
    """Findings for an architecture written by anyone (JSON text, dict or Architecture)."""
    return default_engine().check(document, fix=fix)


def repair(document: str | bytes | dict[str, Any] | Architecture) -> Architecture:
    """The document with every automatic fix applied; `.changes` lists them."""
    repaired = default_engine().check(document, fix=True).repaired
    assert repaired is not None  # fix=True always repairs
    return repaired


def estimate(subject: str | dict[str, Any] | Architecture) -> Estimate:
    """The complexity estimate of an app idea or an architecture document."""
    return default_engine().estimate(subject)


__all__ = [
    "Architecture",
    "CheckReport",
    "Chunk",
    "Engine",
    "Estimate",
    "Finding",
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
    "default_engine",
    "default_retriever",
    "estimate",
    "recommend",
    "repair",
    "search",
]

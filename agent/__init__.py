"""sysdesign-agent: grounded, checked software architectures from a system-design knowledge base.

>>> import agent
>>> agent.search("how do I find drivers near a rider quickly", k=1)[0].chunk_id
'ride-hailing-platforms/essential-technologies/geospatial-tech'
"""

from __future__ import annotations

import threading
from importlib import metadata

from agent.errors import IndexMissing, IndexOutOfDate, IndexProblem, InvalidRequest, ModelError, SysdesignError
from agent.retrieval import Retriever
from agent.schema import Chunk, Hit

try:
    __version__ = metadata.version("sysdesign-agent")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

_default_retriever: Retriever | None = None
_default_lock = threading.Lock()


def default_retriever() -> Retriever:
    """The retriever over the bundled index, loaded on first use and shared."""
    global _default_retriever
    with _default_lock:
        if _default_retriever is None:
            _default_retriever = Retriever.open()
        return _default_retriever


def search(query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
    """The `k` knowledge-base chunks that best answer `query`, best first (hybrid dense + BM25)."""
    return default_retriever().search(query, k=k, pattern=pattern)


__all__ = [
    "Chunk",
    "Hit",
    "IndexMissing",
    "IndexOutOfDate",
    "IndexProblem",
    "InvalidRequest",
    "ModelError",
    "Retriever",
    "SysdesignError",
    "__version__",
    "default_retriever",
    "search",
]

"""Advisor: everything loaded once (index, embedder, knowledge, models) and shared safely across threads.

>>> from agent import Advisor
>>> advisor = Advisor()
>>> advisor.recommend("Build a Twitter clone").pattern.id
'social_media'
>>> import asyncio; asyncio.run(advisor.acheck({"components": ["Redis"], "services": ["Feed Service"]})).passed
False
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent.config import Settings, load_settings
from agent.knowledge import load_knowledge
from agent.paths import default_index
from agent.pipeline import Engine, Sizing
from agent.retrieval.search import Retriever
from agent.schema import Architecture, CheckReport, Estimate, Hit

Document = str | bytes | dict[str, Any] | Architecture


async def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Run blocking work in a worker thread, keeping the event loop free (asyncio is imported only here)."""
    import asyncio

    return await asyncio.to_thread(function, *args, **kwargs)


def knowledge_dirs(index: Path) -> tuple[Path, ...]:
    """The folders of your own knowledge an index was built from: their YAML extends the built-in knowledge."""
    try:
        manifest = json.loads((Path(index) / "manifest.json").read_text(encoding="utf-8"))
        return tuple(Path(d) for d in manifest.get("kb_dirs", []) if Path(d).is_dir())
    except (OSError, ValueError, RecursionError, AttributeError, TypeError):
        return ()  # no index yet, or a damaged one: loading the index reports that in its own words


class Advisor:
    """The library's front door: recommend, check, repair, search and estimate, sync or async."""

    def __init__(self, index: Path | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings(index=index)
        self.engine = Engine(
            knowledge=load_knowledge(knowledge_dirs(self.settings.index or default_index())),
            estimation=self.settings.estimation,
            index=self.settings.index,
            embedding_model=self.settings.embedding_model,
        )

    @property
    def retriever(self) -> Retriever:
        """The knowledge-base retriever (the index is loaded on first use)."""
        return self.engine.retriever

    def _drafting(self, drafter: str | None, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        merged: dict[str, Any] = {
            "rounds": self.settings.rounds,
            "fallback": self.settings.fallback,
            **self.settings.drafter_options(),
        }
        merged.update(options)
        return drafter or self.settings.drafter, merged

    def recommend(self, prompt: str, drafter: str | None = None, **options: Any) -> Architecture:
        """A checked architecture for `prompt` (options: rounds, fallback, model, model_path, base_url, ...)."""
        name, merged = self._drafting(drafter, options)
        return self.engine.recommend(prompt, name, **merged)

    def check(self, document: Document, fix: bool = False) -> CheckReport:
        """Findings for an architecture document; with `fix`, the repaired document and its changes."""
        return self.engine.check(document, fix=fix)

    def repair(self, document: Document) -> Architecture:
        """The document with every automatic fix applied (`.changes` lists them)."""
        repaired = self.engine.check(document, fix=True).repaired
        assert repaired is not None  # fix=True always repairs
        return repaired

    def search(self, query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
        """Knowledge-base chunks that answer `query`, best first."""
        return self.retriever.search(query, k=k, pattern=pattern)

    def estimate(self, subject: str | dict[str, Any] | Architecture, sizing: Sizing | None = None) -> Estimate:
        """The complexity estimate of an app idea or an architecture document (low/likely/high, per service)."""
        return self.engine.estimate(subject, sizing)

    # async variants for agent frameworks: the work runs in a worker thread, the event loop stays free

    async def arecommend(self, prompt: str, drafter: str | None = None, **options: Any) -> Architecture:
        return await _in_thread(self.recommend, prompt, drafter, **options)

    async def acheck(self, document: Document, fix: bool = False) -> CheckReport:
        return await _in_thread(self.check, document, fix)

    async def arepair(self, document: Document) -> Architecture:
        return await _in_thread(self.repair, document)

    async def asearch(self, query: str, k: int = 5, pattern: str | None = None) -> list[Hit]:
        return await _in_thread(self.search, query, k, pattern)

    async def aestimate(self, subject: str | dict[str, Any] | Architecture) -> Estimate:
        return await _in_thread(self.estimate, subject)

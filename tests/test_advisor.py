"""The Advisor: one instance shared by threads and by async callers gives the same answers as serial calls."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import agent
from agent.advisor import Advisor

PROMPTS = ["Build a Twitter clone", "an app where drivers pick up passengers", "online store for handmade jewelry",
           "Build a YouTube clone", "a team chat app", "custom IoT dashboard", "a todo app",
           "booking system with payments"]  # fmt: skip


def summary(architecture):
    return architecture.model_dump(mode="json")


def test_eight_threads_agree_with_serial_calls():
    advisor = Advisor()
    serial = [summary(advisor.recommend(p)) for p in PROMPTS * 3]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda p: summary(advisor.recommend(p)), PROMPTS * 3))
    assert threaded == serial
    with ThreadPoolExecutor(max_workers=8) as pool:
        hits = list(pool.map(lambda p: [h.chunk_id for h in advisor.search(p)], PROMPTS * 3))
    assert hits == [[h.chunk_id for h in advisor.search(p)] for p in PROMPTS * 3]


def test_async_variants():
    advisor = Advisor()

    async def main():
        return await asyncio.gather(
            advisor.arecommend("Build a Twitter clone"),
            advisor.acheck({"request": "Twitter clone", "services": ["API", "Tweets"]}),  # the seed's SD010 example
            advisor.asearch("cache invalidation", k=1),
            advisor.aestimate("a todo app"),
            advisor.arepair({"components": ["Postgres"], "services": ["Orders"], "request": "online shop"}),
        )

    architecture, report, hits, plan, repaired = asyncio.run(main())
    assert architecture.pattern.id == "social_media" and not report.passed
    assert hits[0].chunk_id == "caching-strategies/cache-invalidation-strategies"
    assert plan.tier == "low" and repaired.changes


def test_public_api_is_pinned():
    """Changing the public surface is a decision: this list changes with it."""
    assert agent.__all__ == [
        "Advisor", "Architecture", "Audit", "CheckReport", "Chunk", "Engine", "Estimate", "Finding", "Grade", "Hit",
        "IndexMissing", "IndexOutOfDate", "IndexProblem", "InvalidRequest", "ModelError", "Retriever",
        "SysdesignError", "__version__", "check", "default_advisor", "default_engine", "default_retriever",
        "estimate", "grade", "recommend", "repair", "search",
    ]  # fmt: skip
    assert all(hasattr(agent, name) for name in agent.__all__)

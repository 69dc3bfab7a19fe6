"""MCP server limits: which drafters clients may use, one model call at a time with a short queue, a deadline
that cancels the work (the local model stops generating), and offline calls never starved."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from mcp import Client

from agent.advisor import Advisor
from agent.cancellation import Cancelled, raise_if_cancelled
from agent.interfaces.mcp_server import ServerLimits, build_server


class SlowModelAdvisor:
    """The real advisor, except that model drafters take `seconds` (checking for cancellation as a model does)."""

    def __init__(self, advisor: Advisor, seconds: float) -> None:
        self.advisor, self.seconds = advisor, seconds
        self.cancelled = threading.Event()
        self.running = 0
        self.most_running = 0
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.advisor, name)

    def recommend(self, prompt: str, drafter: str | None = None, **options):
        if drafter in (None, "kb"):
            return self.advisor.recommend(prompt, drafter, **options)
        with self._lock:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        try:
            ends = time.monotonic() + self.seconds
            while time.monotonic() < ends:
                try:
                    raise_if_cancelled()
                except Cancelled:
                    self.cancelled.set()
                    raise
                time.sleep(0.02)
            return self.advisor.recommend(prompt, "kb", **options)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


def _call(server, name, arguments):
    async def main():
        async with Client(server) as client:
            return await client.call_tool(name, arguments)

    return asyncio.run(main())


def test_the_local_model_is_off_for_clients_unless_the_operator_allows_it(advisor):
    result = _call(build_server(advisor), "recommend_architecture", {"prompt": "Twitter", "drafter": "llama-cpp"})
    assert result.is_error and "does not offer the 'llama-cpp' drafter" in result.content[0].text


def test_a_call_past_its_deadline_is_cancelled_and_the_work_stops(advisor):
    slow = SlowModelAdvisor(advisor, seconds=30)
    server = build_server(slow, ServerLimits(drafters=frozenset({"kb", "llama-cpp"}), deadline=1))
    started = time.monotonic()
    result = _call(server, "recommend_architecture", {"prompt": "Build a Twitter clone", "drafter": "llama-cpp"})
    assert result.is_error and "longer than 1 s" in result.content[0].text
    assert time.monotonic() - started < 10
    assert slow.cancelled.wait(5)  # the worker saw the cancellation, instead of running its 30 s


def test_one_model_call_runs_one_waits_the_rest_are_refused_and_kb_is_never_starved(advisor):
    slow = SlowModelAdvisor(advisor, seconds=2)
    server = build_server(slow, ServerLimits(drafters=frozenset({"kb", "llama-cpp"}), deadline=30))

    async def main():
        async with Client(server) as client:
            calls = [{"prompt": f"Build a Twitter clone {i}", "drafter": "llama-cpp"} for i in range(4)]
            model = [asyncio.create_task(client.call_tool("recommend_architecture", call)) for call in calls]
            await asyncio.sleep(0.3)
            started = time.monotonic()
            offline = await client.call_tool("recommend_architecture", {"prompt": "Build an Uber clone"})
            offline_seconds = time.monotonic() - started
            return await asyncio.gather(*model), offline, offline_seconds

    model_results, offline, offline_seconds = asyncio.run(main())
    refused = [r for r in model_results if r.is_error]
    assert len(refused) == 2 and all("busy" in r.content[0].text for r in refused)
    assert sum(not r.is_error for r in model_results) == 2 and slow.most_running == 1
    assert not offline.is_error and offline_seconds < 1.5  # not queued behind the model calls


@pytest.mark.slow
def test_the_real_local_model_stops_generating_when_its_call_is_cancelled(advisor):
    pytest.importorskip("xllamacpp")
    from agent.drafting.llm.llama_cpp import shared_client

    try:
        client = shared_client()
    except Exception as exc:  # the model package is not installed here
        pytest.skip(str(exc))
    server = build_server(advisor, ServerLimits(drafters=frozenset({"kb", "llama-cpp"}), deadline=1))
    result = _call(server, "recommend_architecture", {"prompt": "Build a Twitter clone", "drafter": "llama-cpp"})
    assert result.is_error and "cancelled" in result.content[0].text
    # a generation left running would hold the model's only slot for its remaining tokens
    assert client._lock.acquire(timeout=20)  # the test looks at the slot itself
    client._lock.release()

"""MCP limits on heavy work (issue #32, the server half of item 2): a parsed document is bounded as its text is, a
check past its deadline stops working, and a flood of checks never holds up a search.

Through the SDK's real client: in process, and over stdio against `sysdesign serve --mcp` in a subprocess.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

import pytest
from mcp import Client, StdioServerParameters

from agent.advisor import Advisor
from agent.document import MAX_DOCUMENT_BYTES, check_document_size, parse_document
from agent.errors import InvalidRequest
from agent.interfaces.mcp_server import ServerLimits, build_server


def heavy_document(seed: int, repeats: int = 1200) -> dict:
    """A design whose check takes seconds of CPU (its long request is read for what it asks: 1,200 repeats are 75 kB
    and about 2.5 s); `seed` makes the request new, so that nothing read before is reused."""
    request = f"Build a Twitter clone {seed} with payments, video, chat and search. " * repeats
    return {"request": request, "components": ["Redis", "Postgres", "Kafka"], "services": ["API", "Feed"]}


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


# ---- a parsed document is bounded as a text one is ------------------------------------------------------------


@pytest.mark.parametrize(
    "document",
    [
        {"components": ["Redis"], "request": "x" * 30_000_000},  # one 30 MB string
        {"components": ["Redis"] * 3_000_000},  # 3 million short parts
        {"components": ["Redis"], "notes": {f"k{i}": i for i in range(400_000)}},  # many keys
        {"components": ["Redis"], "n": 10**3000, "m": [10**3000] * 2000},  # numbers of thousands of digits
    ],
    ids=["long-string", "many-items", "many-keys", "huge-numbers"],
)
def test_a_parsed_document_over_two_megabytes_is_refused_over_mcp(advisor, document):
    async def main():
        async with Client(build_server(advisor)) as client:
            checked = await client.call_tool("check_architecture", {"document": document})
            estimated = await client.call_tool("estimate_complexity", {"document": document})
            alive = await client.call_tool("check_architecture", {"document": {"components": ["Redis"]}})
            return checked, estimated, alive

    started = time.monotonic()
    checked, estimated, alive = asyncio.run(main())
    for result in (checked, estimated):
        assert result.is_error and f"characters of JSON; the limit is {MAX_DOCUMENT_BYTES:,}" in result.content[0].text
    assert not alive.is_error  # and the server still answers
    assert time.monotonic() - started < 60  # refused, not checked


def test_the_size_of_a_parsed_document_is_that_of_its_json():
    just_under = {"components": ["Redis"], "request": "x" * (MAX_DOCUMENT_BYTES - 100)}
    check_document_size(just_under)  # the same text as JSON is within the limit: so is the dict
    with pytest.raises(InvalidRequest, match="characters of JSON"):
        check_document_size({"components": ["Redis"], "request": "x" * (MAX_DOCUMENT_BYTES + 100)})
    with pytest.raises(InvalidRequest, match="characters of JSON"):  # the Python API takes the same road
        parse_document({"components": ["Redis"] * (MAX_DOCUMENT_BYTES // 5)})
    nested: dict = {"components": ["Redis"]}
    inner = nested
    for _ in range(200):
        inner["x"] = {}
        inner = inner["x"]
    with pytest.raises(InvalidRequest, match="nested too deeply"):
        parse_document(nested)


# ---- a call past its deadline stops working ---------------------------------------------------------------------


def test_checks_past_their_deadline_stop_burning_cpu(advisor):
    """Four heavy checks against a one-second deadline: each answers on time, and the work stops soon after (the
    running ones at their next step, the queued ones never start) instead of running on in abandoned threads."""
    server = build_server(advisor, ServerLimits(deadline=1))

    async def main():
        async with Client(server) as client:
            calls = [client.call_tool("check_architecture", {"document": heavy_document(seed, 2400)})
                     for seed in range(4)]  # about 5 s of CPU each, 20 s for the four  # fmt: skip
            started = time.monotonic()
            results = await asyncio.gather(*calls)
            answered = time.monotonic() - started
            await asyncio.sleep(6)  # a step of these checks takes a second or two: the running ones have stopped
            before = time.process_time()
            await asyncio.sleep(3)
            return results, answered, time.process_time() - before

    results, answered, cpu = asyncio.run(main())
    assert all(r.is_error and "longer than 1 s" in r.content[0].text for r in results)
    assert answered < 10
    assert cpu < 0.5, f"the cancelled checks still used {cpu:.1f} s of CPU in 3 s"


# ---- heavy calls wait their turn; a search does not wait for them ----------------------------------------------


@pytest.mark.slow
def test_a_search_answers_within_seconds_while_45_heavy_checks_are_queued():
    """Over stdio against the real server: 45 checks (seconds of CPU each) fill the server, then a search must
    answer within a few seconds, not after the checks (well over a minute before the checks had threads of their
    own: 40 of them shared the CPU and the search waited for a thread)."""
    parameters = StdioServerParameters(command=sys.executable, args=["-m", "agent", "serve", "--mcp"],
                                       env=dict(os.environ))  # fmt: skip

    async def main():
        async with Client(parameters) as client:
            await client.call_tool("search_knowledge_base", {"query": "warm up"})
            heavy = [
                asyncio.create_task(client.call_tool("check_architecture", {"document": heavy_document(seed)}))
                for seed in range(45)
            ]
            await asyncio.sleep(3)  # every check has arrived and is running or queued
            assert sum(task.done() for task in heavy) < 10
            started = time.monotonic()
            found = await asyncio.wait_for(client.call_tool("search_knowledge_base", {"query": "drivers near a rider"}),
                                           timeout=60)  # fmt: skip
            seconds = time.monotonic() - started
            for task in heavy:
                task.cancel()
            return found, seconds

    found, seconds = asyncio.run(main())
    assert not found.is_error and found.structured_content["result"]
    assert seconds < 5, f"the search took {seconds:.1f} s behind the checks"

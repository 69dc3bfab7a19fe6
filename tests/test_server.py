"""The MCP server through the SDK's real client: in-process, over stdio (a subprocess) and over HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import pytest
from mcp import Client, StdioServerParameters

from agent.advisor import Advisor
from agent.interfaces.mcp_server import build_server, chunk_uri
from tests.conftest import run_cli

TOOLS = {"recommend_architecture", "check_architecture", "search_knowledge_base", "estimate_complexity"}
PROMPTS = ["Build a Twitter clone", "Build a YouTube clone", "Build a WhatsApp clone", "Build an Uber clone",
           "an online store for handmade jewelry", "a todo app", "custom IoT dashboard",
           "a booking system"]  # fmt: skip


@pytest.fixture(scope="module")
def advisor():
    return Advisor()


async def exercise(client: Client) -> None:
    """List the tools and call each, including the ways callers get it wrong."""
    listed = await client.list_tools()
    assert {tool.name for tool in listed.tools} == TOOLS
    assert all(tool.description and tool.input_schema for tool in listed.tools)
    recommended = await client.call_tool("recommend_architecture", {"prompt": "Build a Twitter clone"})
    assert not recommended.is_error and recommended.structured_content["pattern"]["id"] == "social_media"
    checked = await client.call_tool("check_architecture", {"document": {"request": "Twitter clone",
                                                                          "services": ["API", "Tweets"]}})  # fmt: skip
    assert checked.structured_content["passed"] is False
    found = await client.call_tool("search_knowledge_base", {"query": "drivers near a rider", "k": 2})
    assert found.structured_content["result"][0]["chunk_id"].startswith("ride-hailing-platforms/")
    estimated = await client.call_tool("estimate_complexity", {"prompt": "a todo app"})
    assert estimated.structured_content["tier"] == "low"
    for name, arguments, message in [
        ("recommend_architecture", {"prompt": "x" * 1_000_000}, "20,000"),
        ("recommend_architecture", {}, "prompt"),
        ("recommend_architecture", {"prompt": "Twitter", "drafter": "gpt-9"}, "drafter"),
        ("search_knowledge_base", {"query": 5}, "query"),
        ("check_architecture", {"document": {"request": "x"}}, "components"),
        ("estimate_complexity", {}, "exactly one"),
    ]:
        result = await client.call_tool(name, arguments)
        assert result.is_error and message in result.content[0].text, (name, result.content[0].text)
    # the server is still up and answers
    again = await client.call_tool("estimate_complexity", {"prompt": "Build an Uber clone"})
    assert not again.is_error


def test_in_process(advisor):
    async def main():
        async with Client(build_server(advisor)) as client:
            await exercise(client)
            chunk_id = "ride-hailing-platforms/matching-algorithm/step-1-find-nearby-drivers"
            resource = await client.read_resource(chunk_uri(chunk_id))
            assert "GEORADIUS" in resource.contents[0].text
            rules = json.loads((await client.read_resource("kb://rules")).contents[0].text)
            assert {"SD010", "SD020"} <= {rule["id"] for rule in rules}

    asyncio.run(main())


@pytest.mark.slow
def test_over_stdio():
    parameters = StdioServerParameters(command=sys.executable, args=["-m", "agent", "serve", "--mcp"],
                                       env=dict(os.environ))  # fmt: skip

    async def main():
        async with Client(parameters) as client:
            await exercise(client)

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def http_server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "agent", "serve", "--mcp", "--http", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(process.stderr.read().decode())
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


@pytest.mark.slow
def test_over_http_with_100_concurrent_calls(http_server, advisor):
    async def main():
        async with Client(http_server) as client:
            await exercise(client)
            prompts = [PROMPTS[i % len(PROMPTS)] + f" #{i}" for i in range(100)]
            results = await asyncio.gather(
                *(client.call_tool("recommend_architecture", {"prompt": p}) for p in prompts)
            )
            return prompts, results

    prompts, results = asyncio.run(main())
    for prompt, result in zip(prompts, results, strict=True):
        assert not result.is_error
        assert result.structured_content["request"] == prompt  # answers are not crossed
        assert result.structured_content["pattern"]["id"] == advisor.recommend(prompt).pattern.id


def test_tools_command_prints_function_definitions():
    openai = json.loads(run_cli("tools", "--format", "openai").stdout)
    assert {t["function"]["name"] for t in openai} == TOOLS
    anthropic = json.loads(run_cli("tools", "--format", "anthropic").stdout)
    assert all("input_schema" in t for t in anthropic)


def test_serve_without_a_protocol_is_a_usage_error():
    assert run_cli("serve").returncode == 2

"""MCP over HTTP with the kb drafter: recommend_architecture latency (p50/p99) and throughput, 8 clients.

Run: .venv/bin/python benchmarks/mcp_http.py [calls per client]
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time

from mcp import Client

PROMPTS = ["Build a Twitter clone", "an app where drivers pick up passengers", "online store for jewelry",
           "Build a YouTube clone", "a team chat app", "custom IoT dashboard", "a todo app",
           "booking system"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def client_run(url: str, index: int, calls: int, latencies: list[float]) -> None:
    async with Client(url) as client:
        for n in range(calls):
            start = time.perf_counter()
            result = await client.call_tool("recommend_architecture", {"prompt": f"{PROMPTS[n % 8]} {index}-{n}"})
            latencies.append(time.perf_counter() - start)
            assert not result.is_error


async def main(calls: int) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "agent", "-q", "serve", "--mcp", "--http", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        for _ in range(300):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.1)
        await client_run(url, 99, 5, [])  # warm up
        alone: list[float] = []
        await client_run(url, 98, 50, alone)
        alone.sort()
        print(f"recommend_architecture over HTTP, 1 client x 50 calls: p50 {alone[25] * 1000:.0f} ms, "
              f"p99 {alone[-1] * 1000:.0f} ms")  # fmt: skip
        latencies: list[float] = []
        start = time.perf_counter()
        await asyncio.gather(*(client_run(url, i, calls, latencies) for i in range(8)))
        elapsed = time.perf_counter() - start
        latencies.sort()
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        print(f"recommend_architecture over HTTP, 8 clients x {calls} calls: p50 {p50 * 1000:.0f} ms, "
              f"p99 {p99 * 1000:.0f} ms, {len(latencies) / elapsed:.0f} calls/s")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 25))

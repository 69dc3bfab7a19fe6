"""Engine speed: warm agent.recommend with the kb drafter, and check on a 15-service architecture.

Run: .venv/bin/python benchmarks/engine.py   (or `make bench`)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

PROMPTS = [
    "Build a Twitter clone",
    "an app where drivers pick up passengers",
    "online store for handmade jewelry",
    "Build a YouTube clone",
    "a team chat app with channels",
    "custom IoT dashboard",
    "a booking system for a hair salon with payments",
    "MVP for 2 engineers: uber for dog walkers",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    import agent

    agent.recommend("warm up")
    recommend = []
    for round_ in range(10):
        for prompt in PROMPTS:
            start = time.perf_counter()
            agent.recommend(f"{prompt} (variant {round_})")  # a new text each time: no memoised reading
            recommend.append(time.perf_counter() - start)
    document = agent.recommend("Build an e-commerce site like Amazon").model_dump(mode="json")
    assert len(document["services"]) == 15
    document["findings"] = []
    checks = []
    for i in range(200):
        document["request"] = f"Build an e-commerce site like Amazon, take {i}"  # defeat the reading memo
        start = time.perf_counter()
        agent.check(document)
        checks.append(time.perf_counter() - start)
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent", "ask", "Build a Twitter clone", "--json"],
                       check=True, capture_output=True)  # fmt: skip
        cold.append(time.perf_counter() - start)
    print(f"warm agent.recommend (kb)   p50 {percentile(recommend, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(recommend, 0.95) * 1000:.1f} ms over {len(recommend)} requests")  # fmt: skip
    print(f"agent.check, 15 services    p50 {percentile(checks, 0.5) * 1000:.2f} ms over {len(checks)} runs")
    print(f"cold sysdesign ask --json   median {statistics.median(cold):.2f} s over {len(cold)} runs")
    print(f"chat turn (kb)              p50 {chat_turns() * 1000:.0f} ms over 5 follow-ups x 4 sessions")


def chat_turns() -> float:
    import tempfile
    from pathlib import Path

    import agent
    from agent.chat import ChatSession

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(4):
            session = ChatSession(agent.default_advisor(), path=Path(tmp) / f"s{n}.json")
            session.handle("Build a Twitter clone")
            for follow_up in ("add payments", "why Cassandra?", "it must be HIPAA compliant",
                              "swap Cassandra for ScyllaDB", "we are 3 engineers, keep it simple"):  # fmt: skip
                start = time.perf_counter()
                session.handle(follow_up)
                times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


if __name__ == "__main__":
    main()

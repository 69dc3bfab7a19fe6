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
    turns = chat_turns()
    print(f"chat turn (kb)              p50 {percentile(turns, 0.5) * 1000:.0f} ms, p95 "
          f"{percentile(turns, 0.95) * 1000:.0f} ms over {len(turns)} follow-ups (target: p50 <= 50 ms)")  # fmt: skip


FOLLOW_UPS = ("add payments", "why Cassandra?", "it must be HIPAA compliant", "swap Cassandra for ScyllaDB",
              "remove the recommendation service", "how does the feed work?", "what breaks at 10x?",
              "how do you stop double booking?", "we are 3 engineers, keep it simple", "undo that")  # fmt: skip


def chat_turns() -> list[float]:
    """Seconds per follow-up (edits, statements that re-size, questions), each stored in SQLite as it happens."""
    import tempfile
    from pathlib import Path

    import agent
    from agent.chat import ChatSession, SessionStore

    times = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SessionStore(Path(tmp) / "chats.db")
        for _ in range(4):
            session = ChatSession.open(agent.default_advisor(), store)
            session.handle("Build a Twitter clone")
            for follow_up in FOLLOW_UPS:
                start = time.perf_counter()
                session.handle(follow_up)
                times.append(time.perf_counter() - start)
    return times


if __name__ == "__main__":
    main()

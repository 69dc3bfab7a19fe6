"""Engine speed: warm agent.recommend with the kb drafter (short requests read by words, plain-words requests read
by meaning too), cold `sysdesign ask --json` on a plain-words request, and check on a 15-service architecture.

Run: .venv/bin/python benchmarks/engine.py   (or `make bench`)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

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


# described in plain words (seven words or more): recognition by meaning runs on these
PLAIN = [
    "Make sure no single customer can flood our public API with calls; each key gets a fixed allowance",
    "Keep every container's output in one place so engineers can search it by service and time",
    "Students scan a code at the canteen and the amount leaves their balance, never twice for one meal",
    "Show each player where they stand against their friends this week, updated right after every match",
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
    plain = []
    for round_ in range(10):
        for prompt in PLAIN:
            start = time.perf_counter()
            agent.recommend(f"{prompt} (variant {round_})")
            plain.append(time.perf_counter() - start)
    document = agent.recommend("Build an e-commerce site like Amazon").model_dump(mode="json")
    assert len(document["services"]) == 15
    document["findings"] = []
    checks = []
    for i in range(200):
        document["request"] = f"Build an e-commerce site like Amazon, take {i}"  # defeat the reading memo
        start = time.perf_counter()
        agent.check(document)
        checks.append(time.perf_counter() - start)
    # as installed: pip compiles the package's bytecode at install time (this tree may run with
    # PYTHONDONTWRITEBYTECODE), and the first run on a machine fills its start-up caches, so it is not counted
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(agent.__file__).parent)], check=True)
    subprocess.run([sys.executable, "-m", "agent", "ask", PLAIN[1], "--json"], check=True, capture_output=True)
    cold = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent", "ask", PLAIN[0], "--json"],
                       check=True, capture_output=True)  # fmt: skip
        cold.append(time.perf_counter() - start)
    print(f"warm agent.recommend (kb)   p50 {percentile(recommend, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(recommend, 0.95) * 1000:.1f} ms over {len(recommend)} requests")  # fmt: skip
    print(f"warm, by meaning (plain)    p50 {percentile(plain, 0.5) * 1000:.1f} ms, "
          f"p95 {percentile(plain, 0.95) * 1000:.1f} ms over {len(plain)} requests")  # fmt: skip
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

"""Reading a request (pattern, blocks, traits, scope) without retrieval: milliseconds a reading.

Run: .venv/bin/python benchmarks/recognition.py [ROUNDS]   (default 3; prints the best round)
Each reading is of a distinct text, so the cache of readings does not answer it.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent.knowledge import load_knowledge
from agent.recognition import read_request

PROMPTS = [
    "Design a distributed message queue like Kafka",
    "Build a Twitter clone with 100M users",
    "an order processing service that sends its emails through a message queue",
    "a food delivery app like DoorDash where couriers deliver restaurant orders",
]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    knowledge = load_knowledge()
    read_request("warm up", (), knowledge)
    requests = PROMPTS * 100
    best = float("inf")
    for round_no in range(rounds):
        start = time.perf_counter()
        for i, prompt in enumerate(requests):
            read_request(f"{prompt} ({round_no}.{i})", (), knowledge)
        best = min(best, (time.perf_counter() - start) / len(requests))
    print(f"{len(requests)} readings, best of {rounds} rounds: {best * 1000:.2f} ms a reading")


if __name__ == "__main__":
    main()

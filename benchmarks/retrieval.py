"""Retrieval speed on this machine: cold CLI search, warm agent.search, and building the bundled index.

Run: .venv/bin/python benchmarks/retrieval.py   (or `make bench`)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "how do I find drivers near a rider quickly"


def cold_search(runs: int = 7) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "agent", "search", QUERY, "--json"], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def warm_search(rounds: int = 5) -> list[float]:
    import agent

    queries = [json.loads(line)["query"] for line in (ROOT / "evals" / "retrieval.jsonl").read_text().splitlines()]
    agent.search(QUERY)  # load once
    times = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            agent.search(query)
            times.append(time.perf_counter() - start)
    return times


def build_bundled() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "agent", "-q", "index", "build", "--index", str(Path(tmp) / "index")],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - start


def main() -> None:
    cold = cold_search()
    warm = sorted(warm_search())
    build = build_bundled()
    print(f"cold CLI search --json   median {statistics.median(cold):.3f} s over {len(cold)} runs")
    print(
        f"warm agent.search        p50 {warm[len(warm) // 2] * 1000:.1f} ms, "
        f"p95 {warm[int(len(warm) * 0.95)] * 1000:.1f} ms over {len(warm)} queries"
    )
    print(f"build bundled index      {build:.1f} s (CLI process, including the model load)")


if __name__ == "__main__":
    main()

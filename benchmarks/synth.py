"""Synthetic examples per second with the kb drafter (target: >= 200/s).

Run: .venv/bin/python benchmarks/synth.py [N]
"""

from __future__ import annotations

import sys
import time


def main(n: int) -> None:
    import agent
    from agent.datasets.synth import generate

    engine = agent.default_engine()
    engine.recommend("warm up")
    start = time.perf_counter()
    result = generate(engine, n, seed=11, workers=1)
    elapsed = time.perf_counter() - start
    print(
        f"synth: {len(result.examples)} examples in {elapsed:.1f} s = {len(result.examples) / elapsed:.0f} examples/s"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)

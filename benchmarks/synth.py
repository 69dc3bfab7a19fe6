"""`sysdesign synth --format hf`: rows per second per core and peak RSS, by size; the near-duplicate rate.

Each size runs in a fresh process (peak RSS is the process's own high-water mark, `ru_maxrss`), single
worker, so rows/s is per core. Run: .venv/bin/python benchmarks/synth.py [N ...]   (default: 1000 10000)
The machine it was measured on is shared: other sessions' tests run beside it (load average printed).
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = """
import json, os, resource, sys, time
from pathlib import Path
import agent
from agent.datasets.synth import Options, write_hf
engine = agent.default_engine()
engine.recommend("warm up")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
curve = {}
def progress(done, total):  # the resident set now (not the peak), every 2,000 rows: does it level off?
    if done // 2000 > len(curve):
        pages = int(open("/proc/self/statm").read().split()[1])
        curve[done] = round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20)
start = time.perf_counter()
summary = write_hf(engine, Options(n=int(sys.argv[1]), seed=11), Path(sys.argv[2]), progress)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"rows": summary["rows"], "seconds": elapsed, "rss_before_mb": before / 1024,
                  "peak_rss_mb": peak / 1024, "rss_mb_by_rows": curve}))
"""


def near_duplicates(prompts: list[str], threshold: float = 0.8, perms: int = 64) -> float:
    """Share of prompts with another at MinHash Jaccard >= threshold (word 2-shingles, banded LSH, then exact)."""
    shingles = []
    for prompt in prompts:
        words = re.findall(r"[a-z0-9]+", prompt.lower())
        shingles.append({" ".join(words[i : i + 2]) for i in range(max(1, len(words) - 1))})
    rng = random.Random(0)
    salts = [rng.getrandbits(64) for _ in range(perms)]
    buckets: dict[tuple, list[int]] = {}
    for number, items in enumerate(shingles):
        signature = [min(hash((salt, s)) for s in items) for salt in salts]
        for band in range(0, perms, 4):
            buckets.setdefault((band, *signature[band : band + 4]), []).append(number)
    flagged: set[int] = set()
    for members in buckets.values():
        for i in members:
            for j in members:
                if i < j and len(shingles[i] & shingles[j]) / len(shingles[i] | shingles[j]) >= threshold:
                    flagged |= {i, j}
    return len(flagged) / max(1, len(prompts))


def main(sizes: list[int]) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared machine)")
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            result = subprocess.run([sys.executable, "-c", CHILD, str(n), folder], capture_output=True, text=True,
                                    check=True)  # fmt: skip
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            import pyarrow.parquet as pq

            prompts = [p for f in sorted(Path(folder).rglob("*.parquet")) for p in
                       pq.read_table(f, columns=["prompt"]).column("prompt").to_pylist()]  # fmt: skip
        rate = figures["rows"] / figures["seconds"]
        print(
            f"n={n}: {figures['rows']} rows kept in {figures['seconds']:.0f} s = {rate:.1f} rows/s (1 worker); "
            f"peak RSS {figures['peak_rss_mb']:.0f} MB (after warm-up {figures['rss_before_mb']:.0f} MB); "
            f"near-duplicates (MinHash J>=0.8) {near_duplicates(prompts):.1%}; load {os.getloadavg()[0]:.2f}"
        )
        if figures["rss_mb_by_rows"]:
            print(
                "  resident MB by rows drafted: " + ", ".join(f"{k}: {v}" for k, v in figures["rss_mb_by_rows"].items())
            )


if __name__ == "__main__":
    started = time.perf_counter()
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
    print(f"total {time.perf_counter() - started:.0f} s")

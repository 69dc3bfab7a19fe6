"""The built-in evaluation suite with the kb drafter, end to end in a new process (target: <= 10 s).

Run: .venv/bin/python benchmarks/eval_suite.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time


def main() -> None:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "agent", "-q", "eval", "--json"], check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        times.append(time.perf_counter() - start)
    metrics = json.loads(out)["drafters"]["kb"]["metrics"]
    print(f"built-in suite ({metrics['cases']} cases, kb drafter): median {statistics.median(times):.1f} s "
          f"over {len(times)} runs; pattern accuracy {metrics['pattern_accuracy']}, "
          f"tech F1 {metrics['tech_f1']}")  # fmt: skip


if __name__ == "__main__":
    main()

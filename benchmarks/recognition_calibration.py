"""Fit and check the meaning recogniser's confidence: P(the closest design is the one meant).

Reads labelled requests (JSON lines with `prompt` and `design`; `design` "other" or a `class` of "no_design" means
no design fits), computes each request's similarity to every design through the real MiniLM model and FAISS
index, fits a logistic curve on (similarity, lead over the next design) with one set, and reports accuracy and
the expected calibration error (ECE, 10 bins) on another. The constants in agent/brief/meaning.py come from here.

    python benchmarks/recognition_calibration.py --fit evals/plain/dev.jsonl evals/plain/dev2.jsonl \
        evals/understanding/misreadings.jsonl --check evals/plain/holdout.jsonl

(`--check` defaults to the held-out plain-words requests and the no-design requests of the misreadings set.)
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np

from agent.brief.meaning import design_vectors, kin_of, meaning_confidence
from agent.knowledge import load_knowledge
from agent.retrieval.search import Retriever


def _cases(paths: list[str], half: str | None = None) -> list[tuple[str, str]]:
    cases = []
    for path in paths:
        lines = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
        for i, case in enumerate(lines):
            if (half == "even" and i % 2) or (half == "odd" and not i % 2):
                continue
            if case.get("class") == "no_design":
                cases.append((case["prompt"], "other"))
            elif case.get("design"):
                cases.append((case["prompt"], case["design"]))
    return cases


def _features(cases: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray, list[dict[str, float]]]:
    knowledge = load_knowledge()
    retriever = Retriever.open()
    vectors, kin = design_vectors(retriever.index, knowledge, retriever.embedder), kin_of(knowledge)
    embedded = retriever.embedder.embed([prompt for prompt, _ in cases])
    rows, labels, sims = [], [], []
    for (_, design), vector in zip(cases, embedded, strict=True):
        similarity = vectors.similarities(vector)
        ranked = sorted(similarity, key=lambda d: -similarity[d])
        related = kin.get(ranked[0], frozenset())
        first = similarity[ranked[0]]
        second = next(similarity[d] for d in ranked[1:] if d not in related)
        rows.append((first, first - second))
        labels.append(1.0 if design in {ranked[0], *related} else 0.0)
        sims.append(similarity)
    return np.asarray(rows), np.asarray(labels), sims


def _fit(x: np.ndarray, y: np.ndarray, level: float = 0.45) -> tuple[float, float, float]:
    """Logistic regression z = b + a*(s - level) + c*lead by Newton's method, lightly regularised."""
    features = np.column_stack([np.ones(len(x)), x[:, 0] - level, x[:, 1]])
    weights = np.zeros(3)
    ridge = np.diag([0.0, 1e-2, 1e-2])
    for _ in range(50):
        p = 1 / (1 + np.exp(-features @ weights))
        gradient = features.T @ (p - y) + ridge @ weights
        hessian = features.T @ (features * (p * (1 - p))[:, None]) + ridge
        weights -= np.linalg.solve(hessian, gradient)
    return float(weights[0]), float(weights[1]), float(weights[2])


def _ece(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        inside = (confidence >= lo) & (confidence < hi if hi < 1 else confidence <= hi)
        if inside.any():
            total += inside.mean() * abs(confidence[inside].mean() - correct[inside].mean())
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", nargs="+", default=[])
    parser.add_argument(
        "--check", nargs="+", default=["evals/plain/holdout.jsonl", "evals/understanding/misreadings.jsonl"]
    )
    args = parser.parse_args()
    if args.fit:
        x, y, _ = _features(_cases(args.fit))
        print(f"fit on {len(y)} requests: top-1 right {y.mean():.2f}")
        print("bias, level slope, lead slope = {:.2f}, {:.2f}, {:.2f}".format(*_fit(x, y)))
    x, y, sims = _features(_cases(args.check))
    kin = kin_of(load_knowledge())
    confidence = np.asarray([max(meaning_confidence(s, kin).values()) for s in sims])
    print(f"checked on {len(y)} requests: top-1 right {y.mean():.2f}; mean confidence {confidence.mean():.2f}; "
          f"ECE {_ece(confidence, y):.3f}")  # fmt: skip


if __name__ == "__main__":
    main()

"""A 100k-chunk synthetic knowledge base: index build time, memory and query latency (HNSW and BM25).

The vectors are random unit vectors (embedding 100k texts with MiniLM would take most of an hour here and
measures the model, not the index); the texts are synthetic sentences, so BM25 is measured for real.
Run: .venv/bin/python benchmarks/scale.py [N]
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np

from agent.ingest.index import HNSW_THRESHOLD, _make_faiss_index
from agent.retrieval.bm25 import BM25

WORDS = [
    "cache",
    "queue",
    "shard",
    "replica",
    "feed",
    "timeline",
    "driver",
    "rider",
    "payment",
    "order",
    "cart",
    "video",
    "stream",
    "chat",
    "message",
    "search",
    "index",
    "latency",
    "throughput",
    "region",
    "failover",
    "consistency",
    "partition",
    "gateway",
    "service",
    "database",
]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(n: int = 100_000) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((n, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [" ".join(rng.choice(WORDS, 40)) + f" doc{i}" for i in range(n)]
    base = rss_mb()
    start = time.perf_counter()
    index, kind = _make_faiss_index(vectors, HNSW_THRESHOLD)
    build = time.perf_counter() - start
    start = time.perf_counter()
    bm25 = BM25(texts)
    bm25_build = time.perf_counter() - start
    queries = rng.standard_normal((200, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    dense, lexical = [], []
    for i, query in enumerate(queries):
        start = time.perf_counter()
        index.search(query[None, :], 50)
        dense.append(time.perf_counter() - start)
        start = time.perf_counter()
        scores = bm25.scores(f"{WORDS[i % len(WORDS)]} {WORDS[(i * 7) % len(WORDS)]} latency")
        np.argpartition(-scores, 50)[:50]
        lexical.append(time.perf_counter() - start)
    print(f"{n:,} chunks, index type {kind}")
    print(f"FAISS build {build:.1f} s, BM25 build {bm25_build:.1f} s, peak RSS growth {rss_mb() - base:.0f} MB")
    print(f"dense query p50 {np.median(dense) * 1000:.2f} ms, BM25 query p50 {np.median(lexical) * 1000:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

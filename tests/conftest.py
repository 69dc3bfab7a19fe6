"""Shared fixtures: the real bundled retriever, a deterministic fake embedder, and a CLI runner."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from agent.retrieval.bm25 import terms
from agent.retrieval.embedders import DEFAULT_MODEL

SYSDESIGN = [sys.executable, "-m", "agent"]
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class HashEmbedder:
    """A deterministic stand-in for the embedding model: each stemmed word is a hash-seeded random direction.

    It claims the real model's id so that indexes it builds pass the freshness check; only tests use it.
    """

    model_id = DEFAULT_MODEL
    dim = 384

    def __init__(self, fail_after: int | None = None) -> None:
        self.fail_after = fail_after
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("embedding interrupted")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text) or ["empty"]:
                seed = int.from_bytes(hashlib.sha256(term.encode()).digest()[:4], "little")
                out[row] += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            out[row] /= np.linalg.norm(out[row])
        return out


@pytest.fixture(scope="session")
def retriever():
    """The real retriever over the committed bundled index (real MiniLM query path, real FAISS)."""
    from agent import default_retriever

    return default_retriever()


@pytest.fixture
def user_kb(tmp_path: Path) -> Path:
    """A folder with two small markdown documents of the user's own."""
    kb = tmp_path / "team-kb"
    (kb / "payments").mkdir(parents=True)
    (kb / "payments" / "ledger.md").write_text(
        "# Ledger\n\n## Double-entry bookkeeping\n\nEvery transfer writes a debit and a credit row in Postgres.\n"
        "\n## Idempotency keys\n\nClients send an idempotency key so a retried payment is charged once.\n"
    )
    (kb / "oncall.md").write_text(
        "# On-call\n\n## Paging\n\nPage the owner of a service when its error budget burns.\n"
    )
    return kb


def run_cli(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run `sysdesign` in a subprocess, as a user would."""
    return subprocess.run(
        [*SYSDESIGN, *args], capture_output=True, text=True, input=input, env={**os.environ, **(env or {})},
        timeout=600, cwd=cwd,
    )  # fmt: skip

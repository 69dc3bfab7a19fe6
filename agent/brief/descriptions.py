"""Plain-language requests per design (`agent/knowledge/descriptions.yaml`), embedded once and cached.

They are what people say when they need a design without naming it; recognition by meaning compares a request
with them as with each chapter's purpose sections. Their vectors come from the query embedder (the same model
as the index) and are cached under the user's cache folder, keyed by the model and the texts, so they are
computed once per machine (`sysdesign index prepare` does it at install).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

from agent.knowledge.loading import read_knowledge_file
from agent.paths import cache_dir
from agent.retrieval.embedders import Embedder

FILE = "descriptions.yaml"


def descriptions() -> list[tuple[str, str]]:
    """(design id, request) pairs, in file order."""
    data = read_knowledge_file(FILE) or {}
    return [(design, text) for design, entry in data.items() for text in entry.get("asked_as", ())]


def plain_words() -> list[tuple[str, str]]:
    """(design id, paragraph): each design's purpose in plain words, a purpose section of its own (kept out of
    the chapters so that search ranks the chapters' technical sections as before)."""
    data = read_knowledge_file(FILE) or {}
    return [(design, entry["in_plain_words"]) for design, entry in data.items() if entry.get("in_plain_words")]


def _cache_file(model_id: str, texts: list[str]) -> Path:
    digest = hashlib.sha256("\n".join([model_id, *texts]).encode("utf-8")).hexdigest()[:24]
    return cache_dir() / "meaning" / f"{digest}.npy"


def description_vectors(embedder: Embedder, pairs: list[tuple[str, str]]) -> np.ndarray:
    """The pairs' texts embedded (rows in order), read from the cache when it holds them."""
    texts = [text for _, text in pairs]
    if not texts:
        return np.empty((0, embedder.dim), dtype=np.float32)
    path = _cache_file(embedder.model_id, texts)
    try:
        cached = np.load(path, allow_pickle=False)
        if cached.shape == (len(texts), embedder.dim):
            return cached.astype(np.float32)
    except (OSError, ValueError):
        pass  # not cached yet, or a damaged file: embed again
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    _save(path, vectors)
    return vectors


def _save(path: Path, vectors: np.ndarray) -> None:
    """Write the cache in one rename; a cache that cannot be written is only a slower next start."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npy.tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        return

"""Our torch-free encoders reproduce sentence-transformers on MiniLM (needs the dev extra, which brings
sentence-transformers and torch): per text on a few hundred real chunks, and in what retrieval ranks first."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agent.ingest.sources import CHUNKS_FILE
from agent.retrieval.embedders import DEFAULT_MODEL, NumpyBertEmbedder, OnnxEmbedder, export_onnx, resolve_model_dir
from agent.schema import Chunk
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow

SAMPLE_EVERY = 3  # a third of the bundled chunks: about 320 real texts, short and long
TOP = 5


@pytest.fixture(scope="module")
def texts() -> list[str]:
    lines = CHUNKS_FILE.read_text(encoding="utf-8").splitlines()[::SAMPLE_EVERY]
    return [Chunk.model_validate_json(line).embedding_text() for line in lines]


@pytest.fixture(scope="module")
def queries() -> list[str]:
    lines = (PROJECT_ROOT / "evals" / "retrieval.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["query"] for line in lines if line.strip()]


@pytest.fixture(scope="module")
def reference(texts, queries) -> tuple[np.ndarray, np.ndarray]:
    """sentence-transformers' vectors of the chunks and of the evaluation queries."""
    sentence_transformers = pytest.importorskip("sentence_transformers", reason="the dev extra")
    model = sentence_transformers.SentenceTransformer(str(resolve_model_dir(DEFAULT_MODEL)), device="cpu")

    def encode(batch: list[str]) -> np.ndarray:
        return model.encode(batch, batch_size=32, normalize_embeddings=True, show_progress_bar=False)

    return encode(texts), encode(queries)


def _ours(kind: str, tmp_path_factory):
    model_dir = resolve_model_dir(DEFAULT_MODEL)
    if kind == "numpy":
        return NumpyBertEmbedder(model_dir, DEFAULT_MODEL)
    pytest.importorskip("onnxruntime", reason="the [onnx] extra")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SYSDESIGN_CACHE", str(tmp_path_factory.mktemp("cache")))
        return OnnxEmbedder(model_dir, DEFAULT_MODEL, export_onnx(model_dir))


def _top(chunks: np.ndarray, queries: np.ndarray) -> list[list[int]]:
    # inner product equals cosine here because every vector is L2-normalised
    return [list(row) for row in np.argsort(-(queries @ chunks.T), axis=1)[:, :TOP]]


@pytest.mark.parametrize("kind", ["numpy", "onnx"])
def test_each_chunk_vector_matches_sentence_transformers(kind, texts, queries, reference, tmp_path_factory):
    embedder = _ours(kind, tmp_path_factory)
    chunks, asked = embedder.embed(texts), embedder.embed(queries)
    reference_chunks, reference_queries = reference
    assert len(texts) >= 300
    cosines = np.sum(chunks * reference_chunks, axis=1)
    assert cosines.min() >= 0.9999, texts[int(cosines.argmin())][:80]
    assert np.sum(asked * reference_queries, axis=1).min() >= 0.9999
    assert _top(chunks, asked) == _top(reference_chunks, reference_queries)

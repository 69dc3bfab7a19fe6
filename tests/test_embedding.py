"""The torch-free query paths reproduce sentence-transformers' vectors (real MiniLM weights)."""

from __future__ import annotations

import numpy as np
import pytest

from agent.errors import InvalidRequest
from agent.retrieval.embedders import (
    DEFAULT_MODEL,
    NumpyBertEmbedder,
    OnnxEmbedder,
    build_embedder,
    export_onnx,
    resolve_model_dir,
)

TEXTS = [
    "how do I find drivers near a rider quickly",
    "Twitter clone with a home timeline, 200M daily users and celebrity accounts with 50M followers",
    "x",
    "Database Selection > When to use Cassandra\n" + "Write-heavy time-series workloads at scale. " * 40,
]


@pytest.fixture(scope="module")
def reference():
    return build_embedder(DEFAULT_MODEL).embed(TEXTS)


@pytest.mark.slow
def test_numpy_path_matches_sentence_transformers(reference):
    fast = NumpyBertEmbedder(resolve_model_dir(DEFAULT_MODEL), DEFAULT_MODEL).embed(TEXTS)
    assert np.min(np.sum(fast * reference, axis=1)) >= 0.999


@pytest.mark.slow
def test_onnx_path_matches_sentence_transformers(reference, tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    model_dir = resolve_model_dir(DEFAULT_MODEL)
    exported = export_onnx(model_dir)
    assert exported.is_relative_to(tmp_path)
    fast = OnnxEmbedder(model_dir, DEFAULT_MODEL, exported).embed(TEXTS)
    assert np.min(np.sum(fast * reference, axis=1)) >= 0.999
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)


def test_unknown_model_name_is_a_usage_error():
    with pytest.raises(InvalidRequest, match="bge-small"):
        resolve_model_dir("bge-small")

"""The torch-free encoders (real MiniLM weights): NumPy and onnxruntime agree, batches change nothing, and neither
building nor querying the index imports torch. Their agreement with sentence-transformers is in
test_embedding_parity.py (dev extra)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from agent.errors import InvalidRequest
from agent.retrieval.embedders import (
    DEFAULT_MODEL,
    NumpyBertEmbedder,
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

# A child Python in which torch, transformers and sentence-transformers cannot be imported (None in sys.modules
# makes `import` raise), as in a fresh default install. The weights package stays findable: installed with
# --no-deps it is what a default install reads the weights from, without importing it.
WITHOUT_TORCH = """import sys
for name in ("torch", "transformers", "sentence_transformers"):
    sys.modules[name] = None
"""


def _run_without_torch(code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYSDESIGN_")}
    # offline: these tests read the installed weights package (make install); they never download it
    env.update(SYSDESIGN_CACHE=str(tmp_path / "cache"), SYSDESIGN_DATA=str(tmp_path / "data"), SYSDESIGN_OFFLINE="1")
    return subprocess.run([sys.executable, "-c", WITHOUT_TORCH + code], capture_output=True, text=True, env=env,
                          timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def numpy_vectors() -> np.ndarray:
    return NumpyBertEmbedder(resolve_model_dir(DEFAULT_MODEL), DEFAULT_MODEL).embed(TEXTS)


def test_a_text_gets_the_same_vector_alone_or_in_a_padded_batch(numpy_vectors):
    embedder = NumpyBertEmbedder(resolve_model_dir(DEFAULT_MODEL), DEFAULT_MODEL)
    alone = np.vstack([embedder.embed([text]) for text in TEXTS])
    assert np.abs(alone - numpy_vectors).max() < 1e-5
    assert np.allclose(np.linalg.norm(numpy_vectors, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_onnx_export_is_written_without_torch_and_matches_numpy(numpy_vectors, tmp_path):
    pytest.importorskip("onnxruntime", reason="the [onnx] extra")
    code = (
        "import json\n"
        "from agent.retrieval.embedders import DEFAULT_MODEL, OnnxEmbedder, export_onnx, resolve_model_dir\n"
        "model_dir = resolve_model_dir(DEFAULT_MODEL)\n"
        "exported = export_onnx(model_dir)\n"
        f"vectors = OnnxEmbedder(model_dir, DEFAULT_MODEL, exported).embed({TEXTS!r})\n"
        "print(json.dumps({'file': str(exported), 'vectors': vectors.tolist()}))\n"
    )
    result = _run_without_torch(code, tmp_path)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["file"].startswith(str(tmp_path / "cache")) and out["file"].endswith(".onnx")
    assert np.abs(np.asarray(out["vectors"], dtype=np.float32) - numpy_vectors).max() < 1e-5


def test_without_the_onnx_extra_the_query_model_is_the_weights(monkeypatch):
    monkeypatch.setattr("agent.retrieval.embedders.onnx_installed", lambda: False)
    model_dir = resolve_model_dir(DEFAULT_MODEL)
    assert export_onnx(model_dir) == model_dir / "model.safetensors"
    assert isinstance(build_embedder(DEFAULT_MODEL), NumpyBertEmbedder)


@pytest.mark.slow
def test_index_build_and_search_never_import_torch(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "oncall.md").write_text("# On-call\n\n## Paging\n\nWho is paged when the pager fires at night.\n")
    code = (
        "from pathlib import Path\n"
        "from agent.ingest.index import build_index, load_index\n"
        "from agent.retrieval.embedders import query_embedder\n"
        f"manifest = build_index(Path({str(tmp_path / 'index')!r}), [Path({str(kb)!r})], default_kb=False)\n"
        f"loaded = load_index(Path({str(tmp_path / 'index')!r}))\n"
        "scores, ids = loaded.vectors.search(query_embedder('all-MiniLM-L6-v2').embed(['who gets paged']), 1)\n"
        "print(manifest.chunk_count, loaded.chunks[ids[0][0]].id)\n"
    )
    result = _run_without_torch(code, tmp_path)
    assert result.returncode == 0, result.stderr
    count, best = result.stdout.split()
    assert int(count) >= 1 and best.startswith("oncall/")


def test_a_model_that_is_not_a_mean_pooled_bert_is_refused_in_one_sentence(tmp_path):
    from agent.errors import ModelError

    (tmp_path / "config.json").write_text(json.dumps({"model_type": "t5", "hidden_size": 8}))
    with pytest.raises(ModelError, match="not a mean-pooled BERT"):
        export_onnx(tmp_path)


def test_unknown_model_name_is_a_usage_error():
    with pytest.raises(InvalidRequest, match="bge-small"):
        resolve_model_dir("bge-small")

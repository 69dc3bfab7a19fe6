"""The FAISS index on disk: build it atomically, load it, and tell when it no longer matches its sources.

An index folder holds three files:

    manifest.json   what was indexed and how (model, fingerprint, chunk hashes, sources, file hashes)
    .sysdesign-index  the marker: only a folder that carries it (or a valid manifest) is ever replaced
    vectors.faiss   the L2-normalised chunk vectors (inner product equals cosine similarity)
    chunks.jsonl    the chunks themselves, in vector order

The manifest carries no timestamp, so building twice from the same sources gives the same bytes.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ValidationError

from agent.errors import IndexMissing, IndexOutOfDate, IndexProblem, InvalidRequest
from agent.files import write_lines
from agent.ingest.chunking import Chunker
from agent.ingest.sources import (
    ProgressCallback,
    chunk_documents,
    chunk_hash,
    dump_chunks,
    file_sha256,
    load_chunks,
    source_documents,
    source_label,
    source_path,
)
from agent.knowledge import load_knowledge
from agent.paths import bundled_index, in_source_checkout, user_index
from agent.retrieval.embedders import (
    DEFAULT_MODEL,
    Embedder,
    build_embedder,
    model_fingerprint,
    model_id_for,
    resolve_model_dir,
)
from agent.retrieval.embedders import token_counter as model_token_counter
from agent.schema import Chunk

log = logging.getLogger("sysdesign")

FORMAT_VERSION = 1
HNSW_THRESHOLD = 50_000
"""Above this many chunks an exact scan stops being cheap; HNSW answers in about a millisecond instead."""
MANIFEST, VECTORS, CHUNKS, MARKER = "manifest.json", "vectors.faiss", "chunks.jsonl", ".sysdesign-index"
MARKER_TEXT = "an index built by sysdesign-agent; 'sysdesign index build' may replace this folder\n"
IndexType = Literal["flat-ip", "hnsw-ip"]


class Manifest(BaseModel):
    """What an index was built from; compared with the world on every load."""

    format: int = FORMAT_VERSION
    embedding_model: str
    model_fingerprint: str
    dim: int
    index_type: IndexType
    chunk_count: int
    default_kb: bool
    kb_dirs: list[str]
    sources: dict[str, str]
    chunks: dict[str, str]
    files: dict[str, str]
    versions: dict[str, str]


@dataclass(frozen=True)
class LoadedIndex:
    """An index read from disk and checked against its manifest."""

    path: Path
    manifest: Manifest
    chunks: list[Chunk]
    vectors: object  # faiss.Index; faiss is imported lazily


def _versions() -> dict[str, str]:
    from importlib import metadata

    found = {}
    for package in ("faiss-cpu", "onnxruntime", "tokenizers"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return found


def _make_faiss_index(vectors: np.ndarray, hnsw_threshold: int):  # -> (faiss.Index, IndexType)
    import faiss

    dim = vectors.shape[1]
    index: Any
    if len(vectors) <= hnsw_threshold:
        index, kind = faiss.IndexFlatIP(dim), "flat-ip"
    else:
        index, kind = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT), "hnsw-ip"
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    index.add(vectors)
    return index, kind


EMBED_BATCH = 64


def _embed_all(texts: list[str], encoder: Embedder, progress: ProgressCallback | None) -> np.ndarray:
    """The texts' vectors in their order, embedded shortest first: a batch of similar lengths pads little."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    vectors = np.empty((len(texts), encoder.dim), dtype=np.float32)
    for start in range(0, len(order), EMBED_BATCH):
        rows = order[start : start + EMBED_BATCH]
        vectors[rows] = encoder.embed([texts[i] for i in rows])
        if progress:
            progress(start + len(rows), len(texts))
    return vectors


def build_index(
    path: Path,
    kb_dirs: Sequence[Path] = (),
    default_kb: bool = True,
    model: str = DEFAULT_MODEL,
    embedder: Embedder | None = None,
    progress: ProgressCallback | None = None,
    hnsw_threshold: int = HNSW_THRESHOLD,
) -> Manifest:
    """Chunk the sources, embed them and write the index to `path`, replacing what was there atomically."""
    import faiss

    path = Path(path)
    check_replaceable(path)  # before any slow work
    kb_dirs = [Path(d).expanduser().resolve() for d in kb_dirs]
    documents = source_documents(kb_dirs, default_kb)
    model_dir = resolve_model_dir(model)
    cues = load_knowledge(tuple(kb_dirs)).chapter_cues  # a folder's own YAML may add patterns to tag
    chunks = chunk_documents(documents, Chunker(model_token_counter(model_dir), pattern_cues=cues))
    if not chunks:
        raise InvalidRequest("nothing to index: the documents hold no text; add markdown with headings and prose")
    encoder: Embedder = embedder or build_embedder(model)
    vectors = _embed_all([chunk.embedding_text() for chunk in chunks], encoder, progress)
    index, index_type = _make_faiss_index(vectors, hnsw_threshold)

    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(path)
    staging = path.with_name(f".{path.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        (staging / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
        faiss.write_index(index, str(staging / VECTORS))
        write_lines(staging / CHUNKS, dump_chunks(chunks))
        manifest = Manifest(
            embedding_model=encoder.model_id,
            model_fingerprint=model_fingerprint(model_dir),
            dim=int(vectors.shape[1]),
            index_type=index_type,
            chunk_count=len(chunks),
            default_kb=default_kb,
            kb_dirs=[str(d) for d in kb_dirs],
            sources={source_label(p): file_sha256(p) for p, _ in documents},
            chunks={chunk.id: chunk_hash(chunk) for chunk in chunks},
            files={name: file_sha256(staging / name) for name in (VECTORS, CHUNKS)},
            versions=_versions(),
        )
        (staging / MANIFEST).write_text(manifest.model_dump_json(indent=1) + "\n", encoding="utf-8")
        _swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def is_index_folder(path: Path) -> bool:
    """True for a folder this tool created: it carries the marker, or a manifest this version can read."""
    if (path / MARKER).is_file():
        return True
    try:
        Manifest.model_validate_json((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValidationError):
        return False
    return True


def check_replaceable(path: Path) -> None:
    """Refuse a target that is anything but nothing, an empty folder, or an index this tool built."""
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise InvalidRequest(f"{str(path)!r} is not a folder; choose a new or empty folder for the index")
    if path.is_dir() and any(path.iterdir()) and not is_index_folder(path):
        raise InvalidRequest(
            f"{str(path)!r} holds files that are not a sysdesign index; refusing to replace it "
            "(choose a new or empty folder for the index)"
        )


def _remove_leftovers(path: Path) -> None:
    """Folders that interrupted builds left beside `path` (their process is gone, and they carry our marker)."""
    for prefix in (f".{path.name}.building-", f".{path.name}.old-"):
        for leftover in path.parent.glob(f"{glob.escape(prefix)}*"):
            pid = leftover.name.removeprefix(prefix)
            if pid.isdigit() and not _alive(int(pid)) and (leftover / MARKER).is_file():
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(staging: Path, path: Path) -> None:
    """Put the finished folder in place: at every instant `path` is the old index, absent, or the new one."""
    check_replaceable(path)  # again: something may have appeared there while we were embedding
    retired = path.with_name(f".{path.name}.old-{os.getpid()}")
    if path.exists():
        if not (path / MARKER).is_file():
            (path / MARKER).write_text(MARKER_TEXT, encoding="utf-8")  # so a crash here leaves a removable leftover
        path.replace(retired)
    staging.replace(path)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(path: Path) -> Manifest:
    """The manifest of the index at `path`."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise IndexMissing(f"no index at {str(path)!r}; run 'sysdesign index build'")
    try:
        return Manifest.model_validate_json(file.read_text(encoding="utf-8"))
    except (ValidationError, UnicodeDecodeError) as exc:
        raise IndexOutOfDate(f"the manifest of the index at {str(path)!r} is unreadable; rebuild it") from exc


def freshness_problems(manifest: Manifest, model: str = DEFAULT_MODEL) -> list[str]:
    """Why the index no longer matches its model and sources (an empty list when it is fresh)."""
    problems = []
    if manifest.format != FORMAT_VERSION:
        problems.append(f"it has format {manifest.format}, this version reads {FORMAT_VERSION}")
    model_dir = resolve_model_dir(model)
    if manifest.embedding_model != model_id_for(model) or manifest.model_fingerprint != model_fingerprint(model_dir):
        problems.append(f"it was built with {manifest.embedding_model!r}, not {model_id_for(model)!r}")
    try:
        current = source_documents([Path(d) for d in manifest.kb_dirs], manifest.default_kb)
    except InvalidRequest as exc:
        problems.append(str(exc))
        return problems
    labels = {source_label(p) for p, _ in current}
    if labels != set(manifest.sources):
        added, removed = sorted(labels - set(manifest.sources)), sorted(set(manifest.sources) - labels)
        problems.append(f"its documents changed (added {added!r}, removed {removed!r})")
    for label, digest in manifest.sources.items():
        file = source_path(label)
        if label in labels and file_sha256(file) != digest:
            problems.append(f"{label!r} changed since it was indexed")
    return problems


def load_index(path: Path, model: str = DEFAULT_MODEL, check_sources: bool = True) -> LoadedIndex:
    """Read and verify the index at `path`; raise IndexMissing or IndexOutOfDate with the reason."""
    import faiss

    path = Path(path)
    manifest = read_manifest(path)
    for name, digest in manifest.files.items():
        file = path / name
        if not file.is_file() or file_sha256(file) != digest:
            raise IndexOutOfDate(f"the index at {str(path)!r} is corrupted ({name!r} does not match its manifest)")
    if check_sources and (problems := freshness_problems(manifest, model)):
        raise IndexOutOfDate(f"the index at {str(path)!r} is out of date: {problems[0]}")
    try:
        chunks = load_chunks(path / CHUNKS)
        vectors = faiss.read_index(str(path / VECTORS))
    except (ValueError, RuntimeError, OSError) as exc:  # a bad chunk line, a truncated FAISS file
        raise IndexOutOfDate(f"the index at {str(path)!r} is corrupted ({type(exc).__name__})") from None
    if vectors.ntotal != len(chunks) or len(chunks) != manifest.chunk_count or vectors.d != manifest.dim:
        raise IndexOutOfDate(f"the index at {str(path)!r} is corrupted (vector and chunk counts differ)")
    if any(manifest.chunks.get(chunk.id) != chunk_hash(chunk) for chunk in chunks):
        raise IndexOutOfDate(f"the index at {str(path)!r} is corrupted (a chunk does not match its manifest)")
    return LoadedIndex(path=path, manifest=manifest, chunks=chunks, vectors=vectors)


def ensure_index(path: Path, model: str = DEFAULT_MODEL, progress: ProgressCallback | None = None) -> LoadedIndex:
    """Load the index, building or rebuilding it (with a one-line notice) when it is missing or stale.

    The bundled index of an installed package is never rewritten: when it needs rebuilding (another embedding
    model, say), the rebuilt copy goes to the user's data folder and is used from then on.
    """
    path = Path(path)
    if path == bundled_index() and not in_source_checkout():
        try:
            return load_index(path, model)
        except IndexProblem as exc:
            log.warning("%s; building your own copy in %r", exc, str(user_index()))
            path = user_index()
    try:
        return load_index(path, model)
    except IndexMissing:
        if _copied_bundled_index(path, model):
            log.warning("no index at %r yet; copied the bundled one there", str(path))
        else:
            log.warning("no index at %r yet; building it from the bundled knowledge base (once)", str(path))
            build_index(path, model=model, progress=progress)
    except IndexOutOfDate as exc:
        try:
            manifest = read_manifest(path)
            kb_dirs, default_kb = [Path(d) for d in manifest.kb_dirs], manifest.default_kb
        except IndexOutOfDate:
            kb_dirs, default_kb = [], True
        if default_kb and not kb_dirs and _copied_bundled_index(path, model):
            log.warning("%s; replaced it with a copy of the bundled one", exc)
            return load_index(path, model)
        log.warning("%s; rebuilding it", exc)
        try:
            build_index(path, kb_dirs=kb_dirs, default_kb=default_kb, model=model, progress=progress)
        except InvalidRequest as build_exc:
            raise IndexOutOfDate(f"{exc} and cannot be rebuilt ({build_exc}); run 'sysdesign index build'") from None
    return load_index(path, model)


def _copied_bundled_index(path: Path, model: str) -> bool:
    """Copy the bundled index (when it is fresh for `model`) to `path`, which has none: the same chunks embedded by
    the same model, so building them again would take a minute for the same files. Put in place the way a build
    is (staged beside, then swapped in), and only where a build may write."""
    source = bundled_index()
    if path.resolve() == source.resolve():
        return False
    staging = None
    try:
        load_index(source, model)
        check_replaceable(path)
        staging = path.resolve().with_name(f".{path.resolve().name}.copying-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(source, staging)
        _swap_in(staging, path)
    except (IndexProblem, InvalidRequest, OSError, ValueError):  # ValueError: a path with no name, such as "/"
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def status(path: Path, model: str = DEFAULT_MODEL) -> dict[str, object]:
    """What is indexed at `path` and whether it is fresh, for `sysdesign index status`."""
    try:
        manifest = read_manifest(path)
    except IndexMissing:
        return {"path": str(path), "exists": False, "fresh": False, "problems": ["no index yet"]}
    problems = []
    try:
        load_index(path, model, check_sources=False)
    except IndexOutOfDate as exc:
        problems.append(str(exc))
    problems += freshness_problems(manifest, model)
    return {
        "path": str(path),
        "exists": True,
        "fresh": not problems,
        "problems": problems,
        "embedding_model": manifest.embedding_model,
        "index_type": manifest.index_type,
        "dim": manifest.dim,
        "chunk_count": manifest.chunk_count,
        "sources": sorted(manifest.sources),
        "versions": manifest.versions,
    }

"""Where the knowledge base lives, and how its documents become chunks.

The bundled document is ``kb/system-design-knowledge-base.md``; its chunks are committed, one JSON object a
line, in ``kb_chunks/chunks.jsonl`` (one file: it loads in a millisecond and a change to the document shows
up as a readable line-by-line diff). Users may add their own folders of markdown.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from agent.errors import InvalidRequest
from agent.ingest.chunking import Chunker, markdown_files, slugify
from agent.paths import bundled, data_root
from agent.schema import Chunk

BUNDLED_KB = bundled("kb")
CHUNKS_FILE = bundled("kb_chunks", "chunks.jsonl")


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def source_label(path: Path) -> str:
    """How a source document is recorded: relative to the bundled data for bundled ones, absolute otherwise."""
    resolved = path.resolve()
    root = data_root().resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(BUNDLED_KB.resolve()) else str(resolved)


def source_path(label: str) -> Path:
    path = Path(label)
    return path if path.is_absolute() else data_root() / path


def source_documents(kb_dirs: Sequence[Path] = (), default_kb: bool = True) -> list[tuple[Path, str]]:
    """(file, id namespace) for every document to index; bundled ids carry no namespace."""
    if not default_kb and not kb_dirs:
        raise InvalidRequest("nothing to index: '--no-default-kb' needs at least one '--kb DIR'")
    documents: list[tuple[Path, str]] = []
    if default_kb:
        # the seed document at the top has no namespace; chapters in sub-folders (kb/blocks/) are namespaced by it
        for path in markdown_files(BUNDLED_KB):
            folder = path.parent.relative_to(BUNDLED_KB)
            namespace = "" if folder == Path(".") else "/".join([*map(slugify, folder.parts), slugify(path.stem)]) + "/"
            documents.append((path, namespace))
    for directory in kb_dirs:
        for path in markdown_files(Path(directory)):
            relative = path.relative_to(directory).with_suffix("")
            documents.append((path, "/".join(slugify(part) for part in relative.parts) + "/"))
    return documents


def chunk_documents(documents: Iterable[tuple[Path, str]], chunker: Chunker) -> list[Chunk]:
    """Chunk every document; ids must be unique across them."""
    chunks: list[Chunk] = []
    for path, namespace in documents:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidRequest(f"cannot read knowledge-base document {str(path)!r}: {exc}") from exc
        chunks += chunker.chunk_text(text, source=path.name, namespace=namespace)
    duplicates = sorted(chunk_id for chunk_id, n in Counter(c.id for c in chunks).items() if n > 1)
    if duplicates:
        raise InvalidRequest(f"chunk ids clash across documents: {duplicates[:3]!r}; rename one of the files")
    return chunks


def dump_chunks(chunks: Sequence[Chunk]) -> list[str]:
    return [json.dumps(chunk.model_dump(mode="json"), ensure_ascii=False, sort_keys=True) for chunk in chunks]


def load_chunks(path: Path = CHUNKS_FILE) -> list[Chunk]:
    """Read chunks written by `dump_chunks`."""
    with path.open(encoding="utf-8") as handle:
        return [Chunk.model_validate_json(line) for line in handle if line.strip()]


def chunk_hash(chunk: Chunk) -> str:
    return hashlib.sha256(chunk.embedding_text().encode()).hexdigest()[:16]


ProgressCallback = Callable[[int, int], None]


def bundled_chunks() -> list[Chunk]:
    """The chunker's output for the bundled knowledge base (what kb_chunks/chunks.jsonl must hold)."""
    from agent.retrieval.embedders import DEFAULT_MODEL, resolve_model_dir, token_counter

    counter = token_counter(resolve_model_dir(DEFAULT_MODEL))
    from agent.knowledge import load_knowledge

    return chunk_documents(source_documents(), Chunker(counter, pattern_cues=load_knowledge().chapter_cues))

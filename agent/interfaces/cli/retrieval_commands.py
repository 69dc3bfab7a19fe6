"""Commands of the retrieval stage: search, index build/status/prepare, kb chunk."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Annotated

import typer

from agent.errors import InvalidRequest, os_problem
from agent.files import read_stdin
from agent.interfaces.cli.common import EmbeddingModelOption, IndexOption, advisor_for, print_json, progress_printer
from agent.render.terminal import inert

app = typer.Typer()
index_app = typer.Typer(help="Build and inspect the FAISS index of the knowledge base.", no_args_is_help=True)
kb_app = typer.Typer(help="The knowledge base's chunks.", no_args_is_help=True)

log = logging.getLogger("sysdesign")


def _settings(index: Path | None, model: str | None):  # -> Settings
    from agent.config import load_settings

    return load_settings(index=index, embedding_model=model)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What you want to know, in your own words ('-' reads stdin).")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="How many sections to list.")] = 5,
    pattern: Annotated[str | None, typer.Option(help="Only sections of one pattern, e.g. 'ride_hailing'.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
    index: IndexOption = None,
    model: EmbeddingModelOption = None,
) -> None:
    """List the knowledge-base sections that answer QUERY, best first.

    Examples:
      sysdesign search "how do I find drivers near a rider quickly" --json
      echo "consistent hashing" | sysdesign search - -k 3
    """
    from agent.retrieval.search import validate_query

    if query == "-":
        query = read_stdin("the query on standard input")
    validate_query(query)  # before loading anything: a bad query fails fast
    hits = advisor_for(index=index, embedding_model=model).search(query, k=k, pattern=pattern)
    if as_json:
        print_json([hit.model_dump(mode="json") for hit in hits])
        return
    for rank, hit in enumerate(hits, start=1):
        typer.echo(inert(f"{rank}. {hit.chunk_id}  (score {hit.score:.4f}, cosine {hit.dense_score or 0:.3f})"))
        typer.echo(inert(f"   {' > '.join(hit.heading_path)}"))
        snippet = " ".join(hit.text.split())
        typer.echo(inert(textwrap.indent(textwrap.fill(snippet[:300], 100), "   ")) + "\n")


@index_app.command("build")
def index_build(
    kb: Annotated[list[Path] | None, typer.Option("--kb", help="A folder of markdown to index (repeatable).")] = None,
    no_default_kb: Annotated[
        bool, typer.Option("--no-default-kb", help="Index only the --kb folders, not the bundled document.")
    ] = False,
    index: IndexOption = None,
    model: EmbeddingModelOption = None,
) -> None:
    """Chunk and embed the knowledge base into the index (atomically: a failed build leaves the old one)."""
    from agent.ingest.index import build_index, check_replaceable
    from agent.ingest.sources import source_documents
    from agent.retrieval.embedders import export_onnx, resolve_model_dir

    kb_dirs = [Path(d) for d in kb or []]
    source_documents(kb_dirs, not no_default_kb)  # validates the folders before the slow model load
    settings = _settings(index, model)
    target = _writable_target(settings.index or _build_target(kb_dirs, no_default_kb))
    check_replaceable(target)  # before the slow model load: never replace a folder we did not create
    log.info("loading the embedding model %r", settings.embedding_model)
    try:
        manifest = build_index(
            target, kb_dirs, not no_default_kb, settings.embedding_model, progress=progress_printer("embedding")
        )
    except OSError as exc:  # a full disk, a file system gone read-only: the index there, if any, is as it was
        raise os_problem(exc, target, "write the index to") from None
    export_onnx(resolve_model_dir(settings.embedding_model))
    typer.echo(
        f"indexed {manifest.chunk_count} chunks from {len(manifest.sources)} document(s) into "
        f"{str(target)!r} ({manifest.index_type}, {manifest.dim} dimensions)"
    )


def _writable_target(path: Path) -> Path:
    """The index folder as an absolute path; refused, before any work, when the build could not put it there.

    A build replaces the folder whole (a new one is renamed into its place), so it cannot be the folder you are in
    or one that holds it, and the folder it sits in must be writable.
    """
    import os

    target = Path(os.path.abspath(path))  # '.' and '..' have no name a folder could be built beside
    here = Path.cwd()
    if target == here or target in here.parents:
        raise InvalidRequest(f"the index folder {str(path)!r} is the folder you are in, or holds it; a build replaces "
                             f"the whole folder, so name a new one, e.g. {str(Path(path) / 'index')!r}")  # fmt: skip
    if target.parent.is_dir() and not os.access(target.parent, os.W_OK | os.X_OK):
        folder = str(Path(path).parent)
        raise InvalidRequest(f"folder {folder!r} is not writable; choose another index folder (--index)")
    return target


def _build_target(kb_dirs: list[Path], no_default_kb: bool) -> Path:
    """Your own documents go to your data folder; the bundled index is rebuilt in place only in a checkout."""
    from agent.paths import bundled_index, data_folder, in_source_checkout, user_index

    if kb_dirs or no_default_kb or not in_source_checkout():
        data_folder()  # a SYSDESIGN_DATA that is a file or read-only is refused before any work
        return user_index()
    return bundled_index()


@index_app.command("status")
def index_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
    index: IndexOption = None,
    model: EmbeddingModelOption = None,
) -> None:
    """Say what is indexed and whether it still matches its documents and model (exit 1 when stale)."""
    from agent.ingest.index import status
    from agent.paths import default_index

    settings = _settings(index, model)
    report = status(settings.index or default_index(), settings.embedding_model)
    if as_json:
        print_json(report)
    elif not report["exists"]:
        typer.echo(f"no index at {report['path']!r}; run 'sysdesign index build'")
    else:
        typer.echo(f"index:   {report['path']}")
        typer.echo(f"model:   {report['embedding_model']} ({report['dim']} dimensions, {report['index_type']})")
        sources: list[str] = report["sources"]  # type: ignore[assignment]  # status() is a JSON-shaped dict
        problems: list[str] = report["problems"]  # type: ignore[assignment]
        typer.echo(f"chunks:  {report['chunk_count']} from {', '.join(sources)}")
        typer.echo("fresh:   yes" if report["fresh"] else "fresh:   no — " + "; ".join(problems))
    if not report["fresh"]:
        raise typer.Exit(1)


@index_app.command("prepare")
def index_prepare(index: IndexOption = None, model: EmbeddingModelOption = None) -> None:
    """Make first use fast: verify (or build) the index and export the query model to ONNX in the cache."""
    from agent.brief.meaning import design_vectors
    from agent.ingest.index import ensure_index
    from agent.knowledge import load_knowledge
    from agent.paths import default_index
    from agent.retrieval.embedders import export_onnx, query_embedder, resolve_model_dir

    settings = _settings(index, model)
    path = settings.index or default_index()
    loaded = ensure_index(path, settings.embedding_model, progress=progress_printer("embedding"))
    exported = export_onnx(resolve_model_dir(settings.embedding_model))
    # the designs' plain-language descriptions, embedded once and cached: the first request need not do it
    design_vectors(loaded, load_knowledge(), query_embedder(settings.embedding_model))
    typer.echo(f"index {str(path)!r} is fresh ({loaded.manifest.chunk_count} chunks); query model {exported}")


@kb_app.command("chunk")
def kb_chunk(
    check: Annotated[
        bool, typer.Option("--check", help="Only compare with the committed chunks; exit 1 when they differ.")
    ] = False,
) -> None:
    """Regenerate kb_chunks/chunks.jsonl from the bundled knowledge base."""
    from agent.files import write_lines
    from agent.ingest.sources import CHUNKS_FILE, bundled_chunks, dump_chunks

    rows = dump_chunks(bundled_chunks())
    current = CHUNKS_FILE.read_text(encoding="utf-8").splitlines() if CHUNKS_FILE.is_file() else []
    if check:
        if rows != current:
            typer.echo(f"{CHUNKS_FILE} differs from the chunker's output; run 'sysdesign kb chunk'", err=True)
            raise typer.Exit(1)
        typer.echo(f"{CHUNKS_FILE} is up to date ({len(rows)} chunks)")
        return
    write_lines(CHUNKS_FILE, rows)
    typer.echo(f"wrote {len(rows)} chunks to {CHUNKS_FILE}")

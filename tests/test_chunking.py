"""The chunker: invariants on the bundled document and on tricky markdown."""

from __future__ import annotations

import re

import pytest

from agent.ingest.chunking import MAX_TOKENS, Chunker, slugify
from agent.ingest.sources import BUNDLED_KB, CHUNKS_FILE, bundled_chunks, dump_chunks
from agent.knowledge import load_knowledge
from agent.retrieval.embedders import DEFAULT_MODEL, resolve_model_dir, token_counter

DOCUMENT = (BUNDLED_KB / "system-design-knowledge-base.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chunks():
    return bundled_chunks()


@pytest.fixture(scope="module")
def chunker():
    return Chunker(token_counter(resolve_model_dir(DEFAULT_MODEL)), pattern_cues=load_knowledge().chapter_cues)


def test_committed_chunks_are_the_chunkers_output(chunks):
    committed = CHUNKS_FILE.read_text(encoding="utf-8").splitlines()
    assert committed == dump_chunks(chunks), "run 'sysdesign kb chunk' and commit kb_chunks/"


def test_every_chunk_fits_the_model_window(chunks):
    assert max(chunk.tokens for chunk in chunks) <= MAX_TOKENS


def test_spans_point_at_the_text_and_cover_every_line_of_content(chunks):
    covered = set()
    for chunk in (c for c in chunks if c.source == "system-design-knowledge-base.md"):  # the seed; chapters below
        start, end = chunk.span
        assert DOCUMENT[start:end] == chunk.text
        covered.update(range(start, end))
    # every non-blank character outside headings and rules belongs to some chunk
    for match in re.finditer(r"[^\s]", DOCUMENT):
        line = DOCUMENT[DOCUMENT.rfind("\n", 0, match.start()) + 1 : DOCUMENT.find("\n", match.start())]
        if line.startswith("#") or line.strip() == "---":
            continue
        assert match.start() in covered, f"uncovered text: {line!r}"


def test_ids_are_unique_readable_and_stable(chunks):
    ids = [chunk.id for chunk in chunks]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+(/[a-z0-9-]+)*", chunk_id) for chunk_id in ids)
    assert "ride-hailing-platforms/matching-algorithm/step-1-find-nearby-drivers" in ids
    assert bundled_chunks() == chunks  # chunking twice gives the same chunks


def test_fenced_code_blocks_are_never_cut(chunks):
    for chunk in chunks:
        assert chunk.text.count("```") % 2 == 0, chunk.id


@pytest.mark.parametrize(
    ("chunk_id", "pattern", "kind"),
    [
        ("ride-hailing-platforms/essential-technologies/geospatial-tech", "ride_hailing", "technology"),
        ("social-media-platforms/feed-generation-strategies", "social_media", "flow"),
        ("technology-inference-rules", None, "rule"),
        ("over-engineering", None, "mistake"),
        ("high-complexity", None, "estimate"),
        ("cap-theorem-understanding", None, "principle"),
    ],
)
def test_tags(chunks, chunk_id, pattern, kind):
    chunk = next(c for c in chunks if c.id == chunk_id)
    assert (chunk.pattern, chunk.kind) == (pattern, kind)


def test_long_section_is_split_with_heading_path_repeated(chunker):
    paragraphs = "\n\n".join(f"Paragraph {i} " + "about caching and queues " * 20 for i in range(8))
    text = f"# Doc\n\n## Long Section\n\n{paragraphs}\n"
    pieces = chunker.chunk_text(text, source="doc.md")
    assert len(pieces) > 1
    assert all(piece.heading_path == ("Long Section",) and piece.tokens <= MAX_TOKENS for piece in pieces)
    assert len({piece.id for piece in pieces}) == len(pieces)


def test_a_fence_longer_than_the_budget_stays_whole(chunker):
    code = "\n".join(f"line_{i} = compute({i})" for i in range(30))
    text = f"# Doc\n\n## Code\n\nIntro.\n\n```python\n{code}\n```\n\nOutro.\n"
    pieces = chunker.chunk_text(text, source="doc.md")
    assert any(code in piece.text for piece in pieces)


def test_headings_inside_fences_are_not_headings(chunker):
    text = "# Doc\n\n## Real\n\n```\n# not a heading\n```\n"
    (piece,) = chunker.chunk_text(text, source="doc.md")
    assert piece.heading_path == ("Real",) and "# not a heading" in piece.text


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("4. Ride-Hailing Platforms (Uber, Lyft)", "ride-hailing-platforms"),
        ("Step 1: Add to Cart", "step-1-add-to-cart"),
    ],
)
def test_slugify(title, slug):
    assert slugify(title) == slug

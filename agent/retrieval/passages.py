"""Knowledge-base sections as people read them: whole sentences of a chunk (no markup, no cut words) and a
section's title, for answers and explanations that quote the knowledge base without dumping it."""

from __future__ import annotations

import re
from functools import cache

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")
MAX_SENTENCE = 360
"""A longer "sentence" is a table or a list run together: left out rather than cut."""


def sentences(markdown: str) -> list[str]:
    """The prose of a section as whole sentences: headings, tables and markup gone, list items as sentences."""
    found = []
    for line in markdown.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "|", "```")):
            continue
        found.append(line)
    text = re.sub(r"\n?^\s*(?:[-*+]|\d+\.)\s+", "\n\n", "\n".join(found), flags=re.MULTILINE)
    out = []
    for paragraph in re.split(r"\n\s*\n", text):
        prose = " ".join(re.sub(r"[*_`]{1,3}|\[(\w[^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", paragraph).split())
        for sentence in SENTENCE.split(prose):
            sentence = sentence.strip()
            if 20 <= len(sentence) <= MAX_SENTENCE:
                out.append(sentence if sentence[-1] in ".!?:" else sentence + ".")
    return out


@cache
def _chunks() -> dict[str, tuple[tuple[str, ...], str]]:
    from agent.ingest.sources import CHUNKS_FILE, load_chunks

    return {chunk.id: (chunk.heading_path, chunk.text) for chunk in load_chunks(CHUNKS_FILE)}


def chunk_texts() -> dict[str, str]:
    """Every section's text by its id (the HTML report's citations)."""
    return {chunk_id: text for chunk_id, (_, text) in _chunks().items()}


def chunk_text(chunk_id: str) -> str | None:
    """The bundled knowledge base's text of a section, or None for an id it does not have."""
    found = _chunks().get(chunk_id)
    return found[1] if found else None


@cache
def _titles() -> dict[str, str]:
    titles = {}
    for chunk_id, (heading_path, _) in _chunks().items():
        path = list(heading_path)
        if len(path) == 1 and "/" in chunk_id:
            path.insert(0, chunk_id.split("/")[-2].replace("-", " ").capitalize())
        titles[chunk_id] = " › ".join(path[-2:])
    return titles


def section_title(chunk_id: str) -> str:
    return _titles().get(chunk_id, chunk_id)

"""Markdown → chunks: heading-aware, fence-aware, with stable ids and tags.

A section runs from a heading to the next heading. A section whose embedded text (heading path + text) fits
the embedding model's window becomes one chunk; a longer one is split at its bold lead-ins
(``**Step 1: Find Nearby Drivers**``), then at paragraph and list-item boundaries, packing pieces up to the
window with a one-block overlap where a cut falls inside a run of prose. A fenced code block is atomic.
Every chunk keeps the character span of its text in the source, so the chunks can be checked to cover it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.errors import InvalidRequest
from agent.schema import Chunk, ChunkKind, PatternId

if TYPE_CHECKING:
    from agent.knowledge.regexes import KnowledgeRegex

TokenCounter = Callable[[str], int]

MAX_TOKENS = 256  # all-MiniLM-L6-v2 reads at most 256 word pieces
# When a long section is split, a piece takes in the next bold-led unit only while it stays this small: one
# topic per chunk keeps citations precise ("Databases" rather than "Frontend, Backend and Databases").
UNIT_TOKENS = 128

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")  # ATX heading: hashes, title, optional closing hashes
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")  # opening or closing code fence
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")  # thematic break: ---, ***, ___
_BOLD_LEAD = re.compile(r"^\*\*(.+?)\*\*")  # a paragraph that opens with bold text acts as a sub-heading
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+")  # bullet or numbered item
_NUMBERING = re.compile(r"^\d+(\.\d+)*[.)]?\s+")  # "4. " in "4. Ride-Hailing Platforms"
_PARENTHETICAL = re.compile(r"\([^)]*\)")  # "(Uber, Lyft)"

PatternCues = tuple[tuple["KnowledgeRegex", PatternId], ...]
"""Heading cue → pattern tag, searched in the whole heading path; from the knowledge (`Knowledge.chapter_cues`)."""

# Heading cues → kind tag. A strong cue anywhere in the path decides ("Common Mistakes > Ignoring Caching" is a
# mistake); otherwise the other cues are tried on the deepest heading first, then its parents.
STRONG_KIND_CUES: tuple[tuple[re.Pattern[str], ChunkKind], ...] = (
    (re.compile(r"count guidelines|inference rules|recognition patterns"), "rule"),
    (re.compile(r"mistake"), "mistake"),
    (re.compile(r"decomposition"), "decomposition"),
    (re.compile(r"complexity|estimat"), "estimate"),
)
KIND_CUES: tuple[tuple[re.Pattern[str], ChunkKind], ...] = (
    (re.compile(r"^(\d+\.\s*)?microservices\b"), "services"),
    (re.compile(r"characteristics"), "characteristics"),
    (re.compile(r"technolog|selection"), "technology"),
    (re.compile(r"flow|algorithm|strateg|pricing|pipeline|discovery"), "flow"),
    (re.compile(r"decision"), "decision"),
    (re.compile(r"scaling|load balancing|cdn|caching"), "scaling"),
    (re.compile(r"principle"), "principle"),
    (re.compile(r"purpose|contents|using this"), "guide"),
)


@dataclass(frozen=True)
class _Block:
    """A paragraph, list, or fenced code block, with its span in the source."""

    start: int
    end: int
    fence: bool
    bold_title: str | None


@dataclass(frozen=True)
class _Section:
    heading_path: tuple[str, ...]
    blocks: tuple[_Block, ...]


def slugify(title: str) -> str:
    """Turn a heading into an id segment: drop numbering and parentheticals, keep words."""
    title = _PARENTHETICAL.sub(" ", _NUMBERING.sub("", title.strip()))
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "section"


def _lines_with_offsets(text: str) -> Iterable[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line
        offset += len(line)


def _bold_title(first_line: str) -> str | None:
    match = _BOLD_LEAD.match(first_line)
    return match.group(1).strip().rstrip(":").strip() if match else None


def _parse_sections(text: str) -> list[_Section]:
    """Split markdown into sections of blocks, tracking the heading path (the H1 title is left out)."""
    sections: list[_Section] = []
    path: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []  # lines of the block being read
    fence_marker: str | None = None

    def close_block(fence: bool = False) -> None:
        if current:
            start, end = current[0][0], current[-1][0] + len(current[-1][1].rstrip("\n"))
            title = None if fence else _bold_title(current[0][1])
            blocks.append(_Block(start, end, fence, title))
            current.clear()

    def close_section() -> None:
        close_block()
        if blocks:
            heading_path = tuple(title for level, title in path if level > 1) or ("Introduction",)
            sections.append(_Section(heading_path, tuple(blocks)))
            blocks.clear()

    for offset, line in _lines_with_offsets(text):
        if fence_marker is not None:
            current.append((offset, line))
            if line.strip().startswith(fence_marker):
                fence_marker = None
                close_block(fence=True)
            continue
        fence = _FENCE.match(line)
        if fence:
            close_block()
            fence_marker = fence.group(1)
            current.append((offset, line))
            continue
        heading = _HEADING.match(line)
        if heading:
            close_section()
            level = len(heading.group(1))
            path = [(lvl, title) for lvl, title in path if lvl < level] + [(level, heading.group(2))]
            continue
        if not line.strip() or _RULE.match(line):
            close_block()
            continue
        current.append((offset, line))
    close_block(fence=fence_marker is not None)
    close_section()
    return sections


def _atoms(block: _Block, text: str) -> list[_Block]:
    """Split a prose block at list-item (or, failing that, line) boundaries; fences stay whole."""
    if block.fence:
        return [block]
    atoms: list[_Block] = []
    body = text[block.start : block.end]
    starts = [m.start() for m in re.finditer(r"^.+$", body, re.M) if _LIST_ITEM.match(m.group(0))]
    if len(starts) < 2:
        starts = [m.start() for m in re.finditer(r"^.+$", body, re.M)]
    starts = sorted({0, *starts})
    for i, s in enumerate(starts):
        e = starts[i + 1] - 1 if i + 1 < len(starts) else len(body)
        title = block.bold_title if i == 0 else None
        atoms += _split_long(_Block(block.start + s, block.start + e, False, title), text)
    return atoms


LONG_ATOM_CHARS = 800
"""A single line longer than this (a pasted page with no line breaks) is cut at sentence or word ends, so that
every part of it is embedded, not just its first 256 word pieces."""


def _split_long(atom: _Block, text: str) -> list[_Block]:
    pieces: list[_Block] = []
    start = atom.start
    while atom.end - start > LONG_ATOM_CHARS:
        window = text[start : start + LONG_ATOM_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 1 if cut > LONG_ATOM_CHARS // 4 else window.rfind(" ")
        cut = cut if cut > 0 else LONG_ATOM_CHARS  # one enormous word: cut it anyway
        pieces.append(_Block(start, start + cut, False, atom.bold_title if not pieces else None))
        start += cut
        while start < atom.end and text[start] == " ":
            start += 1
    pieces.append(_Block(start, atom.end, False, atom.bold_title if not pieces else None))
    return pieces


def _kind(heading_path: tuple[str, ...]) -> ChunkKind:
    joined = " > ".join(heading_path).lower()
    for cue, kind in STRONG_KIND_CUES:
        if cue.search(joined):
            return kind
    for heading in reversed(heading_path):
        lowered = heading.lower()
        for cue, kind in KIND_CUES:
            if cue.search(lowered):
                return kind
    return "other"


def _pattern(heading_path: tuple[str, ...], cues: PatternCues) -> PatternId | None:
    joined = " ".join(heading_path).lower()
    return next((pattern for cue, pattern in cues if cue.search(joined)), None)


class Chunker:
    """Splits markdown documents into chunks that fit the embedding model's window."""

    def __init__(
        self,
        count_tokens: TokenCounter,
        max_tokens: int = MAX_TOKENS,
        unit_tokens: int = UNIT_TOKENS,
        pattern_cues: PatternCues = (),
    ) -> None:
        self.count_tokens = count_tokens
        self.pattern_cues = pattern_cues
        self.max_tokens = max_tokens
        self.unit_tokens = unit_tokens

    def chunk_text(self, text: str, source: str, namespace: str = "") -> list[Chunk]:
        """Chunk one document; `namespace` prefixes every id (used for documents besides the bundled one)."""
        sections = _parse_sections(text)
        # a chapter of its own names its pattern in its H1 title ("# URL Shortener Platforms")
        document_title = next(
            (m.group(2) for m in map(_HEADING.match, text.splitlines()) if m and m.group(1) == "#"), ""
        )
        section_ids = _section_ids([section.heading_path for section in sections])
        chunks: list[Chunk] = []
        seen: Counter[str] = Counter()
        for section, section_id in zip(sections, section_ids, strict=True):
            for title, first, last in self._pieces(section, text):
                chunk_id = f"{namespace}{section_id}" + (f"/{slugify(title)}" if title else "")
                seen[chunk_id] += 1
                if seen[chunk_id] > 1:
                    chunk_id += f"-{seen[chunk_id]}"
                heading_path = (*section.heading_path, title) if title else section.heading_path
                body = text[first.start : last.end]
                chunks.append(
                    Chunk(
                        id=chunk_id,
                        heading_path=heading_path,
                        text=body,
                        source=source,
                        span=(first.start, last.end),
                        pattern=_pattern((document_title, *heading_path), self.pattern_cues),
                        kind=_kind(heading_path),
                        tokens=self.count_tokens(" > ".join(heading_path) + "\n" + body),
                    )
                )
        return chunks

    def _fits(self, path: tuple[str, ...], text: str, budget: int | None = None) -> bool:
        return self.count_tokens(" > ".join(path) + "\n" + text) <= (budget or self.max_tokens)

    def _pieces(self, section: _Section, text: str) -> list[tuple[str | None, _Block, _Block]]:
        """Return (sub-title, first block, last block) for each piece of a section."""
        blocks = section.blocks
        if self._fits(section.heading_path, text[blocks[0].start : blocks[-1].end]):
            return [(None, blocks[0], blocks[-1])]
        atoms: list[_Block] = []
        for block in blocks:
            whole_fits = self._fits(section.heading_path, text[block.start : block.end])
            atoms.extend([block] if whole_fits else _atoms(block, text))
        titles: list[str | None] = []  # the bold lead-in each atom falls under
        for atom in atoms:
            titles.append(atom.bold_title or (titles[-1] if titles else None))
        pieces: list[tuple[str | None, _Block, _Block]] = []
        i = 0
        while i < len(atoms):
            title = titles[i]
            path = (*section.heading_path, title) if title else section.heading_path
            j = i
            while j + 1 < len(atoms) and self._fits(
                path,
                text[atoms[i].start : atoms[j + 1].end],
                self.max_tokens if atoms[j + 1].bold_title is None else self.unit_tokens,
            ):
                j += 1
            pieces.append((titles[i], atoms[i], atoms[j]))
            # Overlap by one small block when the cut falls inside prose rather than at a bold lead-in.
            overlap = (
                i < j < len(atoms) - 1
                and atoms[j + 1].bold_title is None
                and not atoms[j].fence
                and self.count_tokens(text[atoms[j].start : atoms[j].end]) <= self.max_tokens // 4
            )
            i = j if overlap else j + 1
        return pieces


def _section_ids(paths: list[tuple[str, ...]]) -> list[str]:
    """Ids from the heading path without its top-level heading, or with it where two sections would clash."""

    def section_id(path: tuple[str, ...], full: bool) -> str:
        kept = path if full or len(path) == 1 else path[1:]
        return "/".join(slugify(heading) for heading in kept)

    short = [section_id(path, full=False) for path in paths]
    clashes = {s for s, n in Counter(short).items() if n > 1}
    return [section_id(p, full=True) if s in clashes else s for s, p in zip(short, paths, strict=True)]


def markdown_files(directory: Path) -> list[Path]:
    """Every markdown file under `directory`, sorted; a clear error when there is none."""
    if not directory.is_dir():
        raise InvalidRequest(f"knowledge-base folder {str(directory)!r} does not exist; pass an existing folder")
    files = sorted(p for p in directory.rglob("*") if p.suffix.lower() in {".md", ".markdown"} and p.is_file())
    if not files:
        raise InvalidRequest(f"knowledge-base folder {str(directory)!r} holds no markdown (.md) files")
    return files

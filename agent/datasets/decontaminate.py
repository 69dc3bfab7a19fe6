"""Decontamination: generated requests that copy or reword a request of an evaluation set are left out.

Two tests, either enough: a shared run of `NGRAM` words (the usual 13-gram copy test, on lower-cased words), and the
content words (stemmed, without stop and filler words) of the two requests overlapping by Jaccard >= `JACCARD`,
which catches a reworded copy (another order, other articles, a plural). Candidates for the second test come
from an inverted index through each request's rarest words (prefix filtering), so one check costs a few
postings, not a pass over every evaluation request.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import BaseModel, Field

from agent.errors import InvalidRequest
from agent.retrieval.bm25 import terms

NGRAM = 13
JACCARD = 0.8
MIN_WORDS = 3
"""Content words an evaluation request needs before a partial overlap counts (a two-word request matches only
when the words are the same)."""
TEXT_KEYS = frozenset({"prompt", "request", "text", "query", "say", "input", "question", "instruction"})
FILLER = frozenset({"build", "design", "create", "make", "develop", "something", "like", "want", "need", "app"})


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of `text` (what a rewording keeps)."""
    return frozenset(w for w in terms(text) if w not in FILLER)


def _grams(text: str) -> set[int]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    runs = [words[i : i + NGRAM] for i in range(len(words) - NGRAM + 1)]
    return {int.from_bytes(hashlib.blake2b(" ".join(r).encode(), digest_size=8).digest(), "big") for r in runs}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in TEXT_KEYS and isinstance(item, str):
                yield item
            else:
                yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def eval_texts(path: Path) -> Iterator[str]:
    """The requests in one file: JSON/JSONL fields named like a request, or a plain text file's lines."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".jsonl":
        for line in text.splitlines():
            try:
                yield from _strings(json.loads(line))
            except json.JSONDecodeError:
                continue
    elif path.suffix == ".json":
        try:
            yield from _strings(json.loads(text))
        except json.JSONDecodeError:
            return
    elif path.suffix in {".txt", ""}:
        yield from (line.strip() for line in text.splitlines() if line.strip())


def files_of(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the JSON, JSONL and text files under the folders named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".json", ".jsonl", ".txt"})
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidRequest(f"no file or folder to decontaminate against at {str(path)!r}")
    return found


class Match(BaseModel):
    """A generated request left out, the evaluation request it resembles, where that is, and how it matched."""

    prompt: str
    eval_text: str
    source: str
    method: str
    score: float


class DecontaminationReport(BaseModel):
    """What was checked against what, and what was left out."""

    sources: dict[str, int] = Field(default_factory=dict, description="Evaluation requests read, per file.")
    checked: int = 0
    removed: int = 0
    by_method: dict[str, int] = Field(default_factory=dict)
    by_source: dict[str, int] = Field(default_factory=dict)
    examples: list[Match] = Field(default_factory=list)


class Decontaminator:
    """The evaluation requests, indexed by word n-grams and by content words."""

    def __init__(self, paths: Iterable[Path], root: Path | None = None) -> None:
        self.texts: list[tuple[str, str, frozenset[str]]] = []
        self.grams: dict[int, int] = {}
        self.postings: dict[str, list[int]] = {}
        self.report = DecontaminationReport()
        seen: set[str] = set()
        for path in files_of(paths):
            name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
            for text in eval_texts(path):
                if text in seen or not text.strip():
                    continue
                seen.add(text)
                self.report.sources[name] = self.report.sources.get(name, 0) + 1
                number = len(self.texts)
                self.texts.append((name, text, content_words(text)))
                for gram in _grams(text):
                    self.grams.setdefault(gram, number)
        self.frequency = Counter(w for _, _, words in self.texts for w in words)
        for number, (_, _, words) in enumerate(self.texts):
            for word in self._prefix(words):
                self.postings.setdefault(word, []).append(number)

    def _prefix(self, words: frozenset[str]) -> list[str]:
        """The rarest words of a set: any set with Jaccard >= JACCARD shares at least one of them with it."""
        ordered = sorted(words, key=lambda w: (self.frequency.get(w, 0), w))
        return ordered[: len(ordered) - math.ceil(JACCARD * len(ordered)) + 1]

    def match(self, prompt: str) -> Match | None:
        """The evaluation request `prompt` copies or rewords, if any."""
        for gram in _grams(prompt):
            if gram in self.grams:
                source, text, _ = self.texts[self.grams[gram]]
                return Match(prompt=prompt, eval_text=text, source=source, method=f"{NGRAM}-gram", score=1.0)
        words = content_words(prompt)
        if not words:
            return None
        candidates = {n for w in self._prefix(words) for n in self.postings.get(w, ())}
        for number in sorted(candidates):
            source, text, theirs = self.texts[number]
            score = len(words & theirs) / len(words | theirs)
            if score >= JACCARD and (len(theirs) >= MIN_WORDS or words == theirs):
                return Match(prompt=prompt, eval_text=text, source=source, method="content words", score=score)
        return None

    def check(self, prompt: str) -> bool:
        """Whether `prompt` is clean; a match is counted in the report (and kept as an example)."""
        self.report.checked += 1
        found = self.match(prompt)
        if found is None:
            return True
        report = self.report
        report.removed += 1
        report.by_method[found.method] = report.by_method.get(found.method, 0) + 1
        report.by_source[found.source] = report.by_source.get(found.source, 0) + 1
        if len(report.examples) < 20:
            report.examples.append(found)
        return False

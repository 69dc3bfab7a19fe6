"""What experts get wrong (SD070-SD073): a named write bottleneck, credentials hashed that must be reused, global
locks on hot paths, static media in an in-memory cache. Each reads the document's own words and numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check
from agent.rules.roles import roles_of_name
from agent.sizing.capacity import peak_writes_per_second

PRIMARY_WRITES_PER_SECOND = 10_000
"""Roughly what one relational primary takes in small writes (practice/limits-and-pitfalls)."""
SHARDED = re.compile(r"shard|partition|federat|horizontal(ly)? scal(e|ed|ing) (the )?(database|db|writes)|"
                     r"consistent hash|multi[- ]primary|multi[- ]master")  # fmt: skip


@check("SD070")
def write_bottleneck(context: CheckContext) -> Iterator[Violation]:
    relational = [c.name for c in context.document.components
                  if "relational_database" in roles_of_name(c.name, context.knowledge)]  # fmt: skip
    if not relational or "nosql_database" in context.roles or SHARDED.search(context.text):
        return
    rate = peak_writes_per_second(" ".join([context.document.request or "", *context.document.scaling]))
    if rate is not None and rate > PRIMARY_WRITES_PER_SECOND:
        yield Violation(
            f"about {rate:,.0f} writes/s at peak go to one relational primary ({relational[0]}), which takes roughly "
            f"{PRIMARY_WRITES_PER_SECOND:,}: the design's bottleneck",
            subject=relational[0],
        )


_SENTENCES = re.compile(r"[.;\n]+")
REUSED_CREDENTIALS = re.compile(r"(bank|third[- ]party|external|partner|institution|brokerage|financial|provider)"
                                r"[^.;\n]{0,40}(credential|password|login|passcode|pin)")  # fmt: skip
ONE_WAY = re.compile(r"\bhash|bcrypt|scrypt|argon|one[- ]way")


@check("SD071")
def reused_credentials_hashed(context: CheckContext) -> Iterator[Violation]:
    if not REUSED_CREDENTIALS.search(context.text):
        return  # the common case, decided in one pass over the text
    for sentence in _SENTENCES.split(context.text):
        if REUSED_CREDENTIALS.search(sentence) and ONE_WAY.search(sentence):
            yield Violation(f"credentials the system must present elsewhere are stored as one-way hashes: "
                            f"{sentence.strip()[:100]!r}")  # fmt: skip
            return


GLOBAL_LOCK = re.compile(r"\b(global|single|one|central)\s+(lock|mutex|semaphore|critical section)\b|"
                         r"\block(s|ing)?\s+(the\s+)?(whole|entire)\s+(table|database|system|inventory)\b|"
                         r"\bserializ(e|es|ed|ing)\s+all\b")  # fmt: skip


@check("SD072")
def global_lock(context: CheckContext) -> Iterator[Violation]:
    if match := GLOBAL_LOCK.search(context.text):
        yield Violation(f"every request waits on one lock ({match.group(0)!r}): throughput is one holder at a time")


STATIC_MEDIA = re.compile(r"\b(images?|photos?|videos?|thumbnails?|avatars?|static (files?|assets?|content)|media "
                          r"files?|video segments?)\b")  # fmt: skip
IN_MEMORY = re.compile(r"\bredis\b|memcache|memory cache|in[- ]memory")


@check("SD073")
def static_media_in_memory(context: CheckContext) -> Iterator[Violation]:
    if not (IN_MEMORY.search(context.text) and STATIC_MEDIA.search(context.text)):
        return
    for sentence in _SENTENCES.split(context.text):
        if STATIC_MEDIA.search(sentence) and IN_MEMORY.search(sentence) and not re.search(r"\b(ids?|urls?|"
                                                                                        r"metadata|keys?|counts?)\b",
                                                                                        sentence):  # fmt: skip
            yield Violation(f"static media served from an in-memory cache: {sentence.strip()[:100]!r}",
                            add=("CDN",) if not context.has_category("cdn") else ())  # fmt: skip
            return

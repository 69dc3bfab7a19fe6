"""Synthetic requests, one per row index: a frame (the template) with its slots, and what the row is meant to be.

Everything a row holds comes from its own seed, derived from (seed, row index), so any process can make row
`i` without making the rows before it. Subjects are dealt from a deck that holds every pattern, block, product
and outside app, reshuffled per pass: a few hundred rows visit every block (`sysdesign synth` docs).
"""

from __future__ import annotations

import hashlib
import random
import re
from functools import cached_property, lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.brief.descriptions import descriptions
from agent.knowledge import Knowledge, SynthPhrasings
from agent.knowledge.models import BlockSpec
from agent.retrieval.bm25 import terms

LOAD_SHARE, TEAM_SHARE, BUDGET_SHARE, REGION_SHARE, COMPLIANCE_SHARE, TYPO_SHARE = 0.45, 0.3, 0.2, 0.2, 0.2, 0.08
NICHE_LOAD_SHARE = 0.75
"""A niche audience states its load this often: without one the engine assumes the brand's own scale."""


class Load(BaseModel):
    """A stated load: the figure and the unit the engine should read it in."""

    model_config = ConfigDict(frozen=True)

    value: float
    unit: str


class Intended(BaseModel):
    """What a row was generated to be: the labels the engine's reading is audited against."""

    model_config = ConfigDict(frozen=True)

    subject_kind: str
    subject: str
    pattern: str | None = None  # None: not audited (a product or an outside app may read either way)
    also: tuple[str, ...] = ()  # patterns as right as `pattern` (a capability asked alone may be read in its app)
    blocks: tuple[str, ...] = ()
    load: Load | None = None
    team: int | None = None
    budget: int | None = None
    region: str | None = None
    compliance: str | None = None
    audience: str | None = None
    brand: str | None = None
    typo: str | None = None  # the word as it was misspelt


class SynthRequest(BaseModel):
    """A candidate row: its index in the candidate stream, its seed, its template, its text and its labels."""

    model_config = ConfigDict(frozen=True)

    index: int
    seed: int
    template: str
    prompt: str
    intended: Intended

    @cached_property
    def key(self) -> int:
        """A compact hash of the content words, with numbers, the audience and the brand left out: two rows
        with the same key ask for the same thing (64 bits: one collision in ~10^19 pairs)."""
        text = self.prompt.lower()
        for word in (self.intended.audience, self.intended.brand):
            if word:
                text = text.replace(word.lower(), " ")
        words = sorted({"#" if w.isdigit() else w for w in terms(re.sub(r"[\d,.$]+\d", " 0 ", text))})
        digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big")


def row_seed(seed: int, index: int) -> int:
    """The seed of row `index` (63 bits, so it fits an int64 column)."""
    digest = hashlib.blake2b(f"{seed}:{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


class Catalogue:
    """The subjects and words requests are made of, read once from the knowledge and synth.yaml."""

    def __init__(self, knowledge: Knowledge, phrasings: SynthPhrasings) -> None:
        self.knowledge, self.words = knowledge, phrasings
        self.asked: dict[str, list[str]] = {}
        for design, text in descriptions():
            self.asked.setdefault(design, []).append(text)
        self.frames: dict[str, list[str]] = {}
        for frame_id, frame in sorted(phrasings.frames.items()):
            self.frames.setdefault(frame.subject, []).append(frame_id)
        patterns = [p for p in knowledge.pattern_ids if p in phrasings.brandless]
        deck = [("brand", p) for p in patterns for _ in range(2)] + [("pattern", p) for p in patterns]
        deck += [("compose", p) for p in patterns if self._composable(p)]
        deck += [(kind, b) for b in sorted(knowledge.blocks) for kind in ("block", "plain")]
        deck += [("plain", p) for p in patterns if p in self.asked]
        deck += [("product", product.names[0]) for product in knowledge.products]
        deck += [("outside", app) for app in phrasings.outside]
        self.deck = tuple(deck)

    def _composable(self, pattern: str) -> list[str]:
        return sorted(
            b
            for b, spec in self.knowledge.blocks.items()
            if pattern in spec.composes_with and not spec.held_by(pattern) and spec.kind == "capability"
        )

    @lru_cache(maxsize=4)  # noqa: B019 - one catalogue a run; the cache holds a few passes' orders
    def order(self, seed: int, rotation: int) -> tuple[tuple[str, str], ...]:
        """The deck, shuffled for one pass of `seed`."""
        cards = list(self.deck)
        random.Random(row_seed(seed, -1 - rotation)).shuffle(cards)
        return tuple(cards)

    def candidate(self, seed: int, index: int) -> SynthRequest:
        """Row `index` of the candidate stream of `seed` (the same in every process)."""
        own = row_seed(seed, index)
        rng = random.Random(own)
        kind, subject = self.order(seed, index // len(self.deck))[index % len(self.deck)]
        frame_id = rng.choice(self.frames[kind])
        text, labels = self._subject(rng, kind, subject, self.words.frames[frame_id].text)
        labels.update(self._clauses(rng, niche="{audience}" in self.words.frames[frame_id].text))
        if "{audience}" in self.words.frames[frame_id].text:
            labels["audience"] = audience = rng.choice(self.words.audiences)
            text = text.replace("{audience}", audience)
        text = text.replace("{detail}", rng.choice(self.words.details))
        text = _join(text, labels.pop("clauses"), rng)
        if rng.random() < TYPO_SHARE:
            text, labels["typo"] = _typo(text, rng, protect=labels)
        text = text[0].upper() + text[1:] if rng.random() < 0.5 else text
        intended = Intended(subject_kind=kind, subject=subject, **labels)
        return SynthRequest(index=index, seed=own, template=frame_id, prompt=text, intended=intended)

    def _subject(self, rng: random.Random, kind: str, subject: str, frame: str) -> tuple[str, dict]:
        labels: dict[str, Any] = {}
        if kind == "brand":
            brand = rng.choice(self.knowledge.patterns[subject].brands).title()
            labels.update(pattern=subject, brand=brand)
            filled = brand
        elif kind == "pattern":
            labels["pattern"] = subject
            filled = rng.choice(self.words.brandless[subject])
        elif kind in {"block", "plain"} and subject in self.knowledge.blocks:
            spec = self.knowledge.blocks[subject]
            also = {"other", *spec.part_of, *spec.composes_with} & {"other", *self.knowledge.pattern_ids}
            labels.update(pattern=spec.pattern or "other", also=tuple(sorted(also)), blocks=(subject,))
            filled = rng.choice(self.asked[subject]) if kind == "plain" else _with_article(rng.choice(self.names(spec)))
        elif kind == "plain":
            labels["pattern"] = subject
            filled = rng.choice(self.asked[subject])
        elif kind == "compose":
            block = rng.choice(self._composable(subject))
            labels.update(pattern=subject, blocks=(block,))
            filled = rng.choice(self.words.brandless[subject])
            frame = frame.replace("{block}", rng.choice(self.names(self.knowledge.blocks[block])))
        else:  # a product or an app outside the patterns: the subject is the label
            filled = subject.title() if kind == "product" else subject
        return frame.replace("{subject}", filled), labels

    @staticmethod
    def names(spec: BlockSpec) -> list[str]:
        """How people name a block: its name without the parenthesis, and its cue phrases that are nouns."""
        name = re.sub(r"\s*\(.*?\)", "", spec.name)
        names = [name if name[1:2].isupper() else name[0].lower() + name[1:]]
        return names + [cue for cue in spec.strong[:4] if " " in cue and cue.split()[0] not in VERBS]

    def _clauses(self, rng: random.Random, niche: bool) -> dict:
        words, clauses = self.words, []
        labels: dict[str, Any] = {}
        if words.loads and rng.random() < (NICHE_LOAD_SHARE if niche else LOAD_SHARE):
            phrasing, value = rng.choice(words.loads), rng.choice(words.load_values)
            clauses.append(phrasing.text.replace("{n}", _number(value, rng)))
            labels["load"] = Load(value=value, unit=phrasing.unit)
        if words.teams and rng.random() < TEAM_SHARE:
            labels["team"] = size = rng.choice(words.team_sizes)
            clauses.append(rng.choice(words.teams).replace("{n}", str(size)))
        if words.budgets and rng.random() < BUDGET_SHARE:
            labels["budget"] = budget = rng.choice(words.budget_values)
            clauses.append(rng.choice(words.budgets).replace("{n}", f"{budget:,}"))
        for name, options, share in (("region", words.regions, REGION_SHARE),
                                     ("compliance", words.compliance, COMPLIANCE_SHARE)):  # fmt: skip
            if options and rng.random() < share:
                chosen = rng.choice(options)
                labels[name] = chosen.value
                clauses.append(chosen.text)
        rng.shuffle(clauses)
        labels["clauses"] = clauses
        return labels


VERBS = frozenset(
    {
        "design",
        "build",
        "detect",
        "search",
        "aggregate",
        "collect",
        "sync",
        "track",
        "serve",
        "generate",
        "book",
        "find",
        "send",
        "split",
        "friends",
        "near",
    }
)
"""First words that make a cue a sentence, not a name ("design a cdn", "friends near me")."""


def _with_article(phrase: str) -> str:
    """'a rate limiter', 'an online judge'; plurals and mass nouns as they are ('feature flags')."""
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return phrase
    return ("an " if phrase[0].lower() in "aeio" else "a ") + phrase


def _number(value: int, rng: random.Random) -> str:
    """'2,500,000' or '2.5 million': both are how people write loads."""
    if value >= 1_000_000 and rng.random() < 0.5:
        return f"{value / 1_000_000:g} million"
    return f"{value:,}"


def _join(text: str, clauses: list[str], rng: random.Random) -> str:
    """The request with its stated requirements: trailing clauses, or a second sentence."""
    if not clauses:
        return text
    if text.rstrip().endswith((".", "?")) or rng.random() < 0.3:
        return f"{text.rstrip()} Requirements: {'; '.join(clauses)}."
    return f"{text.rstrip('.')} {', '.join(clauses)}"


WORD = re.compile(r"[A-Za-z]{6,}")
"""Words long enough that one slip of the finger leaves them readable."""


def _typo(text: str, rng: random.Random, protect: dict) -> tuple[str, str | None]:
    """`text` with one word misspelt (two letters swapped or one dropped), and that word; never a label's own."""
    kept = " ".join(str(v) for v in protect.values() if isinstance(v, str)).lower()
    words = [m for m in WORD.finditer(text) if m.group().lower() not in kept]
    if not words:
        return text, None
    match = rng.choice(words)
    word, at = match.group(), rng.randrange(1, len(match.group()) - 2)
    wrong = word[:at] + word[at + 1] + word[at] + word[at + 2 :] if rng.random() < 0.5 else word[:at] + word[at + 1 :]
    return text[: match.start()] + wrong + text[match.end() :], word

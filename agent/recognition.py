"""Reading a request: which application pattern it is, which workload traits it has, and its scope.

Keyword evidence (brand names weigh 3, strong cues 2, weak cues 1; misspellings caught by a close match)
is combined with retrieval evidence (how much of the top of the hybrid search belongs to each pattern's
sections) into a score s per pattern, turned into a confidence 1 - exp(-s/2) and discounted by the share
of the runner-up, so that one brand name gives about 0.85 and two patterns of equal weight share it.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

from agent.brief.meaning import kin_of
from agent.evidence import is_lent, lent, meaning_score
from agent.knowledge import Knowledge, ProductSpec, Trait, load_knowledge
from agent.requirements.extract import extract_once
from agent.requirements.reading import scope_signals
from agent.retrieval.bm25 import stem
from agent.schema import OTHER, BlockChoice, Hit, PatternAlternative, PatternChoice, PatternId

_TOKEN = re.compile(r"[a-z0-9+#]+")  # words and numbers; '+' and '#' keep "c++", "disney+"
_NEGATIONS = {"no", "not", "without", "never", "don't", "dont", "skip", "exclude", "excluding"}
WEIGHTS = {"brands": 3.0, "strong": 2.0, "weak": 1.0}
HEAD_BONUS = 0.5
# where the head of a request ends: a clause or a list starts ("X with Y", "X where Y", "X that Y", "X, Y")
_HEAD_END = re.compile(r"\b(?:with|where|that|which|who|whose|and|plus|including|so|for)\b|[,;:.(]", re.IGNORECASE)
RETRIEVAL_WEIGHT = 2.0
MIN_CONFIDENCE = 0.45
SECONDARY_CONFIDENCE = 0.5


@cache
def _cue_tokens(cue: str) -> tuple[str, ...]:
    """Lower-cased, stemmed words of a cue, stop words kept (cues such as 'near me' need them)."""
    return tuple(stem(word) for word in _TOKEN.findall(cue.lower()))


class Words:
    """A request as stemmed tokens (for cues) and raw tokens (for catching misspellings)."""

    def __init__(self, text: str) -> None:
        self.raw = _TOKEN.findall(text.lower())
        self.stems = [stem(word) for word in self.raw]
        self.present = set(self.stems)
        self.by_initial = _by_initial(self.raw)
        self._starts: dict[str, list[int]] | None = None

    def starts(self) -> dict[str, list[int]]:
        """Where each stemmed word occurs, so a phrase is only tried where it could begin."""
        if self._starts is None:
            self._starts = {}
            for i, word in enumerate(self.stems):
                self._starts.setdefault(word, []).append(i)
        return self._starts


def _words_from(stems: list[str], raw: list[str]) -> Words:
    """Words with some of them blanked out (positions kept, so phrases never join across a gap)."""
    words = Words("")
    words.stems, words.raw = stems, raw
    words.present, words.by_initial = set(stems), _by_initial(raw)
    return words


def _by_initial(raw: list[str]) -> dict[str, set[str]]:
    """Words of five letters or more by first letter: the candidates for a misspelling of a cue."""
    table: dict[str, set[str]] = {}
    for word in raw:
        if len(word) >= 5:
            table.setdefault(word[0], set()).add(word)
    return table


@lru_cache(maxsize=1 << 16)  # bounded: every new misspelling is a new key, and a synth run or a server sees millions
def _similar(word: str, cue: str) -> bool:
    """A likely misspelling: same first letter, similar length, SequenceMatcher ratio >= 0.84."""
    if word[0] != cue[0] or abs(len(word) - len(cue)) > 2:
        return False
    return difflib.SequenceMatcher(None, word, cue).ratio() >= 0.84


def _find(cue: str, words: Words, fuzzy: bool, name: bool = False) -> bool:
    """Whether `cue` occurs in `words` as a phrase, not just after a negation. A one-word `name` (a brand or
    product) is not inflected: it must be spelt as it is ("Lago" is not in "Lagos")."""
    target = _cue_tokens(cue)
    if not target:
        return False
    n, stems = len(target), words.stems
    raw_cue = cue.lower()
    for i in words.starts().get(target[0], ()):
        if tuple(stems[i : i + n]) == target and not _NEGATIONS.intersection(words.raw[max(0, i - 2) : i]):
            if name and n == 1 and words.raw[i] not in (raw_cue, f"{raw_cue}'s"):
                continue
            return True
    if fuzzy and n == 1 and len(raw_cue) >= 5 and raw_cue.isalpha():
        # misspellings of a single distinctive word: "twiter", "youtub", "ecomerce", "whatsap"; a name's
        # misspelling is about as long as the name ("prices" is no "pricespy")
        near = words.by_initial.get(raw_cue[0], ())
        return any(_similar(w, raw_cue) and (not name or abs(len(w) - len(raw_cue)) <= 1) for w in near)
    return False


@cache
def _fuzzy_candidates(cues: tuple[str, ...]) -> frozenset[str]:
    """The cues a misspelling can match: single distinctive words of five letters or more."""
    return frozenset(c for c in cues if len(_cue_tokens(c)) == 1 and len(c) >= 5 and c.isalpha())


def matched_cues(cues: Iterable[str], words: Words, fuzzy: bool = False, names: bool = False) -> list[str]:
    """The cues found in `words`, one per distinct stemmed form ('driver' and 'drivers' count once); `names`:
    the cues are brands or products, spelt as they are."""
    cues = tuple(cues)
    fuzzy_ok = _fuzzy_candidates(cues) if fuzzy else frozenset()
    seen, found = set(), []
    for cue in cues:
        key = _cue_tokens(cue)
        # cheap rejection first: most cues share no word with the request and cannot be a misspelling of one
        if not key or key in seen:
            continue
        if key[0] not in words.present and (cue not in fuzzy_ok or cue[0] not in words.by_initial):
            continue  # neither the word nor anything it could be a misspelling of is in the request
        if _find(cue, words, fuzzy, names):
            seen.add(key)
            found.append(cue)
    return found


def _without_phrases(words: Words, phrases: Iterable[str]) -> Words:
    """`words` with the given phrases blanked out, so that 'video' inside 'video call' no longer counts."""
    stems, raw = list(words.stems), list(words.raw)
    starts = words.starts()
    hidden: set[int] = set()  # found on the original words, so overlapping phrases ("broadcast live video") all hide
    for phrase in phrases:
        target = _cue_tokens(phrase)
        for i in starts.get(target[0], ()) if target else ():
            if tuple(words.stems[i : i + len(target)]) == target:
                hidden.update(range(i, i + len(target)))
    for j in hidden:
        stems[j] = raw[j] = ""
    return _words_from(stems, raw)


@dataclass(frozen=True)
class Reading:
    """What a request says, as far as the knowledge base can tell."""

    pattern: PatternChoice
    scores: dict[PatternId, float]
    confidences: dict[PatternId, float]
    secondary: tuple[PatternId, ...]
    traits: dict[Trait, list[str]] = field(default_factory=dict)
    """Each trait with the words that revealed it ('pattern' when the pattern implies it)."""
    products: tuple[ProductSpec, ...] = ()
    """Well-known products outside the five patterns that the request names ("a Spotify clone")."""
    small_scope: list[str] = field(default_factory=list)
    enterprise: list[str] = field(default_factory=list)
    large_scale: list[str] = field(default_factory=list)
    blocks: tuple[BlockChoice, ...] = ()
    """The design building blocks the request needs, most certain first."""


BLOCK_CONFIDENCE = 0.6
MEANING_CHOOSES = 0.6
"""The meaning's confidence at which it chooses a design on its own, cue or none."""
APPLICATION_MEANING = 0.8
"""The meaning's confidence at which it chooses an application with no brand or strong cue."""
MEANING_SURE = 0.8
"""The meaning's confidence at which the design it means is kept beside the ones the request names by a phrase
(a storage platform that takes "multipart uploads" is still a storage platform)."""
MEANING_SUPPORTS = 0.35
"""The meaning's confidence at which it counts as evidence; with the cues and retrieval it may then choose."""
MEANING_WEIGHT = 3.0
"""A sure meaning (confidence 1) weighs as much as a brand name."""


def read_blocks(
    words: Words,
    head: Words,
    hits: Sequence[Hit],
    knowledge: Knowledge,
    meaning: Mapping[str, float] | None = None,
    text: str = "",
) -> tuple[BlockChoice, ...]:
    """Building blocks named by their cues (brands 3, strong 2, weak 1, the head of the request counting more) or
    meant by the request as a whole (`meaning`: calibrated confidence per design), supported by how much of the top
    of the retrieval belongs to each block's chapter. Cues alone need a brand or a strong cue, and the meaning must
    not contradict them; the meaning alone needs MEANING_CHOOSES."""
    if not knowledge.blocks:
        return ()
    total = sum(1 / rank for rank in range(1, len(hits) + 1)) or 1.0
    share: dict[str, float] = {}
    for rank, hit in enumerate(hits, start=1):
        block = knowledge.block_of_chunk(hit.chunk_id)
        if block is not None:
            share[block] = share.get(block, 0.0) + (1 / rank) / total
    found: list[BlockChoice] = []
    doubtful: list[BlockChoice] = []  # meant, but not surely enough to be chosen alone
    named: set[str] = set()  # blocks the request names by a brand or a strong cue
    words = _without_context(words)
    for block_id, spec in knowledge.blocks.items():
        evidence, score = [], 0.0
        for group, weight in WEIGHTS.items():
            cues = getattr(spec, group)
            fuzzy, names = group != "weak", group == "brands"
            here = matched_cues(cues, words, fuzzy=fuzzy, names=names)
            evidence += here
            score += weight * len(here) + HEAD_BONUS * weight * len(matched_cues(here, head, fuzzy, names))
        decisive = any(cue in spec.brands or cue in spec.strong for cue in evidence)
        meant = None if meaning is None else meaning.get(block_id, 0.0)
        if (
            meant is not None
            and decisive
            and _only_single_words(evidence)
            and _incidental(block_id, meaning or {}, knowledge)
            and not _said_as_product(evidence, spec, head, text)
        ):
            decisive = False  # "pan and zoom a map": a word of the block, not what the request means
        if meant is not None and meant >= MEANING_SUPPORTS:
            evidence.append(lent("meaning", f"{meant:.2f}"))  # with the cues and retrieval, the score decides below
        elif not decisive:
            continue
        score += RETRIEVAL_WEIGHT * share.get(block_id, 0.0) + MEANING_WEIGHT * (meant or 0.0)
        confidence = round(1 - math.exp(-score / 2), 2)
        if confidence >= BLOCK_CONFIDENCE:
            found.append(BlockChoice(id=block_id, confidence=confidence, evidence=evidence))
            if decisive:
                named.add(block_id)
        elif meant is not None and meant >= MEANING_SUPPORTS:
            doubtful.append(BlockChoice(id=block_id, confidence=confidence, evidence=evidence))
    if meaning:  # words decide when they can; the meaning confirms or vetoes, and adds only what it means most
        top = max(meaning, key=lambda d: meaning[d])
        named_and_meant = any(meaning.get(b.id, 0.0) >= MEANING_SUPPORTS for b in found if b.id in named)
        named_by_phrase = any(not _only_single_words(b.evidence) for b in found if b.id in named)
        # what it names and also means, or names by a phrase: the rest are neighbours (unless surely meant)
        surely_more = meaning[top] >= MEANING_SURE and all(meaning.get(b.id, 0.0) < meaning[top] for b in found
                                                          if b.id in named)  # fmt: skip
        if (named_and_meant or named_by_phrase) and not surely_more:
            top = ""
        kin = kin_of(knowledge).get(top, frozenset())
        if top and not named:  # what the meant design is built on, meant too ("track prices" crawls pages)
            found += [b for b in doubtful if b.id in kin]
        found = [b for b in found if b.id in named or b.id == top
                 or (not named and (b.id in kin or meaning.get(b.id, 0.0) >= MEANING_CHOOSES))]  # fmt: skip
    return tuple(sorted(found, key=lambda b: -b.confidence))


_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+|;")
_CLAUSES = re.compile(r",|\bbut\b|\bwhile\b|\bwhereas\b|\bexcept\b|[()]", re.IGNORECASE)
_EXCLUSION_HEADING = re.compile(
    r"^\W*(?:out[\s-]+of[\s-]+scope|not\s+in\s+scope|non-?goals?|exclusions?|excluded|not\s+included"
    r"|not\s+covered)\s*(?:here\s*)?[:\u2013\u2014-]",
    re.IGNORECASE,
)
_EXCLUDED = re.compile(
    r"\bout[\s-]+of[\s-]+(?:the\s+|this\s+|our\s+)?scope\b|\bnot\s+(?:in|within|part\s+of)\s+(?:the\s+|this\s+)?"
    r"(?:scope|design|question|problem|exercise|task)\b|\boutside\s+(?:the\s+|this\s+|our\s+)?scope\b"
    r"|\b(?:is|are)\s+(?:excluded|not\s+covered|(?:handled|owned|built|run|provided)\s+(?:by|elsewhere)"
    r"\s*(?:another|a\s+separate|other|the\s+existing|an\s+existing|a\s+different)?)"
    r"|\b(?:already\s+(?:exists?|built|in\s+place)|(?:exists?|is\s+in\s+place)\s+already)\b"
    r"|\bwe\s+(?:do\s+not|don'?t|won'?t|will\s+not)\s+(?:need|build|design|cover|handle)\b|\bno\s+need\s+for\b",
    re.IGNORECASE,
)


def without_excluded(text: str) -> str:
    """`text` less what it says is not being asked for: a sentence that opens with "Out of scope:" or "Non-goals:",
    and a clause that says its subject is out of scope, handled elsewhere or already exists ("the storefront
    itself is out of scope", "payments are handled by another team"). The shop a ranking feature belongs to is
    the context of the request, not the system to design."""
    if not _EXCLUDED.search(text) and not _EXCLUSION_HEADING.search(text):
        return text
    kept = []
    for sentence in _SENTENCES.split(text):
        if _EXCLUSION_HEADING.match(sentence):
            continue
        kept.append(" ".join(c for c in _CLAUSES.split(sentence) if c and not _EXCLUDED.search(c)))
    return ". ".join(part.strip() for part in kept if part.strip())


_A_PART = re.compile(
    r"\b(?:features?|sub-?systems?|components?|modules?|parts?|pieces?|portions?|slices?|bits?|areas?|sections?)\b"
    r"|\b(?!(?:let|it|that|what|here|there|he|she|who|where|how)['’]s)(?-i:[A-Z])[\w&.-]*['’]s\s+\w",  # Uber's surge
    re.IGNORECASE,
)


_ONLY_THIS = re.compile(
    r"\b(?:just|only)\s+(?:(?:need|want|care\s+about|focus\s+on|design|build|cover)\w*\s+)?(?:the|this|that|our)\b"
    r"|\bfocus(?:ing)?\s+(?:only\s+)?on\s+(?:the|this)\b",
    re.IGNORECASE,
)
_REST_EXISTS = re.compile(
    r"\balready\s+(?:exists?|built|in\s+place|running|live|done)\b|\b(?:exists?|in\s+place)\s+already\b"
    r"|\b(?:handled|owned|built|run|covered)\s+(?:by|elsewhere)\s*(?:other|another|a\s+separate|separate|the\s+\w+)"
    r"\s*teams?\b|\bother\s+teams?\s+(?:own|handle|build|run)s?\b|\b(?:the\s+)?rest\s+of\s+the\s+"
    r"(?:app|platform|system|product|site|stack)\b",
    re.IGNORECASE,
)


def designs_a_part(text: str) -> bool:
    """Whether the request asks for one part of an application, not the whole of it: "Design Amazon's sales rank
    by category", "the ranking feature of our shop", "the notification subsystem", "just the matching piece",
    "... the rest of the platform already exists". Part words are read from its head (what it names before its
    first clause), so "a chat app with a file-sharing feature" is still the whole chat app."""
    head = _HEAD_END.split(without_excluded(text).strip(), maxsplit=1)[0]
    return bool(_A_PART.search(head) or _ONLY_THIS.search(text) or _REST_EXISTS.search(text))


_CONTEXT_PREPOSITIONS = {"for", "to", "into", "with", "from", "of", "behind", "in", "on"}
_OWNED = {"our", "my", "their", "existing"}


def _without_context(words: Words) -> Words:
    """`words` less what the request says already exists: "a crawler for our search engine" asks for a crawler,
    not for the search engine it feeds (the three words after "for our", "into the existing", ...)."""
    context = []
    for i, word in enumerate(words.raw[1:], start=1):
        if word in _OWNED and words.raw[i - 1] in _CONTEXT_PREPOSITIONS | {"the", "an"}:
            context.append(" ".join(words.raw[i + 1 : i + 4]))
    return _without_phrases(words, [phrase for phrase in context if phrase]) if context else words


_PROXIMITY = {"near", "nearby", "within", "around"}


_TO_STORE = {"store", "stores", "stored", "storing"}
_STORED_THINGS = {"the", "their", "all", "every", "any", "each", "millions", "billions", "thousands", "hundreds",
                  "data", "files", "it", "them", "a", "an", "and", "in", "up", "user", "users", "large"}  # fmt: skip


def _without_searched_for(words: Words) -> Words:
    """`words` less the things a request searches for by place ("restaurants and shops within 5 km of me") and
    "store" used as a verb ("store millions of repositories" is not a shop)."""
    raw = words.raw
    found = [raw[i - 1] for i in range(1, len(raw)) if raw[i] in _PROXIMITY and raw[i - 1]]
    verbs = [i for i in range(len(raw) - 1) if raw[i] in _TO_STORE and (raw[i + 1] in _STORED_THINGS
             or raw[i + 1].isdigit())]  # fmt: skip
    blanked = _without_phrases(words, found) if found else words
    if not verbs:
        return blanked
    stems, raw = list(blanked.stems), list(blanked.raw)
    for i in verbs:
        stems[i] = raw[i] = ""
    return _words_from(stems, raw)


def _block_heads_request(blocks: Sequence[BlockChoice], head: Words, knowledge: Knowledge) -> bool:
    """The head of the request names a block by a phrase of its own ("a payment system with ...", "sell event
    tickets ..."): that is what is being built, whatever generic words of an application follow."""
    first = head.stems[:1]
    for block in blocks:
        spec = knowledge.blocks[block.id]
        phrases = [cue for cue in (*spec.brands, *spec.strong) if len(_cue_tokens(cue)) > 1 or cue in spec.brands]
        if matched_cues(phrases, head):
            return True
        # an imperative that is the block's own verb: "Crawl 50 million pages ...", "Throttle our API ..."
        if first and any(_cue_tokens(cue) == tuple(first) for cue in spec.strong):
            return True
    return False


def _only_a_style(found: Sequence[str], spec, text: str) -> bool:
    """The pattern's only evidence is a brand used as a style ("Twitter Snowflake-style", "Netflix-like"): the
    request is for the thing that follows, a building block, not the brand's application."""
    brands = [cue for cue in found if cue in spec.brands]
    if not brands or len(brands) != len(found):
        return False
    # "Snowflake-style ids", "Netflix-like", and the possessive "like Amazon's 'customers also bought'"
    return all(re.search(rf"\b{re.escape(brand)}\b(?:[\w\s'-]{{0,25}}?(?:style|like|inspired)\b|'s\b)", text,
                         re.IGNORECASE) for brand in brands)  # fmt: skip


def _decisive(found: Sequence[str], spec) -> bool:
    """Weak cues ('inventory', 'orders', 'streaming') support a pattern but cannot choose it on their own;
    brands, strong cues, named products and a sure meaning can."""
    return any(cue in spec.brands or cue in spec.strong or is_lent(cue, "product") or _sure_meaning(cue)
               for cue in found)  # fmt: skip


def _named_by_words(found: Sequence[str], spec) -> bool:
    """A brand, a strong cue or a named product among the evidence: the words alone chose it."""
    return any(cue in spec.brands or cue in spec.strong or is_lent(cue, "product") for cue in found)


def _sure_meaning(cue: str) -> bool:
    """A meaning sure enough to choose a whole application on its own (an application is broad: "manage the
    office's laptops" is near a shop's inventory without being a shop); a weaker one only supports the words."""
    return (meaning_score(cue) or 0.0) >= APPLICATION_MEANING


INCIDENTAL = 0.1
"""Below this confidence of the meaning, a design's words in the request are incidental to it."""
INCIDENTAL_AGAINST = 0.25
"""Below this, a design's words are incidental when the request surely means another design."""
CLOSEST = 2
"""A design among this many closest in meaning to the request is never incidental to it."""


def _only_single_words(found: Sequence[str]) -> bool:
    """All the evidence is single words ("follow", "zoom"): a phrase ("message broker", "seat map") is specific
    enough that the meaning never overrules it."""
    return all(len(_cue_tokens(cue)) <= 1 for cue in found if not is_lent(cue, "meaning", "product"))


def _incidental(design: str, meaning: Mapping[str, float], knowledge: Knowledge) -> bool:
    """The request as a whole does not mean `design` (nor a design of its kin, "chat" for a messaging app), and it
    is not one of the designs closest to the request: its words are incidental ("follow one request across
    services" is not a social network; "cloud file storage" stays file sync though object storage is closer)."""
    kin = kin_of(knowledge).get(design, frozenset())
    closest = sorted(meaning, key=lambda d: -meaning[d])[:CLOSEST]
    if design in closest or kin.intersection(closest):
        return False
    meant = max([meaning.get(design, 0.0), *(meaning.get(k, 0.0) for k in kin)])
    rival = max((c for d, c in meaning.items() if d != design and d not in kin), default=0.0)
    return meant < INCIDENTAL or (meant < INCIDENTAL_AGAINST and rival >= MEANING_CHOOSES)


def _said_as_product(found: Sequence[str], spec, head: Words, text: str = "") -> bool:
    """The request names the application by its brand, in its head or as what is built ("a Twitter clone",
    "Uber for dog walkers", "... for Twitter"):
    that is what is asked for even when the rest of the words mean something else. A brand used as a style
    ("Netflix-style", "TikTok-level", "Uber's grid") or as a place things go ("results to Slack") is not."""
    if any(is_lent(cue, "product") for cue in found):
        return True  # a named product ("DoorDash clone") is what is asked for
    brands = [cue for cue in found if cue in spec.brands]
    named = matched_cues(brands, head, fuzzy=True, names=True) + [b for b in brands if _built_for(b, text)]
    return any(not _styled(brand, text) for brand in named)


def _built_for(brand: str, text: str) -> bool:
    """The brand is what is built: "... for Twitter", "an app like Uber", "a clone of Airbnb"."""
    return bool(re.search(rf"\b(?:for|like|of)\s+{re.escape(brand)}\b", text, re.IGNORECASE))


# a brand as a style or a measure ("Netflix-style", "TikTok-level", "Facebook's"), or a destination ("to Slack")
_STYLE_AFTER = r"(?:[\s-]*(?:style|like|level|grade|inspired|esque|quality)\b|'s\b|’s\b)"
_PLACE_BEFORE = r"\b(?:to|into|from|in|on|via|with|using|through|onto)\s+"


def _styled(brand: str, text: str) -> bool:
    name = re.escape(brand)
    return bool(re.search(rf"\b{name}{_STYLE_AFTER}|{_PLACE_BEFORE}{name}\b", text, re.IGNORECASE))


def brand_names(knowledge: Knowledge) -> tuple[str, ...]:
    """Every brand and product name the knowledge knows: hidden from the meaning, which they would sway."""
    names = {cue for spec in knowledge.patterns.values() for cue in spec.brands}
    names |= {cue for block in knowledge.blocks.values() for cue in block.brands}
    names |= {name for product in knowledge.products for name in product.names}
    return tuple(sorted(names, key=len, reverse=True))


def without_brands(text: str, knowledge: Knowledge) -> str:
    """`text` with brand and product names replaced by "a product", so that its meaning is that of the rest."""
    names = "|".join(re.escape(name) for name in brand_names(knowledge))
    return re.sub(rf"\b(?:{names})\b", "a product", text, flags=re.IGNORECASE) if names else text


def _retrieval_share(hits: Sequence[Hit], knowledge: Knowledge) -> dict[PatternId, float]:
    total = sum(1 / rank for rank in range(1, len(hits) + 1)) or 1.0
    share: dict[PatternId, float] = dict.fromkeys(knowledge.pattern_ids, 0.0)
    for rank, hit in enumerate(hits, start=1):
        pattern = hit.pattern
        if pattern is None and (block := knowledge.block_of_chunk(hit.chunk_id)) is not None:
            pattern = knowledge.blocks[block].pattern  # the chapter of a pattern's core block counts for it
        if pattern in share:
            share[pattern] += (1 / rank) / total
    return share


def _application_of_named_core(
    blocks: Sequence[BlockChoice], head: Words, knowledge: Knowledge, meaning: Mapping[str, float] | None
) -> PatternId | None:
    """The application whose own core the request names first and surely means ("in-app chat between buyers and
    sellers" is messaging, whatever else the retrieval brought up around it)."""
    cores = [b for b in blocks if knowledge.blocks[b.id].pattern and (meaning or {}).get(b.id, 0.0) >= MEANING_SURE]
    if cores and _block_heads_request(cores[:1], head, knowledge):
        return knowledge.blocks[cores[0].id].pattern
    return None


def _application_named_in_head(
    best: PatternId, evidence: Mapping[PatternId, list[str]], head: Words, knowledge: Knowledge, text: str
) -> PatternId | None:
    """The one application the head of the request names by its own words ("a social network with a built-in
    shop"), when the best reading is another: what is named first is the product, what follows is a feature of
    it."""
    named = []
    for pid, found in evidence.items():
        spec = knowledge.patterns[pid]
        own = [cue for cue in found if cue in spec.brands or cue in spec.strong]
        if matched_cues(own, head, fuzzy=True) and not _only_a_style(own, spec, text):
            named.append(pid)
    return named[0] if len(named) == 1 and best not in named else None


def read_request(
    text: str,
    hits: Sequence[Hit] = (),
    knowledge: Knowledge | None = None,
    scope: bool = True,
    meaning: Mapping[str, float] | None = None,
) -> Reading:
    """Recognise the pattern, traits and scope of a request (`hits`: its retrieval results, when available;
    `meaning`: how surely the request as a whole means each design, from `agent.brief.meaning`)."""
    knowledge = knowledge or load_knowledge()
    known = knowledge.pattern_ids
    said, text = text, without_excluded(text)  # what it asks for; the figures come from all it says
    words = Words(text)
    share = _retrieval_share(hits, knowledge)
    evidence: dict[PatternId, list[str]] = {}
    scores: dict[PatternId, float] = {}
    head = Words(_HEAD_END.split(text, maxsplit=1)[0])
    named_products = [(p, matched_cues(p.names, words, names=True)) for p in knowledge.products]
    products = tuple(p for p, names in named_products if names)
    product_names = [name for _, names in named_products for name in names]
    words = _without_phrases(words, product_names)  # "Google Drive" says nothing about drivers
    words = _without_searched_for(words)  # "shops within 5 km" are what the app finds, not what it is
    words = _without_phrases(words, _technology_phrases(knowledge))  # "Amazon S3" is storage, not a shop
    # looked up once, not per pattern, and only those whose first word is in the request at all
    phrases = [p for p in _multiword_cues(knowledge) if _cue_tokens(p)[0] in words.present and _find(p, words, False)]
    for pid in known:
        spec = knowledge.patterns[pid]
        # a phrase cue of another pattern hides its words from this one ("video call" is not a video platform)
        # and so does a block's phrase, unless the block is this pattern's own core ("chat app" for messaging)
        kin = [spec, *(b for b in knowledge.blocks.values() if b.pattern == pid)]
        own = {cue for item in kin for group in WEIGHTS for cue in getattr(item, group)}
        visible = _without_phrases(words, [p for p in phrases if p not in own])
        found, keyword_score = [], 0.0
        for group, weight in WEIGHTS.items():
            hits_here = matched_cues(getattr(spec, group), visible, fuzzy=group != "weak", names=group == "brands")
            found += hits_here
            keyword_score += weight * len(hits_here)
            # the head of the request names the product ("a social network with a built-in shop")
            keyword_score += HEAD_BONUS * weight * len(matched_cues(hits_here, head, fuzzy=group != "weak"))
        for product in products:  # a named product counts like a cue of its nearest patterns
            if pid in product.nearest:
                found.append(lent("product", product.names[0]))
                keyword_score += product.nearest[pid] * (1 + HEAD_BONUS)
        meant = None if meaning is None else meaning.get(pid, 0.0)
        if meant is not None and meant >= MEANING_SUPPORTS:
            found.append(lent("meaning", f"{meant:.2f}"))
        elif (
            meant is not None
            and found
            and _only_single_words(found)
            and _incidental(pid, meaning or {}, knowledge)
            and not _said_as_product(found, spec, head, text)
        ):
            found = []  # "follow one request across services", "pan and zoom": words of it, not its meaning
            keyword_score = 0.0
        keyword_score += MEANING_WEIGHT * (meant or 0.0)
        evidence[pid] = found
        # retrieval alone (no keyword at all) counts for half: generic prompts retrieve some pattern's sections
        scores[pid] = keyword_score + RETRIEVAL_WEIGHT * share[pid] * (1.0 if found else 0.5)
    ranked = sorted(known, key=lambda pid: -scores[pid])
    confidences: dict[PatternId, float] = {}
    for pid in ranked:
        rival = max((scores[other] for other in known if other != pid), default=0.0)
        saturation = 1 - math.exp(-scores[pid] / 2)
        confidences[pid] = round(saturation * math.sqrt(scores[pid] / (scores[pid] + rival or 1.0)), 2)
    best = ranked[0]
    blocks = read_blocks(Words(text), head, hits, knowledge, meaning, text)  # product names count as cues here
    best = (
        _application_of_named_core(blocks, head, knowledge, meaning)
        or _application_named_in_head(best, evidence, head, knowledge, text)
        or best
    )
    # a block that is the best pattern's own core ("a news feed" for social media) confirms it, never demotes it
    rivals = [  # a capability (multi-tenancy, appointments) is what the application is made of, never its rival
        b
        for b in blocks
        if best != knowledge.blocks[b.id].pattern
        and best not in knowledge.blocks[b.id].composes_with
        and knowledge.blocks[b.id].kind != "capability"
    ]
    block_brands = [cue for b in rivals for cue in b.evidence if cue in knowledge.blocks[b.id].brands]
    only_products = bool(evidence[best]) and all(is_lent(cue, "product") for cue in evidence[best])
    pattern_brands = [cue for cue in evidence[best] if cue in knowledge.patterns[best].brands]
    if rivals and (
        _only_a_style(evidence[best], knowledge.patterns[best], text)
        or (only_products and block_brands)
        or (not pattern_brands and _block_heads_request(rivals, head, knowledge))
        # one stray cue of an application ("picked up") against a block named several ways ("couriers", ...)
        or (not pattern_brands and confidences[best] < 0.5 and any(b.confidence >= 0.85 for b in rivals))
        # the words name a block and nothing of the application: its meaning alone does not outvote them
        or (
            not _named_by_words(evidence[best], knowledge.patterns[best])
            and any(_named_by_words(b.evidence, knowledge.blocks[b.id]) for b in rivals)
        )
    ):
        confidences[best] = min(confidences[best], MIN_CONFIDENCE - 0.01)  # "a Twitter-style id generator"
    if confidences[best] >= MIN_CONFIDENCE and _decisive(evidence[best], knowledge.patterns[best]):
        chosen: PatternId = best
        confidence = confidences[best]
    else:
        # none of the five: confident that it is none of them, but below a recognised pattern's confidence,
        # because the design then rests on general principles only
        chosen, confidence = OTHER, round(min(0.75, 0.2 + 0.6 * (1 - confidences[best])), 2)
    alternatives = [
        PatternAlternative(id=pid, confidence=confidences[pid])
        for pid in ranked
        if pid != chosen and confidences[pid] >= 0.05
    ][:3]
    secondary = tuple(
        pid for pid in ranked
        if pid != chosen and confidences[pid] >= SECONDARY_CONFIDENCE * 0.6 and len(evidence[pid]) >= 1
        and _decisive(evidence[pid], knowledge.patterns[pid])
    )  # fmt: skip
    if chosen != OTHER and _named_by_words(evidence[chosen], knowledge.patterns[chosen]):
        # the words chose the application: a block stays if named, kin, or what the whole request means most
        related = kin_of(knowledge).get(chosen, frozenset())
        top = max(meaning, key=lambda d: meaning[d]) if meaning else None
        top = top if top and (meaning or {})[top] >= MEANING_SURE else None  # not what a brand left over means
        blocks = tuple(b for b in blocks if b.id in related or b.id == top
                       or _named_by_words(b.evidence, knowledge.blocks[b.id]))  # fmt: skip
    if chosen != OTHER and blocks and designs_a_part(said):
        # one part of the application is asked for ("the home feed for our photo app, the rest exists"): the
        # parts are what is designed, the application is their context
        alternatives = [PatternAlternative(id=chosen, confidence=confidence), *alternatives][:3]
        chosen, secondary = OTHER, ()
    core = [b for b in blocks if knowledge.blocks[b.id].pattern == chosen]
    if core and _block_heads_request(core, head, knowledge):
        secondary = ()  # "in-app chat between buyers and sellers" asks for the chat, not for the shop around it
    traits = _traits(words, chosen, secondary, knowledge, blocks)
    for product in products:
        for trait in product.traits:
            traits.setdefault(trait, []).append(lent("product", product.names[0]))
    estimation = knowledge.estimation
    # what the request states (a team of 4, an MVP, 50k requests/s) weighs in on its scope
    # `scope=False` when only the type is wanted (the checker's reading of a document's services)
    stated_small, stated_enterprise, stated_large = scope_signals(extract_once(said), said) if scope else ([], [], [])
    return Reading(
        pattern=PatternChoice(
            id=chosen, confidence=confidence, alternatives=alternatives, evidence=evidence.get(chosen, [])
        ),
        scores={pid: round(score, 3) for pid, score in scores.items()},
        confidences=confidences,
        secondary=secondary,
        traits=traits,
        small_scope=matched_cues(estimation.small_scope_cues, words) + stated_small,
        enterprise=matched_cues(estimation.enterprise_cues, words) + stated_enterprise,
        large_scale=matched_cues(estimation.large_scale_cues, words) + stated_large,
        products=products,
        blocks=blocks,
    )


_PHRASES: dict[int, tuple[str, ...]] = {}
_TECHNOLOGY_PHRASES: dict[int, tuple[str, ...]] = {}


def _technology_phrases(knowledge: Knowledge) -> tuple[str, ...]:
    """Multi-word names of technologies ("amazon s3", "google cloud storage"): a vendor's word inside them says
    nothing about the application."""
    cached = _TECHNOLOGY_PHRASES.get(id(knowledge))
    if cached is None:
        names = {n for t in knowledge.technologies for n in (t.name, *t.aliases) if len(_cue_tokens(n)) > 1}
        cached = _TECHNOLOGY_PHRASES[id(knowledge)] = tuple(sorted(names))
    return cached


def _multiword_cues(knowledge: Knowledge) -> tuple[str, ...]:
    cached = _PHRASES.get(id(knowledge))
    if cached is not None:
        return cached
    # blocks' phrases too: "message" inside "message queue" says nothing about a chat app; but not a capability's:
    # "inventory tracking" is part of a shop, and its words still say shop
    specs = (*knowledge.patterns.values(), *(b for b in knowledge.blocks.values() if b.kind != "capability"))
    cues = {cue for spec in specs for group in WEIGHTS for cue in getattr(spec, group) if len(_cue_tokens(cue)) > 1}
    phrases = _PHRASES[id(knowledge)] = tuple(sorted(cues))
    return phrases


# "near-real-time" dashboards refresh in minutes: no push connection is asked for
SEARCH_SYSTEMS = ("search engine", "search engines", "web search", "search provider", "search backend")
NOT_REAL_TIME = ("near real time", "near realtime", "near real-time")

# traits a secondary pattern lends to a mixed request: its features, not its scale
_SCALE_TRAITS = {"high_availability", "global", "write_heavy", "read_heavy"}


_READINGS: dict[tuple[int, str, bool], Reading] = {}


def read_text(text: str, knowledge: Knowledge | None = None, scope: bool = True) -> Reading:
    """`read_request` without retrieval evidence, memoised (the checker reads the same text many times)."""
    knowledge = knowledge or load_knowledge()
    key = (id(knowledge), text, scope)
    reading = _READINGS.get(key)
    if reading is None:  # a race computes it twice, harmlessly; the local keeps a concurrent clear() safe
        if len(_READINGS) > 1024:
            _READINGS.clear()
        reading = _READINGS[key] = read_request(text, (), knowledge, scope)
    return reading


def remember(text: str, reading: Reading, knowledge: Knowledge, scope: bool = True) -> None:
    """Make `reading` (words, retrieval and meaning) the one `read_text` gives for `text`: the checker then holds
    the design to the same reading the drafter had, and does not read the request a second time."""
    if len(_READINGS) > 1024:
        _READINGS.clear()
    _READINGS[(id(knowledge), text, scope)] = reading


def _traits(
    words: Words,
    pattern: PatternId,
    secondary: Sequence[PatternId],
    knowledge: Knowledge,
    blocks: Sequence[BlockChoice] = (),
) -> dict[Trait, list[str]]:
    found: dict[Trait, list[str]] = {}
    words = _without_phrases(words, NOT_REAL_TIME)
    if not any(b.id == "search_engine" for b in blocks):
        # a search engine the system feeds or sits in front of ("a crawler for a search engine") is its context:
        # the system's own users do not search anything
        words = _without_phrases(words, SEARCH_SYSTEMS)
    for trait, spec in knowledge.traits.items():
        cues = matched_cues(spec.cues, words)
        if cues:
            found[trait] = cues
    for pid in (pattern, *secondary):
        if pid in knowledge.patterns:
            for trait in knowledge.patterns[pid].traits:
                if pid == pattern or trait not in _SCALE_TRAITS:
                    found.setdefault(trait, [lent("pattern", pid)])
    return dict(sorted(found.items()))

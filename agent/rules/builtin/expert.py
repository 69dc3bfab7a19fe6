"""What experts get wrong (SD070-SD077): a named write bottleneck, credentials hashed that must be reused, global
locks on hot paths, static media in an in-memory cache, regulated data stored unencrypted, caches that never
evict, one write primary at a stated availability, messages polled. Each reads the document's own words and
numbers, sentence by sentence, with negations ("not sharded", "without encryption") respected."""

from __future__ import annotations

import re
from collections.abc import Iterator

from agent.requirements.qualities import availability
from agent.rules.builtin.common import NEGATED, sentences, sentences_with
from agent.rules.context import CheckContext
from agent.rules.registry import Violation, check
from agent.rules.roles import roles_in_text, roles_of_name
from agent.sizing.capacity import peak_writes_of, peak_writes_per_second

PRIMARY_WRITES_PER_SECOND = 10_000
"""Roughly what one relational primary takes in small writes (practice/limits-and-pitfalls)."""
SHARDED = re.compile(r"shard|partition|federat|horizontal(ly)? scal(e|ed|ing) (the )?(database|db|writes)|"
                     r"consistent hash|multi[- ]primary|multi[- ]master")  # fmt: skip


RATE_WORDS = re.compile(r"\b(?:per|a|an|each|every)\s+(?:second|sec|minute|min|hour|day|week|month)\b|"
                        r"/\s*(?:s|sec|min|h|day)\b|\b(?:qps|rps|tps|wps)\b")  # fmt: skip
WRITE_VERBS = re.compile(r"\b(?:insert|write|update|upsert|record|store|append|log|save|persist)\w*")
ONE_STORE = re.compile(r"\b(?:one|single|a|the same|lone)\s+(?:[\w-]+\s+){0,2}(?:server|database|db|instance|primary|"
                       r"master|node|cluster|table)\b")  # fmt: skip


def _sentence_write_load(context: CheckContext) -> tuple[float, str] | None:
    """A write rate a sentence sends to one relational store it names ("about 60,000 updates per second, in one
    PostgreSQL database"), whatever else the design has around it."""
    from agent.requirements.extract import extract_once
    from agent.requirements.reading import per_second

    for sentence in sentences_with(context.text, WRITE_VERBS, ONE_STORE):
        if NEGATED.search(sentence):
            continue
        if "relational_database" not in roles_in_text(sentence, context.knowledge) or SHARDED.search(sentence):
            continue
        rates = [r for f in extract_once(sentence).scale if (r := per_second(f)) is not None]
        if rates and max(rates) > PRIMARY_WRITES_PER_SECOND:
            return max(rates), sentence.strip()
    return None


@check("SD070")
def write_bottleneck(context: CheckContext) -> Iterator[Violation]:
    if said := _sentence_write_load(context):
        load, sentence = said
        yield Violation(f"about {load:,.0f} writes/s go to one relational store, which takes roughly "
                        f"{PRIMARY_WRITES_PER_SECOND:,}: {sentence[:100]!r}")  # fmt: skip
        return
    relational = [c.name for c in context.document.components
                  if "relational_database" in roles_of_name(c.name, context.knowledge)]  # fmt: skip
    sharded = any(not NEGATED.search(s) for s in sentences_with(context.text, SHARDED))
    if not relational or "nosql_database" in context.roles or sharded:
        return
    # the rate may be stated anywhere: the request, the scaling notes, what a service does
    brief = context.document.brief
    if brief is not None:  # a draft: its load is its request's, read once in the Brief
        rate = peak_writes_of(brief.requirements.scale)
    else:
        rate = peak_writes_per_second(" ".join([context.document.request or "", *context.document.scaling]))
    if rate is None and brief is None:
        # someone else's document may state its load anywhere (a draft's is its request's, read above): only the
        # sentences that state a rate, the whole document is too much to read for one
        rated = list(sentences_with(context.text, RATE_WORDS, DIGIT))
        rate = peak_writes_per_second(". ".join(rated)) if rated else None
    if rate is not None and rate > PRIMARY_WRITES_PER_SECOND:
        yield Violation(
            f"about {rate:,.0f} writes/s at peak go to one relational primary ({relational[0]}), which takes roughly "
            f"{PRIMARY_WRITES_PER_SECOND:,}: the design's bottleneck",
            subject=relational[0],
        )


REUSED_CREDENTIALS = re.compile(r"(bank|third[- ]party|external|partner|institution|brokerage|financial|provider)"
                                r"[^.;\n]{0,40}(credential|password|login|passcode|pin)")  # fmt: skip
ONE_WAY = re.compile(r"\bhash|bcrypt|scrypt|argon|one[- ]way")


@check("SD071")
def reused_credentials_hashed(context: CheckContext) -> Iterator[Violation]:
    for sentence in sentences_with(context.text, REUSED_CREDENTIALS, ONE_WAY)[:1]:
        yield Violation(f"credentials the system must present elsewhere are stored as one-way hashes: "
                        f"{sentence.strip()[:100]!r}")  # fmt: skip


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
    for sentence in sentences_with(context.text, STATIC_MEDIA, IN_MEMORY):
        if not re.search(r"\b(ids?|urls?|metadata|keys?|counts?)\b", sentence):
            yield Violation(f"static media served from an in-memory cache: {sentence.strip()[:100]!r}",
                            add=("CDN",) if not context.has_category("cdn") else ())  # fmt: skip
            return


DIGIT = re.compile(r"\d")
REGULATED = re.compile(r"\bhipaa\b|\be?phi\b|protected health information|\bgdpr\b|\bpci(?:[- ]dss)?\b|"
                       r"data protection (?:act|law|regulation)")  # fmt: skip
"""A regulation the document states (the data it covers is then regulated): the same ones the drafter reads."""
PCI = re.compile(r"\bpci(?:[- ]dss)?\b")
CARDS = re.compile(r"(?:stor\w*|keep\w*|sav\w*|hold\w*)\s+(?:\w+\s+){0,3}card(?!\s*tokens?)|card ?holder data|"
                   r"card numbers|\bpans?\b")  # fmt: skip
"""Card data the design keeps itself (a token from the gateway is not card data)."""
AT_REST = re.compile(r"encrypt\w*(?:\s+\w+){0,3}\s+at\s+rest|at[- ]rest\s+(?:with\s+)?encrypt|\bkms\b|key management|"
                     r"\btde\b|transparent data encryption|aes[- ]?256|encrypted\s+(?:\w+\s+)?(?:volumes?|disks?|"
                     r"storage|database|db|columns?|fields?|backups?|buckets?|ebs|snapshots?)|(?:field|column|"
                     r"application)[- ]level encryption|envelope encryption|server[- ]side encryption|"
                     r"sse-(?:s3|kms)")  # fmt: skip
UNPROTECTED = re.compile(r"\bunencrypted\b|plain[- ]?text|\bin (?:the )?clear\b|(?:no|not|never|without|skip\w*)\s+"
                         r"(?:[\w-]+\s+){0,3}(?:encrypt\w*|disk encryption)")  # fmt: skip


@check("SD074")
def regulated_data_unencrypted(context: CheckContext) -> Iterator[Violation]:
    text = context.text  # it starts with the request
    regulation = REGULATED.search(text)
    if regulation is None:
        return
    if regulation.group(0).startswith("pci") and not REGULATED.search(PCI.sub("", text)) and not CARDS.search(text):
        return  # PCI alone and no card data kept: the gateway holds the cards (tokenisation)
    if any(not UNPROTECTED.search(s) for s in sentences_with(text, AT_REST)):
        return
    said = next((s.strip() for s in sentences_with(text, UNPROTECTED) if "password" not in s), None)
    where = f": {said[:100]!r}" if said else ": no store is said to be encrypted"
    yield Violation(f"{regulation.group(0)} data is stored without encryption at rest{where}")


MAX_NAMED = 50
"""Parts looked for by name in each sentence: beyond this many, the words alone (the check stays linear)."""
CACHE_WORDS = re.compile(r"cach(?:e|es|ed|ing)\b|\bredis\b|memcache\w*|in[- ]memory")
NEVER_EXPIRES = re.compile(
    r"never (?:expire|evict|drop|remove|delete|purge)\w*|no (?:ttls?|expiry|expiration|eviction|time[- ]to[- ]live)|"
    r"without (?:an? )?(?:ttl|expiry|expiration|eviction|time[- ]to[- ]live)|"
    r"nothing is (?:ever )?(?:removed|evicted|deleted|dropped|expired)|"
    r"\b(?:forever|indefinitely|for ever|permanently)\b|noeviction|(?:don'?t|do not|never) (?:expire|evict)|not expired"
)
BOUNDED_MEMORY = re.compile(r"\d+\s*(?:gb|gib|mb|mib)\b|limited memory|fixed (?:memory|size)|memory[- ]bound")
EVICTS = re.compile(r"\bttls?\b|expir|evict|\blru\b|\blfu\b|maxmemory|time[- ]to[- ]live|least[- ]recently[- ]used|"
                    r"least[- ]frequently|discard|lapse|purge|ages? out|aged out|invalidat")  # fmt: skip


@check("SD075")
def cache_without_eviction(context: CheckContext) -> Iterator[Violation]:
    names = [c.name.lower() for c in context.document.components
             if "cache" in roles_of_name(c.name, context.knowledge)][:MAX_NAMED]  # fmt: skip
    if not names and not CACHE_WORDS.search(context.text):
        return

    def about_cache(sentence: str) -> bool:  # its own words, or the name of a part that plays the cache ("EVCache")
        return bool(CACHE_WORDS.search(sentence)) or any(n in sentence for n in names)

    if said := next((s for s in sentences_with(context.text, NEVER_EXPIRES) if about_cache(s)), None):
        yield Violation(f"cache entries are never expired or evicted: {said.strip()[:100]!r}")
    elif (
        bounded := next((s for s in sentences_with(context.text, BOUNDED_MEMORY) if about_cache(s)), None)
    ) and not EVICTS.search(context.text):
        yield Violation(f"a cache of bounded memory with no TTL or eviction policy anywhere: {bounded.strip()[:100]!r}")


HIGH_AVAILABILITY = 99.9
ONE_PRIMARY = re.compile(r"\b(?:single|one|lone|only)\s+(?:\w+\s+){0,2}(?:primary|master|instance|database|db)\b|"
                         r"restor\w*\s+(?:\w+\s+){0,3}(?:backups?|snapshots?)|\bno\s+(?:\w+\s+)?(?:replicas?|"
                         r"standby|failover)")  # fmt: skip
FAILOVER = re.compile(r"fail[- ]?over|standby|replica|multi[- ]az|high[- ]availability|\bpatroni\b|orchestrator|"
                      r"group replication|promot\w+|always ?on|galera|raft|quorum|cockroach|spanner|aurora|"
                      r"cassandra|dynamodb")  # fmt: skip


DATABASE_ROLES = frozenset({"relational_database", "nosql_database"})


def _parts_named(sentence: str, context: CheckContext) -> list[str]:
    """The design's components a (lowercased) sentence names."""
    return [c.name for c in context.document.components if c.name.lower() in sentence]


def _about_other_stores(sentence: str, context: CheckContext) -> bool:
    """The sentence names stores of the design, and none of them is a database."""
    named = _parts_named(sentence, context)
    return bool(named) and not any(roles_of_name(name, context.knowledge) & DATABASE_ROLES for name in named)


@check("SD076")
def single_primary_without_failover(context: CheckContext) -> Iterator[Violation]:
    stated = availability(context.text)  # the request's (the text starts with it), or an SLA said anywhere
    if stated is None and context.document.requirements is not None:
        targets = [n.target for n in context.document.requirements.non_functional if n.name == "availability"]
        stated = availability(targets[0]) if targets else None
    if stated is None or stated < HIGH_AVAILABILITY:
        return
    # a sentence about one database (a restore of an object store's backups is no write primary)
    single = next((s for s in sentences_with(context.text, ONE_PRIMARY) if not _about_other_stores(s, context)), None)
    if single is None:
        return
    said_all = sentences(context.text)
    # a standby said of another store does not cover this one: the failover must be said of a store this
    # sentence names (or, when it names none, anywhere)
    stores = [name.lower() for name in _parts_named(single, context)][:MAX_NAMED]
    about = [s for s in said_all if not stores or any(name in s for name in stores)]
    if any(FAILOVER.search(s) and not NEGATED.search(s) for s in about):
        return
    yield Violation(f"{stated:g}% availability is stated, but one database primary takes the writes with no "
                    f"standby or failover: {single.strip()[:100]!r}")  # fmt: skip


MESSAGING = re.compile(r"\bchat\w*|\bmessag\w*|\bdms?\b|direct messages?|\binbox\b")
POLLS = re.compile(r"\bpoll\w*|every\s+(?:few\s+|couple\s+of\s+)?[\d.]*\s*[- ]?(?:ms|s|secs?|seconds?|minutes?)\b|"
                   r"on an? (?:[\w-]+\s+)?timer|\d+[- ](?:second|minute) (?:interval|timer|loop)|periodically|"
                   r"asks? (?:the server |the api )?for new|"
                   r"refresh\w* (?:the )?(?:inbox|conversation|messages)")  # fmt: skip
PUSHED = re.compile(r"long[- ]?poll|websocket|server[- ]sent|\bsse\b|\bmqtt\b|\bxmpp\b|persistent connection|"
                    r"socket\.io|push(?:es|ed)? (?:each|every|new)? ?messages?")  # fmt: skip


@check("SD077")
def messages_polled(context: CheckContext) -> Iterator[Violation]:
    chat = context.pattern.id == "messaging" or any(b.id == "chat" for b in context.blocks)
    # any chat the design has, the whole product's or one feature's
    for sentence in sentences_with(context.text, MESSAGING, POLLS):
        if not PUSHED.search(sentence):
            yield Violation(f"clients poll for new messages: {sentence.strip()[:100]!r}")
            return
    if chat and "realtime" not in context.roles and not PUSHED.search(context.text):
        yield Violation("a messaging design with no persistent connection (WebSocket, MQTT, XMPP) to push messages")

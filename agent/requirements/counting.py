"""Counted nouns as a request writes them: a number and the noun it counts, found by English number agreement, not
by a list of nouns: after a number above one comes a noun phrase whose head is plural ("15 apps", "2,000 staff";
"the iPhone 15 app" counts nothing). Also one of something with a period ("each meter sends one reading an
hour"), rate notation ("500 msg/s") and the noun said first ("a user base of 40,000"). A bare quantifier
("several people") counts nothing. What the counts mean (users, loads, populations) is read in `loads.py`.

The time vocabulary (periods and their seconds) lives here too: every reader of counts needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.compiled_patterns import compile_pattern
from agent.requirements.nouns import is_measure, is_person, is_plural, plural, singular, words
from agent.requirements.numbers import NUMBER, is_figure, parse_number

SECONDS = {
    "second": 1,
    "minute": 60,
    "hour": 3_600,
    "day": 86_400,
    "week": 604_800,
    "month": 2_592_000,
    "year": 31_536_000,
}
"""A month is 30 days, a year 365: the usual back-of-the-envelope convention."""
TIME_UNIT = r"(?P<unit>seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|days?|d|weeks?|wk|months?|mo|years?|yr)\b"
"""A unit of time as requests abbreviate it, a regular expression part with the group `unit`."""
# "a year after launch", "a week ago": a point in time, not a rate; only "a"/"an" can say it ("2,000 orders per
# hour after launch" is a rate)
_NOT_A_POINT = r"(?!\s+(?:after|later|ago|before|since|into)\b)"
PERIOD = (  # "per second", "a month", "/s", "each day", "daily", "monthly", "per sec"
    rf"(?:(?:(?P<article>a|an)\s+|(?:per|each|every)\s+|/\s*){TIME_UNIT}(?(article){_NOT_A_POINT})"
    r"|(?P<adverb>daily|weekly|monthly|yearly|annually|hourly|nightly)\b)"
)
UNIT_NAMES = {
    "sec": "second",
    "s": "second",
    "min": "minute",
    "hr": "hour",
    "h": "hour",
    "d": "day",
    "wk": "week",
    "mo": "month",
    "yr": "year",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "yearly": "year",
    "annually": "year",
    "hourly": "hour",
    "nightly": "day",
}

# the common workloads, in the units sizing knows: noun phrase → (canonical unit, kind)
NOUNS: dict[str, tuple[str, str]] = {
    r"daily active users|daily users|daily actives|daus?": ("daily active users", "users"),
    r"monthly active users|monthly users|monthly actives|maus?": ("monthly active users", "mau"),
    r"weekly active users|weekly users|weekly actives|waus?": ("weekly active users", "users"),
    (
        r"concurrent (?:users|connections|viewers|players|streams|sessions)|simultaneous (?:users|connections)"
        r"|open connections|websocket connections|connections"
    ): ("concurrent connections", "concurrent"),
    (
        r"(?:active )?(?:users|people|customers|members|subscribers|visitors|accounts|patients|students|employees"
        r"|shoppers|players|riders|drivers|listeners|viewers|creators|sellers|buyers)"
    ): ("users", "users"),
    r"(?:api )?requests|queries|api calls|calls|hits|qps|rps|lookups|reads|redirects": ("requests", "request"),
    r"writes|transactions|tps|orders|bookings|reservations|payments|purchases|checkouts|trades": ("writes", "write"),
    r"(?:new |short(?:ened)? )?(?:urls|links)(?: created| shortened)?|pastes|shortened urls": ("new links", "write"),
    r"(?:web )?pages(?: crawled| fetched| indexed)?|documents crawled|sites crawled": ("pages", "event"),
    r"messages|chats|texts|notifications|emails|push notifications|sms": ("messages", "event"),
    (
        r"events|clicks|page views|pageviews|impressions|log lines|logs|log events|metrics|data points|samples"
        r"|telemetry points"
    ): ("events", "event"),
    r"uploads|(?:new )?videos|photos|images|files|posts|tweets|comments|uploaded files": ("uploads", "write"),
    r"rides|trips|deliveries|jobs|tasks|searches|tickets": ("jobs", "event"),
}
_FAMILY = compile_pattern(rf"(?:{'|'.join(f'(?:{p})' for p in NOUNS)})\b", re.IGNORECASE)
FILLERS = words("""
    new active unique incoming outgoing total distinct registered paying more additional extra individual
    separate different recurring returning expected estimated
""")
CONCURRENT = frozenset({"concurrent", "simultaneous", "concurrently", "simultaneously"})
STOP = words("""
    a an the per each every in on at for to from with by of across over during within and or but nor that
    which who whom whose we they it i you he she is are was were be been being will would should can could
    must may might do does did have has had than so as if when while then there this these those our their my
    your its his her us them me all any some no not only just about around up down out into onto via like plus
    also too very most more less least once twice times x
""")
# a number where a count can start: not inside a word, a version, a ratio, a path, a price or a year
NUMBER_AT = compile_pattern(rf"(?<![\w.^:/$€£¥₹#-]){NUMBER}(?![\w%:/]|\.\d)", re.IGNORECASE)
_WORD = compile_pattern(r"\s*([A-Za-z][\w'-]*)")
_YEAR = compile_pattern(r"(?:19|20)\d\d")
_YEAR_BEFORE = compile_pattern(r"\b(?:in|by|since|until|till|from|before|after|of|during|year)\s*$", re.IGNORECASE)


# "9k concurrent at peak": concurrency with its noun left unsaid (a noun after it is read as a phrase first)
ALONE_CONCURRENT = compile_pattern(r"\s+(?:concurrent|simultaneous)(?:ly)?\b", re.IGNORECASE)
CONCURRENT_MEANING = ("concurrent connections", "concurrent")


@dataclass(frozen=True)
class Count:
    """One counted noun as the request wrote it: the number, the noun phrase and the words after it."""

    value: float
    noun: str
    start: int
    end: int
    note: str | None
    family: tuple[str, str] | None


def period_of(match: re.Match[str]) -> str | None:
    """The period a `PERIOD` match names ("a day" → "day", "hourly" → "hour")."""
    unit = match.group("unit") or match.group("adverb")
    if not unit:
        return None
    unit = unit.lower()
    return UNIT_NAMES.get(unit, unit.rstrip("s") if unit.rstrip("s") in SECONDS else unit)


def _phrase(text: str, at: int) -> tuple[str, int] | None:
    """The counted noun phrase starting at `at`: modifiers, then the plural head (and plural words after it)."""
    words: list[str] = []
    end = at
    head_seen = False
    for _ in range(5):
        match = _WORD.match(text, end)
        if not match:
            break
        word = match.group(1)
        lower = word.lower()
        if lower in STOP and not (not words and lower == "of"):
            break
        if head_seen and (not is_plural(lower) or singular(words[-1]) != words[-1].lower()):
            break  # after a regular plural ("kiosks") an -s word is a verb ("pings"); "staff members" goes on
        if lower != "of":
            words.append(word)
            head_seen = head_seen or (is_plural(lower) and lower not in FILLERS and lower not in CONCURRENT)
        end = match.end()
    while words and not is_plural(words[-1].lower()):
        words.pop()
    if not words:
        return None
    last = text.lower().rfind(words[-1].lower(), at, end + 1)
    return " ".join(words), last + len(words[-1])


# one of something, then a period: "each meter sends one reading an hour", "a heartbeat per minute"; a singular
# noun agrees with one, and the period makes it a rate ("one city" alone counts nothing)
ONE_PER = compile_pattern(
    r"(?<![\w.^:/$€£¥₹#-])(?P<number>a\s+single|an?|one|1)\s+"  # one
    r"(?P<noun>(?:[A-Za-z][\w-]*\s+){0,2}?[A-Za-z][\w-]*)"  # its noun: "reading", "new reading", "status update"
    rf"(?=\s*{PERIOD})",  # and a period right after
    re.IGNORECASE,
)


def _ones(text: str) -> list[Count]:
    """Counts of one with a period ("one reading an hour"), in the plural unit a count of many would have."""
    found = []
    for match in ONE_PER.finditer(text):
        said = match.group("noun").split()
        if any(w.lower() in STOP for w in said) or is_measure(said[-1]) or is_plural(said[-1]):
            continue
        noun = " ".join([*said[:-1], plural(said[-1])])
        family = _FAMILY.fullmatch(noun)
        meaning = next((m for p, m in NOUNS.items() if re.fullmatch(p, noun, re.IGNORECASE)), None) if family else None
        found.append(Count(1.0, noun, match.start(), match.end(), None, meaning))
    return found


ABBREVIATIONS = {
    "req": "requests", "reqs": "requests", "msg": "messages", "msgs": "messages", "op": "operations",
    "ops": "operations", "evt": "events", "evts": "events", "txn": "transactions", "txns": "transactions",
    "tx": "transactions", "doc": "documents", "docs": "documents", "rec": "records", "recs": "records",
    "q": "queries", "pkt": "packets", "pkts": "packets", "conn": "connections", "conns": "connections",
    "img": "images", "imgs": "images", "pv": "page views", "pvs": "page views",
}  # fmt: skip
"""Nouns shortened before a slash in rate notation ("500 msg/s", "2k req/min")."""
# a noun, maybe shortened, in rate notation: "500 msg/s", "2k req/min", "40 orders/hour"
SLASHED = compile_pattern(rf"\s*(?P<abbr>[A-Za-z]{{1,12}})\s*/\s*{TIME_UNIT}", re.IGNORECASE)
_BANDWIDTH = compile_pattern(r"[kmgtp]?i?(?:b|bit|byte)s?|fps|rpm|bpm|mph|kph", re.IGNORECASE)
# a count named before its number: "a user base of 40,000", "DAU of about 50k", "expected users: 40k", "an audience
# of 2 million", "the number of orders is 5k a day"; the noun leads, a link word or sign joins it to the number
LEAD = compile_pattern(
    r"\b(?:(?P<base>[A-Za-z]+)[- ]?(?:base|count|population|numbers)"  # user base, customer count
    r"|(?P<group>audience|readership|membership|headcount|workforce|community|following)"  # an audience
    r"|number\s+of\s+(?P<of>[\w-]+(?:\s+[\w-]+)?)"  # the number of users
    r"|(?P<label>[A-Za-z][\w-]*)(?=\s*[:=])"  # a label: "sensors: 10k", "stores = 300"
    rf"|(?P<family>{'|'.join(f'(?:{p})' for p in NOUNS)}))"  # users, DAU
    r"\s*(?:(?:of|is|are|will\s+be|at|around|about|approximately|roughly|(?:to\s+)?(?:reach|hit|top|exceed)\w*"
    r"|numbering|totall?ing|in\s+the\s+region\s+of|=|:|~|≈)\s*)+"  # of, is, :, ~
    rf"(?<![\w.]){NUMBER}(?![\w%:/]|\.\d)",
    re.IGNORECASE,
)


def _slashed(text: str, match: re.Match[str], value: float, note: str | None) -> Count | None:
    """A count in rate notation ("500 msg/s"), its noun spelled out."""
    slashed = SLASHED.match(text, match.end())
    if slashed is None:
        return None
    abbr = slashed.group("abbr").lower()
    if is_measure(abbr) or _BANDWIDTH.fullmatch(abbr):
        return None  # "5 GB/s", "120 km/h": a measure, not a count
    noun = ABBREVIATIONS.get(abbr) or plural(abbr)
    meaning = next((m for p, m in NOUNS.items() if re.fullmatch(p, noun, re.IGNORECASE)), None)
    return Count(value, noun, match.start(), slashed.start("unit") - 1, note, meaning)


def _leads(text: str) -> list[Count]:
    """Counts whose noun comes before the number ("a user base of 40,000")."""
    found = []
    for match in LEAD.finditer(text):
        parsed = parse_number(match.group("number"))
        if parsed is None or not is_figure(match.group("number")):
            continue
        if base := match.group("base"):
            if not (is_person(base) or _FAMILY.fullmatch(plural(base))):
                continue  # "a database of 40,000" names no one
            noun = plural(base)
        elif label := match.group("label"):
            if not is_plural(label) or is_measure(label) or label.lower() in STOP:
                continue  # "version: 2", "uptime: 99.9": a label that counts nothing
            noun = label.lower()
        else:
            noun = "people" if match.group("group") else (match.group("of") or match.group("family"))
        meaning = next((m for p, m in NOUNS.items() if re.fullmatch(p, noun, re.IGNORECASE)), None)
        found.append(Count(parsed.value, noun, match.start(), match.end(), parsed.note, meaning))
    return found


def counts(text: str) -> list[Count]:
    """Every number followed by something counted, in the order written (a bare "several" or "a few" is no
    number: it says there are some, not how many)."""
    found = []
    fillers = compile_pattern(rf"\s+(?:of\s+)?(?:(?:{'|'.join(sorted(FILLERS))})\s+){{0,2}}", re.IGNORECASE)
    for match in NUMBER_AT.finditer(text):
        number = match.group("number")
        if _YEAR.fullmatch(number) and _YEAR_BEFORE.search(text[: match.start()]):
            continue
        if not is_figure(number):
            continue
        parsed = parse_number(number)
        value, note = (parsed.value, parsed.note) if parsed else (-1.0, None)
        if slashed := _slashed(text, match, value, note):
            found.append(slashed)
            continue
        gap = fillers.match(text, match.end())
        if gap is None:
            continue  # "2FA", "5G": a number fused to a word is a name
        family = _FAMILY.match(text, gap.end())
        if family:
            noun = family.group(0)
            meaning = next(m for p, m in NOUNS.items() if re.fullmatch(p, noun, re.IGNORECASE))
            found.append(Count(value, noun, match.start(), family.end(), note, meaning))
        elif (phrase := _phrase(text, match.end())) is not None and not is_measure(phrase[0]):
            found.append(Count(value, phrase[0], match.start(), phrase[1], note, None))
        elif alone := ALONE_CONCURRENT.match(text, match.end()):  # "9k concurrent at peak": the noun left unsaid
            found.append(Count(value, "concurrent users", match.start(), alone.end(), note, CONCURRENT_MEANING))
    taken = [(c.start, c.end) for c in found]
    found += [one for one in _ones(text) if not any(s <= one.start < e for s, e in taken)]
    # a noun before the number only where no noun follows it: "an audience of 2 million listeners" is listeners
    found += [lead for lead in _leads(text) if not any(lead.start <= s < lead.end for s, _ in taken)]
    return sorted(found, key=lambda c: c.start)

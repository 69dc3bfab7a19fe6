"""Qualities and conditions said in words: latency ("p99 under 100 ms", "under a second", "within a couple of
seconds"), availability ("99.99%", "four nines"), spikes, offline use ("no signal in the mountains", "spotty
wifi in the warehouse"), and correctness under a network partition ("must never double-book, even if the
network splits", "stale balances are fine").

Offline use and partitions are read by combining two kinds of words in one clause (a connection word and a
word for its absence; a partition word and a word for correctness or for staying up), not by listing phrasings.
"""

from __future__ import annotations

import re
from typing import Literal

from agent.compiled_patterns import compile_pattern
from agent.requirements.numbers import NUMBER, parse_number

LATENCY = compile_pattern(  # "p99 under 100 ms", "latency below 50ms", "< 200 ms", "within 2 seconds", "under a second"
    r"(?P<pct>p\d{2,3}(?:\.\d)?)?[^.\n]{0,30}?(?:under|below|less\s+than|within|<=?|at\s+most|no\s+more\s+than"
    r"|max(?:imum)?|in\s+(?:well\s+)?under|faster\s+than|no\s+longer\s+than)\s*(?:(?P<half>half\s+an?"
    rf"|(?:a|one|three)\s+quarters?\s+of\s+an?|(?:a|one|two)\s+thirds?\s+of\s+an?)|{NUMBER}|(?P<a>an?))\s*"
    r"(?P<unit>ms|milli-?seconds?|s|secs?|seconds?|minutes?|mins?)\b"
    r"|(?P<sub>sub-?second|real-?time\s+latency|instant(?:ly|aneous(?:ly)?)?|near[- ]instant\w*|split[- ]second)",
    re.IGNORECASE,
)
LATENCY_WORDS = compile_pattern(  # what every LATENCY match holds: a one-pass test before its costly search
    r"under|below|less\s+than|within|<|at\s+most|no\s+more\s+than|max|faster\s+than|no\s+longer\s+than"
    r"|sub-?second|real-?time\s+latency|instant|split[- ]second",
    re.IGNORECASE,
)
_TIME_UNIT = r"(?P<unit>ms|milli-?seconds?|s|secs?|seconds?|minutes?|mins?)\b"
# a time said to be a latency without "under": "300 ms or less", "200ms p95", "a 300 ms latency budget", "p99 of
# 200 ms", "response time: 1 s", "pages load in 2 seconds"
LATENCY_SAID = [
    compile_pattern(
        rf"(?<![\w.]){NUMBER}\s*{_TIME_UNIT}\s+(?:or\s+(?:less|faster|better|quicker|lower)"
        r"|at\s+(?:the\s+)?(?:most|p\d{2,3})|p\d{2,3}|(?:p\d{2,3}\s+)?(?:latency|response(?:\s+time)?)\s+"
        r"(?:budget|target|goal|sla|slo|ceiling|limit))",
        re.IGNORECASE,
    ),
    compile_pattern(
        r"\b(?:p\d{2,3}(?:\s+latency)?|latency|response\s+times?|round[- ]trip(?:\s+time)?)\s*(?:of|:|=|at|is|should"
        r"\s+be|must\s+be|(?:target|budget|goal)\s+(?:of|is))\s*(?:(?:about|around|roughly)\s+|~\s*)?"
        rf"{NUMBER}\s*{_TIME_UNIT}",
        re.IGNORECASE,
    ),
    compile_pattern(
        rf"\b(?:respond|load|return|answer|render|reply|replies|appear|come\s+back|show\s+up)\w*\s+in\s+"
        rf"(?:(?:about|around|roughly)\s+)?{NUMBER}"
        rf"\s*{_TIME_UNIT}",
        re.IGNORECASE,
    ),
]
# a latency is about responses, not a deadline or a session: "within 2 minutes" of a "launch" is no latency
FRACTIONS = {"half": 0.5, "three": 0.75, "quarter": 0.25, "two": 2 / 3, "third": 1 / 3}
"""Fractions of a unit of time, by the word that decides them ("three quarters" before "quarter")."""
NOT_LATENCY = compile_pattern(
    r"\b(?:launch|deadline|weeks?|months?|ship|deliver(?:ed|y)?\s+(?:in|within)|walk|drive"
    r"|timeout|expire\w*|session)\b",
    re.IGNORECASE,
)
AVAILABILITY = compile_pattern(  # "99.99%", "99.9% uptime", "four nines", "5 nines"
    r"(?P<pct>9\d(?:\.\d+)?)\s*(?:%|percent\b|per\s+cent\b|pct\b)(?!\s*(?:read|write|of))"
    r"|(?P<nines>two|three|four|five|2|3|4|5)\s+nines",
    re.IGNORECASE,
)
NINES = {"two": 99.0, "three": 99.9, "four": 99.99, "five": 99.999, "2": 99.0, "3": 99.9, "4": 99.99, "5": 99.999}
SPIKES = compile_pattern(
    r"\b(?:traffic spikes?|spiky|bursty|bursts? of traffic|flash sales?|black friday|cyber monday|peak (?:hours|traffic"
    r"|season|times?)|(?:sudden|huge|massive|big) (?:spikes?|surges?|peaks?|rush(?:es)?)|surges?|on-?sales?"
    r"|ticket drops?|viral|rush hours?|thundering herd)\b",
    re.IGNORECASE,
)
# offline: a connection word and its absence in one clause
_CONNECTION = (
    r"(?:signal|internet|connection|connectivity|network|reception|coverage|wi-?fi|wifi|cell(?:ular)?"
    r"|mobile data|data connection|4g|5g|3g|lte|online|broadband|uplink)"
)
_ABSENT = (
    r"(?:no|without|zero|poor|spotty|patchy|flaky|unreliable|intermittent|limited|bad|weak|little|lost|lose"
    r"|loses|losing|drops?|dropping|dead|down|out|unavailable|offline|not\s+always|isn't\s+always"
    r"|is\s+not\s+always|can't\s+rely\s+on|cannot\s+rely\s+on|sporadic|spotty|slow)"
)
OFFLINE = compile_pattern(
    rf"\b(?:{_ABSENT})\s+(?:\w+\s+){{0,2}}?{_CONNECTION}\b"  # "no signal", "spotty wifi"
    rf"|\b{_CONNECTION}\s+(?:\w+\s+){{0,3}}?(?:{_ABSENT})\b"  # "the network is down", "connection drops"
    r"|\boffline(?:[- ]first|[- ]capable|[- ]mode|[- ]support)?\b|\bdead\s+zones?\b|\bairplane\s+mode\b"
    r"|\bsync\w*\s+(?:\w+\s+){0,3}?(?:back\s+online|reconnect\w*|connection\s+returns|when\s+(?:they|it)\s+can)\b",
    re.IGNORECASE,
)
# a partition and which side of CAP the request takes. A partition is a link between parts of the system and its
# loss in one clause ("the link between our sites drops", "the WAN to the warehouse fails"), or parts that lose
# each other ("regions lose contact", "the data centres can't see each other")
_LINK = (
    r"(?:links?|network|connection|connectivity|interconnect|wan|replication|line|tunnel|vpn|backbone|cable"
    r"|uplink|fibre|fiber)"
)
_CUT = (
    r"(?:drops?|dropped|fails?|failed|goes\s+down|went\s+down|go\s+down|is\s+down|breaks?|broke|is\s+cut|gets\s+cut"
    r"|is\s+lost|is\s+severed|dies|goes\s+dark|flaps|splits?|hiccups?|glitch\w*|blips?|is\s+flaky|cuts\s+out)"
)
_PARTS = r"(?:regions?|sites?|data\s*cent(?:er|re)s?|nodes?|offices?|stores?|branches?|replicas?|clusters?|zones?)"
PARTITION = compile_pattern(
    r"\b(?:partition\w*|network\s+split\w*|split[- ]brain|network\s+(?:fails?|failure|outage|goes"
    r"\s+down|is\s+down|cut)|nodes?\s+(?:can(?:no|')?t|cannot)\s+(?:talk|reach|see)"
    rf"|{_LINK}\s+(?:[\w-]+\s+){{0,4}}?{_CUT}"  # the link between our sites drops
    rf"|{_PARTS}\s+(?:\w+\s+)?(?:lose|loses|losing|lost)\s+(?:contact|connection|connectivity|sight)"
    rf"|{_PARTS}\s+(?:can(?:no|')?t|cannot|don't|do\s+not)\s+(?:talk\s+to|reach|see)\s+each\s+other"
    r"|cut\s+off\s+from\s+each\s+other|disconnect\w*|lose\s+(?:contact|connectivity)\s+with)\b",
    re.IGNORECASE,
)
# data that lags the truth: "stale", "out of date", "a few seconds behind", "slightly old"
_STALE = (
    r"(?:stale|outdated|out[- ]of[- ]date|behind|lagg?\w*|delayed|eventual\w*|not\s+(?:yet\s+)?up[- ]to[- ]date"
    r"|inconsisten\w+|drift\w*"
    r"|(?:slightly|a\s+bit|a\s+little|somewhat|seconds|minutes)\s+(?:old|older|late|behind))"
)
_FINE = (  # saying a thing is acceptable
    r"(?:fine|ok|okay|acceptable|tolerable|no\s+problem|not\s+a\s+problem|not\s+an\s+issue|don't\s+mind"
    r"|do\s+not\s+mind|can\s+live\s+with|can\s+tolerate|tolerate|accept\w*)"
)
CORRECT = compile_pattern(
    r"\b(?:never|must\s+not|mustn't|can(?:no|')?t|cannot|no)\s+(?:\w+\s+){0,3}?(?:double[- ]?\w+"
    r"|over-?sell\w*|over-?book\w*|duplicat\w+|lose|lost|wrong|incorrect|inconsistent|stale|conflict\w*"
    r"|negative|twice|diverge|(?:book|reserve|buy|get|take|claim|sell|assign|allocat|grab|win)\w*\s+the\s+same)"
    r"|\b(?:strong(?:ly)?\s+consisten\w+|linearizab\w+|serializab\w+"
    r"|correct(?:ness)?\s+(?:over|before|first|matters)|consistency\s+(?:over|before|first)"
    r"|(?:must|has\s+to|have\s+to|needs?\s+to)\s+(?:always\s+|at\s+all\s+times\s+)?(?:stay|be|remain)\s+"
    r"(?:exactly\s+|perfectly\s+|100%\s+)?(?:correct|consistent|accurate|exact|precise|in\s+sync|right)"
    r"|exactly[- ]once|accurate\s+at\s+all\s+times"
    r"|rather\s+(?:refuse|reject|fail|block|stop|pause|halt|deny|return\s+an?\s+error)"
    r"|(?:not|never|isn't|is\s+not)\s+(?:ok|okay|fine|acceptable|allowed)\s+(?:\w+\s+){0,4}?(?:stale|outdated"
    r"|out[- ]of[- ]date|wrong|incorrect|inconsistent)"  # it is not ok to show stale balances
    r"|even\s+if\s+(?:that|it|this)\s+means\s+(?:\w+\s+){0,3}?(?:downtime|unavailab\w+|outages?|refus\w+"
    r"|reject\w+|errors?|wait\w*|block\w*|going\s+down|being\s+down|delays?))\b",  # even if it means downtime
    re.IGNORECASE,
)
AVAILABLE = compile_pattern(
    r"\b(?:always\s+(?:accept|available|up|writable|respond\w*)|stay(?:s)?\s+(?:up|available|online"
    r"|writable)|keep\s+(?:working|accepting|serving)|availability\s+(?:over|before|first)|eventual(?:ly)?"
    rf"\s+consisten\w+|(?<!not\s){_FINE}\s+(?:\w+\s+){{0,6}}?{_STALE}"  # it's fine if users see slightly old data
    rf"|{_STALE}[\s,]+(?:[\w']+[\s,]+){{0,4}}?(?:(?:is|are|being|will\s+be)\s+(?:\w+\s+)?|\w+'s\s+)?{_FINE}"  # ok
    r"|(?:fine|ok|okay)\s+(?:to|if)\s+(?:be\s+)?(?:show|serve)"
    rf"|even\s+if\s+(?:\w+\s+){{0,4}}?(?:is|are|gets?|runs?)\s+(?:\w+\s+)?{_STALE})\b",  # even if it is stale
    re.IGNORECASE,
)
# the words that decide alone, without a partition named
DECIDES_CP = compile_pattern(
    r"consisten|correct|accura|exact|precise|sync|right|rather|even\s+if|stale|wrong|outdated|out.of.date",
    re.IGNORECASE,
)
DECIDES_AP = compile_pattern(rf"consisten|availab|{_STALE}", re.IGNORECASE)


def latency_ms(text: str) -> tuple[float, str] | None:
    """The latency target in milliseconds and its words, when the request states one."""
    for match in LATENCY.finditer(text) if LATENCY_WORDS.search(text) else ():
        if match.group("sub"):
            return 1000.0, match.group(0)
        context = text[max(0, match.start() - 40) : match.end() + 10]
        if NOT_LATENCY.search(context):
            continue
        if fraction := match.group("half"):
            value = next(v for word, v in FRACTIONS.items() if word in fraction.lower())
        elif match.group("number"):
            parsed = parse_number(match.group("number"))
            if parsed is None:
                continue
            value = parsed.value
        else:
            value = 1.0  # "under a second"
        return value * _to_ms(match.group("unit")), match.group(0)
    for pattern in LATENCY_SAID:
        for match in pattern.finditer(text):
            parsed = parse_number(match.group("number"))
            if parsed is None or NOT_LATENCY.search(text[max(0, match.start() - 40) : match.end() + 10]):
                continue
            return parsed.value * _to_ms(match.group("unit")), match.group(0)
    return None


def _to_ms(unit: str) -> float:
    unit = unit.lower()
    return 1.0 if unit.startswith("m") and not unit.startswith("min") else 60_000.0 if unit.startswith("min") else 1e3


def availability(text: str) -> float | None:
    """The availability target in percent ("99.99%", "four nines")."""
    match = AVAILABILITY.search(text)
    if match is None:
        return None
    pct = float(match.group("pct")) if match.group("pct") else NINES[match.group("nines").lower()]
    return pct if pct < 100 else None


def offline(text: str) -> str | None:
    """The words saying the system must work without a network connection, if any."""
    match = OFFLINE.search(text)
    if match is None or re.search(r"\b(?:always|reliable|good|fast|stable)\s+(?:\w+\s+)?$", text[: match.start()]):
        return None
    return match.group(0)


def consistency(text: str) -> tuple[Literal["CP", "AP"], str] | None:
    """CP or AP and the words that decide it: correctness over availability when the network partitions, or the
    other way round. Correctness words decide alone ("must never double-book"); a partition word sharpens them."""
    for clause in re.split(r"(?<=[.;!?])\s+|\n", text):
        correct, available = CORRECT.search(clause), AVAILABLE.search(clause)
        if correct and (PARTITION.search(clause) or DECIDES_CP.search(correct.group(0))):
            return "CP", clause.strip()
        if available and (PARTITION.search(clause) or DECIDES_AP.search(available.group(0))):
            return "AP", clause.strip()
    for clause in re.split(r"(?<=[.;!?])\s+|\n", text):
        correct = CORRECT.search(clause)
        if correct and re.search(r"double|over-?sell|over-?book|negative|same|twice", correct.group(0), re.IGNORECASE):
            return "CP", clause.strip()  # an invariant two writers could break together needs one answer
    return None

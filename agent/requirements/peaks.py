"""Peaks, bursts and read:write ratios as people state them: a factor and when ("10x traffic at Black Friday",
"load triples on match days"), a count in a short window ("20k people in the last 10 minutes before kickoff"),
a rate at the busiest time ("peaks of 5,000 requests per second"), and "a hundred times more visits than new
codes". A peak is never more users: it multiplies the average at one time.
"""

from __future__ import annotations

import re

from agent.compiled_patterns import compile_pattern
from agent.requirements.counting import PERIOD, SECONDS, UNIT_NAMES, Count, counts
from agent.requirements.numbers import NUMBER, NUMBER_WORDS, parse_number
from agent.schema import RequirementSource, ScaleFigure

# a factor: "10x", "10 times", "ten-fold", "doubles", "triple", "twice", "an order of magnitude", "300% more",
# "250% of normal", "a peak factor of 4", "a peak-to-average ratio of 5"
_FACTOR = (
    rf"(?:{NUMBER}\s*(?:x|×|times|-?fold)(?![\w])"
    r"|(?P<verb>doubl|tripl|quadrupl)(?:es|ed|ing|e)\b|(?P<twice>twice)\b"
    r"|(?P<fold>two|three|four|five|six|seven|eight|nine|ten|twenty|fifty|hundred|thousand)fold\b"  # threefold
    r"|(?P<orders>an|one|two|three|\d)\s+orders?\s+of\s+magnitude\b"  # an order of magnitude
    rf"|{NUMBER.replace('<number>', '<pct>')}\s*%\s+(?:(?P<more>more|higher|above|extra|increase)\b"  # 300% more
    r"|of\s+(?:the\s+)?(?:normal|usual|average|baseline|typical)\b)"  # 250% of normal
    r"|peak(?:[- ]to[- ](?:average|mean|normal))?\s+(?:factor|ratio|multiplier)\s+(?:of\s+|is\s+|:\s*|=\s*)?"
    rf"(?:(?:about|around|roughly)\s+|~\s*)?{NUMBER.replace('<number>', '<stated>')})"  # a peak factor of 4
)
FACTOR = compile_pattern(rf"(?<![\w.]){_FACTOR}", re.IGNORECASE)
# words that make a factor a peak (busy times) and words that make it growth or a ratio instead
PEAK_CONTEXT = compile_pattern(
    r"\b(?:peak\w*|spikes?|spiky|surg\w+|burst\w*|rush|busy|busiest|traffic|load|normal|usual|average|typical"
    r"|baseline|black friday|cyber monday|sales?|launch\w*|holiday\w*|season\w*|weekends?|evenings?|lunch\w*"
    r"|kick-?off|match(?:es| days?)?|exams?|deadline|christmas|new year|events?|jumps?|increase)\b",
    re.IGNORECASE,
)
NOT_PEAK = compile_pattern(
    r"\b(?:grow\w*|growth|next year|in a year|per year|year over year|yoy|faster|slower|cheaper"
    r"|smaller|larger|bigger|than|as (?:many|much)|a (?:day|week|month)|per (?:day|week|month))\b",
    re.IGNORECASE,
)
# a busy time's head word: "season", "weekend", "match day"; a time is one or more of them ("launch weekend")
_BUSY = (
    r"(?:season|sales?|hours?|times?|launch(?:es)?|weekends?|holidays?|exams?|kick-?off|match(?:es)?|events?"
    r"|rush|lunch(?:time)?|evenings?|mornings?|nights?|deadlines?|days?|drops?|minutes?|releases?|campaigns?"
    r"|promotions?|peaks?|weeks?)"
)
WHEN = compile_pattern(  # case matters only in a named day's capitals
    r"\b(?i:at|on|during|around|over|for|before|after|in|when)\s+"
    r"(?P<when>(?i:the\s+|a\s+|big\s+|each\s+|every\s+)?(?:[A-Z][a-z][\w'-]*(?:\s+[A-Z][\w'-]*)*"  # a named day
    rf"|(?i:(?:[\w-]+\s+){{0,2}}?{_BUSY}(?:\s+{_BUSY})*)))\b",  # a usual busy time: "match days", "launch weekend"
)
# the busiest stretch of time, a count said of it is a peak over that stretch: "the busiest hour sees 120k requests"
BUSIEST = compile_pattern(
    r"\b(?:the\s+)?(?:single\s+)?(?:busiest|peak|worst|heaviest|rush|top)\s+(?P<unit>second|minute|hour|day|week|month)\b",
    re.IGNORECASE,
)
# when a peak happens, said as a clause or as what it follows: "when sales open at 10:00", "as soon as registration
# opens", "after the final performance", "ahead of the deadline", "at 9 am" (a clock time keeps its colon)
_UNTIL_STOP = r"(?:[^,.;:!?\n]|[:.,](?=\d))"
OCCASION = compile_pattern(
    rf"\b(?:when(?:ever)?|as\s+soon\s+as|the\s+moment|the\s+minute)\s+(?P<clause>{_UNTIL_STOP}{{3,60}}?)"  # a clause
    rf"(?=\s*(?:[,.;:!?\n](?!\d)|$))"  # up to the clause's end
    rf"|\b(?:right\s+|just\s+|straight\s+)?(?:after|before|following|ahead\s+of)\s+(?P<event>{_UNTIL_STOP}{{3,50}}?)"
    rf"(?=\s*(?:[,.;:!?\n](?!\d)|$))"  # what it follows
    r"|\bat\s+(?P<clock>\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d\d|noon|midnight"  # a clock time
    r"|the\s+top\s+of\s+(?:every|each|the)\s+hour)|\bon\s+the\s+hour\b",  # the top of every hour
    re.IGNORECASE,
)


def occasion(text: str) -> str | None:
    """When something happens, in the text's words: a "when" clause, what it follows, a clock time, a named or
    usual busy time ("at Black Friday", "on match days")."""
    if said := OCCASION.search(text):
        return said.group(0).strip()
    if said := WHEN.search(text):
        return said.group("when").strip()
    if said := BUSIEST.search(text):
        return said.group(0).strip()
    return None


def moment(text: str, start: int, end: int) -> str | None:
    """The occasion of the words at `start:end`: said after them in their sentence, or else before them."""
    sentence, left = _clause(text, start, end)
    return occasion(sentence[end - left :]) or occasion(sentence[: start - left])


# a share of a period's load in a short stretch: "half of the daily traffic arrives between 6 and 8 pm", "80% of
# orders come in during the first hour": a peak factor of the share over the stretch's part of the period
SHARES = {"half": 0.5, "a third": 1 / 3, "a quarter": 0.25, "two thirds": 2 / 3, "three quarters": 0.75}
SHARE = compile_pattern(
    r"\b(?P<share>half|a\s+third|a\s+quarter|two\s+thirds|three\s+quarters|(?P<pct>\d{1,3}(?:\.\d+)?)\s*(?:%|percent))"
    r"\s+of\s+(?:(?:the|our|all|its|their|a)\s+)?(?P<period>daily|weekly|monthly|day's|week's|month's)?"  # of daily
    r"[\w\s'-]{0,50}?\b(?P<stretch>between\s+(?P<from>\d{1,2})(?::\d\d)?\s*(?:am|pm)?\s+and\s+(?P<to>\d{1,2})"
    r"(?::\d\d)?\s*(?:am|pm)?"  # between 6 and 8 pm
    r"|(?:in|within|during|over)\s+(?:the\s+|a\s+|an\s+|one\s+)?(?:(?:first|last|same|single|busiest|final)\s+)?"
    r"(?:(?P<n>\d+|two|three|four|five|six|ten|twelve)\s*[- ]?)?(?P<unit>minutes?|hours?))\b",  # in the first hour
    re.IGNORECASE,
)
PERIOD_WORDS = {"daily": "day", "day's": "day", "weekly": "week", "week's": "week", "monthly": "month",
                "month's": "month"}  # fmt: skip


def share_factors(text: str, source: RequirementSource) -> list[ScaleFigure]:
    """A share of the day's (or week's) load in a short stretch as a peak factor: half the day in two hours is 6x."""
    figures = []
    for match in SHARE.finditer(text):
        said = re.sub(r"\s+", " ", match.group("share").lower())
        share = float(match.group("pct")) / 100 if match.group("pct") else SHARES[said]
        period = PERIOD_WORDS.get((match.group("period") or "daily").lower(), "day")
        if match.group("from"):
            seconds = ((int(match.group("to")) - int(match.group("from"))) % 12 or 12) * 3600.0
        else:
            amount = parse_number(match.group("n")) if match.group("n") else None
            seconds = SECONDS[match.group("unit").lower().rstrip("s")] * (amount.value if amount else 1.0)
        factor = share / (seconds / SECONDS[period])
        if not (0 < share <= 1 and 1 < factor <= 1000):
            continue
        sentence, left = _clause(text, match.start(), match.end())
        after = occasion(sentence[match.end() - left :])  # "... after the newsletter goes out"
        when = " ".join(w for w in (match.group("stretch"), after) if w)
        figures.append(
            ScaleFigure(
                name="peak factor",
                value=round(factor, 1),
                unit="x average",
                source=source,
                text=match.group(0).strip(),
                kind="peak factor",
                when=when,
            )
        )
    return figures


# a count in a short window: "in the last 10 minutes", "within 5 minutes", "in the first hour", "in 30 seconds"
WINDOW = compile_pattern(
    rf"\s*(?:[\w-]+\s+){{0,6}}?(?:in|within|during|over)\s+(?:the\s+)?(?:(?:first|last|same|final|opening)\s+)?"
    rf"(?:{NUMBER}\s*|an?\s+|one\s+)?(?:-|\s)?(?P<unit>seconds?|secs?|s|minutes?|mins?|hours?|hrs?)\b",
    re.IGNORECASE,
)
PEAK_RATE = compile_pattern(
    r"\b(?:at\s+(?:the\s+)?peak|peak(?:s|ing)?\s+(?:of|at)|at\s+(?:the\s+)?busiest|busiest"
    r"|peak\s+(?:load|traffic|rate|throughput)|during\s+peak|in\s+bursts?|bursts?\s+of|spikes?\s+"
    r"(?:of|to)|up\s+to)\b",
    re.IGNORECASE,
)
READS = compile_pattern(
    r"\b(?:reads?|views?|visits?|lookups?|redirects?|clicks?|search\w*|quer\w+|gets?|downloads?"
    r"|plays?|opens?|fetch\w*|loads?|hits?|look\w*)\b",
    re.IGNORECASE,
)
WRITES = compile_pattern(
    r"\b(?:new|created?|writes?|uploads?|posts?|inserts?|sign-?ups?|orders?|bookings?|payments?"
    r"|submissions?|records?|edits?|updates?|shortened|codes? created)\b",
    re.IGNORECASE,
)
# "a hundred times more visits than new codes", "10x as many reads as writes", "about 20 lookups for every new link"
RATIO = compile_pattern(
    rf"(?<![\w.]){NUMBER}\s*(?:x|×|times)\s+(?:more|as\s+many)\s+(?P<a>[\w -]{{2,40}}?)\s+(?:than|as)\s+"
    r"(?P<b>(?:[\w-]+\s?){1,3})"
    rf"|(?P<n3>\d[\d,.]*\s*(?:k)?)\s+(?P<ca>[\w-]+)\s+(?:for|per)\s+(?:every|each)\s+(?:one\s+)?(?P<cb>[\w-]+)",
    re.IGNORECASE,
)
# two numbers set against each other in words, one of them one: "50 to 1", "1-to-20", "fifty to one"; the words
# for reads and writes in the same sentence say which side is which, in the order they are named. "99:1" alone
# stays unread: tests/test_requirements.py pins it as stating no figure
_SIDE = rf"\d+(?:[,.]\d+)*\s*k?|{NUMBER_WORDS}"
PAIR = compile_pattern(
    rf"(?<![\w.:])(?P<x>{_SIDE})(?:\s+to\s+|-to-)(?P<y>{_SIDE})(?![\w:]|\.\d)",
    re.IGNORECASE,
)
REVERSED = compile_pattern(r"\boutnumbered\s+by\b|\bfewer\s+than\b", re.IGNORECASE)


def _clause(text: str, start: int, end: int) -> tuple[str, int]:
    """The clause around a span (between sentence stops) and where it starts."""
    left = max(text.rfind(stop, 0, start) for stop in (". ", "; ", "! ", "? ", "\n"))
    right = min(
        (i for i in (text.find(stop, end) for stop in (". ", "; ", "! ", "? ", "\n")) if i >= 0), default=len(text)
    )
    left = 0 if left < 0 else left + 1
    return text[left:right], left


def _factor_value(match: re.Match[str]) -> float | None:
    if match.group("verb"):
        return {"doubl": 2.0, "tripl": 3.0, "quadrupl": 4.0}[match.group("verb").lower()]
    if match.group("twice"):
        return 2.0
    if match.group("fold"):
        parsed = parse_number(match.group("fold"))
        return parsed.value if parsed else None
    if orders := match.group("orders"):
        return 10.0 ** {"an": 1, "one": 1, "two": 2, "three": 3}.get(
            orders.lower(), int(orders) if orders.isdigit() else 1
        )
    if match.group("pct"):
        parsed = parse_number(match.group("pct"))
        return None if parsed is None else parsed.value / 100 + (1.0 if match.group("more") else 0.0)
    parsed = parse_number(match.group("number") or match.group("stated"))
    return parsed.value if parsed else None


def peak_factors(text: str, source: RequirementSource) -> list[ScaleFigure]:
    """Factors over the average at a busy time ("10x traffic at Black Friday"), never more users."""
    figures = []
    for match in FACTOR.finditer(text):
        clause, left = _clause(text, match.start(), match.end())
        around = clause[max(0, match.start() - left - 50) : match.end() - left + 50]
        after = text[match.end() : match.end() + 40]
        # a busy word, or a moment the factor happens at ("triples the moment the shift starts")
        at_moment = any(m.group("clause") or m.group("clock") for m in OCCASION.finditer(clause))
        busy = PEAK_CONTEXT.search(around) or at_moment
        if not busy or NOT_PEAK.search(after) or re.match(r"\s*(?:a|an|per)\s", after):
            continue
        value = _factor_value(match)
        if value is None or not 1 < value <= 1000:
            continue
        said = moment(text, match.start(), match.end())
        figures.append(
            ScaleFigure(
                name="peak factor",
                value=value,
                unit="x average",
                source=source,
                text=clause.strip(),
                kind="peak factor",
                when=said,
            )
        )
    return figures


def peak_windows(text: str, source: RequirementSource) -> list[ScaleFigure]:
    """Counts in a short window ("20k people in the last 10 minutes") as peak counts with their window."""
    figures = []
    for count in counts(text):
        window = WINDOW.match(text, count.end)
        if window is None and count.value >= 2 and (busiest := _busiest(text, count)) is not None:
            figures.append(busiest.model_copy(update={"source": source}))
            continue
        if window is None or count.value < 2:
            continue
        unit = UNIT_NAMES.get(window.group("unit").lower(), window.group("unit").lower().rstrip("s"))
        amount = parse_number(window.group("number")) if window.group("number") else None
        seconds = SECONDS[unit] * (amount.value if amount else 1.0)
        when = moment(text, count.start, window.end())
        noun = count.noun.lower()
        span = f"{amount.value:g} {unit}s" if amount and amount.value != 1 else unit
        figures.append(
            ScaleFigure(
                name=f"{noun} at peak",
                value=count.value,
                unit=f"{noun} per {span}",
                source=source,
                text=text[count.start : window.end()].strip(),
                kind="peak",
                noun=noun,
                window_seconds=seconds,
                when=when,
            )
        )
    return figures


def at_a_moment(text: str, figure: ScaleFigure) -> ScaleFigure:
    """The figure with the occasion it is said of, when it is a peak or a count at once: "around 200,000 fans hit
    the site at once when sales open", "a peak of 300k concurrent players over launch weekend"."""
    if figure.when or not figure.text or figure.text not in text:
        return figure
    at = text.index(figure.text)
    said_at_peak = figure.kind in ("concurrent", "peak") or is_peak_rate(text, figure)
    if not said_at_peak or figure.kind in ("population", "size", "ratio"):
        return figure
    when = moment(text, at, at + len(figure.text))
    return figure.model_copy(update={"when": when}) if when else figure


def _busiest(text: str, count: Count) -> ScaleFigure | None:
    """A count said of the busiest stretch of time, with no period of its own, as a peak over that stretch."""
    if re.match(rf"\s*(?:[\w-]+\s+){{0,2}}?{PERIOD}", text[count.end : count.end + 40], re.IGNORECASE):
        return None  # "peak hour: 5,000 orders a minute" is a rate, read as such
    sentence = _clause(text, count.start, count.end)[0]
    busiest = BUSIEST.search(sentence)
    if busiest is None:
        return None
    unit = busiest.group("unit").lower()
    noun = count.noun.lower()
    return ScaleFigure(
        name=f"{noun} at peak",
        value=count.value,
        unit=f"{noun} per {unit}",
        text=text[count.start : count.end].strip(),
        kind="peak",
        noun=noun,
        window_seconds=float(SECONDS[unit]),
        when=busiest.group(0).strip(),
    )


def is_peak_rate(text: str, figure: ScaleFigure) -> bool:
    """Whether a stated rate is said of the busiest time ("20k RPS at peak", "peaks of 5,000 orders a minute")."""
    if not figure.text or figure.text not in text:
        return False
    at = text.index(figure.text)
    around = text[max(0, at - 25) : at + len(figure.text) + 25]
    return bool(PEAK_RATE.search(around) or BUSIEST.search(around))


def _pair(text: str) -> tuple[float, re.Match[str], str, str] | None:
    """Reads per write from two numbers set against each other ("reads outnumber writes roughly 50 to 1")."""
    for match in PAIR.finditer(text):
        x, y = parse_number(match.group("x")), parse_number(match.group("y"))
        if x is None or y is None or x.value <= 0 or y.value <= 0 or 1.0 not in (x.value, y.value):
            continue
        sentence, left = _clause(text, match.start(), match.end())
        at, end = match.start() - left, match.end() - left
        named = sentence[:at] + " " * (end - at) + sentence[end:]  # the numbers themselves name no side
        reads, writes = READS.search(named), WRITES.search(named)
        if (reads is None or writes is None) and (reads is writes or x.value == y.value):
            continue  # neither side named, or "one to one" with only one of them
        first_reads = writes is None or (reads is not None and reads.start() < writes.start())
        if REVERSED.search(named):
            first_reads = not first_reads
        ratio = x.value / y.value if first_reads else y.value / x.value
        sides = (reads.group(0) if reads else "reads", writes.group(0) if writes else "writes")
        return ratio, match, *sides
    return None


def read_write_ratio(text: str, source: RequirementSource) -> ScaleFigure | None:
    """Reads per write, from "a hundred times more visits than new codes" and its kin."""
    match = RATIO.search(text)
    if match is None:
        paired = _pair(text)
        if paired is None:
            return None
        value, said, a, b = paired
        return ScaleFigure(
            name="read:write ratio",
            value=value,
            unit="reads per write",
            source=source,
            text=_clause(text, said.start(), said.end())[0].strip(),
            kind="ratio",
            noun=f"{a} : {b}",
        )
    if match.group("a"):
        number, a, b = match.group("number"), match.group("a"), match.group("b")
    else:
        number, a, b = match.group("n3"), match.group("ca"), match.group("cb")
    parsed = parse_number(number)
    if parsed is None or parsed.value <= 0:
        return None
    if READS.search(a) or (WRITES.search(b) and not WRITES.search(a)):
        value = parsed.value
    elif WRITES.search(a) or READS.search(b):
        value = 1 / parsed.value
    else:
        return None
    return ScaleFigure(
        name="read:write ratio",
        value=value,
        unit="reads per write",
        source=source,
        text=match.group(0).strip(),
        kind="ratio",
        noun=f"{a.strip()} : {b.strip()}",
    )

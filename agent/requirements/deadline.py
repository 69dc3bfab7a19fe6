"""When it must be ready: a span of time ("in 6 months", "within 3 weeks", "three months until launch", "we have 8
weeks to build it", "a 6-week deadline"), a date without a year ("by Q3", "by March", "by the end of the year",
"launch next month") or an event ("ready before the World Cup", "live in time for the new school year").

A date or an event whose distance the request does not give counts as about a quarter away, and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.compiled_patterns import compile_pattern
from agent.requirements.numbers import NUMBER, parse_number

_UNIT = r"(?P<unit>days?|weeks?|months?|years?)"
# what the span runs up to: "until launch", "before the release", "to go-live", "ahead of the demo"
_MILESTONE = (
    r"(?:launch\w*|release\w*|go[- ]?live|going\s+live|deadline|kick-?off|opening|ship\w*|deliver\w*|demo"
    r"|cut-?over|roll-?out|hand-?over|due\s+date|start|open\w*)"
)
SPANS = [
    # in 6 months, within 3 weeks, over the next 2 months
    compile_pattern(rf"\b(?:in|within|over\s+the\s+next|for\s+the\s+next)\s+{NUMBER}\s*{_UNIT}\b", re.I),
    # three months until launch, 6 weeks left before the release, 2 months to go-live
    compile_pattern(
        rf"(?<![\w.]){NUMBER}\s*(?:more\s+)?{_UNIT}\s+(?:left\s+|to\s+go\s+)?(?:until|till|til|before|to|ahead\s+of)"
        rf"\s+(?:[\w-]+\s+){{0,3}}?{_MILESTONE}\b",
        re.I,
    ),
    # we have 8 weeks to build it, they gave us two months, we've got 10 days left
    compile_pattern(
        rf"\b(?:have|got|given|gave\s+(?:us|me|them)|get|gets)\s+(?:(?:only|just|about|roughly|around)\s+)?{NUMBER}"
        rf"\s*{_UNIT}\s+(?:left|to\s+go|remaining|to\s+(?:build|ship|launch|deliver|finish|get|go\s+live|make"
        r"|develop|complete|do))\b",
        re.I,
    ),
    # a 6-week deadline, a three-month timeline, a three-week sprint
    compile_pattern(
        rf"(?<![\w.]){NUMBER}[- ]{_UNIT}\s+(?:deadline|timeline|time-?frame|runway|window|schedule|sprint|build)\b",
        re.I,
    ),
    # the deadline is 3 weeks away, deadline: 2 months
    compile_pattern(rf"\bdeadline\s+(?:is|of|:)\s+(?:in\s+)?{NUMBER}\s*{_UNIT}\b", re.I),
]
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
# a date without its distance: "Q3", "March", "1 September", "September 1st", "the end of the year", "year end",
# "mid-2026"
_WHEN = (
    r"(?:the\s+)?(?:(?:end|start|beginning|middle)\s+of\s+(?:the\s+)?(?:year|quarter|month|week)\b"  # end of the year
    r"|(?:year|quarter|month)[- ]end|eoy|eoq|20\d\d-\d\d-\d\d"  # year end, 2026-03-01
    rf"|(?:(?:end|start|beginning|middle)\s+of\s+)?(?:q[1-4]|(?:{_DAY}\s+(?:of\s+)?)?(?:early\s+|mid[- ]?|late\s+)?"
    rf"{_MONTH}\.?(?:\s+{_DAY}\b)?(?:,?\s+20\d\d)?|(?:early\s+|mid[- ]?|late\s+)?20\d\d))"  # Q3, 1 May, mid-2026
)
# by a date; or in, on or for one after a word of launching ("we launch on 1 September", "go live in Q3"), since
# "traffic peaks in December" names no deadline
_LAUNCHING = (
    r"(?:launch\w*|ship\w*|release\w*|go(?:es|ing)?[- ]live|live|ready|done|deliver\w*|due|open\w*|start\w*"
    r"|deadline|roll\w*\s+out|deploy\w*|finish\w*|complete\w*)"
)
DATE = compile_pattern(
    rf"\b(?:by|before|until|till|no\s+later\s+than|ahead\s+of)\s+(?P<by>{_WHEN})(?![\w-])"
    rf"|\b{_LAUNCHING}\s+(?:\w+\s+){{0,2}}?(?:in|on|for|at|around)\s+(?P<on>{_WHEN})(?![\w-])"
    r"|\b(?:launch|ship|release|go live)\w* (?P<next>next (?:week|month|quarter))\b"
    r"|\b(?:go[- ]live|launch|release|ship|delivery|due|target|deadline|completion|cut-?over|hand-?over)\s*(?:date)?"
    rf"\s*(?:is|:|=|of|will\s+be|(?:is\s+)?set\s+for)\s+(?P<named>{_WHEN})(?![\w-])",  # the go-live date is 15 March
    re.IGNORECASE,
)
# being ready, then before an event: "must be ready before the World Cup", "live in time for the new school year";
# a named event keeps its capitals ("the World Cup", "Black Friday"), a season of the year is said in words
_READY = (
    r"(?i:ready|live|launched|shipped|done|finished|built|running|in\s+place|available|out|up\s+and\s+running"
    r"|deployed|operational|released|delivered|complete|launch|ship|go\s+live|release|open|deliver)"
)
_NAMED = r"[A-Z][\w'-]*(?:\s+(?:[A-Z][\w'-]*|of|\d{4}))*"
_SEASON = (
    r"(?i:(?:the\s+)?(?:next|new|coming|start\s+of\s+(?:the\s+)?|beginning\s+of\s+(?:the\s+)?)?\s*(?:school\s+year"
    r"|academic\s+year|semester|term|season|holidays?|summer|winter|spring|autumn|fall|election|conference"
    r"|festival|tournament|fiscal\s+year|tax\s+year|busy\s+season|peak\s+season|holiday\s+season))"
)
EVENT = compile_pattern(
    rf"\b{_READY}\b(?:\s+[\w-]+){{0,3}}?\s+(?P<event>(?i:before|ahead\s+of|in\s+time\s+for)\s+(?:the\s+)?"
    rf"(?:{_NAMED}|{_SEASON})|(?i:by)\s+{_SEASON})\b"
)
YEAR_ONLY = compile_pattern(r"(?:(?:early|mid|late)[- ]?)?20\d\d", re.IGNORECASE)
LAUNCHING = compile_pattern(rf"\b{_LAUNCHING}\s+(?:\w+\s+){{0,3}}?$", re.IGNORECASE)
UNKNOWN_DISTANCE_WEEKS = 13
"""A date or an event whose distance is not given is counted as about a quarter away."""
WEEKS = {"day": 1 / 7, "week": 1.0, "month": 30 / 7, "year": 52.0}


@dataclass(frozen=True)
class Deadline:
    """A deadline: how many weeks away, in the request's words, and a note when its distance was assumed."""

    weeks: float
    value: str
    note: str | None = None


def _span(text: str) -> Deadline | None:
    found = [m for pattern in SPANS if (m := pattern.search(text))]
    for match in sorted(found, key=lambda m: m.start()):
        parsed = parse_number(match.group("number"))
        if parsed is None:
            continue
        unit = match.group("unit").lower().rstrip("s")
        value = f"{parsed.value:g} {unit}{'s' * (parsed.value != 1)}"
        return Deadline(round(parsed.value * WEEKS[unit], 1), value)
    return None


def deadline(text: str) -> Deadline | None:
    """The deadline the request states, if any."""
    text = re.sub(r"\b(in|within) an? (day|week|month|year)\b", r"\1 1 \2", text, flags=re.IGNORECASE)  # "in a year"
    if span := _span(text):
        return span
    for date in DATE.finditer(text):
        if date.group("by") and YEAR_ONLY.fullmatch(date.group("by")) and not LAUNCHING.search(text[: date.start()]):
            continue  # "1M users by 2025" is growth; "launch by 2025" is a deadline
        weeks = {"next week": 1, "next month": 4, "next quarter": 13}.get((date.group("next") or "").lower())
        return Deadline(weeks or UNKNOWN_DISTANCE_WEEKS, date.group(0).strip())
    if event := EVENT.search(text):
        said = event.group("event").strip()
        note = f"{said!r} gives no date; it was counted as about {UNKNOWN_DISTANCE_WEEKS} weeks away"
        return Deadline(UNKNOWN_DISTANCE_WEEKS, said, note)
    return None

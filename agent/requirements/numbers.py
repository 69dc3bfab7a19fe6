"""Numbers as people write them in a request: "100M", "2.5 billion", "1.2bn", "35 000", "two million",
"half a million", "a couple of million", "tens of thousands", "~5k", "1-2M", "between 5 and 10 thousand".

`NUMBER` is a regular expression for one such number (or a range); `parse_number` turns its text into a value.
A range counts by its upper end (capacity plans for the high side) and says so; a vague amount ("tens of
thousands") counts as three of its unit and says so.

Runs of number words ("twenty five thousand", "one hundred and fifty") are read by `text2num`, a maintained
parser (Rust core, eight languages) that gets compound number words right; the idioms it does not read ("half a
million", "a couple of", "tens of") are the small table here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from text_to_num import text2num

from agent.compiled_patterns import compile_pattern

SCALES = {
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "mil": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "t": 1e12,
    "tn": 1e12,
    "trillion": 1e12,
    "hundred": 1e2,
    "lakh": 1e5,
    "lakhs": 1e5,
    "crore": 1e7,
    "crores": 1e7,
    "mio": 1e6,
    "mln": 1e6,
    "mrd": 1e9,
}
VAGUE = {
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "a handful of": 5,
    "several": 5,
    "a dozen": 12,
    "dozens of": 36,
    "a hundred": 100,
}
"""Amounts said without a figure; "dozens of" counts as three dozen, as "tens of" counts as thirty."""
_CARDINAL_WORDS = """
    zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million
    billion trillion
"""
CARDINALS = tuple(_CARDINAL_WORDS.split())
WORDS = {word: text2num(word, "en") for word in CARDINALS[:20]} | {"a few": 3, "a couple of": 2, "a dozen": 12}
"""Small number words (a team of "five", "a few" engineers)."""
MAX_VALUE = 1e15
"""Beyond this a figure is a typo or a test ("10^400 users"), never a workload: it is reported, not used."""
PLURAL_UNITS = {"tens": 10, "dozens": 12, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9}


def _alternatives(words: object) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))  # type: ignore[attr-defined]


_SCALE = _alternatives(SCALES)
_CARDINAL = _alternatives(CARDINALS)
_BIG = r"(?:hundred|thousand|million|billion|trillion)"
_DIGITS = (
    r"10\s*\^\s*\d{1,2}(?!\d)|\d+(?:\.\d+)?e\+?\d{1,2}(?!\d)"  # 10^6, 1e6, 2.5e5
    r"|\d{1,3},\d{1,2}(?=\s*(?:million|mio|mln|mn|m|billion|bn|mrd|thousand|k|lakh|crore)\b)"  # 1,5 million
    r"|\d{1,2}(?:,\d\d)+,\d{3}(?![\d,])"  # 10,00,000 (lakh grouping)
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 10,000 or 1,234.5
    r"|\d{1,3}(?:[ \u00a0\u2009\u202f']\d{3})+(?![\d.,])"  # 35 000, 35\u202f000, 1'000'000 (space or apostrophe groups)
    r"|\d{1,3}(?:\.\d{3}){2,}(?![\d,])"  # 1.000.000 (dot groups: two or more, or it is a decimal)
    r"|\d+(?:\.\d+)?"  # 400 or 1.5
)
# number words in a run: "twenty five thousand", "one hundred and fifty" ("and" only after a big one)
_AFTER_BIG = r"(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion))"
_RUN = rf"(?:{_CARDINAL})\b(?:(?:[\s-]+|{_AFTER_BIG}\s+and\s+)(?:{_CARDINAL})\b)*"
FRACTIONS = {"half": 0.5, "quarter": 0.25, "quarters": 0.25, "third": 1 / 3, "thirds": 1 / 3}
_FRACTION = r"half|(?:(?:a|one|three)[\s-]+)?quarters?|(?:a|one|two)[\s-]+thirds?"
_APPROX = (
    r"(?:~\s*|≈\s*|(?:about|around|approximately|approx\.?|roughly|some|nearly|almost|close\s+to|more\s+than|over"
    r"|just\s+(?:over|under)|upwards\s+of|north\s+of|up\s+to|at\s+least|at\s+most|maybe|perhaps|circa|ca\.)\s+)"
)
# digits or number words, written once: every form below that starts with a figure shares this part (the
# expression is embedded in dozens of others, and its size is what they cost to compile at start-up)
_FIGURE = rf"(?:{_DIGITS}|{_RUN})"
_ONE = (
    rf"(?:{_APPROX})?"  # approximately
    r"(?:"
    rf"{_FIGURE}(?:\s+and\s+a\s+half\s+(?:{_SCALE})\b"  # one and a half million
    rf"|\s*(?:{_SCALE})\b(?:\s+and\s+a\s+(?:half|quarter)\b)?)?"  # 2.5M, 1.2bn, 3k, 2 million, a million and a half
    rf"|an?\s+and\s+a\s+half\s+(?:{_SCALE})\b"  # a and a half million (as people type it)
    rf"|an?\s+(?:{_SCALE})\b(?:\s+and\s+a\s+(?:half|quarter)\b)?"  # a million, a million and a half
    rf"|an?\s+{_BIG}\b(?:[\s-]+(?:{_RUN}))?"  # a hundred thousand
    rf"|(?:{_FRACTION})[\s-]+(?:of[\s-]+)?(?:an?[\s-]+)?(?:{_SCALE})\b"  # half a million, three-quarters of a million
    r"|(?:tens|dozens|hundreds|thousands|millions|billions)\b"  # tens of thousands, hundreds of millions
    r"(?:\s+of\s+(?:hundreds|thousands|millions|billions)\b)*"
    rf"|(?:a\s+couple(?:\s+of)?|couple\s+of|a\s+few|a\s+handful\s+of|several|a\s+dozen)\b(?:\s+(?:{_SCALE})\b)?"
    r")"
)
# a range, "between 5 and 10 thousand" or "5-10k": the second figure joined by a dash, "to" or "and" (the
# expression is written once: its size is what each of the dozens of readers that embed it costs at start-up)
_AMOUNT = rf"(?:between\s+)?{_ONE}(?:\s*(?:-|–|to|and)\s*{_ONE}(?![\w-]))?"
NUMBER_WORDS = _RUN
"""A run of number words ("fifty", "one hundred and twenty"), a regular expression part without groups."""
NUMBER = rf"(?P<number>{_AMOUNT})(?:\+|-plus\b|-ish\b)?"
"""A number or a range of two; a regular expression part with the group `number`."""
AMOUNT = rf"(?:{_AMOUNT})(?:\+|-plus\b|-ish\b)?"
"""`NUMBER` without its group, to use beside it in one expression."""


@dataclass(frozen=True)
class Parsed:
    value: float
    note: str | None = None
    """Said when the text was a range, an approximation or a vague amount, or when it could not be used."""


APPROXIMATELY = compile_pattern(rf"^{_APPROX}", re.IGNORECASE)
"""The words that say a number is approximate ("about", "~", "nearly"), at the start of a text."""


def _words(text: str) -> float | None:
    try:
        return float(text2num(re.sub(r"^an?\b", "one", text), "en"))
    except ValueError:
        return None


def _digits(text: str) -> float:
    if power := re.fullmatch(r"10\s*\^\s*(\d+)", text):
        return 10.0 ** int(power.group(1))
    if re.fullmatch(r"\d+(?:\.\d+)?e\+?\d+", text):
        return float(text)
    if re.fullmatch(r"\d{1,3},\d{1,2}", text):  # a decimal comma before a scale: "1,5 million"
        return float(text.replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", text):
        return float(text.replace(".", ""))
    return float(re.sub(r"[,\s\u00a0\u2009\u202f']", "", text))


def _scaled(base: str | None, scale: str) -> float | None:
    value = _one(base) if base else 1.0
    return None if value is None else value * SCALES[scale]


def _one(text: str) -> float | None:
    text = APPROXIMATELY.sub("", text.strip().lower()).strip()
    if half := re.fullmatch(rf"(.+?)\s+and\s+a\s+half\s+({_SCALE})", text):
        base = _one(half.group(1)) if half.group(1) not in ("a", "an") else 1.0
        return None if base is None else (base + 0.5) * SCALES[half.group(2)]
    if after := re.fullmatch(rf"(.+?)\s+({_SCALE})\s+and\s+a\s+(half|quarter)", text):
        base = _one(after.group(1)) if after.group(1) not in ("a", "an") else 1.0
        part = 0.5 if after.group(3) == "half" else 0.25
        return None if base is None else (base + part) * SCALES[after.group(2)]
    if fraction := re.fullmatch(
        rf"(?:(a|one|two|three)[\s-]+)?(half|quarters?|thirds?)[\s-]+(?:of[\s-]+)?(?:an?[\s-]+)?({_SCALE})", text
    ):
        times = {"two": 2, "three": 3}.get(fraction.group(1) or "", 1)
        return times * FRACTIONS[fraction.group(2)] * SCALES[fraction.group(3)]
    if plural := re.fullmatch(r"(tens|dozens|hundreds|thousands|millions|billions)((?:\s+of\s+\w+)*)", text):
        value = 3.0 * PLURAL_UNITS[plural.group(1)]
        for unit in re.findall(r"of\s+(\w+)", plural.group(2)):
            value *= PLURAL_UNITS[unit]
        return value
    if vague := re.fullmatch(
        rf"(a\s+couple(?:\s+of)?|couple\s+of|a\s+few|a\s+handful\s+of|several|a\s+dozen)"
        rf"(?:\s+({_SCALE}))?",
        text,
    ):
        amount = VAGUE[re.sub(r"\s+", " ", vague.group(1))]
        return amount * SCALES.get(vague.group(2) or "", 1.0)
    if digits := re.fullmatch(rf"({_DIGITS})\s*({_SCALE})?", text):
        return _digits(digits.group(1)) * SCALES.get(digits.group(2) or "", 1.0)
    return _words(re.sub(r"\s+", " ", text))


def is_vague(text: str) -> bool:
    """Whether the number was said without a figure ("tens of thousands", "a few", "several hundred")."""
    return bool(
        re.search(
            r"\b(?:tens|dozens|hundreds|thousands|millions|billions|couple|few|handful|several)\b", text, re.IGNORECASE
        )
    )


BARE_QUANTIFIER = compile_pattern(
    r"^(?:(?:a\s+)?(?:few|couple|handful)(?:\s+of)?|several|some|many|multiple|numerous|various)$", re.IGNORECASE
)
"""Quantifiers that name no unit of counting: "several people", "a few users" say that there are some, not how
many. "A few thousand" (a unit, thousands) and "a dozen" (twelve) are figures."""


def is_figure(text: str) -> bool:
    """Whether a number as `NUMBER` matched it is a figure, not a bare quantifier ("several", "a few")."""
    return not BARE_QUANTIFIER.match(APPROXIMATELY.sub("", re.sub(r"\s+", " ", text.strip())).strip())


@cache
def _first() -> re.Pattern[str]:
    return compile_pattern(rf"(?<![\w.]){NUMBER}", re.IGNORECASE)


def first_number(text: str) -> float | None:
    """The value of the first number `text` states ("3k a month" is 3,000; "about two thousand euros" 2,000)."""
    match = _first().search(text)
    parsed = parse_number(match.group("number")) if match else None
    return parsed.value if parsed else None


def parse_number(text: str) -> Parsed | None:
    """The value of a number or range as `NUMBER` matched it; None when it is not a usable number."""
    text = re.sub(r"(?:\+|-plus|-ish)$", "", text.strip(), flags=re.IGNORECASE).strip()  # "2M+", "5k-ish"
    text = APPROXIMATELY.sub("", text).strip()  # "up to 40" is no range
    between = re.match(r"between\s+", text, re.IGNORECASE)
    whole = None if between else _one(text)  # "twenty-five" and "one hundred and fifty" are one number
    if whole is not None:
        found, parts = [whole], [text]
    else:
        separator = r"\s+and\s+(?!a\s+half)" if between else r"\s*(?:-|–|\bto\b)\s*"
        parts = re.split(separator, text[between.end() :] if between else text, maxsplit=1, flags=re.IGNORECASE)
        values = [_one(part) for part in parts if part]
        if not values or any(v is None for v in values):
            return None
        found = [v for v in values if v is not None]
    if len(found) == 2 and found[0] < found[1] and not re.search(rf"({_SCALE})\s*$", parts[0].lower()):
        # "1-2M": the scale written once applies to both ends
        scale = re.search(rf"({_SCALE})\s*$", parts[1].lower())
        if scale:
            found[0] = min(found[0] * SCALES[scale.group(1)], found[1])
    value = max(found)
    if not math.isfinite(value) or value > MAX_VALUE:
        return None
    note = None
    if len(found) == 2:
        note = f"the range {text!r} counts as its upper end"
    elif is_vague(text):
        note = f"{text!r} counts as {value:,.0f}"
    return Parsed(value, note)

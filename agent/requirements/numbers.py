"""Numbers as people write them in a request: "100M", "2.5 billion", "two million", "~5k", "1-2M", "10,000".

`NUMBER` is a regular expression for one such number (or a range); `parse_number` turns its text into a value.
A range counts by its upper end (capacity plans for the high side) and says so.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "million": 1e6, "millions": 1e6,
          "b": 1e9, "bn": 1e9, "billion": 1e9, "billions": 1e9, "t": 1e12, "trillion": 1e12}  # fmt: skip
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
         "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
         "fifty": 50, "hundred": 100, "a hundred": 100, "a few": 3, "a couple of": 2, "a dozen": 12,
         "dozens of": 36, "hundreds of": 300, "thousands of": 3000}  # fmt: skip
MAX_VALUE = 1e15
"""Beyond this a figure is a typo or a test ("10^400 users"), never a workload: it is reported, not used."""

_WORD = "|".join(sorted((re.escape(w) for w in WORDS), key=len, reverse=True))
_SCALE = "|".join(sorted(SCALES, key=len, reverse=True))
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # 10,000 or 1.5 or 400
# one number: approximately, digits or a number word, an optional scale word or suffix
_ONE = (
    r"(?:~|about\s+|around\s+|approximately\s+|roughly\s+|over\s+|up\s+to\s+|at\s+least\s+)?"  # approximately
    rf"(?:{_DIGITS}|{_WORD})(?:\s*(?:{_SCALE})\b)?"  # digits or a number word, then a scale word or suffix
)
NUMBER = rf"(?P<number>{_ONE}(?:\s*(?:-|–|to)\s*{_ONE})?)\+?"
"""A number or a range of two; a regular expression part with the group `number`."""


@dataclass(frozen=True)
class Parsed:
    value: float
    note: str | None = None
    """Said when the text was a range or an approximation, or when it could not be used."""


_APPROXIMATELY = r"^(?:~|about|around|approximately|roughly|over|up\s+to|at\s+least)\s*"


def _one(text: str) -> float | None:
    text = re.sub(_APPROXIMATELY, "", text.strip().lower())
    match = re.fullmatch(rf"({_DIGITS}|{_WORD})\s*({_SCALE})?", text)
    if not match:
        return None
    base, scale = match.group(1), match.group(2)
    value = float(WORDS[base]) if base in WORDS else float(base.replace(",", ""))
    return value * SCALES.get(scale or "", 1.0)


def parse_number(text: str) -> Parsed | None:
    """The value of a number or range as `NUMBER` matched it; None when it is not a usable number."""
    text = re.sub(_APPROXIMATELY, "", text.strip().rstrip("+"), flags=re.IGNORECASE)  # "up to" is not a range
    parts = re.split(r"\s*(?:-|–|\bto\b)\s*", text, maxsplit=1)
    values = [_one(part) for part in parts if part]
    if not values or any(v is None for v in values):
        return None
    found = [v for v in values if v is not None]
    if len(found) == 2 and found[0] < found[1] and not re.search(rf"({_SCALE})\s*$", parts[0].lower()):
        # "1-2M": the scale written once applies to both ends
        scale = re.search(rf"({_SCALE})\s*$", parts[1].lower())
        if scale:
            found[0] *= SCALES[scale.group(1)]
            found[0] = min(found[0], found[1])
    value = max(found)
    if not math.isfinite(value) or value > MAX_VALUE:
        return None
    note = f"the range {text.strip()!r} counts as its upper end" if len(found) == 2 else None
    return Parsed(value, note)

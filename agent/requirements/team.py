"""Who builds it and with what money: team sizes said formally or not ("team of 4", "one freelance developer",
"me and one other dev", "1 part-time dev", "two contractors", "my cofounder and I") and budgets ("almost no
money", "shoestring", "bootstrapped", "€200 a month", "a hosting budget of 50 bucks per month").
"""

from __future__ import annotations

import re

import pycountry

from agent.requirements.nouns import BUILDERS
from agent.requirements.numbers import APPROXIMATELY, NUMBER, parse_number

_ROLE = BUILDERS.pattern.removeprefix(r"\b").removesuffix(r"\b")
# a number of builders: "4 engineers", "one freelance developer", "1 part-time dev", "a couple of devs",
# "two more contractors", "three of us", "a 3-person team", "team of five"
COUNTED = re.compile(
    rf"(?<![\w.]){NUMBER}\s+(?:(?:other|more|extra|additional|freelance|part-?time|full-?time|contract|remote"
    rf"|external|offshore|experienced|good|great|of\s+(?:our|my))\s+){{0,3}}(?:{_ROLE})\b"  # builders
    rf"|\bteam\s+of\s+{NUMBER.replace('<number>', '<team_of>')}\b(?!\s+(?:users|people|agents|staff|employees"
    rf"|nurses|doctors|teachers|players|drivers|salespeople|reps))"  # team of five
    rf"|(?<![\w.]){NUMBER.replace('<number>', '<sized>')}[- ](?:person|people|member|man|dev|engineer)[- ]team\b"
    rf"|\bwe(?:'re|\s+are)\s+(?P<we>\w+)\s+(?:people|of\s+us)\b|\bthere\s+are\s+(?P<us>\w+)\s+of\s+us\b",
    re.IGNORECASE,
)
# a team that uses the system, not one that builds it: "our sales team of 40", "a team of 12 nurses"
USERS_TEAM = re.compile(
    r"(?:sales|support|marketing|customer|service|medical|nursing|care|teaching|sports|football"
    r"|soccer|ops|field|delivery|security|cleaning|hr|finance|legal|kitchen|warehouse)\s+"
    r"(?:team|staff)\s+of\s+$",
    re.IGNORECASE,
)
# me plus others: "me and one other dev", "my cofounder and I", "just me and a designer", "I and a friend"
WITH_ME = re.compile(
    r"\b(?:(?:just|only)\s+)?(?:me|myself|i)\s+(?:and|plus|with|\+)\s+(?P<others>(?:an?|one|two|three|\d+)\s+"
    r"(?:(?:other|more|part-?time|freelance|junior|senior)\s+)?(?:\w+\s+)?(?:devs?|developers?|engineers?|friends?"
    r"|cofounders?|co-founders?|partners?|designers?|colleagues?|freelancers?|contractors?|guys?|people))\b"
    r"|\b(?:my|our)\s+(?P<partner>cofounder|co-founder|partner|friend|colleague|business partner)\s+and\s+(?:i|me)\b",
    re.IGNORECASE,
)
SOLO = re.compile(
    r"\b(?:solo (?:founder|developer|dev|engineer|project)|by myself|just me|on my own|i am alone"
    r"|i'm alone|one[- ](?:person|man|woman) (?:team|shop|band|operation|company)|indie hacker"
    r"|single developer|sole developer|only developer|(?:i'?m|i am|as) an? (?:freelancer|freelance"
    r" \w+|solo \w+|contractor|one-person)|i (?:build|code|develop|run) (?:it|everything) myself"
    r"|lone developer)\b",
    re.IGNORECASE,
)
SMALL_TEAM = re.compile(
    r"\b(?:a )?small team\b|\btiny team\b|\bfew engineers\b|\bsmall startup\b|\bskeleton crew\b", re.IGNORECASE
)
PART_TIME = re.compile(
    r"\b(?:part-?time|evenings?\s+and\s+weekends|on\s+weekends|side\s+project|spare\s+time"
    r"|few\s+hours\s+a\s+week|moonlight\w*)\b",
    re.IGNORECASE,
)

# little money, in words: "almost no money", "shoestring", "bootstrapped", "can't afford", "as cheap as possible"
LOW_BUDGET = re.compile(
    r"\b(?:on\s+a\s+(?:tight\s+|small\s+|shoestring\s+|limited\s+|minimal\s+)?budget|shoestring|bootstrap\w*"
    r"|(?:low|limited|tight|small|tiny|minimal|modest|no)[- ](?:budget|funds|funding|money|cash|spend)"
    r"|(?:almost|nearly|next\s+to|virtually|practically|very\s+little|hardly\s+any|barely\s+any|not\s+much|no)"
    r"\s+(?:money|budget|funds|funding|cash)|cheap(?:ly|est)?|low[- ]cost|inexpensive|cost[- ](?:sensitive"
    r"|conscious|effective|efficient)|keep\s+(?:the\s+)?costs?\s+(?:low|down|minimal)|free\s+tier|free\s+plan"
    r"|can(?:no|')?t\s+afford|cannot\s+afford|non-?profit|charity|unfunded|self-?funded|pennies|peanuts"
    r"|(?:minimi[sz]e|minimal)\s+(?:hosting\s+)?(?:costs?|spend(?:ing)?|bills?))\b",
    re.IGNORECASE,
)
_SYMBOL = r"[$€£¥₹]|(?:US|CA|AU|NZ|HK|S)\$"
_CURRENCY_WORD = r"dollars?|bucks|euros?|pounds?|quid|francs?|yen|rupees?|kronor|kroner|krona|zloty|reais"


def _codes() -> str:
    return "|".join(sorted(c.alpha_3 for c in pycountry.currencies))


# an amount of money and how often: "$500/month", "€200 a month", "200 EUR per month", "50 bucks a month",
# "a budget of 5k a year" (a period is needed: a one-off price is not a running budget)
MONEY = re.compile(
    rf"(?P<amount>(?:{_SYMBOL}|(?:{_codes()})\s)\s?{NUMBER}"  # $500, EUR 200
    rf"|{NUMBER.replace('<number>', '<n2>')}\s?(?:{_SYMBOL}|(?:{_codes()})\b|(?i:{_CURRENCY_WORD})\b))"  # 200 euros
    r"\s*(?i:(?:/|per|a|an|each|every)\s*(?P<per>month|mo|year|yr|week|day)\b)",
)

# "a budget of 5k a year", "our budget is about 300 per month"
BUDGET_OF = re.compile(
    rf"\bbudget\s+(?:of|is|around|about|:)\s*(?:about\s+|around\s+|roughly\s+)?(?P<amount>(?:{_SYMBOL})?\s?"
    rf"{NUMBER}(?:\s?(?:{_codes()}|(?i:{_CURRENCY_WORD}))\b)?)(?:\s*(?:/|per|a|an)\s*(?P<per>month|mo|year|yr|week))?",
    re.IGNORECASE,
)


def _count(word: str | None) -> int | None:
    if not word:
        return None
    parsed = parse_number(word)
    return int(parsed.value) if parsed and parsed.value == int(parsed.value) else None


def team_sizes(text: str) -> list[int]:
    """Every team size the request states, formally or not (a solo builder is 1)."""
    sizes = []
    for match in COUNTED.finditer(text):
        if USERS_TEAM.search(text[max(0, match.start() - 30) : match.start()]):
            continue
        said = next(
            (
                g
                for g in (
                    match.group("number"),
                    match.group("team_of"),
                    match.group("sized"),
                    match.group("we"),
                    match.group("us"),
                )
                if g
            ),
            None,
        )
        size = _count(said)
        if size is not None:
            mine = re.search(
                r"\b(?:me|i)\s+(?:and|plus|with|\+)\s+$",
                text[max(0, match.start() - 12) : match.start()],
                re.IGNORECASE,
            )
            sizes.append(size + (1 if mine else 0))
    for match in WITH_ME.finditer(text):
        if match.group("partner"):
            sizes.append(2)
        elif (others := _count(match.group("others").split()[0])) is not None:
            sizes.append(others + 1)
        else:
            sizes.append(2)  # "me and a friend"
    if SOLO.search(text) and not WITH_ME.search(text):
        sizes.append(1)
    return [s for s in sizes if 0 < s <= 10_000]


def budget(text: str) -> tuple[str, str] | None:
    """(value, words) for the budget the request states: an amount and period, or "low"."""
    if money := MONEY.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", money.group("amount").strip()))
        return f"{amount} a {money.group('per').lower()}", money.group(0)
    if stated := BUDGET_OF.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", stated.group("amount").strip()))
        return (f"{amount} a {stated.group('per').lower()}" if stated.group("per") else amount), stated.group(0)
    if low := LOW_BUDGET.search(text):
        return "low", low.group(0)
    return None

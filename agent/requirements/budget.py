"""With what money: an amount and how often ("€200 a month", "a hosting budget of 50 bucks per month"), or which
way the request leans when it gives no figure, read from how people rank cost against the rest.

Low: little money ("almost no money", "shoestring", "bootstrapped"), costs to keep down ("minimise the cloud
bill", "costs must stay low"), free offers ("stay within free tiers"), cost put first ("cost over features").
High: cost put after something else ("cost is secondary to reliability", "reliability over cost", "money is no
object"), plenty of money ("a generous budget", "well-funded"), no limit ("no budget cap").
"""

from __future__ import annotations

import re

import pycountry

from agent.requirements.numbers import APPROXIMATELY, NUMBER

# the words for what is spent: "costs", "the cloud bill", "spending", "our budget", "fees"
_COST = (
    r"(?:(?:hosting|cloud|infra(?:structure)?|running|monthly|aws|server)\s+)?(?:costs?|spend(?:ing)?|bills?"
    r"|expenses?|budget|money|price|pricing|fees?|outlay)"
)
# what else a request can put cost before or after: "reliability over cost", "cost over features"
_QUALITY = (
    r"(?:reliab\w+|availab\w+|uptime|performance|speed|latency|security|safety|correctness|quality|resilien\w+"
    r"|scalab\w+|compliance|durab\w+|time[- ]to[- ]market|features?|robustness|redundancy|stability)"
)
_DOWN = (  # where costs are kept: "low", "down", "to a minimum", "near zero"
    r"(?:low|lower|down|minimal|small|tiny|modest|under\s+control|(?:near|close\s+to)\s+zero|as\s+low\s+as\s+possible"
    r"|to\s+a\s+minimum|(?:at\s+a\s+)?minimum|predictable)"
)
_BEFORE = r"(?:over|before|above|ahead\s+of|rather\s+than|matters?\s+more\s+than|comes?\s+before|trumps|outweighs)"
LOW_BUDGET = re.compile(
    r"\b(?:on\s+a\s+(?:tight\s+|small\s+|shoestring\s+|limited\s+|minimal\s+)?budget|shoestring|bootstrap\w*"
    rf"|(?:low|limited|tight|small|tiny|minimal|minimum|modest|lean|no|zero)[- ]{_COST}"  # a tight budget
    r"|(?:almost|nearly|next\s+to|virtually|practically|very\s+little|hardly\s+any|barely\s+any|not\s+much|no)"
    r"\s+(?:money|budget|funds|funding|cash)"  # almost no money
    r"|cheap(?:ly|est)?|low[- ]cost|inexpensive|cost[- ](?:sensitive|conscious|effective|efficient)"
    rf"|(?:minimi[sz]e|reduce|cut|lower|limit|contain|save\s+on|keep\s+down)\s+(?:\w+\s+){{0,2}}?{_COST}"  # cut costs
    rf"|keep\s+(?:\w+\s+){{0,2}}?{_COST}\s+{_DOWN}"  # keep the bill low
    rf"|{_COST}\s+(?:\w+\s+){{0,3}}?(?:be|stay|remain|kept)\s+(?:\w+\s+)?{_DOWN}"  # costs must stay low
    r"|free[- ](?:tiers?|plans?|credits?|quotas?|allowances?|hosting|offerings?|usage|limits?)"  # free tiers
    rf"|{_COST}\s+(?:is|are)\s+(?:a|an|the|our)\s+(?:\w+\s+)?(?:priority|concern|constraint|worry)"  # cost is a concern
    rf"|{_COST}\s+{_BEFORE}\s+(?:\w+\s+)?{_QUALITY}"  # cost over features
    r"|can(?:no|')?t\s+afford|cannot\s+afford|non-?profit|charity|unfunded|self-?funded|pennies|peanuts)\b",
    re.IGNORECASE,
)
HIGH_BUDGET = re.compile(
    rf"\b(?:{_COST}\s+(?:is|are)\s+(?:\w+\s+)?(?:secondary|irrelevant|unimportant|less\s+important|no\s+object"
    r"|not\s+(?:a|an|the|our)?\s*(?:\w+\s+)?(?:concern|issue|problem|constraint|priority|object|factor|worry)"
    r"|no\s+(?:concern|issue|problem|constraint)|(?:not|n't)\s+(?:important|critical))"  # cost is secondary
    rf"|{_QUALITY}\s+{_BEFORE}\s+(?:\w+\s+)?{_COST}"  # reliability over cost
    r"|regardless\s+of\s+(?:the\s+)?(?:cost|price)|whatever\s+(?:it|that)\s+costs|at\s+any\s+(?:cost|price)"
    r"|no\s+matter\s+(?:the|what\s+it)\s+costs?|spare\s+no\s+expense|no\s+expense\s+spared"
    r"|(?:generous|large|big|healthy|ample|substantial|sizeable|sizable|unlimited|uncapped|deep)\s+(?:\w+\s+)?"
    r"(?:budget|funding|pockets)"  # a generous budget
    r"|well[- ]funded|deep[- ]pocketed|(?:no|without(?:\s+a)?)\s+(?:budget|cost|spending)\s+(?:limits?|caps?"
    r"|constraints?|ceilings?|pressure))\b",  # no budget cap
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


def budget(text: str) -> tuple[str, str] | None:
    """(value, words) for the budget the request states: an amount and period, else "low" or "high" by the words
    that come first (the longer reading where two start together: "no budget cap" is no "no budget")."""
    if money := MONEY.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", money.group("amount").strip()))
        return f"{amount} a {money.group('per').lower()}", money.group(0)
    if stated := BUDGET_OF.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", stated.group("amount").strip()))
        return (f"{amount} a {stated.group('per').lower()}" if stated.group("per") else amount), stated.group(0)
    leanings = [
        (m.start(), -len(m.group(0)), value, m.group(0))
        for value, pattern in (("low", LOW_BUDGET), ("high", HIGH_BUDGET))
        for m in pattern.finditer(text)
    ]
    if not leanings:
        return None
    _, _, value, words = min(leanings)
    return value, words

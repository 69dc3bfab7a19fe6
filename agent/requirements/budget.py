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

from agent.compiled_patterns import compile_pattern
from agent.requirements.numbers import APPROXIMATELY, NUMBER

# the words for what is spent: "costs", "the cloud bill", "spending", "our budget", "fees"
_COST = (
    r"(?:(?:hosting|cloud|infra(?:structure)?|running|monthly|aws|server)\s+)?(?:costs?|spend(?:ing)?|bills?"
    r"|expenses?|budget|money|price|pricing|fees?|outlay)"
)
# what else a request can put cost before or after: "reliability over cost", "cost over features"
_QUALITY = (
    r"(?:reliab\w+|availab\w+|uptime|performance|speed|latency|security|safety|correctness|accuracy|quality"
    r"|resilien\w+|scalab\w+|compliance|durab\w+|time[- ]to[- ]market|features?|functionality|robustness"
    r"|redundancy|stability|simplicity|maintainab\w+|(?:user|developer)\s+experience|ux|delivery|support)"
)
_DOWN = (  # where costs are kept: "low", "down", "to a minimum", "near zero"
    r"(?:low|lower|down|minimal|small|tiny|modest|under\s+control|(?:near|close\s+to)\s+zero|to\s+a\s+minimum"
    r"|as\s+(?:low|small|little|cheap)\s+as\s+(?:possible|we\s+can)|(?:at\s+a\s+)?minimum|predictable)"
)
# ranking one thing above another: "over", "matters more than", "is more important than", "is a higher priority than"
_ABOVE = (
    r"(?:over|before|above|ahead\s+of|rather\s+than|trumps|outweighs|comes?\s+(?:before|first\s+before)"
    r"|(?:matters?|counts?)\s+more\s+than|(?:is|are)\s+(?:much\s+|far\s+)?more\s+important\s+than"
    r"|(?:is|are)\s+an?\s+(?:higher|bigger)\s+priority\s+than)"
)
_BELOW = (  # "matters less than", "is less important than", "is secondary to", "comes after"
    r"(?:(?:matters?|counts?)\s+less\s+than|(?:is|are)\s+(?:much\s+|far\s+)?less\s+important\s+than"
    r"|(?:is|are)\s+secondary\s+to|comes?\s+(?:second\s+to|after))"
)
_IS = r"(?:is|are|'s|'re)"
_PAYER = r"(?:we|i|they|(?:the|our)\s+(?:client|customer|company|business|board|management|sponsor|owner)s?)"
_IS_NOT = r"(?:(?:is|are|'s|'re)\s+(?:not|no|never|hardly)|isn't|aren't)"
# a worry: "a concern", "our main priority", "much of an issue"
_WORRY = (
    r"(?:(?:a|an|the|our|their|much\s+of\s+an?)\s+)?(?:(?:big|major|real|main|top|key|huge|primary)\s+)?"
    r"(?:concern|issue|problem|constraint|priority|object|factor|worry|limit)"
)
LOW_BUDGET = compile_pattern(
    r"\b(?:on\s+a\s+(?:tight\s+|small\s+|shoestring\s+|limited\s+|minimal\s+)?budget|shoestring|bootstrap\w*"
    rf"|(?:low|limited|tight|small|tiny|minimal|minimum|modest|lean|no|zero)[- ]{_COST}"  # a tight budget
    r"|(?:almost|nearly|next\s+to|virtually|practically|very\s+little|hardly\s+any|barely\s+any|not\s+much|no)"
    r"\s+(?:money|budget|funds|funding|cash)"  # almost no money
    r"|cheap(?:ly|est)?|low[- ]cost|inexpensive|pay[- ]as[- ]you[- ]go|scales?\s+to\s+zero"
    r"|(?:cost|price|budget)[- ](?:sensitive|conscious|constrained|friendly|effective|efficient|aware|limited)"
    rf"|(?:minimi[sz]e|reduce|cut|lower|limit|contain|save\s+on|keep\s+down|avoid)\s+(?:\w+\s+){{0,2}}?{_COST}"
    rf"|keep\s+(?:\w+\s+){{0,2}}?{_COST}\s+{_DOWN}"  # keep the bill low
    rf"|{_COST}\s+(?:\w+\s+){{0,3}}?(?:be|stay|remain|kept)\s+(?:\w+\s+)?{_DOWN}"  # costs must stay low
    rf"|{_COST}\s+{_IS}\s+(?!not\b|no\b|never\b|hardly\b){_WORRY}"  # cost is a concern
    rf"|{_COST}\s+{_IS}\s+(?:\w+\s+)?(?:tight|limited|scarce|short|constrained)"  # money is tight
    r"|(?:cost|costs|spend|pay|run)\s+(?:for\s+)?(?:next\s+to|almost|close\s+to|practically|virtually)\s+nothing"
    r"|(?:can(?:no|')?t|cannot|don't\s+want\s+to|won't|unable\s+to|not\s+able\s+to)\s+(?:spend|pay|invest)"
    r"\s+(?:much|a\s+lot|more|big|anything|heavily)"  # can't spend much
    r"|free[- ](?:tiers?|plans?|credits?|quotas?|allowances?|hosting|offerings?|usage|limits?)"  # free tiers
    rf"|{_COST}\s+{_ABOVE}\s+(?:\w+\s+)?{_QUALITY}|{_QUALITY}\s+{_BELOW}\s+(?:the\s+)?{_COST}"  # cost first
    rf"|{_PAYER}(?:(?:\s+are|'re|\s+is|\s+am|'m)\s+not|\s+aren't|\s+isn't)\s+(?:\w+\s+)?(?:happy|willing|prepared"
    r"|able)\s+to\s+"
    r"(?:pay|spend|invest)"  # we're not willing to pay
    r"|tight\s+on\s+(?:money|cash|funds|budget)|pre-?revenue|pre-?seed|frugal\w*|thrifty|on\s+the\s+cheap"
    r"|can(?:no|')?t\s+afford|cannot\s+afford|non-?profit|charity|unfunded|self-?funded|pennies|peanuts)\b",
    re.IGNORECASE,
)
HIGH_BUDGET = compile_pattern(
    rf"\b(?:{_COST}\s+{_IS}\s+(?:\w+\s+)?(?:secondary|irrelevant|unimportant|no\s+object)"  # cost is secondary
    rf"|{_COST}\s+{_IS_NOT}\s+{_WORRY}"  # cost is not a concern
    rf"|{_COST}\s+(?:doesn't|does\s+not|don't|won't)\s+(?:really\s+)?matter"  # cost doesn't matter
    rf"|{_COST}\s+{_IS}\s+(?:\w+\s+)?(?:flexible|open|negotiable|not\s+fixed|generous)"  # budget is flexible
    rf"|{_PAYER}(?:\s+are|'re|\s+is|\s+am|'m)?\s+(?:(?:very|more\s+than|quite|totally)\s+)?(?:happy|willing|glad"
    r"|prepared|ready)\s+to\s+(?:pay|spend|invest)"  # we're happy to pay
    r"|(?:don't|do\s+not|doesn't|not|never|aren't|isn't)\s+(?:\w+\s+)?(?:care|worry|worried|concerned"
    rf"|optimi[sz]\w*)\s+(?:\w+\s+)?(?:about|for|with|by)\s+(?:the\s+)?{_COST}"  # we don't care about cost
    rf"|{_QUALITY}\s+{_ABOVE}\s+(?:\w+\s+)?(?:the\s+)?{_COST}|{_COST}\s+{_BELOW}\s+"  # reliability over cost
    r"|regardless\s+of\s+(?:the\s+)?(?:cost|price)|whatever\s+(?:it|that)\s+costs|at\s+any\s+(?:cost|price)"
    r"|no\s+matter\s+(?:the|what\s+it)\s+costs?|spare\s+no\s+expense|no\s+expense\s+spared"
    r"|(?:generous|large|big|healthy|ample|substantial|sizeable|sizable|unlimited|uncapped|deep)\s+(?:\w+\s+)?"
    r"(?:budget|funding|pockets)"  # a generous budget
    r"|well[- ]funded|(?:generously|heavily|fully|amply)\s+funded|well[- ]capitali[sz]ed|deep[- ]pocketed"
    r"|(?:no|without(?:\s+a)?)\s+(?:budget|cost|spending)\s+(?:limits?|caps?"
    r"|constraints?|ceilings?|pressure))",  # no budget cap
    re.IGNORECASE,
)
# a middling budget said in words: "a moderate budget", "a reasonable budget for the first year"
MEDIUM_BUDGET = compile_pattern(
    r"\b(?:moderate|reasonable|decent|average|medium|mid-?sized|mid-?range|normal)\s+(?:\w+\s+)?(?:budget|funding|spend)\b",
    re.IGNORECASE,
)
_SYMBOL = r"[$€£¥₹]|(?:US|CA|AU|NZ|HK|S)\$"
_CURRENCY_WORD = r"dollars?|bucks|euros?|pounds?|quid|francs?|yen|rupees?|kronor|kroner|krona|zloty|reais|grand"


def _codes() -> str:
    return "|".join(sorted(c.alpha_3 for c in pycountry.currencies))


_PER = r"(?P<per>month|mo|year|yr|week|day)"
_ADVERB = r"(?P<adverb>monthly|yearly|annually|weekly|daily|pcm|p\.?a\.?(?!\w)|per\s+annum)"
PERIODS = {"mo": "month", "yr": "year"}
ADVERBS = {"monthly": "month", "yearly": "year", "annually": "year", "weekly": "week", "daily": "day", "pcm": "month"}
# an amount of money: "$500", "EUR 200", "200 euros", "50 bucks"
_MONEY = (
    rf"(?P<amount>(?:{_SYMBOL}|(?:{_codes()})(?=\s?\d))\s?{NUMBER}"  # $500, EUR 200, EUR1000
    rf"|{NUMBER.replace('<number>', '<n2>')}\s?(?:{_SYMBOL}|(?:{_codes()})\b|(?i:{_CURRENCY_WORD})\b))"  # 200 euros
)
# an amount and how often: "$500/month", "€200 a month", "200 EUR per month", "500 dollars monthly" (a period is
# needed here: a one-off price is not a running budget)
MONEY = compile_pattern(rf"{_MONEY}\s*(?i:(?:/|per|a|an|each|every)\s*{_PER}\b|{_ADVERB}\b)")
# "a budget of 5k a year", "our budget is about 300 per month"
BUDGET_OF = compile_pattern(
    rf"\bbudget\s+(?:of|is|around|about|:)\s*(?:about\s+|around\s+|roughly\s+)?(?P<amount>(?:{_SYMBOL})?\s?"
    rf"{NUMBER}(?:\s?(?:{_codes()}|(?i:{_CURRENCY_WORD}))\b)?)(?:\s*(?:/|per|a|an)\s*{_PER})?",
    re.IGNORECASE,
)
# "hosting budget 200/month": no link word, so the period must be said
BUDGET_BARE = compile_pattern(
    rf"\bbudget\s+(?P<amount>(?:{_SYMBOL})?\s?{NUMBER}(?:\s?(?:{_codes()}|(?i:{_CURRENCY_WORD}))\b)?)"
    rf"\s*(?:/|per|a|an)\s*{_PER}\b",
    re.IGNORECASE,
)
# an amount without a period is a budget when its clause speaks of spending it: "the client has allocated £30,000
# for the first year", "we can afford about $2k", "funding of €50k for hosting"
AMOUNT = compile_pattern(_MONEY)
SPENDING = compile_pattern(
    r"\b(?:budget\w*|allocat\w+|afford\w*|spend\w*|funding|funded|grant|capped|cap\s+of|ceiling|set\s+aside"
    r"|earmarked|(?:we|they|the\s+client)\s+(?:have|has|'ve\s+got|can\s+put))\b",
    re.IGNORECASE,
)
SPAN = compile_pattern(  # "for the first year", "over a month"
    r"\s*(?:for|over|in|per)\s+(?:the\s+|a\s+)?(?:first\s+|whole\s+|entire\s+)?(?P<per>month|year)\b", re.IGNORECASE
)


def _amount(text: str) -> tuple[str, str] | None:
    for match in AMOUNT.finditer(text):
        clause = re.split(r"[.;!?]\s", text[: match.start()])[-1] + re.split(r"[.;!?]\s", text[match.start() :])[0]
        if SPENDING.search(clause):
            amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", match.group("amount").strip()))
            span = SPAN.match(text, match.end())
            return (f"{amount} a {span.group('per').lower()}" if span else amount), clause.strip()
    return None


def budget(text: str) -> tuple[str, str] | None:
    """(value, words) for the budget the request states: an amount and period, an amount said to be spent, else
    "low" or "high" by the words that come first (the longer reading where two start together: "no budget cap" is
    no "no budget")."""
    if money := MONEY.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", money.group("amount").strip()))
        per = PERIODS.get(money.group("per").lower(), money.group("per")) if money.group("per") else None
        return f"{amount} a {per or ADVERBS.get(money.group('adverb').lower(), 'year')}", money.group(0)
    if stated := BUDGET_OF.search(text) or BUDGET_BARE.search(text):
        amount = re.sub(r"\s+", " ", APPROXIMATELY.sub("", stated.group("amount").strip()))
        per = (stated.group("per") or "").lower()
        return (f"{amount} a {PERIODS.get(per, per)}" if per else amount), stated.group(0)
    if spent := _amount(text):
        return spent
    leanings = [
        (m.start(), -len(m.group(0)), value, m.group(0))
        for value, pattern in (("low", LOW_BUDGET), ("high", HIGH_BUDGET), ("medium", MEDIUM_BUDGET))
        for m in pattern.finditer(text)
    ]
    if not leanings:
        return None
    _, _, value, words = min(leanings)
    return value, words

"""Who builds it: team sizes said formally or not ("team of 4", "one freelance developer", "me and one other dev",
"1 part-time dev", "two contractors", "my cofounder and I"), with the members joined to the builders ("three devs
and a designer"), by working alone ("I'm doing this alone") or by what people do ("ten people will build it").
"""

from __future__ import annotations

import re

from agent.compiled_patterns import compile_pattern
from agent.requirements import places
from agent.requirements.counting import counts
from agent.requirements.nouns import BUILDERS, builds_it, is_builder, is_person, is_plural
from agent.requirements.numbers import NUMBER, parse_number

_ROLE = BUILDERS.pattern.removeprefix(r"\b").removesuffix(r"\b")
# a number of builders: "4 engineers", "one freelance developer", "1 part-time dev", "a couple of devs",
# "two more contractors", "three of us", "a 3-person team", "team of five", "our team is 5 people", "team size: 4",
# "a 4-strong team", "a two-person startup", "we're two", "just the two of us"
_GROUP = r"(?:team|shop|band|operation|company|startup|studio|agency|outfit|crew|squad)"
# a builder named by the speciality or the hours alone, in a list: "2 backend, 1 frontend and a QA", "one
# full-time and one part-time developer"
_SHORT_ROLE = (
    r"(?:(?:senior|junior|lead)\s+)?(?:back-?end|front-?end|full-?stack|mobile|ios|android|devops|qa|ml|web|ux|ui"
    r"|full-?time|part-?time|in-house|freelance)(?=\s*(?:[,&+]|and\b|plus\b|\())"
)
TEAM_WORD = compile_pattern(
    r"\b(?:team|crew|(?:co-?)?founders?|builders?|developers?|devs?|engineers?)\b", re.IGNORECASE
)
NOT_NAMES = frozenset({"And", "The", "We", "Our", "Me", "My", "Team", "Plus", "With", "Then", "Also", "Just", "Only"})
"""Capitalised words that start a clause, not names."""
GROUPS = {"duo": 2, "pair": 2, "trio": 3, "quartet": 4}
_TEAM_KIND = r"(?:(?:dev(?:elopment)?|engineering|tech|software|product|core|founding|build)[- ])?"
COUNTED = compile_pattern(
    rf"(?<![\w.]){NUMBER}\s+(?:(?:other|more|extra|additional|freelance|part-?time|full-?time|contract|remote"
    rf"|external|offshore|experienced|good|great|of\s+(?:our|my))\s+){{0,3}}(?:{_ROLE})\b"  # builders
    rf"|\bteam\s+of\s+{NUMBER.replace('<number>', '<team_of>')}\b(?!\s+(?:users|people|agents|staff|employees"
    rf"|nurses|doctors|teachers|players|drivers|salespeople|reps))"  # team of five
    r"|\b(?:team(?:\s+size)?|(?:engineering|dev(?:elopment)?|developer|tech)\s+headcount)"
    rf"\s*(?:is|are|:|=|will\s+be|consists\s+of|numbers)\s+(?:(?:about|around|roughly|just|only)\s+)?"
    rf"{NUMBER.replace('<number>', '<team_is>')}(?:\s+(?:people|persons|members|strong|folks|in\s+total))?"
    r"(?![\w-]|\s+(?!(?:people|persons|members|strong|folks|in|plus|and|with|including)\b)[a-z])"  # is 5 people
    rf"|(?<![\w.]){NUMBER.replace('<number>', '<sized>')}[- ](?:person|people|member|man|woman|strong|dev|developer"
    rf"|engineer)[- ]{_TEAM_KIND}{_GROUP}\b"  # a 3-person team, a two-man dev shop, a 4-strong team
    r"|\bwe(?:'re|\s+are)\s+(?:(?:just|only)\s+)?(?P<we>\w+)(?:\s+(?:people|persons|folks|of\s+us|in\s+total)\b"
    r"|(?=\s*(?:[,.;:!?]|$)))"  # we're two
    r"|\bthere\s+are\s+(?P<us>\w+)\s+of\s+us\b|\bthe\s+(?P<the>\w+)\s+of\s+us\b|\b(?P<both>both)\s+of\s+us\b"
    rf"|(?<![\w.]){NUMBER.replace('<number>', '<of_us>')}\s+of\s+us\b"  # two of us will maintain it
    rf"|(?<![\w.]){NUMBER.replace('<number>', '<short>')}\s+{_SHORT_ROLE}"  # 2 backend, 1 frontend and a designer
    r"|\b(?:a|an|our|the)\s+(?:[\w-]+\s+)?(?P<group>duo|trio|quartet)\b|\ba\s+(?P<pair>pair)\s+of\s+"
    rf"(?:[\w-]+\s+)?(?:{_ROLE})\b",  # a husband-and-wife duo, a pair of developers
    re.IGNORECASE,
)
# a team that uses the system, not one that builds it: "our sales team of 40", "a team of 12 nurses"
USERS_TEAM = compile_pattern(
    r"(?:sales|support|marketing|customer|service|medical|nursing|care|teaching|sports|football"
    r"|soccer|ops|field|delivery|security|cleaning|hr|finance|legal|kitchen|warehouse)\s+"
    r"(?:(?:team|staff)\s+of\s+)?$",
    re.IGNORECASE,
)
# the builder who writes, then the others: "I work with two other developers", "I'm partnering with 2 devs"
MINE = compile_pattern(
    r"\b(?:me|i)\s+(?:(?:am|'m|will|'ll)\s+)?(?:(?:work|build|code|develop|collaborat|partner|team)\w*\s+(?:up\s+)?)?"
    r"(?:and|plus|with|\+|alongside)\s+$",
    re.IGNORECASE,
)
# me plus others: "me and one other dev", "my cofounder and I", "just me and a designer", "I and a friend"
WITH_ME = compile_pattern(
    r"\b(?:(?:just|only)\s+)?(?:me|myself|i)\s+(?:and|plus|with|\+)\s+(?P<others>(?:an?|one|two|three|\d+|my|our)\s+"
    r"(?:(?:other|more|part-?time|freelance|junior|senior)\s+)?(?:\w+\s+)?(?:devs?|developers?|engineers?|friends?"
    r"|cofounders?|co-founders?|partners?|designers?|colleagues?|freelancers?|contractors?|guys?|people))\b"
    r"|\b(?:my|our)\s+(?P<partner>cofounder|co-founder|partner|friend|colleague|business partner)\s+and\s+(?:i|me)\b",
    re.IGNORECASE,
)
# the writer working with one person: "I'm working on this with my partner", "I build it with my brother"
WITH_MY = compile_pattern(
    r"\bI(?:'m|\s+am|'ll|\s+will)?\s+(?:work|build|cod|develop|mak|writ|do)\w*\s+(?:on\s+)?(?:(?:this|it|the\s+\w+)\s+)?"
    r"(?:together\s+)?with\s+(?:my|our)\s+(?:\w+\s+)?(?:cofounder|co-founder|partner|friend|colleague|brother|sister"
    r"|wife|husband|spouse|son|daughter|dad|father|mom|mum|mother|cousin|roommate|flatmate|classmate)\b"
)
# names joined to the writer: "Tom, Ana and I", "me (backend) and Ana (frontend)"
_NAME = r"[A-Z][a-z]+(?:\s*\([^)]{0,30}\))?"
NAMED = compile_pattern(
    rf"\b(?P<before>{_NAME}(?:\s*,\s*{_NAME})*)\s*,?\s+and\s+(?:I|me|myself)\b"
    rf"|\b(?:I|me|myself)(?:\s*\([^)]{{0,30}}\))?\s+(?:and|plus|with|\+)\s+(?P<after>{_NAME}(?:\s*,\s*{_NAME})*"
    rf"(?:\s*,?\s+and\s+{_NAME})?)"
)
# any one other person and me, when the words after say that we build it: "my brother and I are building it"
PAIR = compile_pattern(r"\b(?:my|our)\s+(?P<other>[\w-]+)\s+and\s+(?:i|me|myself)\b", re.IGNORECASE)
# "on my own" of the work, not of a thing ("on my own servers")
_ON_MY_OWN = r"on\s+my\s+own(?!\s+(?!(?:as|and|but|for|in|at|with|while|during|since|so|until|from|this|now|then)\b)\w)"
SOLO = compile_pattern(
    rf"\b(?:solo (?:founder|developer|dev|engineer|project)|by myself|just me|{_ON_MY_OWN}|i am alone"
    r"|i'm alone|one[- ](?:person|man|woman) (?:team|shop|band|operation|company)|indie hacker"
    r"|(?:(?:the|am|'m|as)\s+(?:one\s+and\s+)?only|single|sole|lone)\s+(?:[\w-]+\s+)?(?:dev|developer|engineer"
    r"|programmer|coder|founder|contractor|freelancer|consultant|maintainer)"
    r"|(?:i'?m|i am|as) an? (?:freelancer|freelance"
    r" \w+|solo \w+|contractor|one-person)|i (?:build|code|develop|run) (?:it|everything) myself"
    r"|lone developer)\b",
    re.IGNORECASE,
)
# one who works on the system beside the builders: a designer, a product manager, a tester ("three devs and a
# designer"); such a person counts only when joined to builders or to the one who writes, never alone
_MEMBER_ROLE = (
    rf"{_ROLE}|designers?|(?:product|project|program|engineering)\s+(?:managers?|owners?|leads?)|pms?|qas?"
    r"|testers?|(?:data|ml)\s+(?:scientists?|analysts?)|analysts?|architects?|sysadmins?|ops\s+(?:people|persons?)"
    r"|interns?|students?|(?:ux|ui|product)\s+(?:people|persons?|designers?)|scrum\s+masters?"
)
MEMBER = compile_pattern(
    rf"(?P<n>{NUMBER.replace('<number>', '<member>')}|an?|one)\s+"  # "a", "two"
    r"(?:(?:other|more|extra|additional|freelance|part-?time|full-?time|contract|remote|external|offshore"
    r"|junior|senior|lead|dedicated|shared|good|great)\s+){0,3}"  # "part-time"
    rf"(?:{_MEMBER_ROLE}|{_SHORT_ROLE})\b",  # "designer", "1 frontend"
    re.IGNORECASE,
)
# how members are joined into one team: "and", "plus", "with", "+", "along with", or a comma in a list that ends
# with one of those ("two devs, a designer and a PM")
JOIN = compile_pattern(
    r"(?P<sep>\s*,?\s+(?:and|plus|with|\+|along\s+with|as\s+well\s+as|alongside|helped\s+by|supported\s+by)\s+"
    r"|\s*,\s*)",
    re.IGNORECASE,
)
# a builder working alone, said by what they do: "I'm doing this alone", "I'll build it solo", "I code it all myself"
ALONE = compile_pattern(
    r"\b(?:do|build|mak|writ|cod|develop|work|run|maintain|ship|creat|design)\w*\s+"  # the work
    r"(?:(?:on\s+)?(?:this|it|everything|(?:the|my)\s+(?:\w+\s+){0,2}?\w+)\s+)?(?:(?:all|entirely|completely)\s+)?"
    r"(?:alone|solo|by\s+myself|single-?handed(?:ly)?|myself"
    rf"|{_ON_MY_OWN})\b",
    re.IGNORECASE,
)
FIRST_PERSON = compile_pattern(r"\b(?:I|I'm|I've|I'll|I'd|me|my|myself)\b")
PLURAL_PERSON = compile_pattern(r"\b(?:we|we're|we've|we'll|us|our)\b", re.IGNORECASE)
SMALL_TEAM = compile_pattern(
    r"\b(?:a )?small team\b|\btiny team\b|\bfew engineers\b|\bsmall startup\b|\bskeleton crew\b", re.IGNORECASE
)
PART_TIME = compile_pattern(
    r"\b(?:part-?time|evenings?\s+and\s+weekends|on\s+weekends|side\s+project|spare\s+time"
    r"|few\s+hours\s+a\s+week|moonlight\w*)\b",
    re.IGNORECASE,
)


def _count(word: str | None) -> int | None:
    if not word:
        return None
    parsed = parse_number(word)
    return int(parsed.value) if parsed and parsed.value == int(parsed.value) else None


def _joined(text: str, at: int) -> tuple[int, int]:
    """How many more members are joined to a team stated up to `at` ("... and a designer", ", 1 frontend, 1 QA"),
    and where they end; a join must lead to a role ("2 devs, 3 nurses use it" joins nothing)."""
    total, end = 0, at
    while (join := JOIN.match(text, end)) and (member := MEMBER.match(text, join.end())):
        size = 1 if member.group("n").lower() in ("a", "an") else _count(member.group("n"))
        if size is None:
            break
        total, end = total + size, member.end()
    return total, end


def _alone(text: str) -> tuple[int, int, int] | None:
    """(1 and what is joined to it, where the joined members start and end) when the writer builds it alone or
    with named help: "solo founder here, with a part-time contractor", "just me, building it with 3 contractors"."""
    at = 0
    for sentence in re.split(r"(?<=[.;!?])\s+|\n", text):
        start, at = text.index(sentence, at), text.index(sentence, at) + len(sentence)
        solo = SOLO.search(sentence)
        said = solo or (ALONE.search(sentence) if FIRST_PERSON.search(sentence) else None)
        if said is None or (solo is None and PLURAL_PERSON.search(sentence)):
            continue
        # the helpers may come a few words later: "solo founder here, with ...", "just me, building it with ..."
        pos = start + said.end()
        for _ in range(5):
            more, end = _joined(text, pos)
            if more:
                return 1 + more, start + said.end(), end
            word = compile_pattern(r"[ \t,]*[\w']+").match(text, pos, start + len(sentence))
            if word is None:
                break
            pos = word.end()
        return 1, start + said.end(), start + said.end()
    return None


Statement = tuple[int, int, int]
"""A team size and where its words start and end."""


def _covered(at: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= at < end for start, end in spans)


def _counted(text: str, joined: list[tuple[int, int]]) -> list[Statement]:
    """Teams stated by a number: "4 engineers", "team of five", "we're two", "a trio", with the members joined."""
    found = []
    for match in COUNTED.finditer(text):
        if USERS_TEAM.search(text[max(0, match.start() - 30) : match.start()]) or _covered(match.start(), joined):
            continue
        groups = ("number", "team_of", "team_is", "sized", "we", "us", "the", "of_us", "short")
        named = match.group("both") or match.group("group") or match.group("pair")
        size = GROUPS.get(named.lower(), 2) if named else _count(next((g for g in map(match.group, groups) if g), None))
        if match.group("short") and not JOIN.match(text, match.end()):
            continue  # "2 backend services": a speciality alone is a builder only in a list of them
        if size is None or (match.group("of_us") and size == 1):
            continue  # "one of us" is a member, not the team
        before = max(0, match.start() - 40)
        mine = MINE.search(text[before : match.start()])
        more, end = _joined(text, match.end())
        joined.append((match.start(), end))
        found.append((size + (1 if mine else 0) + more, before + mine.start() if mine else match.start(), end))
    return found


def _with_me(text: str, joined: list[tuple[int, int]]) -> list[Statement]:
    """The writer and others: "me and one other dev", "I'm working on this with my partner", "Tom, Ana and I"."""
    found = []
    for match in WITH_ME.finditer(text):
        others = _count(match.group("others").split()[0]) if match.group("others") else 1
        more, end = _joined(text, match.end())
        joined.append((match.start(), end))
        found.append(((others or 1) + 1 + more, match.start(), end))
    for match in WITH_MY.finditer(text):
        more, end = _joined(text, match.end())
        found.append((2 + more, match.start(), end))
    for match in NAMED.finditer(text):
        said = re.sub(r"\([^)]*\)", "", match.group("before") or match.group("after"))
        names = [n for n in re.findall(r"[A-Z][a-z]+", said) if n not in NOT_NAMES and not places.places(n)]
        before = re.split(r"[.;!?]\s", text[: match.start()])[-1]
        # names make a team only as builders: "Tom, Ana and I will build it", "team: me (backend) and Ana (frontend)";
        # "we use Stripe, and I need a dashboard" names a product
        building = builds_it(text[match.end() :]) or "(" in match.group(0) or TEAM_WORD.search(before)
        if names and building:
            found.append((len(names) + 1, match.start(), match.end()))
    for match in PAIR.finditer(text):
        other = match.group("other").lower()
        if not WITH_ME.search(match.group(0)) and not is_plural(other) and builds_it(text[match.end() :]):
            found.append((2, match.start(), match.end()))  # "my brother and I are building it"
    return found


def _by_deed(text: str, joined: list[tuple[int, int]]) -> list[Statement]:
    """People counted by what they do: "an agency of about ten people will build the portal"."""
    found = []
    for count in counts(text):
        noun = count.noun.lower()
        if _covered(count.start, joined) or count.value != int(count.value):
            continue
        if (is_person(noun) or is_builder(noun)) and builds_it(text[count.end :]):
            found.append((int(count.value), count.start, count.end))
    return found


def team_statements(text: str) -> list[Statement]:
    """Every team size the request states, with where its words stand: formally or not (a solo builder is 1), with
    the members joined to it ("three backend devs and a designer" is 4), never counting joined members again."""
    alone = None if WITH_ME.search(text) else _alone(text)
    joined: list[tuple[int, int]] = [alone[1:]] if alone else []
    found = _counted(text, joined) + _with_me(text, joined) + ([alone] if alone else []) + _by_deed(text, joined)
    return [(size, max(0, start), end) for size, start, end in found if 0 < size <= 10_000]


def team_sizes(text: str) -> list[int]:
    """Every team size the request states (see `team_statements`)."""
    return [size for size, _, _ in team_statements(text)]

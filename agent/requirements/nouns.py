"""What a counted noun is: people who use the system, people who build it, a measure (time, bytes, money), a
word of the design itself, or anything else a workload counts (views, spans, servers, trucks).

Whether a noun names people is decided by one rule, without a dictionary of every role (no WordNet here):

1. a compound or word built on a person head: "staff members", "salespeople", "chairmen", "townsfolk";
2. a suffix that forms person nouns and almost never things: -ee (attendee), -ist (dentist, not "playlist"),
   -ian (physician), -eer (volunteer);
3. a short list of person heads no suffix reveals, and of the -er/-or/-ant/-ent words that name people: those
   suffixes form instruments as often as people (driver/server, doctor/sensor, participant/pollutant), so a
   word with them counts as people only when listed, or when the request itself says so ("300 drivers who ...").

A wrong "yes" would turn 50,000 servers into 50,000 users, the very mistake this module exists to avoid, so
the rule leans to "not people"; the request's own words ("who", "people") can still say otherwise.
"""

from __future__ import annotations

import re

from agent.compiled_patterns import compile_pattern


def words(text: str) -> frozenset[str]:
    """The words of a word list written as text, one or more a line."""
    return frozenset(text.split())


PERSON_HEADS = words("""
    people person persons staff personnel crew workforce headcount human adult child children kid man men woman
    women guest fan friend family families household nurse pupil citizen colleague athlete senior junior couple spouse
    parent patient client customer student tenant resident participant applicant attendant occupant entrant
    servant agent respondent dependent inhabitant migrant immigrant expat peer patron chef cook coach cadet
    surgeon vet medic nanny carer caregiver host
    user member subscriber viewer player driver rider passenger buyer seller shopper listener reader follower
    teacher learner visitor creator doctor donor worker author editor contributor investor instructor tutor
    owner renter manager traveler traveller commuter gamer streamer speaker voter borrower lender farmer
    trader courier waiter dispatcher officer caller sender recipient retailer homeowner landlord landlady
    jobseeker freelancer contractor consultant developer designer founder cofounder co-founder programmer
    coder tester researcher supporter survivor competitor exhibitor sponsor moderator admin administrator
    operator practitioner therapist counsellor counselor advisor adviser mentor shareholder stakeholder
    homeschooler swimmer runner cyclist hiker climber diner baker butcher barber plumber electrician
    physician clinician dentist pharmacist optician technician mechanic
""")
"""Person heads no suffix reveals (staff, nurse, patient), and the -er/-or/-ant/-ent words that name people: those
suffixes form machines as often (server, sensor, pollutant), so such a word counts as people only when listed."""
PERSON_COMPOUND = compile_pattern(
    r"(?:people|person|persons|man|men|woman|women|folks?|staff|member|user|holder|goer|keeper|worker|dweller"
    r"|seeker|taker|giver|lover)$"  # cardholder, moviegoer, shopkeeper, caseworker, test-taker
)
PERSON_SUFFIX = compile_pattern(
    r"(?:[a-z]{3,}ee"  # attendee, employee, trainee (not fee, tree)
    r"|[a-z]{2,}(?<!l)ist|[a-z]*alist"  # dentist, specialist (not playlist, checklist)
    r"|[a-z]{3,}ian"  # physician, librarian
    r"|[a-z]{4,}eer)$"  # volunteer, engineer (not beer, career)
)
NOT_PEOPLE = words("""
    fee tree degree committee coffee guarantee decree spree marquee settee jubilee placeholder
""")
BUILDERS = compile_pattern(
    r"\b(?:(?:software|web|app|mobile|backend|back-end|frontend|front-end|full-?stack|devops|ml|data|platform"
    r"|in-house|junior|senior|lead|staff)\s+)?(?:devs?|developers?|engineers?|programmers?|coders?|freelancers?"
    r"|contractors?|consultants?|cofounders?|co-founders?|founders?|ctos?|hackers?|devops)\b",
    re.IGNORECASE,
)
"""People who build and run the system: they make the team, never the users."""
# people who build the system, said by what they do: "ten people will build the portal", "5 folks are coding it";
# the object must be the system itself (it, this, the app), so "users build playlists" stays a use
BUILDS_IT = compile_pattern(
    r"^\s*(?:(?:who|that)\s+)?"  # "who will build"
    r"(?:(?:will|would|shall|are|is|can|to|going\s+to|gonna|[\w']+ly)\s+){0,3}"  # "will", "are going to"
    r"(?:build|develop|code|implement|program|engineer|architect|maintain)\w*"  # the build verb
    r"(?:\s+(?:and|&)\s+\w+)?"  # "build and run"
    r"\s+(?:it|this|that|everything|(?:the|our|your|this|that)\s+(?:\w+\s+){0,2}?(?:system|app|application"
    r"|portal|platform|site|website|service|backend|back-end|frontend|front-end|product|tool|mvp|solution"
    r"|software|prototype|version|thing|project))\b",
    re.IGNORECASE,
)
MEASURES = words("""
    ms millisecond milliseconds sec secs second seconds s min mins minute minutes h hr hrs hour hours day days
    week weeks month months year years yr yrs decade decades quarter quarters weekend weekends night nights
    kb mb gb tb pb eb kib mib gib tib byte bytes bit bits kbps mbps gbps
    percent per cent pct % x times fold nines digit digits decimal decimals char chars character characters
    half halves third thirds fifth fifths tenth tenths
    dollar dollars usd eur euro euros pound pounds gbp bucks cents chf franc francs yen rupees inr
    am pm km kilometers kilometres mile miles feet foot inch inches kg grams
    star stars point points cores core vcpu vcpus cpu cpus ram gpu gpus
""")
"""Time, size, money, proportion and repetition: a number of these is a measure, not a count of work."""
DESIGN_WORDS = words("""
    service services microservice microservices replica replicas region regions zone zones az azs tier tiers
    layer layers step steps stage stages phase phases level levels column columns field fields table tables
    shard shards partition partitions database databases db dbs queue queues topic topics environment
    environments env envs version versions option options feature features screen screens language languages
    factor factors way ways thing things alternative alternatives
""")
"""Parts of the design or of a plan: "split it into 5 services" says how to build, not what load to carry."""
INVARIANT_PLURALS = words("""
    staff personnel crew people men women children police data media traffic sheep fish series software
    hardware equipment
""")


def singular(word: str) -> str:
    """The singular of an English plural by the regular rules ("trucks" → "truck", "replies" → "reply")."""
    lower = word.lower()
    irregular = {"people": "person", "men": "man", "women": "woman", "children": "child", "data": "datum"}
    if lower in irregular or lower in INVARIANT_PLURALS:
        return irregular.get(lower, lower)
    for plural, single in (("people", "person"), ("women", "woman"), ("men", "man"), ("folks", "folk")):
        if lower.endswith(plural) and len(lower) > len(plural) + 2:  # salespeople, firemen, townsfolks
            return lower[: -len(plural)] + single
    for plural, single in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if lower.endswith(plural) and len(lower) > len(plural) + 1:
            return lower[: -len(plural)] + single
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        return lower[:-1]
    return lower


def plural(word: str) -> str:
    """The plural of a singular English noun by the regular rules ("reading" → "readings", "reply" → "replies")."""
    lower = word.lower()
    if is_plural(lower):
        return lower
    if re.search(r"[^aeiou]y$", lower):
        return lower[:-1] + "ies"
    if re.search(r"(?:s|x|z|ch|sh)$", lower):
        return lower + "es"
    return lower + "s"


def is_plural(word: str) -> bool:
    """Whether a counted head noun agrees with a number above one ("15 apps", "2,000 staff"; not "15 app")."""
    lower = word.lower()
    return lower in INVARIANT_PLURALS or singular(lower) != lower


def is_person(noun: str) -> bool:
    """Whether a counted noun phrase names people ("2,000 staff", "100,000 participants", "gym members")."""
    words = noun.lower().split()
    if not words:
        return False
    head = singular(words[-1])
    if head in NOT_PEOPLE or words[-1] in NOT_PEOPLE:
        return False
    if head in PERSON_HEADS or words[-1] in PERSON_HEADS:
        return True
    bare = head.replace("-", "")
    return bool(PERSON_COMPOUND.search(bare) or PERSON_SUFFIX.search(bare))


def is_builder(noun: str) -> bool:
    """Whether a counted noun phrase names the people who build the system (developers, contractors)."""
    return bool(BUILDERS.fullmatch(noun.strip()))


def builds_it(after: str) -> bool:
    """Whether the words after a count of people say that they build the system ("... will build the portal")."""
    return bool(BUILDS_IT.match(after))


def is_measure(noun: str) -> bool:
    """Whether a noun is a measure (seconds, GB, dollars, percent) or one of the design's parts (services)."""
    head = noun.lower().split()[-1] if noun.strip() else ""
    return head in MEASURES or head in DESIGN_WORDS or singular(head) in DESIGN_WORDS

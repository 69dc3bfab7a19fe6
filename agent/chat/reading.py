"""What a follow-up asks for, read by rules: edits of the design, new requirements, a question, or "undo".

Several things in one sentence are read clause by clause ("tickets are digital, remove shipping and reviews").
A clause nobody can read is reported back; it is never appended to the request and re-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.chat.edits import Edit, feature_head, stems
from agent.knowledge import Knowledge
from agent.recognition import Words, matched_cues
from agent.requirements.extract import Extracted, extract
from agent.schema import Architecture

QUESTION = re.compile(r"^\s*(why|how|what|which|when|where|who|is|are|does|do|can|could|should|will|would|explain"
                      r"|tell me)\b", re.IGNORECASE)  # fmt: skip
POLITE = re.compile(r"^\s*(?:(?:can|could|would|will) you\s+|(?:can|could) we\s+|please\s+|let's\s+|lets\s+"
                    r"|i want to\s+|i'd like to\s+)+", re.IGNORECASE)  # fmt: skip
UNDO = re.compile(r"^\s*(?:undo|undo that|undo the last change|revert(?: that)?|go back|take that back)\s*$", re.I)
_ITEM = r"[\w .+/#-]+?"
REPLACE = re.compile(
    rf"^(?:swap|replace|switch|change)\s+(?:out\s+)?(?:from\s+)?(?P<old>{_ITEM})\s+(?:for|with|w/|by|to|into)\s+"
    rf"(?P<new>{_ITEM})$"
    rf"|^(?:use|choose|pick|go with|prefer|(?:move|switch|migrate|change|go)\s+(?:over\s+)?to)\s+(?P<new2>{_ITEM})\s+"
    rf"(?:instead of|rather than|over|in place of)\s+"
    rf"(?P<old2>{_ITEM})$"
    rf"|^(?:move|migrate)\s+from\s+(?P<old3>{_ITEM})\s+to\s+(?P<new3>{_ITEM})$",
    re.IGNORECASE,
)
# "make the payment part asynchronous", "payments should be async", "process refunds in the background"
ASYNC = re.compile(r"^(?:make|turn|have)\s+(?:the\s+)?(?P<what>.+?)\s+(?:async\w*|asynchron\w*|non-?blocking|"
                   r"event[- ]driven|queued|(?:run|happen|work)\s+in the background)$"
                   r"|^(?P<what2>.+?)\s+(?:should|must|can|could)\s+(?:be|run|happen)\s+(?:async\w*|asynchron\w*|"
                   r"in the background|off the request path)$"
                   r"|^(?:process|do|run|handle)\s+(?:the\s+)?(?P<what3>.+?)\s+(?:async\w*|asynchron\w*"
                   r"|in the background)$",
                   re.IGNORECASE)  # fmt: skip
# "actually no, keep Redis", "bring back the search", "put Kafka back": an earlier edit of it is taken back
RESTORE = re.compile(r"^(?:(?:actually|no|wait|hmm|on second thought)[\s,]+)*(?:(?:let's|lets|please)\s+)?"
                     r"(?:keep|bring back|put back|restore|re-?add|undo (?:the )?(?:removal|change) of)\s+(?P<what>.+?)"
                     r"(?:\s+(?:back|after all|then|instead|as it was))*$"
                     r"|^(?:put|bring)\s+(?P<what2>.+?)\s+back(?:\s+in)?$", re.IGNORECASE)  # fmt: skip
# "merge the order and payment services", "combine X with Y"
MERGE = re.compile(r"^(?:merge|combine|fold|collapse|join)\s+(?:the\s+)?(?P<first>.+?)\s+(?:and|with|into)\s+"
                   r"(?:the\s+)?(?P<second>.+?)(?:\s+(?:services?|into one(?: service)?|together))*$",
                   re.IGNORECASE)  # fmt: skip
# "move the events to RabbitMQ": the part doing that job becomes the product named
MOVE = re.compile(rf"^(?:move|migrate|switch|put|run)\s+(?:the\s+|our\s+|all\s+)?(?P<what>{_ITEM})\s+(?:to|onto|into|"
                  rf"over to|on)\s+(?P<new>{_ITEM})$", re.IGNORECASE)  # fmt: skip
# a reason after the change: "swap S3 for GCS, we're on GCP", "move to RabbitMQ, its easier for our ops"
REASON_TAIL = re.compile(r"\s*(?:,|\s-+)\s*(?:(?:we|we're|we've|we are|it's|its|it is|they|since|because|as|legal"
                         r"|our)\b|[^,]*\b(?:is|are|was|were|has|have|only|just)\b).*$", re.IGNORECASE)  # fmt: skip
# a connection to another system is an integration: "connect to Booking.com and Expedia", "sync with Salesforce"
INTEGRATE = re.compile(r"^(?:connect|integrate|hook(?:\s+us)?\s+up|plug)\s+(?:in\s*)?(?:to|with|into)\s+(?P<what>.+)$"
                       r"|^(?:sync|integrate)\s+with\s+(?P<what2>.+)$", re.IGNORECASE)  # fmt: skip
POINTING = re.compile(r"those|these|them|that|this|it|new stuff|anything new|something new", re.IGNORECASE)
# "we already run Postgres and RabbitMQ": what the team runs becomes the choice for its role
ALREADY = re.compile(r"^(?:we|our (?:team|company|ops(?: team)?))\s+(?:already\s+)?(?:run|use|have|operate|know|are on"
                     r"|is on|standardi[sz]ed on)\s+(?P<what>.+?)(?:\s+(?:already|today|in production|for \w+ \w+))?$",
                     re.IGNORECASE)  # fmt: skip
USE = re.compile(rf"^(?:use|go with|adopt)\s+(?P<what>{_ITEM})(?:\s+for\s+(?P<role>{_ITEM}))?$", re.IGNORECASE)
REMOVE = re.compile(
    r"^(?:remove|drop|delete|get rid of|take out|cut|lose|no need for|skip|(?:we|i)\s+(?:don't|do not|dont|no longer)"
    r"\s+(?:need|want)(?:\s+an?y?)?|there is no need for|without)\s+(?P<what>.+)$"
    r"|^(?P<what2>.+?)\s+(?:is|are)\s+(?:not needed|unnecessary|not required|overkill|out of scope)$",
    re.IGNORECASE,
)
ADD = re.compile(r"^(?:add|include|introduce|bring in|plus)\s+(?P<what>.+)$", re.IGNORECASE)
WANT = re.compile(r"^(?:(?:we|i|it|users?)\s+(?:also\s+)?(?:need|needs|want|wants)|also|it should have|it needs)\s+"
                  r"(?P<what>.+)$", re.IGNORECASE)  # fmt: skip
CAPABILITY = re.compile(r"\b(?:should|must|needs? to|let (?:users|people|customers)|(?:users|people|customers) "
                        r"(?:can|should|must)|ability to)\b", re.IGNORECASE)  # fmt: skip
_VERBS = r"(?:remove|drop|delete|add|include|use|swap|replace|switch|get rid of|we don't need|undo)"
# a full stop ends a clause, a decimal point ("2.5M", "99.9%") or a dotted name ("Booking.com") does not
_CLAUSES = re.compile(rf"\.(?=\s|$)|[;!?\n]+|,\s*(?:and\s+|but\s+|then\s+)?(?={_VERBS}\b)"
                      rf"|\s+(?:and|but|then)\s+(?={_VERBS}\b)", re.IGNORECASE)  # fmt: skip
_JOIN = re.compile(r"\s*(?:,|\band\b|&|\bplus\b|\bas well as\b)\s*", re.IGNORECASE)
PEAK_CONTEXT = re.compile(r"\b(?:peak|peaks|black friday|cyber monday|spikes?|bursts?|launch|holidays?|christmas"
                          r"|during|at times|sometimes|on sale|sale days?|drops?|kick-?off|rush)\b",
                          re.IGNORECASE)  # fmt: skip
RELATIVE = re.compile(r"\b(?P<factor>\d{1,6}(?:\.\d+)?)\s*(?:x|times)\s+(?:the\s+)?(?:more\s+)?(?:users|traffic|load|"
                      r"bigger|larger|growth)\b|\b(?:grow|scale)\s+(?:it\s+)?(?:by\s+)?(?P<factor2>\d{1,6})\s*x\b",
                      re.IGNORECASE)  # fmt: skip


# a turn thinking aloud: what it seems to ask is asked back, never done ("hmm, maybe simpler, let's see")
HEDGE = re.compile(r"\b(?:maybe|perhaps|not sure|unsure|let'?s see|let me think|thinking about|wondering|hm+|i guess"
                   r"|possibly|not decided|no idea yet)\b", re.IGNORECASE)  # fmt: skip
YES = re.compile(r"^\s*(?:yes|yep|yeah|sure|ok(?:ay)?|please do|do it|go ahead|go for it|sounds good|right)\b[\s.!]*$",
                 re.IGNORECASE)  # fmt: skip


@dataclass
class FollowUp:
    """A follow-up as structured edits: the same shape whoever read it (these rules or a model)."""

    edits: list[Edit] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    question: str | None = None
    undo: bool = False
    unread: list[str] = field(default_factory=list)
    restore: list[str] = field(default_factory=list)
    """Parts an earlier edit took out or swapped that the user wants back ("actually no, keep Redis")."""
    by: str = "rules"
    unsure: bool = False
    """The turn thinks aloud ("maybe simpler, let's see"): its reading is asked back before anything changes."""

    @property
    def empty(self) -> bool:
        return not (self.edits or self.statements or self.question or self.undo or self.restore)


def read_follow_up(text: str, knowledge: Knowledge, design: Architecture | None = None) -> FollowUp:
    """The follow-up read clause by clause; a question is a question only when no clause asks for an edit."""
    text = text.strip()
    if UNDO.match(text.rstrip(".!")):
        return FollowUp(undo=True)
    polite = POLITE.sub("", text).strip()
    asked = bool(QUESTION.match(text) or text.endswith("?"))
    if asked:
        edit_like = read_clauses(polite.rstrip("?"), knowledge, design) if polite != text else FollowUp()
        if edit_like.edits or edit_like.statements:  # "can you add payments?" is an edit, politely put
            return edit_like
        return FollowUp(question=text)
    found = read_clauses(polite, knowledge, design)
    if HEDGE.search(text) and not re.search(r"\d", text) and (found.edits or found.statements):
        # what is said without a hedge is done ("Germany only for now, Austria maybe next year"); a turn that
        # only thinks aloud is asked back
        sure = [c for c in re.split(r"[,;]|\.(?=\s|$)", polite) if c.strip() and not HEDGE.search(c)]
        kept = read_clauses(", ".join(sure), knowledge, design) if sure else FollowUp()
        if kept.edits or kept.statements:
            return kept
        found.unsure = True
    return found


def read_clauses(text: str, knowledge: Knowledge, design: Architecture | None) -> FollowUp:
    found = FollowUp()
    for clause in (c.strip(" ,") for c in _CLAUSES.split(text)):
        if clause and not _read_clause(POLITE.sub("", clause).strip(), knowledge, design, found):
            found.unread.append(clause)
    return found


def _read_clause(clause: str, knowledge: Knowledge, design: Architecture | None, found: FollowUp) -> bool:
    core = REASON_TAIL.sub("", clause) or clause  # a swap's reason is not part of what it names
    if _taken_back_or_merged(core, found):
        return True
    if swap := REPLACE.match(core):
        old = swap.group("old") or swap.group("old2") or swap.group("old3")
        new = swap.group("new") or swap.group("new2") or swap.group("new3")
        if POINTING.fullmatch(_bare(new)) or POINTING.fullmatch(_bare(old)):
            return True  # "use those instead of new stuff": said of what the turn names elsewhere
        nothing = re.fullmatch(r"(?:nothing|none|nothing at all|no\w*)", _bare(new), re.IGNORECASE)
        found.edits.append(Edit("remove", _bare(old)) if nothing else Edit("replace", _bare(old), _bare(new)))
        return True
    if removed := REMOVE.match(clause):
        _edits("remove", removed.group("what") or removed.group("what2"), found)
        return True
    if added := ADD.match(clause):
        _edits("add", added.group("what"), found)
        return True
    if joined := INTEGRATE.match(clause):
        for target in _targets(joined.group("what") or joined.group("what2")):
            if not REASON.match(target):
                found.edits.append(Edit("add", f"{feature_head(target)} integration"))
        return True
    if _choice(core, knowledge, design, found):
        return True
    if made := ASYNC.match(core):
        what = made.group("what") or made.group("what2") or made.group("what3")
        found.edits.append(Edit("async", re.sub(r"\s+(?:part|bit|step|side)$", "", _bare(what), flags=re.I)))
        return True
    if relative := _relative(clause, design):
        found.statements.append(relative)
        return True
    stated = extract(clause, source="answer")
    if _states_something(stated):
        found.statements.append(clause)
        return True
    if (wanted := WANT.match(clause)) and _targets(wanted.group("what")):
        _edits("add", wanted.group("what"), found)
        return True
    if CAPABILITY.search(clause) and _names_capability(clause, knowledge):
        found.edits.append(Edit("add", clause))
        return True
    return False


# an item of a list that is a clause of its own is the user's reason, not a thing to add: "add photo moderation, we
# need to catch nudity", "add a driver log, we're regulated on that"
REASON = re.compile(r"^(?:we|we're|we've|i|i'm|you|they|it|it's|that|this|there|legal|our (?:team|users|customers))\b"
                    r"|^.*\b(?:is|are|was|were|don't|doesn't|can't|won't|requires?|regulates?|forbids?|allows?|says|said"
                    r"|wants?|needs?)\b", re.IGNORECASE)  # fmt: skip


def _taken_back_or_merged(clause: str, found: FollowUp) -> bool:
    """ "undo that", "actually no, keep Redis" (an earlier edit taken back), "merge the order and payment
    services"."""
    if UNDO.match(clause):
        found.undo = True
        return True
    if (restored := RESTORE.match(clause)) and not _states_something(extract(clause, source="answer")):
        # "keep it simple", "keep infra under $4,000 a month" state requirements; "keep Redis" takes an edit back
        found.restore.append(_bare(restored.group("what") or restored.group("what2")))
        return True
    if merged := MERGE.match(clause):
        found.edits.append(Edit("merge", _bare(merged.group("first")), _bare(merged.group("second"))))
        return True
    return False


def _choice(clause: str, knowledge: Knowledge, design: Architecture | None, found: FollowUp) -> bool:
    """A product chosen for its role: "use Memcached", "move the events to RabbitMQ", "we already run Postgres
    and RabbitMQ" (what the design has already stays; the rest takes the place of the part doing its job)."""
    if (moved := MOVE.match(clause)) and knowledge.technology(moved.group("new")) is not None:
        found.edits.append(_use(moved.group("new"), knowledge, design))
        return True
    if runs := ALREADY.match(clause):
        named = {t: tech.name for t in _targets(runs.group("what")) if (tech := knowledge.technology(t)) is not None}
        present = {c.name for c in design.components} if design is not None else set()
        # what the design has already is said so ("The design already has Postgres"), the rest takes its role
        found.edits += [_use(t, knowledge, design) if name not in present else Edit("add", name)
                        for t, name in named.items()]  # fmt: skip
        return bool(named)
    if (used := USE.match(clause)) and knowledge.technology(used.group("what")) is not None:
        found.edits.append(_use(used.group("what"), knowledge, design))
        return True
    return False


def _edits(kind: Literal["add", "remove"], what: str, found: FollowUp) -> None:
    """One edit per item of a list ("shipping and reviews"); an item that states a requirement ("add Redis, EU
    only") is a statement, not a thing to add."""
    for target in _targets(what):
        if REASON.match(target):
            continue
        if kind == "add" and _states_something(extract(target, source="answer")):  # "drop surge pricing" is no spike
            found.statements.append(target)
        else:
            found.edits.append(Edit(kind, target))


def _states_something(stated: Extracted) -> bool:
    return bool(stated.scale or stated.constraints or stated.non_functional or stated.team or stated.scope)


def _names_capability(clause: str, knowledge: Knowledge) -> bool:
    words = Words(clause)
    return any(matched_cues(spec.cues, words) for spec in knowledge.traits.values())


def _use(name: str, knowledge: Knowledge, design: Architecture | None) -> Edit:
    """ "use Memcached": in place of the part that does that job, or added when none does."""
    tech = knowledge.technology(name)
    if design is not None and tech is not None:
        same = [c for c in design.components if c.category == tech.category and c.name != tech.name]
        if len(same) == 1:
            return Edit("replace", same[0].name, name.strip())
    return Edit("add", name.strip())


def _relative(clause: str, design: Architecture | None) -> str | None:
    """ "10x the users" as a stated figure: the design's own daily users times the factor."""
    match = RELATIVE.search(clause)
    if match is None or design is None or PEAK_CONTEXT.search(clause):
        return None  # "10x traffic at Black Friday" is a peak, read as one by the requirements, not ten times the users
    users = daily_users(design)
    if users is None:
        return None
    factor = float(match.group("factor") or match.group("factor2"))
    return f"{users * factor:,.0f} daily active users"


def daily_users(design: Architecture) -> float | None:
    """The daily users the design was sized for: stated, else assumed."""
    if design.requirements is not None:
        for figure in design.requirements.scale:
            if figure.unit == "daily active users":
                return figure.value
    for assumption in design.assumptions:
        if assumption.name == "dau":
            digits = re.sub(r"[^\d.]", "", assumption.value.split()[0]) if assumption.value else ""
            try:
                return float(digits)
            except ValueError:
                return None
    return None


def _targets(what: str) -> list[str]:
    return [_bare(t) for t in _JOIN.split(what) if t.strip() and stems(t)]


def _bare(text: str) -> str:
    return re.sub(r"^(?:the|a|an|our|its|any)\s+", "", text.strip(), flags=re.IGNORECASE).strip()

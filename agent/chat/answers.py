"""Answers about the current design: why a part is there, how a flow works, what breaks under more load, and
how the building blocks solve a problem. Each is told from the design's own parts, flows, capacity and failure
modes first, then from whole sentences of the knowledge base, with the sections cited; never a raw chunk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from agent.chat.edits import feature_head, stems
from agent.chat.envelope import estimate
from agent.chat.plans import BUILD_ORDER, SPOF, build_order, single_points_of_failure
from agent.knowledge import Knowledge, normalise_name
from agent.retrieval.passages import section_title, sentences
from agent.schema import Architecture, Component, Flow, Hit, Service

WHY = re.compile(r"^\s*(?:why|what(?:'s| is| are)\s+(?P<what2>.+?)\s+(?:for|there for|needed for)\b"
                 r"|(?:is|are)\s+(?P<what3>.+?)\s+(?:a good|the right|a bad|the best|overkill|needed|necessary)\b"
                 r"|(?:do|did) (?:we|you|i) (?:really )?need\s+(?P<what4>.+?)\??$|should (?:we|i) (?:use|keep)\s+"
                 r"(?P<what5>.+?)\??$)", re.I)  # fmt: skip
WHY_FILLER = re.compile(r"^(?:(?:do|does|did|is|are|was|were|we|you|i|it|use|using|used|need|needs|have|has|"
                        r"choose|chose|chosen|pick|picked|the|a|an|this|that|design|there|here|in|go|with|for)\s+)+",
                        re.IGNORECASE)  # fmt: skip
WHY_TAIL = re.compile(r"\s+(?:and not|rather than|instead of|over|vs\.?|versus|here|there|in (?:this|the) design|"
                      r"at all|now)\b.*$", re.IGNORECASE)  # fmt: skip
HOW = re.compile(r"^\s*(?:how\s+(?:does|do|is|are|will|would|should)\s+(?P<what>.+?)\s+(?:work|works|function|"
                 r"flow|happen|handled|done|built|implemented)\b|walk me through\s+(?P<what2>.+?)$|explain\s+"
                 r"(?P<what3>.+?)$)", re.IGNORECASE)  # fmt: skip
SCALE = re.compile(r"\bbreak|\bbottleneck|\bfall over|\bfail first|\bat\s+[\d^.,e*]+\s*x\b"
                   r"|\b[\d^.,e*]+\s*(?:x|times)\s+(?:the\s+)?(?:users|traffic|load|more)|\bscale (?:to|up)\b",
                   re.IGNORECASE)  # fmt: skip
FACTOR = re.compile(r"(?P<base>\d[\d,]*(?:\.\d+)?)(?:\s*(?:\^|\*\*)\s*(?P<power>\d+)|e(?P<exp>\d+))?\s*(?:x|times)\b",
                    re.IGNORECASE)  # fmt: skip
FAILS = re.compile(r"^\s*what (?:happens |breaks |do we do |should happen )?(?:if|when)\s+(?:the |a |an |our |one )?"
                   r"(?P<what>.+?)\s+(?:dies|die|fails?|is down|goes down|crash(?:es)?|is slow|is unavailable|"
                   r"stops|is lost|runs out|falls over|goes away)\b", re.IGNORECASE)  # fmt: skip
COST = re.compile(r"\bcost|\bhow much (?:will|would|does|do) (?:it|this|we|that)\b.*\b(?:pay|spend|run)|monthly bill"
                  r"|\bcloud bill|\bhosting bill|\bin (?:dollars|euros)"
                  r"|\bfits? (?:in |into |within )?(?:the|our|a|that) budget"
                  r"|\b(?:over|under|within) (?:the |our )?budget"
                  r"|\bexpensive\b|\bafford", re.IGNORECASE)  # fmt: skip
MAX_FACTOR = 1_000_000
BRAND_SCALE = re.compile(r"\b[A-Z][\w-]* scale:|\b\d[\d,.]*\s*[KMB]\+? (?:daily|monthly|active) users\b")
STOP = {"how", "do", "does", "you", "we", "i", "the", "a", "an", "to", "of", "in", "on", "is", "are", "what", "why",
        "when", "it", "this", "that", "and", "or", "for", "with", "be", "can", "should", "would", "will", "stop",
        "prevent", "avoid", "handle", "make", "sure", "same", "our", "my", "there", "happen", "design",
        "system", "work", "about", "from", "into", "at", "by", "as", "get", "us", "they", "their", "one"}  # fmt: skip
MECHANISM_QUESTION = re.compile(r"^\s*how\b|\b(?:stop|prevent|avoid|ensure|guarantee|handle|deal with)\b", re.I)
MECHANISM_SECTIONS = re.compile(r"flows|algorithm|components|trade-?offs|failure|strateg|pattern", re.I)
META_SECTIONS = re.compile(r"when it applies|sources|further reading", re.I)
SYNONYMS = {"doubl": {"twice", "two"}, "twice": {"doubl", "two"}, "duplic": {"twice", "idempot"}}


@dataclass(frozen=True)
class Answer:
    text: str
    sources: tuple[str, ...]


def answer(question: str, design: Architecture, knowledge: Knowledge, search: Any,
           earlier: Sequence[str] = ()) -> Answer:  # fmt: skip
    """The answer to a question about `design`; `search(query, k)` returns knowledge-base hits; `earlier`: what
    was said before the question, most recent first (the figures a "so what's the rate?" refers to)."""
    if (computed := estimate(question, list(earlier))) is not None:
        return Answer(computed, ())
    if SPOF.search(question):
        return Answer(single_points_of_failure(design), ())
    if COST.search(question):
        from agent.sizing.costs import describe

        return Answer(describe(design), ())
    if BUILD_ORDER.search(question):
        return Answer(build_order(design), ())
    if SCALE.search(question):
        return at_scale(question, design, knowledge)
    if (fails := FAILS.match(question)) and (found := failure_answer(_target(fails.group("what")), design, knowledge)):
        return found
    if why := WHY.match(question):
        named = why.group("what2") or why.group("what3") or why.group("what4") or why.group("what5")
        target = _target(named or question[why.end() :])
        if target:
            return why_answer(target, design, knowledge, search, question)
    if how := HOW.match(question):
        target = _target(how.group("what") or how.group("what2") or how.group("what3") or "")
        found = how_answer(target, design) if target else None
        if found is not None:
            return found
        if target and find_part(target, design, knowledge) is None:
            kb = from_knowledge(question, design, search)
            offer = f"This design has no {target}: say 'add {feature_head(target)}' to add it."
            return Answer(f"{offer}\n{kb.text}", kb.sources)
    return from_knowledge(question, design, search)


def _target(text: str) -> str:
    text = WHY_TAIL.sub("", WHY_FILLER.sub("", text.strip().rstrip("?").strip()))
    return text.strip(" ?.,")


# ---- why X ------------------------------------------------------------------------------------------------------


def why_answer(target: str, design: Architecture, knowledge: Knowledge, search: Any, question: str) -> Answer:
    part = find_part(target, design, knowledge)
    if part is not None:
        return _why_part(part, design, knowledge)
    service = find_service(target, design)
    if service is not None:
        return _why_service(service, design)
    tech = knowledge.technology(target)
    if tech is not None:
        doers = [c for c in design.components if c.category == tech.category]
        if doers:
            doer = doers[0]
            text = (f"This design has no {tech.name}. {doer.name} does that job ({tech.category}) here: "
                    f"{_sentence(doer.purpose)}{_alternatives(doer, design, knowledge, {tech.name})}")  # fmt: skip
            return Answer(text + _cite(doer.citations), tuple(doer.citations))
        return Answer(f"This design has no {tech.name}, and no part of it plays that role ({tech.category}). "
                      f"'add {tech.name}' adds it.{_cite([tech.cite])}", (tech.cite,))  # fmt: skip
    kb = from_knowledge(question, design, search)
    names = ", ".join(c.name for c in design.components)
    return Answer(f"Nothing in this design is called {target!r} (its parts: {names}).\n{kb.text}", kb.sources)


def find_part(target: str, design: Architecture, knowledge: Knowledge) -> Component | None:
    """The part named, or (for a job rather than a product: "a queue", "the cache") the part doing that job."""
    wanted = normalise_name(knowledge.canonical(target))
    for component in design.components:
        if normalise_name(knowledge.canonical(component.name)) == wanted or component.name.lower() == target.lower():
            return component
    if knowledge.technology(target) is not None:
        return None  # a product the design lacks: said so, with what does its job
    lowered = target.lower()
    for role in knowledge.general.roles.values():
        if re.search(role.pattern, lowered) or lowered in (role.category, role.category.replace("_", " ")):
            doing = [c for c in design.components
                     if c.category == role.category or re.search(role.pattern, c.name.lower())]  # fmt: skip
            if doing:
                return doing[0]
    return None


def find_service(target: str, design: Architecture) -> Service | None:
    wanted = stems(target)
    matches = [s for s in design.services if wanted and wanted <= stems(s.name)]
    return min(matches, key=lambda s: len(s.name)) if matches else None


def _why_part(part: Component, design: Architecture, knowledge: Knowledge) -> Answer:
    users = [s.name for s in design.services if part.name in s.data_stores]
    lines = [f"{part.name} is here for {_lower_first(_sentence(part.purpose))}"]
    if users:
        lines.append(f"It is used by {_and(users)}.")
    lines.append(_alternatives(part, design, knowledge).strip())
    sources = list(part.citations)
    for mode in design.failure_modes:
        if mode.component == part.name:
            lines.append(f"If it fails ({mode.failure}): {_lower_first(_sentence(mode.mitigation))}")
            sources += [mode.citation] if mode.citation else []
            break
    return Answer(" ".join(line for line in lines if line) + _cite(sources), tuple(dict.fromkeys(sources)))


def _why_service(service: Service, design: Architecture) -> Answer:
    lines = [f"{service.name} is here to {_lower_first(_sentence(service.responsibility or 'do its named job'))}"]
    if service.data_stores:
        lines.append(f"It keeps its data in {_and(service.data_stores)}.")
    flows = [f.name for f in design.flows if any(stems(service.name) & stems(step) for step in f.steps)]
    if flows:
        lines.append(f"It takes part in: {_and(flows)}.")
    split = next((t for t in design.tradeoffs if "deployable" in t.decision or "monolith" in " ".join(t.alternatives)),
                 None)  # fmt: skip
    sources = [c for f in design.flows if f.name in flows for c in f.citations]
    if split is not None:
        lines.append(f"Why services at all: {_lower_first(_sentence(split.why))}" if split.why else "")
        sources += [split.citation] if split.citation else []
    return Answer(" ".join(line for line in lines if line) + _cite(sources), tuple(dict.fromkeys(sources)))


def _alternatives(part: Component, design: Architecture, knowledge: Knowledge, besides: set[str] | None = None) -> str:
    """What else could do the job: the design's trade-off about it, else the catalogue's others of its kind."""
    key = part.name.lower()
    for tradeoff in design.tradeoffs:
        if key in tradeoff.chosen.lower() and tradeoff.alternatives:
            why = f" {_sentence(tradeoff.why)}" if tradeoff.why else ""
            return f" Chosen over {_and(tradeoff.alternatives, 'or')} ({tradeoff.decision}).{why}"
    present = {c.name for c in design.components} | (besides or set())
    others = [t.name for t in knowledge.technologies if t.category == part.category and t.name not in present]
    if not others:
        return ""
    kind = (part.category or "").replace("_", " ")
    return f" Other {kind} choices the knowledge base knows: {_and(others[:4], 'or')}."


# ---- what happens when X fails ----------------------------------------------------------------------------------


def failure_answer(target: str, design: Architecture, knowledge: Knowledge) -> Answer | None:
    """The design's own failure mode for the part named (or doing the job named), else its kind's usual one."""
    target = re.sub(r"\s+(?:server|node|instance|cluster|servers|nodes)$", "", target, flags=re.IGNORECASE)
    part = find_part(target, design, knowledge)
    if part is None:
        return None
    modes = [m for m in design.failure_modes if m.component == part.name] or [
        m for m in _usual_failures(design, knowledge) if m.component == part.name
    ]
    if not modes:
        return Answer(f"This design names no failure mode for {part.name}; the knowledge base has none for a "
                      f"{part.category or 'part'} of its kind.", ())  # fmt: skip
    users = [s.name for s in design.services if part.name in s.data_stores]
    holds = f" It holds {_lower_first(_sentence(part.purpose))}" if part.purpose else ""
    used = f" {_and(users)} use{'s' if len(users) == 1 else ''} it." if users else ""
    lines = [f"When {part.name} fails in this design:{holds}{used}"]
    for mode in modes[:3]:
        impact = f" Impact: {_sentence(mode.impact)}" if mode.impact else ""
        lines.append(f"  {_sentence(mode.failure[:1].upper() + mode.failure[1:])}{impact} What the design does: "
                     f"{_sentence(mode.mitigation)}")  # fmt: skip
    sources = [m.citation for m in modes[:3] if m.citation]
    return Answer("\n".join(lines) + _cite(sources), tuple(dict.fromkeys(sources)))


# ---- how Y works ------------------------------------------------------------------------------------------------


def how_answer(target: str, design: Architecture) -> Answer | None:
    wanted = stems(target)
    # the flow's name counts most, then any of its steps ("transcoding" is a step of the video processing flow)
    scored = [(2 * len(wanted & stems(f.name)) + len(wanted & stems(" ".join(f.steps))), f) for f in design.flows]
    best = max(scored, key=lambda pair: pair[0], default=(0, None))
    if best[1] is not None and best[0] > 0:
        return _walk(best[1])
    service = find_service(target, design)
    if service is not None:
        flows = ", ".join(f.name for f in design.flows) or "none"
        return Answer(f"{service.name}: {_sentence(service.responsibility)} No flow of this design is written for it "
                      f"(its flows: {flows}).", ())  # fmt: skip
    return None


def _walk(flow: Flow) -> Answer:
    steps = "\n".join(f"  {n}. {_sentence(step)}" for n, step in enumerate(flow.steps, 1))
    return Answer(f"{flow.name}, as this design does it:\n{steps}{_cite(flow.citations)}", tuple(flow.citations))


# ---- what breaks at N times the load ----------------------------------------------------------------------------


def read_factor(question: str) -> tuple[float, str]:
    """The growth factor asked about (10 when none is given) and how it was written."""
    match = FACTOR.search(question)
    if match is None:
        return 10.0, "10x"
    base = float(match.group("base").replace(",", ""))
    power = match.group("power") or match.group("exp")
    try:
        value = base ** int(power) if match.group("power") else base * 10 ** int(power) if power else base
    except OverflowError:
        value = math.inf
    return float(value), match.group(0)


def at_scale(question: str, design: Architecture, knowledge: Knowledge) -> Answer:
    factor, written = read_factor(question)
    if not math.isfinite(factor) or factor > MAX_FACTOR:
        return Answer(f"{written.strip()} is beyond any system the knowledge base describes; ask about a factor "
                      f"up to {MAX_FACTOR:,}x (\"what breaks at 100x?\").", ())  # fmt: skip
    if factor <= 1:
        return Answer(f"At {written.strip()} the load does not grow; the design as it stands holds.", ())
    lines = []
    if design.capacity:
        lines.append(f"At {factor:,g}x this design's load (its figures grow in step with the users):")
        for figure in design.capacity[:6]:
            lines.append(f"  {figure.name}: {_num(figure.value)} -> {_num(figure.value * factor)} {figure.unit}")
    else:
        lines.append(f"This design states no capacity figures, so {factor:,g}x cannot be sized; what fails first "
                     f"in parts like its own:")  # fmt: skip
    sources: list[str] = []
    modes = design.failure_modes or _usual_failures(design, knowledge)
    if modes:
        lines.append("What gives first, and what this design does about it:")
    for mode in modes[:4]:
        lines.append(f"  {mode.component}: {mode.failure}; {mode.mitigation}.")
        sources += [mode.citation] if mode.citation else []
    # a reference product's published scale ("Twitter scale: 500M daily users") is not this design's
    notes = [note for note in design.scaling if not BRAND_SCALE.search(note)]
    lines += [f"  scaling: {_sentence(note)}" for note in notes[:3]]
    return Answer("\n".join(lines) + _cite(sources), tuple(dict.fromkeys(sources)))


def _num(value: float) -> str:
    """A figure as people read it: 2,300 and 4.2 and 0.03, never a small load rounded to 0."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 1 else f"{value:.2g}"


def _usual_failures(design: Architecture, knowledge: Knowledge) -> list[Any]:
    from agent.schema import FailureMode

    found = []
    for component in design.components:
        spec = knowledge.general.failure_modes.get(component.category or "")
        if spec is not None:
            found.append(FailureMode(component=component.name, failure=spec.failure, impact=spec.impact,
                                     mitigation=spec.mitigation, citation=spec.cite))  # fmt: skip
    return found


# ---- from the knowledge base ------------------------------------------------------------------------------------


def _rests_on(design: Architecture) -> Callable[[Hit], bool]:
    """Whether a section belongs to a chapter this design rests on: its building blocks, its application, the
    chapters its coverage names."""
    chapters = tuple(f"blocks/{b.id.replace('_', '-')}/" for b in design.blocks)
    covered = {c.rsplit("/", 1)[0] for c in (design.coverage.chapters if design.coverage else [])}
    pattern = design.pattern.id if design.pattern else None

    def own(hit: Hit) -> bool:
        return (
            (bool(chapters) and hit.chunk_id.startswith(chapters))
            or hit.chunk_id.rsplit("/", 1)[0] in covered
            or (pattern not in (None, "other") and hit.pattern == pattern)
        )

    return own


def from_knowledge(question: str, design: Architecture, search: Any) -> Answer:
    """Whole sentences of the sections that answer the question, from the chapters this design rests on first;
    from other chapters only when those say nothing, and then said to be about other designs; or an honest
    "not covered" with the closest sections."""
    wanted = {w for w in stems(question) if w not in STOP}
    wanted |= {alias for w in wanted for alias in SYNONYMS.get(w, ())}
    hits: list[Hit] = list(search(question, 12))
    mechanism = bool(MECHANISM_QUESTION.search(question))
    enough = 2 if len(wanted) >= 2 else 1
    own = _rests_on(design)
    chosen = _sentences([h for h in hits if own(h)], wanted, mechanism, enough)
    elsewhere = not chosen
    if elsewhere:
        chosen = _sentences([h for h in hits if not own(h)][:6], wanted, mechanism, enough)
    if not chosen:
        closest = "; ".join(f"{section_title(h.chunk_id)} [{h.chunk_id}]" for h in hits[:3])
        return Answer(f"The knowledge base does not cover that. The closest sections: {closest}.",
                      tuple(h.chunk_id for h in hits[:3]))  # fmt: skip
    sources = tuple(dict.fromkeys(s[3] for s in chosen))
    body = " ".join(s[2] for s in chosen)
    cited = "; ".join(f"{section_title(c)} [{c}]" for c in sources)
    lead = ("Nothing this design rests on says; from other designs in the knowledge base (check it applies here): "
            if elsewhere and (design.blocks or design.coverage) else "")  # fmt: skip
    return Answer(f"{lead}{body}\nFrom: {cited}.", sources)


def _sentences(hits: list[Hit], wanted: set[str], mechanism: bool, enough: int) -> list[tuple[float, int, str, str]]:
    """The up-to-three sentences of `hits` that share most words with the question (a mechanism question
    prefers the sections that describe mechanisms)."""
    scored = []
    for rank, hit in enumerate(hits):
        section = hit.heading_path[-1] if hit.heading_path else ""
        if META_SECTIONS.search(section):
            continue  # where a chapter applies and what it read are not answers
        # a "how do you stop ..." is answered by a mechanism: the flows, parts and trade-offs, not the numbers
        bonus = 1.0 if mechanism and MECHANISM_SECTIONS.search(section) else 0.0
        for sentence in sentences(hit.text):
            overlap = len(wanted & stems(sentence))
            if overlap:
                scored.append((overlap + bonus, -rank, sentence, hit.chunk_id))
    scored.sort(reverse=True)
    return [s for s in scored if s[0] - (1.0 if mechanism else 0.0) >= enough - 1 and s[0] >= enough][:3]


def _cite(sources: list[str] | tuple[str, ...]) -> str:
    unique = list(dict.fromkeys(s for s in sources if s))
    return f"\nSources: {'; '.join(f'{section_title(s)} [{s}]' for s in unique)}." if unique else ""


def _sentence(text: str) -> str:
    text = " ".join((text or "").split())
    return text if not text or text[-1] in ".!?" else text + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _and(items: list[str], word: str = "and") -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"

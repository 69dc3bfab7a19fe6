"""Follow-ups as edits of the current design: "remove shipping and reviews", "add payments", "use DynamoDB
instead of Cassandra". An edit changes the design it names and nothing else; it never re-reads a longer request,
so removing "the recommendation service" can never raise the estimate by its keyword. What an edit changes that
the user did not name (a search index nobody queries any more) is said, with the reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from agent.knowledge import ComponentSpec, Knowledge, ServiceSpec, normalise_name
from agent.knowledge.models import BlockSpec
from agent.recognition import Words, matched_cues
from agent.retrieval.bm25 import stem
from agent.schema import Architecture, BlockChoice, Component, Flow, Service, Tradeoff
from agent.sizing.estimation import estimate, three_point

_FILLER = {"the", "a", "an", "any", "our", "its", "service", "services", "feature", "features", "support",
           "capability", "module", "for", "to", "it", "some", "basic", "new", "more", "also", "too", "of",
           "with"}  # fmt: skip
OWN_PARTS = {"search", "ml", "payments", "media_processing", "geospatial", "audit"}
"""What a capability brings that nothing else needs (never the databases, caches or the backend framework)."""
DATA = {"database", "cache", "queue", "storage", "search", "geospatial", "realtime", "ml", "payments",
        "media_processing"}  # fmt: skip
MAX_NAMED_WORDS = 5
"""A service the knowledge base does not know is added under the user's own name when it is this short."""
Similarity = Callable[[str, Sequence[str]], Sequence[float]]
"""How close a text is in meaning to each of some others (cosine similarity of their embeddings)."""
SAME_JOB = 0.6
"""The similarity from which a wished-for feature is a service the design already has. With the index's MiniLM:
"live tracking of the driver on the map" and "Location Service: track driver locations in real time" are 0.70,
"SMS reminders" and "Notification Service: push notifications, SMS" 0.65; "loyalty points program" and the closest
service of a taxi design 0.36, "ratings for drivers" and "Rating Service: post-trip ratings" 0.48 (found by name)."""
# what follows a feature's name says what it is for or how it works: "a loyalty program for frequent riders",
# "SMS reminders the day before", "fraud detection for the payments, ...", "price alerts via push"
_MODIFIER = re.compile(
    r"\s+(?:for|so|when|whenever|if|via|through|using|that|which|who|between|from|before|after|because|since|once"
    r"|with|on|in|at|every|each|the day|to (?:our|the|their|a|an|let|help|make)|sent|shown|made|built|used"
    r"|,)\b.*$|\s*[,(;:].*$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(r"^(?:(?:the|a|an|any|our|its|some|proper|real|basic|own|their)\s+)+", re.IGNORECASE)


def feature_head(target: str) -> str:
    """What a wished-for feature is called, without what it is for or how it works: "a loyalty points program for
    frequent riders" is the loyalty points program."""
    head = _ARTICLE.sub("", _MODIFIER.sub("", target.strip())).strip(" .")
    return head or target.strip()


@dataclass(frozen=True)
class Edit:
    kind: Literal["add", "remove", "replace", "async", "merge"]
    target: str
    new: str = ""


@dataclass
class EditResult:
    design: Architecture
    notes: list[str] = field(default_factory=list)
    """Changes the user did not name, each with its reason."""
    failed: list[str] = field(default_factory=list)
    """Edits that could not be made, each saying why and what would work instead."""
    made: list[Edit] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Every part and service the edits took out, those that went with them included."""


def stems(text: str) -> set[str]:
    return {stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in _FILLER}


def apply_edits(design: Architecture, edits: Sequence[Edit], knowledge: Knowledge,
                similar: Similarity | None = None) -> EditResult:  # fmt: skip
    """A copy of `design` with the edits made; notes for what else changed; why an edit could not be made.
    `similar` finds a wished-for feature among the design's services by meaning ("live tracking" is the Location
    Service); without it, by name."""
    result = EditResult(design.model_copy(deep=True))
    traits = set(result.design.traits)
    for edit in edits:
        if edit.kind == "remove":
            why_not = _remove(result, edit.target, knowledge, traits, similar)
        elif edit.kind == "add":
            why_not = _add(result, edit.target, knowledge, traits, similar)
        elif edit.kind == "async":
            why_not = _make_async(result, edit.target, knowledge, similar)
        elif edit.kind == "merge":
            why_not = _merge(result, edit.target, edit.new)
        else:
            why_not = _replace(result, edit.target, edit.new, knowledge, traits)
        if why_not:
            result.failed.append(why_not)
        else:
            result.made.append(edit)
    new = result.design
    new.traits = sorted(traits)
    if new.estimate is not None and new.pattern is not None:
        # the same tier; the factors the estimate applied, less those of the capabilities removed, plus those added
        multipliers = knowledge.estimation.multipliers
        applied = {multipliers[m.factor].trait for m in new.estimate.multipliers if m.factor in multipliers}
        kept = (applied - (set(design.traits) - traits)) | (traits - set(design.traits))
        plan = estimate(new.estimate.tier, new.pattern.id, {t: ["edit"] for t in kept}, knowledge)
        new.estimate = three_point(plan, new.services, new.estimate.team)
    return result


def _trait_of(target: str, knowledge: Knowledge) -> str | None:
    """The capability a target names: its cues must say most of what the target says ("push notifications" is
    notifications; "driver hours-of-service log" is no capability for its one word "driver"), the one that says
    most first, then one with a service of its own ("payments" is the payments capability, with its Payment
    Service, before it is a sign of transactions)."""
    words, said = Words(target), stems(target)
    ranked = []
    for trait, spec in knowledge.traits.items():
        cues = [c for c in matched_cues(spec.cues, words) if c not in spec.ambiguous]  # "push" is no capability alone
        covered = len(said & {s for cue in cues for s in stems(cue)})
        if cues and covered * 2 > len(said):
            ranked.append((-covered, trait not in knowledge.general.generic_services.by_trait, trait))
    return min(ranked)[2] if ranked else None


Named = TypeVar("Named", Service, ServiceSpec)


def _head_stem(text: str) -> str | None:
    """The noun a phrase is about: its last word before any "of" ("virtual waiting room" is a room, "translation
    of messages" a translation)."""
    found = [stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower().split(" of ")[0]) if w not in _FILLER]
    return found[-1] if found else None


def _best(wanted: set[str], candidates: Sequence[Named], wanted_text: str = "") -> Named | None:
    """The candidate whose name shares the most words with the target (all but one of them at least), the
    shortest name first ("analytics" is the Analytics Service before the Link Analytics Service)."""
    scored = []
    head = _head_stem(wanted_text) if wanted_text else None
    for item in candidates:
        have = stems(item.name)
        overlap = len(wanted & have)
        if head is not None and head not in have:
            continue  # "translation of messages" is no Message Service, "price alerts" no Pricing Service
        if overlap and overlap >= (len(wanted) if len(wanted) <= 2 else len(wanted) - 1):
            scored.append((-overlap, len(have), item))
    return min(scored, key=lambda x: (x[0], x[1]))[2] if scored else None


def _canonical(name: str, knowledge: Knowledge) -> str:
    return normalise_name(knowledge.canonical(name))


SAME_PART = 0.65
"""The similarity from which a service is the one a removal names in other words (a removal is surer than an
addition needs to be: it takes something out)."""


def _remove(result: EditResult, target: str, knowledge: Knowledge, traits: set[str],
            similar: Similarity | None = None) -> str | None:  # fmt: skip
    """The part or service named, else (in turn) the feature's name without what it is for ("recording of the
    calls" is the recording), else the service that does it, by meaning."""
    why_not = _remove_named(result, target, knowledge, traits)  # its message is the one said when all fail
    if why_not is None:
        return None
    for shorter in dict.fromkeys([feature_head(target), target.split(" of ")[0].strip()]):
        if shorter and shorter != target and _remove_named(result, shorter, knowledge, traits) is None:
            return None
    if _remove_capability(result, feature_head(target)):
        return None
    closest = _closest_service(result.design, feature_head(target), similar)
    if closest is not None and closest[1] >= SAME_PART:
        name = closest[0].name
        if _remove_named(result, name, knowledge, traits) is None:
            result.notes.append(f"- {name} went: read as {target!r}.")
            return None
    return why_not


def _remove_capability(result: EditResult, feature: str) -> bool:
    """One capability of a service taken out, the service kept ("drop surge pricing": the Pricing Service still
    prices fares): its words out of the service's job, and the flows, trade-offs and parts that exist only for it."""
    design, wanted = result.design, stems(feature)
    if len(wanted) < 2:
        return False  # one word ("pricing") names a whole service's job, not one capability of it
    said = re.compile(rf"(?:,?\s*(?:and\s+)?){re.escape(feature)}", re.IGNORECASE)
    changed = []
    for service in design.services:
        if service.responsibility and said.search(service.responsibility):
            service.responsibility = said.sub("", service.responsibility).strip(" ,;") or service.responsibility
            changed.append(f"{service.name}'s job")
    gone_flows = [f.name for f in design.flows if wanted <= stems(f.name)]
    design.flows = [f for f in design.flows if f.name not in gone_flows]
    used = {store for s in design.services for store in s.data_stores}
    gone_parts = [c.name for c in design.components
                  if c.purpose and wanted <= stems(c.purpose) and c.name not in used]  # fmt: skip
    design.components = [c for c in design.components if c.name not in gone_parts]
    before = len(design.tradeoffs)
    design.tradeoffs = [t for t in design.tradeoffs if not wanted <= stems(f"{t.decision} {t.chosen}")]
    changed += [f"the {name} flow" for name in gone_flows] + gone_parts
    changed += ["its trade-off"] * (before != len(design.tradeoffs))
    if changed:
        result.removed += gone_parts
        result.notes.append(f"- {feature}: taken out of {', '.join(changed)}; the rest stays.")
    return bool(changed)


def _remove_named(result: EditResult, target: str, knowledge: Knowledge, traits: set[str]) -> str | None:
    design = result.design
    wanted = stems(target)
    canonical = _canonical(target, knowledge)
    gone_services = [s for s in design.services if wanted and wanted <= stems(s.name)]
    gone_parts = [c for c in design.components if _canonical(c.name, knowledge) == canonical]
    trait = _trait_of(target, knowledge)
    if trait:  # a capability: its service and the parts only it brought
        spec = knowledge.general.generic_services.by_trait.get(trait)
        gone_services += [s for s in design.services if spec and s.name == spec.name and s not in gone_services]
        brought = {c.name for c in knowledge.general.trait_components.get(trait, ())}
        gone_parts += [c for c in design.components if c.name in brought and c.category in OWN_PARTS]
        traits.discard(trait)
    if not gone_services and not gone_parts:
        return f"Nothing in the design is {target!r}, so nothing was removed for it."
    names = {s.name for s in gone_services}
    design.services = [s for s in design.services if s.name not in names]
    used = {store for s in design.services for store in s.data_stores}
    # what only the removed services used goes too (a search index nobody queries), never the core stores
    orphans = {store for s in gone_services for store in s.data_stores} - used
    named = {c.name for c in gone_parts}
    follow = [c.name for c in design.components if c.name in orphans and c.name not in named
              and c.category not in ("database", "cache")]  # fmt: skip
    for name in follow:
        users = ", ".join(sorted(s.name for s in gone_services if name in s.data_stores))
        result.notes.append(f"- {name} also went: only {users} used it.")
    parts = named | set(follow)
    result.removed += sorted(parts | names)
    design.components = [c for c in design.components if c.name not in parts]
    for kept in design.services:
        kept.data_stores = [store for store in kept.data_stores if store not in parts]
    design.flows = [f for f in design.flows if not _flow_of(f.name, names)]
    return None


def _flow_of(flow: str, services: set[str]) -> bool:
    """A flow that is about a removed service (its name shares every word but "service" with the service)."""
    have = stems(flow)
    return any(stems(name) and stems(name) <= have for name in services)


def _closest_service(design: Architecture, feature: str, similar: Similarity | None) -> tuple[Service, float] | None:
    """The design's service closest in meaning to `feature` (its name and job), with the similarity."""
    if similar is None or not design.services:
        return None
    scores = list(similar(feature, [f"{s.name}: {s.responsibility or ''}" for s in design.services]))
    best = max(range(len(scores)), key=scores.__getitem__)
    return design.services[best], scores[best]


def _same_job(design: Architecture, feature: str, similar: Similarity | None) -> Service | None:
    """The design's service that already does what `feature` asks, by meaning."""
    closest = _closest_service(design, feature, similar)
    return closest[0] if closest is not None and closest[1] >= SAME_JOB else None


def _add(result: EditResult, target: str, knowledge: Knowledge, traits: set[str],
         similar: Similarity | None = None) -> str | None:  # fmt: skip
    design = result.design
    present = {_canonical(c.name, knowledge) for c in design.components}
    head = feature_head(target)
    tech = knowledge.technology(target) or knowledge.technology(head)
    if tech is not None:
        if normalise_name(tech.name) in present:
            return f"The design already has {tech.name}."
        design.components.append(Component(name=tech.name, category=tech.category, purpose=tech.use,
                                           citations=[tech.cite]))  # fmt: skip
        user = _wire(design, tech.name, tech.category)
        if user:
            result.notes.append(f"{user} uses {tech.name} (a new {tech.category} is used by a service, never left "
                                f"an orphan).")  # fmt: skip
        return None
    if (doing := _same_job(design, head, similar)) is not None:
        return f"The design already does that: {doing.name} ({doing.responsibility})."
    block, by_name = _block_named(head, knowledge)
    trait = _trait_of(head, knowledge)
    if block is not None and (by_name or trait is None):  # "a leaderboard" is the block; "payments" the capability
        return _add_block(result, block, knowledge, present)
    if trait:
        spec = knowledge.general.generic_services.by_trait.get(trait)
        if trait in traits and (spec is None or spec.name in {s.name for s in design.services}):
            return f"The design already has {target}" + (f" (the {spec.name})." if spec else ".")
        traits.add(trait)
        for part in knowledge.general.trait_components.get(trait, ()):
            if _canonical(part.name, knowledge) not in present:
                design.components.append(part.build())
        if spec and spec.name not in {s.name for s in design.services}:
            service = spec.build()
            if (noun := _head_stem(head)) is not None and noun not in stems(spec.name):
                # the capability's parts under the feature's own name: "fraud detection" is machine learning, but
                # not a Recommendation Service
                service = service.model_copy(update={"name": _service_name(head),
                                                     "responsibility": f"{head} ({spec.responsibility})"})  # fmt: skip
            design.services.append(service)
        return None
    return _add_service(result, head, knowledge, present)


def _service_name(feature: str) -> str:
    """A service named after a feature in the user's words: "fraud detection" is the Fraud Detection Service."""
    words = re.findall(r"[A-Za-z][\w-]*(?:\.[A-Za-z]\w*)*", feature)  # "Booking.com" is one word
    name = " ".join(w if w.isupper() else w.capitalize() for w in words if w.lower() not in _FILLER)
    return f"{name} Service" if not name.lower().endswith("service") else name


def _block_named(feature: str, knowledge: Knowledge) -> tuple[BlockSpec | None, bool]:
    """The building block a feature names, and whether by the block's own name: its name or one of its strong
    cues says the whole feature ("a leaderboard", "a rate limiter"), not one word of a longer one."""
    said = stems(feature)
    found: BlockSpec | None = None
    for block in knowledge.blocks.values():
        for n, name in enumerate((block.name, *block.strong)):
            named = stems(name)
            if named and named <= said and 2 * len(named) >= len(said):
                if n == 0:
                    return block, True
                found = found or block
    return found, False


def _add_block(result: EditResult, block: BlockSpec, knowledge: Knowledge, present: set[str]) -> str | None:
    """A building block the knowledge base describes, added with its services, parts, flows and trade-offs."""
    design = result.design
    if any(b.id == block.id for b in design.blocks):
        return f"The design already has the {block.name} building block."
    have = {normalise_name(s.name) for s in design.services}
    added = [spec.build() for spec in block.services if normalise_name(spec.name) not in have]
    design.services += added
    for spec in block.components:
        if _canonical(spec.name, knowledge) not in present:
            design.components.append(spec.build())
            present.add(_canonical(spec.name, knowledge))
    design.flows += [Flow(name=f.name, steps=list(f.steps), citations=[f.cite]) for f in block.flows]
    design.tradeoffs += [Tradeoff(decision=t.decision, chosen=t.chosen, alternatives=list(t.alternatives), why=t.why,
                                  citation=t.cite) for t in block.tradeoffs]  # fmt: skip
    design.blocks.append(BlockChoice(id=block.id, confidence=1.0, evidence=["added in the chat"]))
    result.notes.append(f"+ the {block.name} building block [{block.cite}]: its services, parts, flows and "
                        f"trade-offs.")  # fmt: skip
    return None


def _add_service(result: EditResult, target: str, knowledge: Knowledge, present: set[str]) -> str | None:
    """A service the knowledge base knows by that name (with the stores it keeps), else one under the user's name."""
    design = result.design
    wanted = stems(target)
    if not wanted:
        return f"{target!r} names nothing to add; name a technology ('Redis'), a capability ('payments') or a service."
    if (have := _best(wanted, list(design.services), target)) is not None:
        return f"The design already has it: {have.name} ({have.responsibility})."
    known = _known_services(knowledge)
    match = _best(wanted, [spec for spec, _ in known], target)
    if match is None:
        words = re.findall(r"[A-Za-z][\w-]*(?:\.[A-Za-z]\w*)*", target)  # "Booking.com" is one word
        if not words or len(words) > MAX_NAMED_WORDS:
            return f"Nothing was added for {target!r}: name a technology ('Redis'), a capability ('payments') or a " \
                   f"service in a few words ('a loyalty service')."  # fmt: skip
        name = _service_name(target)
        design.services.append(Service(name=name, responsibility=f"{target.strip()} (as you asked)"))
        result.notes.append(f"{name} is yours: the knowledge base has no section on {target!r}, so it cites none.")
        return None
    parts = dict(known)[match]
    added = match.build()
    for store in added.data_stores:
        if _canonical(store, knowledge) not in present and (spec := parts.get(store)) is not None:
            design.components.append(spec.build())
            present.add(_canonical(store, knowledge))
            result.notes.append(f"+ {store} came with {added.name}: {spec.purpose}.")
    added.data_stores = [d for d in added.data_stores if _canonical(d, knowledge) in present]
    design.services.append(added)
    return None


def _known_services(knowledge: Knowledge) -> list[tuple[ServiceSpec, dict[str, ComponentSpec]]]:
    """Every service the knowledge base describes, with the parts of the design it comes from."""
    found: list[tuple[ServiceSpec, dict[str, ComponentSpec]]] = []
    found += [(s, {}) for s in knowledge.general.generic_services.extra]
    for block in knowledge.blocks.values():
        parts = {c.name: c for c in block.components}
        found += [(s, parts) for s in block.services]
    for pattern in knowledge.patterns.values():
        parts = {c.name: c for c in pattern.components}
        found += [(s, parts) for s in pattern.services]
    return found


def _replace(result: EditResult, old: str, new: str, knowledge: Knowledge, traits: set[str]) -> str | None:
    """`old` swapped for `new`: a part in place (its wiring kept), or a service removed and another added."""
    design = result.design
    canonical_old = _canonical(old, knowledge)
    part = next((c for c in design.components if _canonical(c.name, knowledge) == canonical_old), None)
    if part is None and (old_tech := knowledge.technology(old)) is not None:
        # "use Cloudflare instead of CloudFront" where the design says "CDN": the one part doing that job
        doing = [c for c in design.components if c.category == old_tech.category]
        part = doing[0] if len(doing) == 1 else None
    if part is None:
        why_not = _remove_named(result, old, knowledge, traits)
        if why_not:
            return why_not.replace("nothing was removed", f"there is nothing to replace with {new}")
        return _add(result, new, knowledge, traits)  # a swap adds what was named, never "already does that"
    tech = knowledge.technology(new)
    # the user's product stays as they wrote it ("ScyllaDB" stays ScyllaDB though the catalogue files it elsewhere)
    name = tech.name if tech and _same_spelling(tech.name, new) else new.strip()
    if name.lower() == part.name.lower():
        return f"The design already uses {part.name}."
    old_name = part.name
    result.removed.append(old_name)  # swapped out: the checker never puts it back
    part.name = name
    part.category = tech.category if tech else part.category
    part.purpose = f"{part.purpose} ({name} chosen instead of {old_name}, as you asked)"
    part.citations = [tech.cite] if tech else []
    for service in design.services:
        service.data_stores = [name if store == old_name else store for store in service.data_stores]
    renamed = _rename_everywhere(design, old_name, name)
    if renamed:
        result.notes.append(f"{name} takes {old_name}'s place in {renamed}: check that each still holds for {name}.")
    if tech is None:
        result.notes.append(f"{name} is not in the catalogue: it takes {old_name}'s place as a {part.category}.")
    return None


def _merge(result: EditResult, first: str, second: str) -> str | None:
    """Two services as one deployable: the jobs, stores and flows of both, under both names."""
    design = result.design
    found = [_best(stems(name), list(design.services), name) for name in (first, second)]
    if any(s is None for s in found) or found[0] is found[1]:
        missing = [name for name, s in zip((first, second), found, strict=True) if s is None] or [second]
        return f"Nothing in the design is {missing[0]!r} to merge; its services: " \
               f"{', '.join(s.name for s in design.services)}."  # fmt: skip
    a, b = (s for s in found if s is not None)
    name = f"{a.name.removesuffix(' Service')} and {b.name.removesuffix(' Service')} Service"
    merged = Service(name=name, responsibility=f"{a.responsibility or a.name}; {b.responsibility or b.name}",
                     data_stores=list(dict.fromkeys([*a.data_stores, *b.data_stores])))  # fmt: skip
    design.services = [merged if s is a else s for s in design.services if s is not b]
    for flow in design.flows:
        flow.steps = [step.replace(a.name, name).replace(b.name, name) for step in flow.steps]
    design.tradeoffs.append(Tradeoff(
        decision=f"{a.name} and {b.name} as one deployable", chosen=name, alternatives=["two services"],
        why="one deployment, one database transaction across both jobs and no network call between them; they can "
        "no longer scale or ship separately", citation="microservice-count-guidelines",
    ))  # fmt: skip
    result.removed += [a.name, b.name]
    return None


QUEUE_CATEGORY = "queue"


def _part_doing(design: Architecture, what: str, knowledge: Knowledge) -> Component | None:
    """The part named, or the one whose category or role the words name ("payment" is Stripe's payments)."""
    wanted = stems(what)
    for component in design.components:
        category = (component.category or "").replace("_", " ")
        if _canonical(component.name, knowledge) == _canonical(what, knowledge) or (wanted & stems(category)):
            return component
    return None


def _make_async(result: EditResult, target: str, knowledge: Knowledge, similar: Similarity | None) -> str | None:
    """The service doing `target` takes its work from a queue instead of answering in the request: the queue is
    added when the design has none, and the trade-off (retries, idempotency, a status to poll) is written down."""
    design = result.design
    head = feature_head(target)
    service = _best(stems(head), list(design.services), head) or _same_job(design, head, similar)
    if service is None:  # "the payment part" of a design whose payments are a part (Stripe): the service using it
        part = _part_doing(design, head, knowledge)
        service = next((s for s in design.services if part is not None and part.name in s.data_stores), None)
    if service is None:
        return f"Nothing in the design does {target!r}, so nothing was made asynchronous."
    queue = next((c for c in design.components if c.category == QUEUE_CATEGORY), None)
    if queue is None:
        tech = knowledge.technology("RabbitMQ")
        if tech is None:
            return "The catalogue has no queue to put in front of it."
        queue = Component(name=tech.name, category=tech.category, purpose=tech.use, citations=[tech.cite])
        design.components.append(queue)
        result.notes.append(f"+ {queue.name} came with it: the work waits in a queue until {service.name} takes it.")
    if queue.name not in service.data_stores:
        service.data_stores.append(queue.name)
    result.notes.append(f"~ {service.name} is asynchronous now: it takes its work from {queue.name}, the request "
                        f"returns at once, and each message is retried until it succeeds (idempotent).")  # fmt: skip
    service.responsibility = f"{service.responsibility or ''} (asynchronous: consumes {queue.name})".strip()
    tech = knowledge.technology(queue.name)
    design.tradeoffs.append(Tradeoff(
        decision=f"{service.name} asynchronous",
        chosen=f"a {queue.name} queue in front of {service.name}",
        alternatives=["a synchronous call in the request"],
        why="the request returns at once and a slow or failing step no longer fails it; each message is retried, so "
        "the consumer must be idempotent (a key per operation), and the caller learns the outcome later (a status "
        "to poll or an event)",
        citation=tech.cite if tech else None,
    ))  # fmt: skip
    return None


def _rename_everywhere(design: Architecture, old: str, new: str) -> str:
    """`old` named as `new` in the flows, trade-offs and failure modes (a swap keeps the design consistent);
    which of them it was named in, or ""."""
    said = re.compile(rf"\b{re.escape(old)}\b", re.IGNORECASE)
    touched = []
    for flow in design.flows:
        steps = [said.sub(new, step) for step in flow.steps]
        if steps != flow.steps:
            flow.steps = steps
            touched.append(f"the {flow.name} flow")
    for tradeoff in design.tradeoffs:
        if said.search(tradeoff.chosen):
            tradeoff.chosen = said.sub(new, tradeoff.chosen)
            touched.append(f"the trade-off '{tradeoff.decision}'")
    for mode in design.failure_modes:
        if mode.component == old or said.search(mode.failure):
            mode.component = new if mode.component == old else mode.component
            mode.failure = said.sub(new, mode.failure)
            touched.append(f"its failure mode ({mode.failure})")
    return ", ".join(touched[:4]) + (f" and {len(touched) - 4} more" if len(touched) > 4 else "")


def _same_spelling(name: str, written: str) -> bool:
    """Whether `written` spells the catalogue's `name` ("memcache", "postgres"), not another product the
    catalogue files under it ("ScyllaDB" under Cassandra)."""
    a, b = name.lower(), written.strip().lower()
    return a == b or a.startswith(b) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.8


def _wire(design: Architecture, name: str, category: str) -> str | None:
    """A new data part is used by a service (the first that keeps data), never left an orphan."""
    if category not in DATA:
        return None
    users = [s for s in design.services if s.data_stores and "gateway" not in s.name.lower()] or design.services
    if not users:
        return None
    users[0].data_stores.append(name)
    return users[0].name

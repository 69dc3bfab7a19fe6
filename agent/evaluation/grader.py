"""Grading a model's design against what the request asks: a score in [0, 1] with its parts and their reasons.

The request is read once into its Brief (the engine's reading: the designs it calls for, its stated load, team,
compliance and tier); the completion's own labels (`pattern`, `blocks`, its `request`) are never believed. The
weights, factors and penalties are documented in docs/grading.md; the same inputs always give the same grade.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agent.brief.model import Brief
from agent.errors import SysdesignError
from agent.evaluation.completions import ParsedAs, read_completion
from agent.evaluation.design_text import design_units, for_the_checker, words_without_echo
from agent.evaluation.expectations import Profiles, coverage, expected_designs, phrase_hit, profiles_for
from agent.evaluation.grade_model import Grade, GradePart, Penalty
from agent.evaluation.penalties import penalties
from agent.evaluation.requirements_fit import requirements_fit
from agent.knowledge import Knowledge, normalise_name
from agent.retrieval.bm25 import terms

if TYPE_CHECKING:
    from agent.pipeline import Engine
    from agent.schema import Hit

WEIGHTS = {"addresses": 0.35, "mechanisms": 0.25, "requirements": 0.15, "checker": 0.15, "completeness": 0.10}
"""How much each part counts; they sum to 1."""
READ_FACTOR: dict[ParsedAs, float] = {"json": 1.0, "fenced_json": 1.0, "prose_json": 1.0, "markdown": 1.0,
                                      "repaired_json": 0.95, "truncated_json": 0.8, "none": 0.0}  # fmt: skip
"""The whole score is multiplied by this: a cut-off answer is scored on what is there, and worth less."""
COVERAGE_FULL = 0.45
"""The share of a design's distinctive words at which a design counts as fully addressing it (measured on
designs written for the request by people and by the engine: see docs/grading.md)."""
REQUEST_FULL = 0.6
"""The share of the request's own distinctive words a design's parts use to count as fully addressing it."""
DESIGN_SHARE = 0.75
"""How much of `addresses` the chapters' words make when the reading is sure; the request's own words the rest."""
RELEVANCE_FULL = 0.5
"""Below this `addresses` score the other parts count in proportion: at 0.1 a fifth of them."""
ERROR_COST, WARNING_COST = 0.5, 0.1
"""The checker part is 1 / (1 + 0.5 x errors + 0.1 x warnings): every finding costs, none zeroes it alone."""
SECTIONS = ("services", "components", "flows", "tradeoffs", "failure_modes", "scaling")
BRIEF_CACHE = 4096


def _zero(parsed_as: ParsedAs, problem: str, expected: list[str]) -> Grade:
    return Grade(score=0.0, parsed_as=parsed_as, problem=problem, expected=expected,
                 explanation=f"0.00: {problem}.")  # fmt: skip


def _addresses(profiles: Profiles, expected: list[str], present: set[str], brief: Brief
               ) -> tuple[GradePart, float, float]:  # fmt: skip
    """How much of what the request calls for the design speaks of: the requested chapters' distinctive words,
    weighed by how sure the reading of the request is, and the request's own words for the rest."""
    request = brief.request
    asked = {t for t in profiles.key_terms(request) if not t.isdigit()} - NOT_FEATURES
    request_share = len(asked & present) / len(asked) if asked else 0.0
    if not expected:
        score = min(1.0, request_share / REQUEST_FULL)
        reason = f"uses {request_share:.0%} of the request's own distinctive words in its parts (no chapter covers it)"
        return GradePart(name="addresses", score=score, weight=WEIGHTS["addresses"], reason=reason), 0.0, request_share
    shares = {d: coverage(profiles.designs[d], present) for d in expected}
    design_share = sum(shares.values()) / len(shares)
    sure = _sureness(brief, expected)
    by_design = DESIGN_SHARE * sure  # a reading the engine is unsure of asks less of its chapters' words
    score = min(1.0, by_design * min(1.0, design_share / COVERAGE_FULL)
                + (1 - by_design) * min(1.0, request_share / REQUEST_FULL))  # fmt: skip
    named = ", ".join(f"{profiles.designs[d].name} {share:.0%}" for d, share in shares.items())
    reason = f"uses the distinctive words of what the request calls for ({named}) and {request_share:.0%} of its own"
    part = GradePart(name="addresses", score=score, weight=WEIGHTS["addresses"], reason=reason)
    return part, design_share, request_share


def _sureness(brief: Brief, expected: list[str]) -> float:
    """The mean confidence of the Brief's reading of the designs it expects."""
    sure = {brief.pattern.id: brief.pattern.confidence, **{b.id: b.confidence for b in brief.blocks}}
    return sum(sure.get(d, 1.0) for d in expected) / len(expected)


def _part_names(document: dict[str, Any], knowledge: Knowledge) -> set[str]:
    """The catalogue names of the design's parts and data stores ("PostgreSQL" is Postgres)."""
    named = [c.get("name") if isinstance(c, dict) else c for c in _listed(document.get("components"))]
    named += [
        d for s in _listed(document.get("services")) if isinstance(s, dict) for d in _listed(s.get("data_stores"))
    ]
    return {normalise_name(knowledge.canonical(n)) for n in named if isinstance(n, str) and n.strip()}


def _listed(value: Any) -> list[Any]:
    """`value` when it is a list; a completion may put anything where a list belongs (`"data_stores": 1.5`)."""
    return value if isinstance(value, list) else []


def _mechanisms(profiles: Profiles, expected: list[str], present: set[str], parts: set[str]) -> GradePart:
    mechanisms = [m for d in expected for m in profiles.designs[d].mechanisms]
    if not mechanisms:  # not judged: its weight goes to the other parts
        return GradePart(
            name="mechanisms", score=0.0, weight=0.0, reason="no chapter names mechanisms for this request"
        )
    hits = [m for m in mechanisms if any(phrase_hit(p, present) for p in m.phrases) or m.parts & parts]
    missed = [m.label for m in mechanisms if m not in hits][:3]
    reason = f"{len(hits)} of {len(mechanisms)} key mechanisms addressed"
    reason += f"; missing e.g. {'; '.join(missed)}" if missed else ""
    return GradePart(name="mechanisms", score=len(hits) / len(mechanisms), weight=WEIGHTS["mechanisms"], reason=reason)


def _completeness(document: dict[str, Any]) -> GradePart:
    present = [s for s in SECTIONS if isinstance(document.get(s), list) and document[s]]
    if "scaling" not in present and isinstance(document.get("capacity"), list) and document["capacity"]:
        present.append("scaling")
    missing = [s for s in SECTIONS if s not in present]
    reason = "has " + ", ".join(present) + (f"; lacks {', '.join(missing)}" if missing else "")
    return GradePart(name="completeness", score=len(present) / len(SECTIONS), weight=WEIGHTS["completeness"],
                     reason=reason)  # fmt: skip


NOT_FEATURES = frozenset(
    terms(
        "build design system app application platform website site want need make create "
        "simple small team developer engineer freelance users people company our"
    )
)
"""Request words that say how it is asked or who asks, not what the system must do."""


class Grader:
    """Grades completions with one engine; Briefs of requests already seen are kept (RL repeats prompts)."""

    def __init__(self, engine: Engine | None = None) -> None:
        if engine is None:
            from agent.pipeline import Engine

            engine = Engine()
        self.engine = engine
        self.profiles = profiles_for(engine.knowledge)
        self._briefs: dict[str, Brief] = {}
        self._lock = threading.Lock()

    def brief(self, request: str, hits: list[Hit] | None = None) -> Brief:
        """The Brief of `request`, read once and kept."""
        with self._lock:
            held = self._briefs.get(request)
        if held is None:
            held = self.engine.brief(request, hits=hits)
            with self._lock:
                if len(self._briefs) >= BRIEF_CACHE:
                    self._briefs.pop(next(iter(self._briefs)))
                self._briefs[request] = held
        return held

    def grade(self, request: str, completion: Any) -> Grade:
        return self.grade_with_brief(self.brief(request), completion)

    def read_briefs(self, requests: Sequence[str]) -> None:
        """Read the Briefs of requests not seen before, one at a time: a request embedded in a batch comes out a
        little different with other requests beside it (padding), and a grade must not depend on its neighbours."""
        for request in dict.fromkeys(requests):
            self.brief(request)

    def grade_many(self, requests: Sequence[str], completions: Sequence[Any]) -> list[Grade]:
        """One grade per (request, completion)."""
        self.read_briefs(requests)
        return [self.grade(r, c) for r, c in zip(requests, completions, strict=True)]

    def grade_with_brief(self, brief: Brief, completion: Any) -> Grade:
        """The grade of `completion` for the request `brief` was read from (pure: the same inputs, the same grade)."""
        expected = expected_designs(brief)
        read = read_completion(completion)
        if read.document is None:
            return _zero(read.parsed_as, read.problem or "nothing could be read", expected)
        document = read.document
        units = design_units(document)
        if not document.get("components") and not document.get("services"):
            named = self.profiles.technologies_named(" ".join(units))
            if not named:
                return _zero(read.parsed_as, "no design found: no services, components or known technologies named",
                             expected)  # fmt: skip
            document = {**document, "components": [{"name": name} for name in named]}
            units += named  # the parts' names are the design's words too
        present = words_without_echo(units, brief.request)
        if not present:
            return _zero(read.parsed_as, "the design's parts say nothing beyond the request itself", expected)
        addresses, design_share, request_share = _addresses(self.profiles, expected, present, brief)
        knowledge = self.engine.knowledge
        parts = [
            addresses,
            _mechanisms(self.profiles, expected, present, _part_names(document, knowledge)),
            requirements_fit(brief, document, present, WEIGHTS["requirements"], knowledge, self.profiles),
            self._checker(brief, document),
            _completeness(document),
        ]
        taken = penalties(self.profiles, knowledge, brief, document, expected, present, design_share,
                          request_share)  # fmt: skip
        factor = READ_FACTOR[read.parsed_as]
        judged = sum(p.weight for p in parts)  # a part that cannot be judged has weight 0; the rest count for it
        # the other parts count as far as the design is about the request: a tidy design of something else is not
        relevant = min(1.0, addresses.score / RELEVANCE_FULL)
        earned = addresses.score * addresses.weight + relevant * sum(p.score * p.weight for p in parts[1:])
        raw = factor * earned / judged - sum(p.amount for p in taken)
        score = round(min(1.0, max(0.0, raw)), 4)
        return Grade(score=score, parts=parts, penalties=taken, parsed_as=read.parsed_as, expected=expected,
                     explanation=_explain(score, read.parsed_as, factor, parts, taken))  # fmt: skip

    def _checker(self, brief: Brief, document: dict[str, Any]) -> GradePart:
        weight = WEIGHTS["checker"]
        try:
            report = self.engine.check(
                for_the_checker(document, brief.request), pattern=brief.pattern.id, blocks=[b.id for b in brief.blocks]
            )
        except SysdesignError as exc:
            return GradePart(name="checker", score=0.0, weight=weight, reason=f"the checker could not read it: {exc}")
        score = 1.0 / (1.0 + ERROR_COST * report.errors + WARNING_COST * report.warnings)
        rules = sorted({f.rule_id for f in report.findings if f.severity in ("error", "warning")})
        reason = f"{report.errors} errors and {report.warnings} warnings held to the request's reading"
        reason += f" ({', '.join(rules[:6])})" if rules else ""
        return GradePart(name="checker", score=score, weight=weight, reason=reason)


def _explain(score: float, parsed_as: str, factor: float, parts: list[GradePart], penalties: list[Penalty]) -> str:
    text = f"{score:.2f}: read as {parsed_as}" + (f" (x{factor:g})" if factor < 1 else "") + ". "
    text += " ".join(f"{p.name.capitalize()} {p.score:.2f}: {p.reason}." for p in parts)
    if penalties:
        text += " Penalties: " + "; ".join(f"{p.name} -{p.amount:.2f} ({p.reason})" for p in penalties) + "."
    return text


_default: Grader | None = None
_default_lock = threading.Lock()


def grade(request: str, completion: Any, engine: Engine | None = None) -> Grade:
    """The grade of `completion` (a model's text, chat messages or a dict) as an answer to `request`."""
    global _default
    if engine is not None:
        return Grader(engine).grade(request, completion)
    with _default_lock:
        if _default is None:
            _default = Grader()
    return _default.grade(request, completion)

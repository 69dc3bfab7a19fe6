"""Preference pairs for DPO-style training: the checked design (chosen) and the same design with one realistic
defect (rejected), with the defect, the rules that catch it and the grade gap.

Defects come from the knowledge of the designs the request calls for: a part the chapter requires taken out, one
of the chapter's known mistakes made (its own example sentence), the chapter's key flows dropped, the caches
taken out, or services of an unrelated application added. A defect is kept only when the checker or the grader
sees it (new findings, or a grade at least MIN_GAP lower).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from agent.brief.model import Brief
from agent.datasets.requests import Catalogue
from agent.datasets.target import target_text
from agent.evaluation.expectations import expected_designs
from agent.evaluation.grader import Grader
from agent.knowledge import synth_phrasings
from agent.knowledge.models import BlockSpec
from agent.pipeline import Engine

MIN_GAP = 0.02
Defect = tuple[str, str, dict[str, Any]]


class PreferencePair(BaseModel):
    """One row in TRL's preference format (`prompt`, `chosen`, `rejected`) with what makes `rejected` worse."""

    prompt: str
    chosen: str
    rejected: str
    defect: str
    description: str
    rule_ids: list[str]
    grade_chosen: float
    grade_rejected: float
    grade_gap: float
    row: int
    seed: int
    template: str


def _without_parts(design: dict[str, Any], names: set[str]) -> dict[str, Any]:
    lowered = {n.lower() for n in names}
    changed = dict(design)
    changed["components"] = [c for c in design.get("components", []) if c.get("name", "").lower() not in lowered]
    changed["services"] = [{**s, "data_stores": [d for d in s.get("data_stores", []) if d.lower() not in lowered]}
                           for s in design.get("services", [])]  # fmt: skip
    return changed


def defects(design: dict[str, Any], brief: Brief, engine: Engine) -> Iterator[Defect]:
    """Every defect the knowledge suggests for this design: (kind, description, damaged design)."""
    knowledge = engine.knowledge
    names = {c.get("name", "").lower(): c.get("name", "") for c in design.get("components", [])}
    for design_id in expected_designs(brief):
        spec = knowledge.blocks.get(design_id) or knowledge.patterns.get(design_id)
        if spec is None:
            continue
        for requirement in spec.required:
            present = {names[n.lower()] for n in requirement.any_of if n.lower() in names}
            if present and requirement.when is None:
                yield ("required_part_removed", f"{' and '.join(sorted(present))} taken out: {requirement.why}",
                       _without_parts(design, present))  # fmt: skip
        if isinstance(spec, BlockSpec):
            for mistake in spec.mistakes:
                if mistake.example and mistake.says:
                    scaling = [*design.get("scaling", []), mistake.example]
                    yield "known_mistake", f"{mistake.mistake} ({spec.name})", {**design, "scaling": scaling}
        if design.get("flows"):
            yield "key_flows_dropped", f"the key flows of the {spec.name} left out", {**design, "flows": []}
    caches = {c.get("name", "") for c in design.get("components", []) if c.get("category") == "cache"}
    if caches:
        yield "caches_removed", f"no cache: {', '.join(sorted(caches))} taken out", _without_parts(design, caches)
    unrelated = [p for p in knowledge.patterns.values() if p.id not in expected_designs(brief)]
    if unrelated:
        other = unrelated[len(brief.request) % len(unrelated)]  # varies with the request, the same every run
        extra = [{"name": s.name, "responsibility": s.responsibility} for s in other.services]
        yield ("services_nobody_asked_for", f"{len(extra)} services of a {other.name} added",
               {**design, "services": [*design.get("services", []), *extra]})  # fmt: skip


def _errors(engine: Engine, design: dict[str, Any], brief: Brief) -> set[tuple[str, str | None]]:
    report = engine.check(design, pattern=brief.pattern.id, blocks=[b.id for b in brief.blocks])
    return {(f.rule_id, f.subject) for f in report.findings if f.severity in ("error", "warning")}


def pair_for(engine: Engine, grader: Grader, prompt: str, rng: random.Random) -> PreferencePair | None:
    """A pair for `prompt`, or None when no defect is seen by the checker or the grader."""
    architecture = engine.recommend(prompt)
    brief = architecture.brief or grader.brief(prompt)
    chosen = architecture.model_dump(mode="json", exclude_none=True)
    chosen_text = target_text(chosen)
    good = grader.grade_with_brief(brief, chosen_text)
    before = _errors(engine, chosen, brief)
    candidates = list(defects(chosen, brief, engine))
    rng.shuffle(candidates)
    for kind, description, damaged in candidates:
        rejected_text = target_text(damaged)
        bad = grader.grade_with_brief(brief, rejected_text)
        rules = sorted({rule for rule, _ in _errors(engine, damaged, brief) - before})
        if rules or good.score - bad.score >= MIN_GAP:
            return PreferencePair(prompt=prompt, chosen=chosen_text, rejected=rejected_text, defect=kind,
                                  description=description, rule_ids=rules, grade_chosen=good.score,
                                  grade_rejected=bad.score, grade_gap=round(good.score - bad.score, 4), row=0,
                                  seed=0, template="")  # fmt: skip
    return None


def preference_pairs(engine: Engine, n: int, seed: int, prompts: list[str] | None = None,
                     progress: Callable[[int, int], None] | None = None) -> Iterator[PreferencePair]:  # fmt: skip
    """`n` pairs (fewer when defects run out): for `prompts` in order, or for synthetic requests of `seed`."""
    grader = Grader(engine)
    catalogue = Catalogue(engine.knowledge, synth_phrasings()) if prompts is None else None
    made = index = 0
    limit = len(prompts) if prompts is not None else n * 5
    while made < n and index < limit:
        if catalogue is not None:
            candidate = catalogue.candidate(seed, index)
            prompt, row_seed, template = candidate.prompt, candidate.seed, candidate.template
        else:
            assert prompts is not None
            prompt, row_seed, template = prompts[index], seed * 1_000_003 + index, "given"
        pair = pair_for(engine, grader, prompt, random.Random(row_seed))
        index += 1
        if pair is None:
            continue
        made += 1
        if progress:
            progress(made, n)
        yield pair.model_copy(update={"row": index - 1, "seed": row_seed, "template": template})

"""The checker benchmark: expert designs transcribed from public sources, every error and warning the checker
gives them labelled true, debatable or false by a reviewer, and the same designs with seeded defects.

Precision counts true and debatable findings over all error and warning findings (a finding nobody labelled
counts as false, so a new rule that fires on an expert design must earn its label); recall is the share of
seeded defects whose expected rule fires on the damaged design and not on the original.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.errors import InvalidRequest
from agent.files import jsonl_records
from agent.paths import bundled
from agent.schema import Finding

CHECKER_DIR = bundled("evals", "checker")
Verdict = Literal["true", "debatable", "false"]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    url: str
    publisher: str
    year: int
    licence: str = Field(description="The source's terms; only architecture facts are transcribed, in our words.")


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    match: str = Field(default="", description="A piece of the finding's message, when a rule fires more than once.")
    verdict: Verdict
    why: str


class ExpertDesign(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    source: Source
    document: dict[str, Any]
    labels: list[Label] = []

    def label_of(self, finding: Finding) -> Label | None:
        message = finding.message.lower()
        return next((lb for lb in self.labels if lb.rule == finding.rule_id and lb.match.lower() in message), None)


class Mutation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remove: list[str] = Field(default=[], description="Components taken out (and out of every service).")
    add_scaling: list[str] = Field(default=[], description="Sentences added to the scaling notes.")
    request: str | None = Field(default=None, description="A replacement request (a stated load, say).")


class SeededDefect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    design: str
    mutate: Mutation
    expect: str = Field(description="The rule that must catch it.")
    why: str


class DesignScore(BaseModel):
    id: str
    findings: int
    verdicts: dict[str, int]
    false_errors: int
    unlabelled: list[str]


class CheckerScore(BaseModel):
    designs: int
    findings: int
    precision: float
    false_errors_per_design: float
    seeded: int
    recall: float
    missed: list[str]
    per_design: list[DesignScore]


def load_designs(folder: Path = CHECKER_DIR) -> list[ExpertDesign]:
    files = sorted((folder / "expert").glob("*.json"))
    if not files:
        raise InvalidRequest(f"no expert designs in {str(folder / 'expert')!r}")
    designs = []
    for file in files:
        try:
            designs.append(ExpertDesign.model_validate(json.loads(file.read_text(encoding="utf-8"))))
        except ValueError as exc:
            raise InvalidRequest(f"{str(file)!r} is not an expert design: {exc}") from None
    return designs


def load_seeded(folder: Path = CHECKER_DIR) -> list[SeededDefect]:
    seeded = []
    for number, record in jsonl_records(folder / "seeded.jsonl", SeededDefect, "seeded defects"):
        if not isinstance(record, SeededDefect):
            raise InvalidRequest(f"seeded.jsonl line {number} is not a seeded defect: {record}")
        seeded.append(record)
    return seeded


def damaged(document: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    """The design with the defect seeded into it."""
    gone = {name.lower() for name in mutation.remove}

    def keep(item: Any) -> bool:
        return (item if isinstance(item, str) else item.get("name", "")).lower() not in gone

    doc = json.loads(json.dumps(document))
    doc["components"] = [c for c in doc.get("components", []) if keep(c)]
    for service in doc.get("services", []):
        if isinstance(service, dict):
            service["data_stores"] = [s for s in service.get("data_stores", []) if s.lower() not in gone]
    doc["scaling"] = [*doc.get("scaling", []), *mutation.add_scaling]
    if mutation.request is not None:
        doc["request"] = mutation.request
    return doc


def _judged(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def score(engine, folder: Path = CHECKER_DIR) -> CheckerScore:
    """Precision on the expert designs and recall on the seeded defects."""
    designs = load_designs(folder)
    by_id = {d.id: d for d in designs}
    per_design, good, total, false_errors = [], 0, 0, 0
    for design in designs:
        findings = _judged(engine.check(design.document).findings)
        verdicts = {"true": 0, "debatable": 0, "false": 0, "unlabelled": 0}
        unlabelled, wrong_errors = [], 0
        for finding in findings:
            label = design.label_of(finding)
            verdict = label.verdict if label else "unlabelled"
            verdicts[verdict] += 1
            if label is None:
                unlabelled.append(f"{finding.rule_id} {finding.severity}: {finding.message}")
            if verdict in ("false", "unlabelled") and finding.severity == "error":
                wrong_errors += 1
        good += verdicts["true"] + verdicts["debatable"]
        total += len(findings)
        false_errors += wrong_errors
        per_design.append(DesignScore(id=design.id, findings=len(findings), verdicts=verdicts,
                                      false_errors=wrong_errors, unlabelled=unlabelled))  # fmt: skip
    seeded = load_seeded(folder)
    missed = []
    for defect in seeded:
        if defect.design not in by_id:
            raise InvalidRequest(f"seeded defect {defect.id!r} names an unknown design {defect.design!r}")
        original = by_id[defect.design].document
        # caught: the expected rule says something about the damaged design it did not say about the original
        before = {(f.rule_id, f.message) for f in engine.check(original).findings}
        after = {(f.rule_id, f.message) for f in engine.check(damaged(original, defect.mutate)).findings}
        if not any(rule == defect.expect for rule, _ in after - before):
            missed.append(defect.id)
    return CheckerScore(
        designs=len(designs), findings=total, precision=round(good / total, 3) if total else 1.0,
        false_errors_per_design=round(false_errors / len(designs), 2), seeded=len(seeded),
        recall=round(1 - len(missed) / len(seeded), 3) if seeded else 1.0, missed=missed, per_design=per_design,
    )  # fmt: skip

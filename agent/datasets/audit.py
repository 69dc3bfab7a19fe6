"""The label audit: does the engine's reading of a generated request hold what the row was generated to be?

A row whose design was drafted from a different reading (another pattern, a missing block, a stated load or
constraint not read, a niche audience given a brand's scale) teaches the wrong answer; the audit names each
disagreement so that the row is dropped or kept with a flag, and the counts go into the dataset card.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.datasets.requests import Intended
from agent.knowledge import Knowledge

Verdict = Literal["ok", "flagged"]
BRAND_SCALE = 1_000_000
"""Daily users a niche audience's app is not assumed to have unless the request says so."""


class AuditResult(BaseModel):
    """The audit's verdict on one row, with a reason per disagreement ('pattern: meant X, read Y')."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reasons: tuple[str, ...] = ()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def audit(intended: Intended, architecture: dict[str, Any], knowledge: Knowledge) -> AuditResult:
    """Compare `intended` with the drafted `architecture` (the engine's document as JSON)."""
    reasons: list[str] = []
    pattern = (architecture.get("pattern") or {}).get("id", "other")
    if intended.pattern is not None and pattern not in {intended.pattern, *intended.also}:
        reasons.append(f"pattern: meant {intended.pattern}, read {pattern}")
    read_blocks = {b["id"] for b in architecture.get("blocks", [])}
    for block in intended.blocks:
        spec = knowledge.blocks.get(block)
        if block not in read_blocks and not (spec and spec.held_by(pattern)):
            reasons.append(f"block: meant {block}, not read")
    requirements = architecture.get("requirements") or {}
    stated = [f for f in requirements.get("scale", []) if f.get("source") == "request"]
    constraints = [c for c in requirements.get("constraints", []) if c.get("source") == "request"]
    if intended.load is not None:
        load = intended.load
        if not any(abs(f["value"] - load.value) <= 0.01 * load.value for f in stated):
            reasons.append(f"load: meant {load.value:,.0f} {load.unit}, read {[f['value'] for f in stated]}")
    values = {name: [c["value"] for c in constraints if c["name"] == name] for name in ("team", "budget")}
    if intended.team is not None and not any(_digits(v) == str(intended.team) for v in values["team"]):
        reasons.append(f"team: meant {intended.team} engineers, read {values['team']}")
    if intended.budget is not None and not any(_digits(v) == str(intended.budget) for v in values["budget"]):
        reasons.append(f"budget: meant ${intended.budget:,} a month, read {values['budget']}")
    places = [c["value"] for c in constraints if c["name"] in {"region", "data residency"}]
    if intended.region is not None and not any(intended.region in v for v in places):
        reasons.append(f"region: meant {intended.region}, read {places}")
    regulations = [c["value"] for c in constraints if c["name"] == "compliance"]
    if intended.compliance is not None and intended.compliance not in regulations:
        reasons.append(f"compliance: meant {intended.compliance}, read {regulations}")
    if intended.audience and intended.load is None:
        assumed = _assumed_users(architecture)
        if assumed is not None and assumed >= BRAND_SCALE:
            reasons.append(f"scale: a niche audience ({intended.audience}) read at {assumed:,.0f} daily users")
    return AuditResult(verdict="flagged" if reasons else "ok", reasons=tuple(reasons))


def _assumed_users(architecture: dict[str, Any]) -> float | None:
    for assumption in architecture.get("assumptions", []):
        if assumption.get("name") == "dau" and assumption.get("source") != "request":
            try:
                return float(str(assumption.get("value", "")).replace(",", ""))
            except ValueError:
                return None
    return None


class AuditReport(BaseModel):
    """What the audit found over a run: rows checked, flagged, dropped, the commonest reasons and examples."""

    checked: int = 0
    flagged: int = 0
    dropped: int = 0
    reasons: dict[str, int] = Field(default_factory=dict, description="Flags by kind ('pattern', 'load', ...).")
    by_template: dict[str, int] = Field(default_factory=dict, description="Flags by template id.")
    examples: list[dict[str, Any]] = Field(default_factory=list)

    def add(self, prompt: str, template: str, result: AuditResult, dropped: bool) -> None:
        """Count one row's verdict (and keep a few flagged rows as examples)."""
        self.checked += 1
        if result.verdict == "ok":
            return
        self.flagged += 1
        self.dropped += dropped
        kinds = Counter(reason.split(":", 1)[0] for reason in result.reasons)
        for kind in kinds:
            self.reasons[kind] = self.reasons.get(kind, 0) + 1
        self.by_template[template] = self.by_template.get(template, 0) + 1
        if len(self.examples) < 10:
            self.examples.append({"prompt": prompt, "reasons": list(result.reasons)})

    def merge(self, other: AuditReport) -> None:
        """Add another run's counts (shards written apart)."""
        self.checked += other.checked
        self.flagged += other.flagged
        self.dropped += other.dropped
        for mine, theirs in ((self.reasons, other.reasons), (self.by_template, other.by_template)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count
        self.examples = (self.examples + other.examples)[:10]

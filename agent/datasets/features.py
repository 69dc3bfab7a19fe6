"""The features the knowledge base implies for a request, as a flat, stable record (JSON or CSV)."""

from __future__ import annotations

from typing import Any

from agent.knowledge import Knowledge, load_knowledge
from agent.recognition import WEIGHTS, Words, matched_cues, read_request
from agent.schema import Hit
from agent.sizing.estimation import choose_tier


def columns(knowledge: Knowledge | None = None) -> list[str]:
    """The CSV columns, in their fixed order (documented in the README)."""
    knowledge = knowledge or load_knowledge()
    names = ["prompt", "pattern", "confidence", "tier", "write_share", "read_write"]
    names += [f"kw_{pid}" for pid in knowledge.pattern_ids] + [f"score_{pid}" for pid in knowledge.pattern_ids]
    names += [f"trait_{trait}" for trait in knowledge.traits]
    names += ["signal_small_scope", "signal_enterprise", "signal_large_scale", "cues"]
    return names


def features(prompt: str, hits: list[Hit] | None = None, knowledge: Knowledge | None = None) -> dict[str, Any]:
    """Keywords matched per pattern, trait flags with their cues, read/write mix and tier signals of `prompt`."""
    knowledge = knowledge or load_knowledge()
    reading = read_request(prompt, hits or [], knowledge)
    words = Words(prompt)
    row: dict[str, Any] = {"prompt": prompt, "pattern": reading.pattern.id, "confidence": reading.pattern.confidence}
    tier = choose_tier(reading.pattern.id, reading.traits, reading.small_scope, reading.enterprise, reading.large_scale)
    spec = knowledge.patterns.get(reading.pattern.id)
    mix = spec.read_write if spec else ("20:80" if "write_heavy" in reading.traits else "80:20")
    reads, writes = (float(part) for part in mix.split(":"))
    row.update(tier=tier, write_share=round(writes / (reads + writes), 3), read_write=mix)
    cues: dict[str, list[str]] = {}
    for pid in knowledge.pattern_ids:
        pattern = knowledge.patterns[pid]
        found = [cue for group in WEIGHTS for cue in matched_cues(getattr(pattern, group), words, group != "weak")]
        row[f"kw_{pid}"] = len(found)
        cues[pid] = found
    for pid in knowledge.pattern_ids:
        row[f"score_{pid}"] = reading.scores[pid]
    for trait in knowledge.traits:
        row[f"trait_{trait}"] = int(trait in reading.traits)
        if trait in reading.traits:
            cues[trait] = reading.traits[trait]
    row.update(
        signal_small_scope=int(bool(reading.small_scope)),
        signal_enterprise=int(bool(reading.enterprise)),
        signal_large_scale=int(bool(reading.large_scale)),
        cues={key: value for key, value in cues.items() if value},
    )
    return {name: row[name] for name in columns(knowledge)}

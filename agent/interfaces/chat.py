"""A chat session over one design: follow-ups change it, questions are answered from the knowledge base.

The session is plain logic (no terminal): `handle(line)` returns the text to show. The CLI adds line editing,
history and Ctrl-C handling; the session saves itself after every turn so a crash loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.document import parse_document
from agent.errors import SysdesignError
from agent.files import load_json, read_text_file, write_atomic
from agent.interfaces.chat_edits import Edit, apply_edits, read_edits
from agent.paths import user_data_dir
from agent.redaction import redact_text
from agent.retrieval.search import MAX_QUERY_CHARS
from agent.schema import Architecture

QUESTION = re.compile(r"^\s*(why|how|what|which|when|where|who|is|are|does|do|can|could|should|will|would)\b",
                      re.IGNORECASE)  # fmt: skip
log = logging.getLogger("sysdesign")
SWAP = re.compile(
    r"\b(?:swap|replace)\s+(?P<old>[\w .+/-]+?)\s+(?:for|with|by)\s+(?P<new>[\w .+/-]+?)\s*$"  # swap A for B
    r"|\buse\s+(?P<new2>[\w .+/-]+?)\s+instead\s+of\s+(?P<old2>[\w .+/-]+?)\s*$",  # use B instead of A
    re.IGNORECASE,
)
UNDO = re.compile(r"^\s*(?:undo|undo that|revert that|go back)\s*[.!]?\s*$", re.IGNORECASE)
SCALE = re.compile(r"\b(\d{1,6})\s*x\b", re.IGNORECASE)  # "at 10x users" (a sane factor, not 10^400)
HELP = """Type a request to start, then follow-ups to change the design ("add payments", "it must be HIPAA
compliant", "we are 3 engineers, keep it simple", "swap Cassandra for ScyllaDB"), or questions about it
("why Cassandra?", "how does the feed work?", "what would break at 10x users?").
Commands: /json  /diagram  /save FILE  /load FILE  /model NAME  /undo  /new  /help  /quit"""


def data_dir() -> Path:
    """Where chat sessions are kept: the user's data folder ($SYSDESIGN_DATA, else the platform's)."""
    return user_data_dir()


def _set_aside(path: Path) -> Path:
    """Move an unreadable session out of the way (never delete what the user may want to look at)."""
    import time

    kept = path.with_name(f"{path.stem}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    with contextlib.suppress(OSError):
        path.replace(kept)
    return kept


@dataclass
class ChatSession:
    advisor: Any
    path: Path = field(default_factory=lambda: data_dir() / "chat-session.json")
    request: str | None = None
    design: Architecture | None = None
    drafter: str | None = None
    swaps: dict[str, str] = field(default_factory=dict)
    history: list[dict[str, str]] = field(default_factory=list)
    undo_stack: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False

    # ---- persistence -----------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        return {"request": self.request, "drafter": self.drafter, "swaps": self.swaps,
                "design": self.design.model_dump(mode="json") if self.design else None}  # fmt: skip

    def save(self) -> None:
        """Write the session atomically (the conversation and the current design); a failure is a notice."""
        data = {**self.snapshot(), "history": self.history, "undo": self.undo_stack[-10:]}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, redact_text(json.dumps(data, indent=1)))  # no credentials on disk
        except (OSError, SysdesignError) as exc:
            log.warning("the chat session could not be saved to %s (%s)", self.path, exc)

    def restore(self, data: dict[str, Any]) -> None:
        self.request, self.drafter = data.get("request"), data.get("drafter")
        self.swaps = dict(data.get("swaps") or {})
        self.design = Architecture.model_validate(data["design"]) if data.get("design") else None
        self.history = list(data.get("history") or [])
        self.undo_stack = list(data.get("undo") or [])

    @classmethod
    def resume(cls, advisor: Any, path: Path | None = None) -> ChatSession:
        session = cls(advisor) if path is None else cls(advisor, path=path)
        if session.path.is_file():
            try:
                data = load_json(session.path.read_text(encoding="utf-8"), "the session")
                if not isinstance(data, dict):
                    raise TypeError(f"a session is a JSON object, not {type(data).__name__}")
                session.restore(data)
            except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError, SysdesignError) as exc:
                kept = _set_aside(session.path)
                log.warning("the saved chat session could not be read (%s); it was kept as %s and a new one "
                            "started", type(exc).__name__, kept)  # fmt: skip
                fresh = cls(advisor, path=session.path)
                return fresh
        return session

    # ---- turns -----------------------------------------------------------------------------------------

    def handle(self, line: str) -> str:
        """One turn: a command, a question, a new request or a follow-up. Never raises for bad input."""
        text = line.strip()
        if not text:
            return "Say what to build, or /help."
        if len(text) > MAX_QUERY_CHARS:
            return f"That message has {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}."
        try:
            reply = self._command(text) if text.startswith("/") else self._turn(text)
        except SysdesignError as exc:
            reply = f"error: {exc}"
        self.history.append({"user": text, "reply": reply[:2000]})
        self.save()
        return reply

    def _turn(self, text: str) -> str:
        if self.design is None:
            return self._design(text, text, first=True)
        if QUESTION.match(text) or text.endswith("?"):
            return self._answer(text)
        swap = SWAP.search(text)
        if swap:
            old = (swap.group("old") or swap.group("old2")).strip()
            new = (swap.group("new") or swap.group("new2")).strip()
            return self._swap(old, new)
        if UNDO.match(text):
            return self._command("/undo")
        if edits := read_edits(text):
            return self._edit(edits)
        return self._design(f"{self.request}. {text}", text)

    def _edit(self, edits: list[Edit]) -> str:
        """Structured edits of the current design (add / remove a part, a service or a capability)."""
        assert self.design is not None
        before = self.design
        design, notes = apply_edits(before, edits, self.advisor.engine.knowledge)
        if len(notes) == len(edits):  # every edit said why it could not be made: the design is as it was
            return "\n".join(notes)
        design.findings = self.advisor.check(design).findings
        self._push_undo()
        self.design = design
        # what the checker now asks for is said, not silently re-added: the user's edit has the last word
        old = {(f.rule_id, f.message) for f in before.findings}
        raised = [f"{f.rule_id}: {f.message} (kept as you asked; '/undo' restores it)" for f in design.findings
                  if f.severity == "error" and (f.rule_id, f.message) not in old]  # fmt: skip
        return "\n".join([diff(before, design), *notes, *raised])

    def _recommend(self, request: str) -> Architecture:
        options = {"drafter": self.drafter} if self.drafter else {}
        design = self.advisor.recommend(request, **options)
        return self._apply_swaps(design)

    def _apply_swaps(self, design: Architecture) -> Architecture:
        if not self.swaps:
            return design
        knowledge = self.advisor.engine.knowledge
        for component in design.components:
            new = self.swaps.get(knowledge.canonical(component.name))
            if new:
                tech = knowledge.technology(new)
                component.name = new
                component.category = tech.category if tech else component.category
                component.purpose = f"{component.purpose} (chosen instead of the knowledge base's default)"
        for service in design.services:
            service.data_stores = [self.swaps.get(knowledge.canonical(s), s) for s in service.data_stores]
        report = self.advisor.check(design)
        design.findings = report.findings
        return design

    def _push_undo(self) -> None:
        self.undo_stack.append(self.snapshot())

    def _design(self, request: str, said: str, first: bool = False) -> str:
        before = self.design
        design = self._recommend(request)
        self._push_undo()
        self.request, self.design = request, design
        if first or before is None:
            from agent.render.text import render_architecture

            return render_architecture(design, answer_hint="a follow-up in your own words, e.g. '50k users, team of 2'")
        return diff(before, design)

    def _swap(self, old: str, new: str) -> str:
        assert self.design is not None
        knowledge = self.advisor.engine.knowledge
        canonical_old = knowledge.canonical(old)
        if canonical_old not in {knowledge.canonical(c.name) for c in self.design.components}:
            return f"The design has no {old!r}; its components are: {', '.join(c.name for c in self.design.components)}"
        before = self.design
        self._push_undo()
        tech = knowledge.technology(new)
        # keep the user's product ("ScyllaDB" stays ScyllaDB even though the catalogue files it under Cassandra)
        self.swaps[canonical_old] = tech.name if tech and tech.name.lower() == new.lower() else new
        self.design = self._apply_swaps(before.model_copy(deep=True))
        return diff(before, self.design)

    def _answer(self, question: str) -> str:
        assert self.design is not None
        lines = []
        knowledge = self.advisor.engine.knowledge
        words = set(re.findall(r"[\w.+-]+", question.lower()))
        named = [c for c in self.design.components if c.name.lower() in words or knowledge.canonical(c.name).lower()
                 in {knowledge.canonical(w).lower() for w in words}]  # fmt: skip
        for component in named[:2]:
            lines.append(f"{component.name}: {component.purpose} [{', '.join(component.citations)}]")
        scale = SCALE.search(question)
        if scale or re.search(r"\bbreak|bottleneck|scale\b", question, re.IGNORECASE):
            lines += self._at_scale(int(scale.group(1)) if scale else 10)
        about_scale = scale or re.search(r"\bbreak|bottleneck|scale\b", question, re.IGNORECASE)
        query = "database scaling read replicas sharding caching" if about_scale else f"{question} {self.request}"
        hits = self.advisor.search(query, k=2)
        for hit in hits:
            snippet = " ".join(hit.text.split())[:280]
            lines.append(f"[{hit.chunk_id}] {snippet}")
        return "\n".join(lines)

    def _at_scale(self, factor: int) -> list[str]:
        from agent.sizing.capacity import capacity, gather_inputs

        assert self.design is not None and self.design.pattern is not None
        base = gather_inputs(self.design.pattern.id, self.request or "", {}).values["dau"]
        figures, _ = capacity(self.design.pattern.id, self.request or "", {"dau": base * factor})
        peak = next(f for f in figures if f.name == "requests per second (peak)")
        lines = [f"At {factor}x the users ({base * factor:,.0f} a day): about {peak.value:,.0f} requests/s at peak."]
        grown = self.design.model_copy(update={"request": f"{self.request} for {int(base * factor)} daily users"})
        for finding in self.advisor.check(grown).findings:
            if finding.rule_id in {"SD041", "SD031", "SD001"}:
                lines.append(f"  would break: {finding.message} → {finding.fix}")
        lines += [f"  scaling: {note}" for note in self.design.scaling[:3]]
        return lines

    # ---- slash commands --------------------------------------------------------------------------------

    def _command(self, text: str) -> str:
        name, _, argument = text.partition(" ")
        argument = argument.strip()
        if name == "/help":
            return f"{HELP}\nThis session is saved in {self.path}"
        if name == "/quit":
            self.finished = True
            return "Bye."
        if name == "/new":
            self._push_undo()
            self.request, self.design, self.swaps = None, None, {}
            return "Started afresh. What shall we build?"
        if name == "/undo":
            if not self.undo_stack:
                return "Nothing to undo."
            state = self.undo_stack.pop()
            self.request, self.drafter, self.swaps = state["request"], state["drafter"], dict(state["swaps"])
            self.design = Architecture.model_validate(state["design"]) if state["design"] else None
            return "Undone: back to the previous design."
        if name == "/model":
            if not argument:
                return f"Drafter: {self.drafter or 'kb'}. Use /model NAME (kb, llama-cpp, openai, anthropic)."
            from agent.drafting import available_drafters

            if argument not in available_drafters():
                return f"Unknown drafter {argument!r}; known: {', '.join(sorted(available_drafters()))}"
            self.drafter = argument
            return f"Next designs are drafted by {argument!r}."
        if name == "/load":
            return self._load(argument)
        if self.design is None:
            return "There is no design yet: describe what to build first."
        if name == "/json":
            return json.dumps(self.design.model_dump(mode="json", exclude_none=True), indent=2)
        if name == "/diagram":
            from agent.render.diagram import to_mermaid

            return to_mermaid(self.design)
        if name == "/save":
            return self._save_design(argument)
        return f"Unknown command {name!r}; /help lists them."

    def _save_design(self, argument: str) -> str:
        if not argument:
            return "Say where: /save FILE.json (or .md, .html, .mmd, .dot)"
        from agent.render.output import SUFFIXES, render, write_output

        if self.design is None:
            return "There is no design to save yet: describe what to build first."
        path = Path(argument).expanduser()
        fmt = SUFFIXES.get(path.suffix.lower(), "json")
        write_output(render(self.design, fmt), path)
        return f"Saved the design as {fmt} to {path}."

    def _load(self, argument: str) -> str:
        if not argument:
            return "Say which: /load FILE.json"
        path = Path(argument).expanduser()
        if not path.is_file():
            return f"No file at {argument!r}."
        design = parse_document(read_text_file(path, "design file"))  # errors become the turn's one-line reply
        self._push_undo()
        report = self.advisor.check(design)
        design.findings = report.findings
        self.design, self.request = design, design.request or self.request or path.stem
        counts = f"{len(design.components)} components, {len(design.services)} services"
        return f"Loaded {path.name}: {counts}, {report.errors} error(s)."


def _requirement_changes(before: Architecture, after: Architecture) -> list[str]:
    """Stated requirements that appeared, and the first capacity figure when it moved."""

    def stated(design: Architecture) -> set[str]:
        found = design.requirements
        if found is None:
            return set()
        return {f"{f.value:,.0f} {f.unit}" for f in found.scale} | {f"{c.name}: {c.value}" for c in found.constraints}

    lines = [f"requirement: {item}" for item in sorted(stated(after) - stated(before))]
    if before.capacity and after.capacity and before.capacity[0] != after.capacity[0]:
        old, new = before.capacity[0], after.capacity[0]
        lines.append(f"{new.name}: {old.value:,.1f} -> {new.value:,.1f} {new.unit}")
    return lines


def diff(before: Architecture, after: Architecture) -> str:
    """What changed: components, services, pattern and hours."""
    lines = []
    old_c, new_c = {c.name for c in before.components}, {c.name for c in after.components}
    old_s, new_s = {s.name for s in before.services}, {s.name for s in after.services}
    if before.pattern and after.pattern and before.pattern.id != after.pattern.id:
        lines.append(f"pattern: {before.pattern.id} -> {after.pattern.id}")
    lines += [f"+ {name}" for name in sorted(new_c - old_c)] + [f"- {name}" for name in sorted(old_c - new_c)]
    lines += [f"+ service {name}" for name in sorted(new_s - old_s)]
    lines += [f"- service {name}" for name in sorted(old_s - new_s)]
    lines += _requirement_changes(before, after)
    if before.estimate and after.estimate and before.estimate.hours != after.estimate.hours:
        b, a = before.estimate, after.estimate
        lines.append(f"hours: {b.hours[0]:,}-{b.hours[1]:,} -> {a.hours[0]:,}-{a.hours[1]:,} ({a.tier} tier)")
    errors = sum(f.severity == "error" for f in after.findings)
    lines.append(f"checked: {errors} error(s), {len(after.services)} services, {len(after.components)} components")
    return "\n".join(lines) if len(lines) > 1 else "No change to the design.\n" + lines[-1]

"""A chat over one design: follow-ups are edits of it, questions are answered about it.

The session is plain logic (no terminal): `handle(line)` returns the text to show. Its state is the request, the
requirements stated since ("we are 3 engineers"), the edits made ("remove search", "use DynamoDB instead of
Cassandra") and the design they give. A new statement re-sizes the design from the request and the statements,
then replays the edits; an edit changes the current design only. The CLI adds line editing, history and Ctrl-C;
the session is stored after every turn (`agent.chat.store`), so a crash loses nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.chat.answers import answer
from agent.chat.diff import diff, resized
from agent.chat.edits import Edit, apply_edits
from agent.chat.reading import HEDGE, YES, FollowUp, read_follow_up
from agent.chat.store import SAID_KEPT, UNDO_DEPTH, SessionStore, State
from agent.document import parse_document
from agent.errors import InvalidRequest, ModelError, SysdesignError, os_problem
from agent.files import read_text_file
from agent.knowledge import normalise_name
from agent.retrieval.search import MAX_QUERY_CHARS
from agent.schema import Architecture
from agent.sizing.costs import against_budget, monthly_bill, over_budget

log = logging.getLogger("sysdesign")
HELP = """Type a request to start, then follow-ups to change the design ("add payments", "remove shipping and
reviews", "use DynamoDB instead of Cassandra", "we are 3 engineers, keep it simple", "10M daily users", "it must
be HIPAA compliant", "undo that"), or questions about it ("why Cassandra?", "how does the feed work?", "what would
break at 10x users?", "how do you stop double booking?").
Commands: /show  /json  /diagram  /save FILE  /load FILE  /model NAME  /undo  /new  /help  /quit"""


def _read_as(follow: FollowUp) -> str:
    """What a reading would do, in a few words: "adding fraud detection", "'keep it simple'"."""
    verbs = {"add": "adding", "remove": "removing", "replace": "replacing", "async": "making asynchronous"}
    said = [f"{verbs.get(e.kind, e.kind)} {e.target}" + (f" with {e.new}" if e.new else "") for e in follow.edits]
    said += [f"'{s}'" for s in follow.statements]
    return " and ".join(said)


def _said(edit: Edit) -> str:
    return f"{edit.kind} {edit.target}" + (f" -> {edit.new}" if edit.new else "")


def _names_any(name: str, targets: list[str]) -> bool:
    lowered = name.lower()
    return any(t.lower() in lowered or lowered in t.lower() for t in targets if t)


def _without_edits_of(edits: list[Edit], targets: list[str]) -> tuple[list[Edit], list[Edit]]:
    """`edits` without the latest one that took out or swapped away each target, and those taken back."""
    kept, taken = list(edits), []
    for target in targets:
        for edit in reversed(kept):
            if edit.kind in ("remove", "replace", "merge") and _names_any(edit.target, [target]):
                kept.remove(edit)
                taken.append(edit)
                break
    return kept, taken


@dataclass
class ChatSession:
    advisor: Any
    store: SessionStore | None = None
    conversation: str | None = None
    request: str | None = None
    stated: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    """Parts and services the user's edits took out: the checker never puts them back."""
    design: Architecture | None = None
    drafter: str | None = None
    said: list[str] = field(default_factory=list)
    """The user's recent turns, oldest first."""
    pending: str | None = None
    """A turn that thought aloud, asked back and waiting for a yes."""
    undo_stack: list[dict[str, Any]] = field(default_factory=list)
    finished: bool = False
    notice: str | None = None
    read_by: str = field(default="", repr=False)
    """Who read the last turn: the rules, or the model (stored with the turn)."""

    # ---- persistence -----------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        state = State(request=self.request, stated=self.stated, edits=self.edits, removed=self.removed,
                      said=self.said[-SAID_KEPT:], drafter=self.drafter, design=self.design)  # fmt: skip
        return state.model_dump(mode="json", exclude_none=True)

    def restore(self, data: dict[str, Any]) -> None:
        state = State.model_validate({key: data[key] for key in State.model_fields if key in data})
        self.request, self.drafter, self.design = state.request, state.drafter, state.design
        self.stated = list(state.stated)
        self.edits = list(state.edits)
        self.removed = list(state.removed)
        self.said = list(state.said)

    @classmethod
    def open(cls, advisor: Any, store: SessionStore, resume: str | None = None) -> ChatSession:
        """A new conversation, or `resume` ("latest" or an id); one that is unknown, damaged, tampered with or
        oversized is refused (InvalidRequest, one sentence) and left in the store as it is."""
        session = cls(advisor, store=store, notice=store.notice)
        target = store.latest() if resume == "latest" else resume
        if resume == "latest" and target is None:
            session.notice = "There is no earlier chat to continue; this is a new one."
        if target is not None:
            stored = store.state(target)  # validated whole, its undo stack too
            session.restore(stored.model_dump(mode="json", exclude_none=True))
            session.undo_stack = [state.model_dump(mode="json", exclude_none=True) for state in stored.undo]
            session.conversation = target
        if session.conversation is None:
            session.conversation = store.new()
        return session

    def clear(self, request: str | None = None, design: Architecture | None = None) -> None:
        """A fresh design state: the request and its design, nothing stated, edited or removed since."""
        self.request, self.design, self.stated, self.edits, self.removed = request, design, [], [], []
        self.said = []

    def _save(self, user: str, reply: str, read_by: str) -> None:
        if self.store is None or self.conversation is None:
            return
        data = {**self.state(), "undo": self.undo_stack[-UNDO_DEPTH:]}
        try:
            self.store.save(self.conversation, data, self.request or "", {"user": user, "reply": reply,
                                                                          "read_by": read_by})  # fmt: skip
        except Exception as exc:
            log.warning("the chat could not be stored in %s (%s)", self.store.path, exc)

    # ---- turns -----------------------------------------------------------------------------------------

    def handle(self, line: str) -> str:
        """One turn: a command, a question, a new request or a follow-up. Never raises for bad input."""
        text = line.strip()
        if not text:
            return "Say what to build, or /help."
        if len(text) > MAX_QUERY_CHARS:
            return f"That message has {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}."
        self.read_by = ""
        try:
            reply = self._command(text) if text.startswith("/") else self._turn(text)
        except SysdesignError as exc:
            reply = f"error: {exc}"
        except OSError as exc:  # /save or /load of a name too long, a full disk: the machine's answer, said
            reply = f"error: {os_problem(exc)}"
        self._save(text, reply, self.read_by)
        return reply

    def _turn(self, text: str) -> str:
        if self.design is None:
            return self._start(text)
        self.said = [*self.said, text][-SAID_KEPT:]
        pending, self.pending = self.pending, None
        if pending and YES.match(text):  # the answer to "do you want me to ...?"
            follow = self._interpret(HEDGE.sub("", pending))
            follow.unsure = False
            return self._change(follow) if not follow.empty else self._unread(follow)
        follow = self._interpret(text)
        self.read_by = follow.by
        signed = f"\n(read by the {follow.by})" if self.drafter not in (None, "kb") else ""
        if follow.undo and not (follow.edits or follow.statements):
            return self._undo()
        if follow.question:
            earlier = [*reversed(self.said[:-1]), self.request or ""]
            found = answer(follow.question, self.design, self.advisor.engine.knowledge, self._search, earlier)
            return found.text + signed
        if follow.empty:
            return self._unread(follow)
        if follow.unsure:
            self.pending = text
            return (f"Do you want me to change the design for {_read_as(follow)}? Nothing changed yet: say 'yes' "
                    f"to do it, or say what you want.")  # fmt: skip
        return self._change(follow) + signed

    def _interpret(self, text: str) -> FollowUp:
        """The model's reading when a model drafter is configured and answers usably; the rules' otherwise."""
        assert self.design is not None
        rules = read_follow_up(text, self.advisor.engine.knowledge, self.design)
        client = self._model_client()
        if client is None:
            return rules
        from agent.chat.model_reading import read_with_model

        try:
            read = read_with_model(text, client, self.design)
        except (ModelError, SysdesignError, OSError) as exc:
            rules.by = f"rules (the model's reading failed: {str(exc)[:120]})"
            return rules
        return read if not read.empty else rules

    def _model_client(self) -> Any:
        if self.drafter in (None, "kb"):
            return None
        from agent.drafting import get_drafter

        try:
            drafter = get_drafter(self.drafter, **self.advisor.settings.drafter_options())
        except (SysdesignError, OSError, ImportError) as exc:
            log.warning("the %s drafter cannot read follow-ups (%s); the rules do", self.drafter, exc)
            return None
        return getattr(drafter, "client", None)

    def _similar(self, text: str, others: Sequence[str]) -> list[float]:
        """Cosine similarity of `text` to each of `others`, with the index's embedding model."""
        vectors = self.advisor.engine.retriever.embedder.embed([text[:MAX_QUERY_CHARS], *others])
        return [float(v) for v in vectors[1:] @ vectors[0]]

    def _search(self, query: str, k: int) -> list[Any]:
        return self.advisor.search(query[:MAX_QUERY_CHARS], k=k)

    def _start(self, request: str) -> str:
        from agent.render.text import render_architecture

        design = self._recommend(request, [])
        self._push_undo()
        self.clear(request, design)
        return render_architecture(design, answer_hint="a follow-up in your own words, e.g. '50k users, team of 2'")

    def _recommend(self, request: str, stated: list[str]) -> Architecture:
        options: dict[str, Any] = {"drafter": self.drafter} if self.drafter else {}
        return self.advisor.recommend(request, stated=stated, **options)

    def _change(self, follow: FollowUp) -> str:
        """Statements re-size the design from the request, then every edit so far is replayed; edits alone change
        the current design. The diff gives the reason for every change the user did not name."""
        assert self.design is not None and self.request is not None
        before = self.design
        notes: list[str] = []
        kept_edits, kept_removed = self.edits, self.removed
        if follow.restore:  # "actually no, keep Redis": the edits that took it out are taken back
            kept_edits, taken_back = _without_edits_of(self.edits, follow.restore)
            kept_removed = [n for n in self.removed if not _names_any(n, follow.restore)]
            notes += [f"Taken back: {_said(edit)}." for edit in taken_back]
            if not taken_back:
                notes.append(f"No earlier change took out {', '.join(follow.restore)}; nothing to take back.")
        if follow.statements or kept_edits != self.edits:
            stated = [*self.stated, *follow.statements]
            base = self._recommend(self.request, stated)
            notes += resized(before, base, follow.statements, stated)
            replayed = apply_edits(base, kept_edits, self.advisor.engine.knowledge, self._similar)
        else:
            stated = self.stated
            replayed = None
        start = replayed.design if replayed else before
        result = apply_edits(start, follow.edits, self.advisor.engine.knowledge, self._similar)
        if result.failed:
            result.failed.append(f"Its services: {', '.join(s.name for s in result.design.services)}.")
        if replayed is None and not result.made:
            return "\n".join([*notes, *result.failed])  # nothing could be made: the design is as it was
        design = result.design
        edits = [*kept_edits, *result.made]
        removed = list(dict.fromkeys([*kept_removed, *result.removed]))
        completed = self._complete(design, removed)
        design.findings = self.advisor.check(design).findings
        self._push_undo()
        self.stated, self.design = stated, design
        self.edits, self.removed = edits, removed
        # what the checker now asks for is said, not silently re-added: the user's edit has the last word
        old = {(f.rule_id, f.message) for f in before.findings}
        raised = [f"{f.rule_id}: {f.message} (kept as you asked; 'undo that' restores the design)"
                  for f in design.findings if f.severity == "error" and (f.rule_id, f.message) not in old]  # fmt: skip
        if follow.statements and (budget := against_budget(design)) and budget != against_budget(before):
            notes.append(budget)  # a budget said is a budget compared, and a cheaper design offered when over it
            if over_budget(design) and design.estimate is not None and design.estimate.tier != "low":
                smaller = self._recommend(self.request, [*stated, "keep it simple"])
                total = monthly_bill(smaller).total
                notes.append(f"A smaller design (one deployable, the parts it needs) runs at about ${total:,.0f} a "
                             f"month: say 'keep it simple' to switch to it.")  # fmt: skip
        return "\n".join([diff(before, design), *notes, *result.notes, *completed, *result.failed, *raised])

    def _complete(self, design: Architecture, removed_names: list[str]) -> list[str]:
        """What the checker's repair would add that the user did not take out (an audit log that payments need),
        added in place with the reason; a part the user removed, or that went with one, is never put back."""
        knowledge = self.advisor.engine.knowledge
        removed = {normalise_name(knowledge.canonical(name)) for name in removed_names}
        present = {normalise_name(knowledge.canonical(c.name)) for c in design.components}
        repaired = self.advisor.repair(design.model_copy(deep=True))
        notes = []
        for component in repaired.components:
            key = normalise_name(knowledge.canonical(component.name))
            if key in present or key in removed:
                continue
            design.components.append(component)
            present.add(key)
            why = next((c for c in repaired.changes if component.name in c.detail), None)
            notes.append(f"+ {component.name} was added by the checker" + (f" ({why.rule_id}: {why.detail})" if why
                                                                            else ""))  # fmt: skip
        return notes

    def _unread(self, follow: FollowUp) -> str:
        said = "; ".join(repr(c) for c in follow.unread) or "that"
        return (f"I could not read {said} as a change to the design or a question about it, so nothing changed. "
                "I understand: add / remove / replace a part, a service or a capability ('add payments', 'we don't "
                "need search', 'use DynamoDB instead of Cassandra'); numbers and constraints ('10M daily users', "
                "'team of 3', 'launch in 8 weeks', 'EU only', 'HIPAA'); 'keep it simple' or 'split into services'; "
                "'undo that'; and questions ('why Redis?', 'how does checkout work?').")  # fmt: skip

    def _push_undo(self) -> None:
        self.undo_stack.append(self.state())
        del self.undo_stack[:-UNDO_DEPTH]

    def _undo(self) -> str:
        if not self.undo_stack:
            return "Nothing to undo."
        before = self.design
        self.restore(self.undo_stack.pop())
        if before is not None and self.design is not None:
            return "Undone: back to the previous design.\n" + diff(before, self.design)
        return "Undone: back to the previous design."

    # ---- slash commands --------------------------------------------------------------------------------

    def _command(self, text: str) -> str:
        name, _, argument = text.partition(" ")
        argument = argument.strip()
        if name == "/help":
            where = f"\nThis chat is {self.conversation}, stored in {self.store.path}" if self.store else ""
            return HELP + where
        if name == "/quit":
            self.finished = True
            return "Bye."
        if name == "/new":  # a new conversation: the one before stays as it was, under its own id
            self.clear()
            self.undo_stack = []
            if self.store is not None:
                self.conversation = self.store.new()
            return f"Started a new chat{f' ({self.conversation})' if self.store else ''}. What shall we build?"
        if name == "/undo":
            return self._undo()
        if name == "/model":
            return self._set_model(argument)
        if name == "/load":
            return self._load(argument)
        if self.design is None:
            return "There is no design yet: describe what to build first."
        if name == "/show":
            from agent.render.text import render_architecture

            return render_architecture(self.design)
        if name == "/json":
            return json.dumps(self.design.model_dump(mode="json", exclude_none=True), indent=2)
        if name == "/diagram":
            from agent.render.diagram import to_mermaid

            return to_mermaid(self.design)
        if name == "/save":
            return self._save_design(argument)
        return f"Unknown command {name!r}; /help lists them."

    def _set_model(self, argument: str) -> str:
        if not argument:
            return f"Drafter: {self.drafter or 'kb'}. Use /model NAME (kb, llama-cpp, openai, anthropic)."
        from agent.drafting import available_drafters

        if argument not in available_drafters():
            return f"Unknown drafter {argument!r}; known: {', '.join(sorted(available_drafters()))}"
        self.drafter = argument
        return f"Next designs are drafted, and follow-ups read, by {argument!r} (the rules when it fails)."

    def _save_design(self, argument: str) -> str:
        if not argument:
            return "Say where: /save FILE.json (or .md, .html, .mmd, .dot)"
        from agent.render.output import SUFFIXES, render, write_output

        assert self.design is not None
        path = _typed_path(argument)
        fmt = SUFFIXES.get(path.suffix.lower(), "json")
        if path.is_dir():
            return f"{argument!r} is a folder; say a file name, e.g. /save {Path(argument) / 'design.json'}"
        write_output(render(self.design, fmt), path)  # a read-only file is refused (InvalidRequest), not replaced
        return f"Saved the design as {fmt} to {path}."

    def _load(self, argument: str) -> str:
        if not argument:
            return "Say which: /load FILE.json (a design document: JSON, YAML or markdown)"
        path = _typed_path(argument)
        if not path.is_file():
            return f"No file at {argument!r}."
        design = parse_document(read_text_file(path, "design file"))  # errors become the turn's one-line reply
        report = self.advisor.check(design)
        design.findings = report.findings
        self._push_undo()
        self.clear((design.request or self.request or path.stem)[:MAX_QUERY_CHARS], design)  # as a turn's limit
        counts = f"{len(design.components)} components, {len(design.services)} services"
        return f"Loaded {path.name}: {counts}, {report.errors} error(s)."


def _typed_path(argument: str) -> Path:
    """A path typed in the chat (`~` for home); InvalidRequest, said as the turn's reply, for one no file can have."""
    if "\0" in argument:
        raise InvalidRequest(f"{argument!r} has a NUL character, which no file name can hold")
    try:
        return Path(argument).expanduser()
    except RuntimeError:  # ~someone who is not a user here
        raise InvalidRequest(f"cannot tell whose home folder {argument!r} starts in; write the path out") from None

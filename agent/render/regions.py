"""Where a finding points in the file it came from: the line of the part it names, for CI annotations."""

from __future__ import annotations

import json

from agent.json_spans import Span, spans

PART_LISTS = ("components", "services")


class SourceLines:
    """The lines of one document's parts: a JSON part's object (or its name, when it is written as a bare name),
    else the first line the name appears on; line 1 when the name is nowhere in the text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._parts = _part_lines(text)

    def of(self, subject: str | None) -> int:
        """The 1-based line of `subject` (a component's or service's name)."""
        if not subject:
            return 1
        key = subject.casefold().strip()
        if key in self._parts:
            return self._parts[key]
        found = self.text.casefold().find(key)
        return self.text.count("\n", 0, found) + 1 if found >= 0 else 1


def _part_lines(text: str) -> dict[str, int]:
    """Each part's name (case-folded) with the line of its entry in `components` or `services`; the first wins."""
    try:
        json.loads(text)
        root = spans(text)
    except ValueError:  # not JSON (a Markdown design): names are found in the text instead
        return {}
    lines: dict[str, int] = {}
    for field in PART_LISTS:
        listed = root.members.get(field)
        for item in listed.items if listed is not None and listed.kind == "array" else []:
            name = _name_of(text, item)
            if name is not None:
                lines.setdefault(name.casefold().strip(), item.line(text))
    return lines


def _name_of(text: str, item: Span) -> str | None:
    named = item.members.get("name") if item.kind == "object" else item
    if named is None or named.kind != "scalar":
        return None
    value = json.loads(text[named.start : named.end])
    return value if isinstance(value, str) else None

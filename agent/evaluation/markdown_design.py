"""A design written in Markdown, read into the document's fields (the subset documented in docs/grading.md).

Sections are recognised by their heading's words: components (stack, technologies, data stores), services
(modules, APIs), flows (one `###` heading a flow, its list the steps; or `- Name: a → b`), trade-offs, failure
modes, scaling. A list item's name is its bold text or what comes before the first ':' or dash. Text under any
other heading is kept as notes: it is still the design's own words.
"""

from __future__ import annotations

import re
from typing import Any

from markdown_it import MarkdownIt

# the first matching kind wins: "Failure modes of the services" is about failures
_SECTIONS = (
    (
        "notes",
        re.compile(
            r"requirement|goal|assumption|constraint|estimat|back.of|summary|question|scope|endpoint|"
            r"data model|schema|cost"
        ),
    ),
    ("flows", re.compile(r"flow|sequence|walk-?through|how it works|request path|lifecycle|journey")),
    ("tradeoffs", re.compile(r"trade|decision|alternative")),
    ("failure_modes", re.compile(r"fail|resilien|reliab|fault|go wrong|disaster|outage")),
    ("scaling", re.compile(r"scal|capacity|performance|growth|bottleneck")),
    ("services", re.compile(r"service|module|\bapis?\b|backend|domain")),
    (
        "components",
        re.compile(
            r"component|stack|technolog|store|storage|database|infra|tool|building block|"
            r"architecture|overview|design|high.level|system"
        ),
    ),
)
_SERVICE_NAME = re.compile(r"(service|worker|api|manager|engine|scheduler|processor|handler|app|server)s?$", re.I)
_SPLIT = re.compile(r"\s+[—–-]\s+|:\s+|\s+\(")
_MARKUP = re.compile(r"\*\*|__|`|^\*|\*$")
_ARROW = re.compile(r"\s*(?:→|->|=>)\s*")
# block structure only: headings, lists, paragraphs (fences and code so that code is not read as lists)
_parser = MarkdownIt("zero").enable(["heading", "lheading", "list", "fence", "code", "blockquote", "hr"])


def _kind(heading: str) -> str | None:
    lowered = heading.lower()
    return next((kind for kind, pattern in _SECTIONS if pattern.search(lowered)), None)


def _named(item: str) -> tuple[str, str]:
    """'**Redis** — shared counters' → ('Redis', 'shared counters')."""
    bold = re.match(r"\s*(?:\*\*|__)(.+?)(?:\*\*|__)\s*[:—–-]?\s*(.*)", item, re.DOTALL)
    if bold:
        return bold.group(1).strip(" :"), bold.group(2).strip()
    parts = _SPLIT.split(item, maxsplit=1)
    name = _MARKUP.sub("", parts[0]).strip(" :")
    rest = parts[1].rstrip(")").strip() if len(parts) > 1 else ""
    if len(name) > 60:  # a sentence, not a name
        return "", _MARKUP.sub("", item).strip()
    return name, _MARKUP.sub("", rest)


def _blocks(text: str) -> list[tuple[str, int, str]]:
    """(kind, level, text): headings with their level, list items (level 0) and paragraphs (level -1)."""
    tokens = _parser.parse(text)
    found: list[tuple[str, int, str]] = []
    in_item = 0
    for index, token in enumerate(tokens):
        if token.type == "list_item_open":
            in_item += 1
        elif token.type == "list_item_close":
            in_item -= 1
        elif token.type == "inline" and index > 0:
            opener = tokens[index - 1]
            if opener.type == "heading_open":
                found.append(("heading", int(opener.tag[1]), token.content))
            elif in_item:
                found.append(("item", 0, token.content))
            else:
                found.append(("paragraph", -1, token.content))
    return found


def _add(design: dict[str, Any], kind: str | None, item: str, flow: dict[str, Any] | None) -> None:
    name, rest = _named(item)
    if kind == "flows":
        if flow is not None:
            flow["steps"].append(_MARKUP.sub("", item))
        else:
            steps = [s for s in _ARROW.split(rest or item) if s]
            design["flows"].append({"name": name or "flow", "steps": steps})
    elif kind == "tradeoffs":
        design["tradeoffs"].append({"decision": name or "decision", "chosen": rest or name, "why": ""})
    elif kind == "failure_modes":
        design["failure_modes"].append({"component": name or "system", "failure": rest or name})
    elif kind == "scaling":
        design["scaling"].append(_MARKUP.sub("", item))
    elif kind in {"services", "components"} and name:
        if kind == "services" or _SERVICE_NAME.search(name):
            design["services"].append({"name": name, "responsibility": rest})
        else:
            design["components"].append({"name": name, "purpose": rest})
    elif kind is None and name and re.match(r"\s*(\*\*|__)", item):  # a bold name under any heading is a part
        _add(design, "components", item, None)
    else:
        design["notes"].append(_MARKUP.sub("", item))


def markdown_design(text: str) -> dict[str, Any]:
    """The fields a Markdown design fills; empty lists where it says nothing."""
    design: dict[str, Any] = {key: [] for key in ("components", "services", "flows", "tradeoffs", "failure_modes",
                                                  "scaling", "notes")}  # fmt: skip
    kind: str | None = None
    level = 0
    flow: dict[str, Any] | None = None
    for what, depth, content in _blocks(text):
        if what == "heading":
            if kind == "flows" and depth > level:  # a flow of its own under the flows section
                flow = {"name": _MARKUP.sub("", content).strip(), "steps": []}
                design["flows"].append(flow)
                continue
            kind, level, flow = _kind(content), depth, None
            if kind is None:
                design["notes"].append(content)
        elif what == "item":
            _add(design, kind, content, flow)
        else:
            design["notes"].append(content)
    design["flows"] = [f for f in design["flows"] if f["steps"]]
    return design

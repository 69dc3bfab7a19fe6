"""Choosing rules by id as ruff does: `--select SD07,SD010 --ignore SD075` (ids or prefixes of ids)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from agent.errors import InvalidRequest
from agent.rules.checker import Rule


def selectors(values: Iterable[str]) -> list[str]:
    """The ids and prefixes in repeated, comma-separated option values, upper-cased ("sd07, SD010" too)."""
    return [part.strip().upper() for value in values for part in value.split(",") if part.strip()]


def select_rules(rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Rule]:
    """The rules whose id starts with a `select` prefix (all when none is given) and with no `ignore` prefix.

    A prefix that matches no rule is a usage error naming the closest ids, so a typo never silently selects
    nothing (or ignores nothing); so is a choice that leaves no rule at all.
    """
    ids = [rule.id for rule in rules]
    for prefix in [*select, *ignore]:
        if not any(rule_id.startswith(prefix) for rule_id in ids):
            close = difflib.get_close_matches(prefix, ids, n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else "; 'sysdesign rules list' shows them"
            raise InvalidRequest(f"no rule id starts with {prefix!r}{hint}")
    chosen = [
        rule
        for rule in rules
        if (not select or rule.id.startswith(tuple(select))) and not rule.id.startswith(tuple(ignore))
    ]
    if not chosen:  # and an empty list of rules would mean "the built-in ones" to the checker
        raise InvalidRequest("--select and --ignore leave no rule to check; ignore fewer or select more")
    return chosen

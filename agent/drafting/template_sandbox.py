"""jinja2's sandbox with what a template can make bounded: a prompt template of your own cannot exhaust memory.

`SandboxedEnvironment` keeps a template away from Python's internals, but `{{ 'x' * 3000000000 }}`, a width of
three billion or a loop that doubles a string still ask for gigabytes. Here every value a template makes (by an
operator, a call, a filter, an attribute it reads) is measured against a budget for the whole rendering, numbers
that would size a string or a range are refused before anything is built, the rendered text has a ceiling, and
lists and dicts cannot be changed in place (the immutable sandbox), so nothing grows behind the budget's back.
What is refused raises `SecurityError`, a `TemplateError` the caller turns into one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import wraps
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_RENDERED_CHARS = 1_000_000
"""The longest prompt (and the longest string, list or number a template makes): more than any model reads."""
MAX_WORK_CHARS = 20 * MAX_RENDERED_CHARS
"""What one rendering may make and read in all, in characters (or items) of the values it touches."""
MAX_INT_BITS = 4_096
"""The largest number a template may compute (about 1,200 digits): `10 ** 10 ** 9` is refused, not computed."""

_budget: ContextVar[list[int]] = ContextVar("template_budget")
_NUMBERS = re.compile(r"\d+")  # any width or precision inside a format string ('%3000000000s', '{:>3000000000}')


class TooLarge(SecurityError):
    """The template asked for more than a prompt may hold."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with every value a template makes counted against one rendering's budget."""

    intercepted_binops = frozenset({"*", "%", "**", "+"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = bounded_range
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            _check_repetition(left, right)
        elif operator == "**":
            _check_power(left, right)
        elif operator == "%" and isinstance(left, str):
            _check_widths(left)
        return charged(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_arguments([*args, *kwargs.values()])
        if isinstance(text := getattr(__obj, "__self__", None), str):  # a string's own method
            if __obj.__name__ == "join" and args:
                args = (list(args[0]), *args[1:])  # counted before the join, then joined as counted
                _check_join(args[0], text)
            elif __obj.__name__ == "replace":
                _check_replace(text, *args)
        return charged(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        return charged(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return charged(super().getitem(obj, argument))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_widths(value.__self__)
        return wrapped

    def concat(self, parts: Iterable[str]) -> str:  # jinja2's own is `''.join`, an attribute
        """Join rendered pieces (a macro's body, the whole prompt), refusing past MAX_RENDERED_CHARS."""
        kept, length = [], 0
        for part in parts:
            length += len(part)
            if length > MAX_RENDERED_CHARS:
                raise TooLarge(f"the rendered text would pass {MAX_RENDERED_CHARS:,} characters")
            kept.append(part)
        return "".join(kept)


def render_bounded(template: Any, variables: dict[str, Any]) -> str:
    """`template` rendered with its own budget (each rendering, in whatever thread, counts for itself)."""
    token = _budget.set([MAX_WORK_CHARS])
    try:
        return template.environment.concat(template.generate(**variables))
    finally:
        _budget.reset(token)


def charged(value: Any) -> Any:
    """`value`, once its size is taken from the rendering's budget (a value too large is refused outright)."""
    budget = _budget.get(None)
    if budget is None:
        return value
    size = _size(value, min(budget[0], MAX_RENDERED_CHARS) + 1)
    if size > MAX_RENDERED_CHARS:
        raise TooLarge(f"the template made a value of more than {MAX_RENDERED_CHARS:,} characters or items")
    budget[0] -= size
    if budget[0] < 0:
        raise TooLarge(f"the template made or read more than {MAX_WORK_CHARS:,} characters in all")
    return value


def _size(value: Any, limit: int) -> int:
    """Characters and items in `value` (nested), counted no further than `limit`; a number counts its digits."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += 1
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += 1
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            if item.bit_length() > MAX_INT_BITS:
                raise TooLarge(f"the template made a number of more than {MAX_INT_BITS:,} bits")
            total += 1
        else:
            total += 1
    return total


def bounded_range(*args: int) -> range:
    """`range`, each one's length taken from the rendering's budget (nested loops cannot run for ever)."""
    _check_numbers(args)
    numbers = range(*args)
    budget = _budget.get(None)
    if budget is not None:
        budget[0] -= len(numbers)
        if budget[0] < 0:
            raise TooLarge(f"the template's ranges pass {MAX_WORK_CHARS:,} numbers in all")
    return numbers


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose arguments after the value may not be huge numbers, whose growth is foreseen where it can
    be a product (`join`, `replace`, `indent`, `format`), and whose result is charged."""
    passes_context = getattr(function, "jinja_pass_arg", None) is not None  # a context comes before the value

    @wraps(function)  # keeps jinja2's pass_context and pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = list(args[1:] if passes_context else args)
        _check_arguments([*values[1:], *kwargs.values()])
        if name == "join" and values:
            values[0] = list(values[0])  # counted before the join, then joined as counted
            _check_join(values[0], values[1] if len(values) > 1 else kwargs.get("d", ""))
            args = (*args[:1], *values) if passes_context else tuple(values)
        elif name == "replace" and len(values) >= 3:
            _check_replace(*values[:3])
        elif name == "indent" and values and isinstance(values[0], str):
            width = values[1] if len(values) > 1 else kwargs.get("width", 4)
            _check_indent(values[0], width)
        elif name == "format" and values and isinstance(values[0], str):
            _check_widths(values[0])
        return charged(function(*args, **kwargs))

    return bounded


def _check_arguments(values: list[Any]) -> None:
    """What a call is given: no huge number, and each value counted (a string doubled on every call of a
    recursive macro reaches the ceiling after a few calls, not gigabytes later)."""
    _check_numbers(values)
    for value in values:
        charged(value)


def _check_numbers(values: Iterable[Any]) -> None:
    """Refuse a number large enough to size a string or a range beyond a prompt (`center(3000000000)`)."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_RENDERED_CHARS:
            shown = f"{value:,}" if value.bit_length() < 64 else f"of {value.bit_length():,} bits"
            raise TooLarge(f"the number {shown} is larger than a prompt may be ({MAX_RENDERED_CHARS:,})")


def _check_repetition(left: Any, right: Any) -> None:
    """`'x' * n` and `[..] * n`: refused before they are built when the result would be too long."""
    for sequence, times in ((left, right), (right, left)):
        sized = isinstance(sequence, str | list | tuple) and isinstance(times, int)
        if sized and len(sequence) * times > MAX_RENDERED_CHARS:
            raise TooLarge(f"repeating {len(sequence):,} items that many times passes {MAX_RENDERED_CHARS:,}")


def _check_power(base: Any, exponent: Any) -> None:
    numbers = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if numbers and base.bit_length() * exponent > MAX_INT_BITS:
        raise TooLarge(f"a power larger than {MAX_INT_BITS:,} bits")


def _check_widths(template: str) -> None:
    """A format string whose width or precision would make a huge string (`'%3000000000s'`)."""
    if any(len(digits) > 7 or int(digits) > MAX_RENDERED_CHARS for digits in _NUMBERS.findall(template)):
        raise TooLarge(f"a width in {template[:40]!r} is larger than a prompt may be ({MAX_RENDERED_CHARS:,})")


def _check_join(items: list[Any], separator: Any) -> None:
    """A join of many items with a long separator: refused before it is built when the result would be too long."""
    if isinstance(separator, str):
        joined = sum(len(item) if isinstance(item, str) else 1 for item in items) + len(separator) * len(items)
        if joined > MAX_RENDERED_CHARS:
            raise TooLarge(f"joining {len(items):,} items passes {MAX_RENDERED_CHARS:,} characters")


def _check_indent(text: str, width: Any) -> None:
    """An indent adds its width to every line: refused before it is built when the result would be too long."""
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    if len(text) + text.count("\n") * step > MAX_RENDERED_CHARS:
        raise TooLarge(f"indenting {text.count(chr(10)):,} lines passes {MAX_RENDERED_CHARS:,} characters")


def _check_replace(text: Any, old: Any = "", new: Any = "", *rest: Any) -> None:
    """`s.replace('', t)` puts `t` between every two characters: refused when the result would be too long."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        grows = text.count(old) * max(0, len(new) - len(old))
        if len(text) + grows > MAX_RENDERED_CHARS:
            raise TooLarge(f"the replacement would pass {MAX_RENDERED_CHARS:,} characters")

"""Rule packs: rules described as data (YAML), one file per source.

A rule whose logic needs Python has a check (and maybe a fix) registered in `agent.rules.builtin` by its id. A
simple rule needs no Python at all:

    - id: TEAM001
      title: We standardise on Postgres
      severity: warning
      pillar: operations
      message: MySQL is not on our approved list
      remediation: Use Postgres
      help: database-selection/when-to-use-postgres
      forbid: [MySQL]                      # fires when any is present
    - id: TEAM002
      title: Payments need an audit log
      when: {traits: [payments]}
      require: [Audit log]                 # fires when none is present
      ...

Other declarative checks: `require_category: cache`, `require_text: "encrypt(ed|ion) at rest"`.
`when` narrows where a rule applies: tier, pattern, traits (any), production (medium tier and up), text (a
regex over the document's free text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from agent.errors import InvalidRequest
from agent.files import read_yaml
from agent.rules.context import CheckContext
from agent.rules.registry import Violation
from agent.rules.user_regex import compile_user_regex, user_regex_search
from agent.schema import Severity, Tier

PACKS_DIR = Path(__file__).resolve().parent / "packs"
Pillar = Literal["reliability", "security", "performance", "cost", "operations"]


class When(BaseModel):
    """Where a rule applies; every given condition must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tier: tuple[Tier, ...] = ()
    pattern: tuple[str, ...] = ()
    traits: tuple[str, ...] = ()
    production: bool | None = None
    text: str | None = None

    @field_validator("text")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            compile_user_regex(value)  # ValueError names what RE2 cannot run
        return value

    def holds(self, context: CheckContext) -> bool:
        production = context.tier in {"medium", "high", "enterprise"}
        return (
            (not self.tier or context.tier in self.tier)
            and (not self.pattern or context.pattern.id in self.pattern)
            and (not self.traits or bool(set(self.traits) & set(context.traits)))
            and (self.production is None or self.production == production)
            and (self.text is None or user_regex_search(self.text, context.text))
        )


class RuleSpec(BaseModel):
    """One rule as a pack describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{1,31}$")
    title: str = Field(min_length=1)
    severity: Severity
    pillar: Pillar
    tags: tuple[str, ...] = ()
    when: When = Field(default_factory=When)
    message: str = Field(min_length=1)
    remediation: str = Field(min_length=1)
    help: str = Field(min_length=1, description="The knowledge-base chunk id that supports the rule.")
    requires: str = Field(default="", description="What the rule requires, in words (`rules show`).")
    example: dict[str, Any] | None = Field(default=None, description="A document that breaks the rule (`rules show`).")
    autofix: bool = False
    require: tuple[str, ...] = ()
    require_category: str | None = None
    require_text: str | None = None
    forbid: tuple[str, ...] = ()

    @field_validator("require_text")
    @classmethod
    def _required_regex(cls, value: str | None) -> str | None:
        if value is not None:
            compile_user_regex(value)
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> RuleSpec:
        kinds = [bool(self.require), bool(self.require_category), bool(self.require_text), bool(self.forbid)]
        if sum(kinds) > 1:
            raise ValueError("use one of require, require_category, require_text, forbid")
        return self

    @property
    def declarative(self) -> bool:
        return bool(self.require or self.require_category or self.require_text or self.forbid)


class RulePack(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pack: str = Field(min_length=1)
    description: str = ""
    rules: tuple[RuleSpec, ...]


def load_pack(path: Path) -> RulePack:
    """A validated pack; InvalidRequest names the file, the rule id and the field that is wrong."""
    data = read_yaml(path, "rule pack")
    try:
        return RulePack.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        location = list(error["loc"])
        rule_id = None
        if len(location) >= 2 and location[0] == "rules" and isinstance(location[1], int):
            rules = data.get("rules") if isinstance(data, dict) else None
            if isinstance(rules, list) and location[1] < len(rules) and isinstance(rules[location[1]], dict):
                rule_id = rules[location[1]].get("id")
            location = location[2:]
        field = ".".join(str(part) for part in location) or "pack"
        where = f"rule {rule_id!r}, " if rule_id else ""
        raise InvalidRequest(f"rule pack {str(path)!r}: {where}field {field!r}: {error['msg']}") from None


def pack_files(directory: Path) -> list[Path]:
    if not Path(directory).is_dir():
        raise InvalidRequest(f"rules folder {str(directory)!r} does not exist")
    files = sorted([*Path(directory).glob("*.yaml"), *Path(directory).glob("*.yml")])
    if not files:
        raise InvalidRequest(f"rules folder {str(directory)!r} holds no .yaml rule packs")
    return files


def declarative_check(spec: RuleSpec) -> Callable[[CheckContext], Iterable[Violation]]:
    """The check a declarative rule describes."""

    def check(context: CheckContext) -> Iterator[Violation]:
        if spec.require and not context.has_named(*spec.require):  # a team's policy names brands, not roles
            yield Violation(spec.message, subject=spec.require[0], add=spec.require[:1] if spec.autofix else ())
        elif spec.require_category and not context.has_category(spec.require_category):
            yield Violation(spec.message, subject=spec.require_category)
        elif spec.require_text and not user_regex_search(spec.require_text, context.text):
            yield Violation(spec.message)
        for name in spec.forbid:
            if context.has_named(name):
                yield Violation(f"{spec.message} ({context.knowledge.canonical(name)})", subject=name)

    return check

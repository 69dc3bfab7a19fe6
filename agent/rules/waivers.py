"""Waivers: a team's reasoned, expiring decision to accept a finding.

`sysdesign-waivers.yaml` (or `--waivers FILE`):

    - rule: SD031
      reason: "single Postgres is fine until launch; replicas are ticket OPS-12"
      expires: 2027-03-31
      scope: Postgres            # optional: the component or service the finding is about

A waiver suppresses a finding only when the rule fired (and, with a scope, for that subject), and only until
it expires. An expired or malformed waiver suppresses nothing and is reported: waivers fail closed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.errors import InvalidRequest, first_error
from agent.files import parse_yaml, read_regular_file
from agent.schema import Finding, Suppressed

DEFAULT_WAIVERS = "sysdesign-waivers.yaml"


class Waiver(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    expires: dt.date
    scope: str | None = None


def load_waivers(path: Path) -> tuple[list[Waiver], list[str]]:
    """The valid waivers in `path` and a problem message for each invalid one (which suppresses nothing)."""
    if not Path(path).exists():
        raise InvalidRequest(f"no waivers file at {str(path)!r}")
    text = read_regular_file(path, "waivers file")  # a FIFO, a device, a folder or a huge file: one sentence
    try:
        data = parse_yaml(text, path, "waivers file")
    except InvalidRequest as exc:  # fail closed: a broken waivers file waives nothing, and says so
        return [], [f"{exc}; no finding is waived"]
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [f"waivers file {str(path)!r} must be a list of waivers; no finding is waived"]
    waivers, problems = [], []
    for number, entry in enumerate(data, start=1):
        try:
            waivers.append(Waiver.model_validate(entry))
        except ValidationError as exc:
            problems.append(f"waiver {number} in {Path(path).name} is invalid ({first_error(exc)}); it waives nothing")
    return waivers, problems


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver], today: dt.date | None = None
) -> tuple[list[Finding], list[Suppressed], list[str]]:
    """(findings still active, findings suppressed, notices about expired waivers)."""
    today = today or dt.date.today()
    active, suppressed, notices = [], [], []
    expired_reported: set[tuple[str, str | None]] = set()
    for finding in findings:
        match = next(
            (w for w in waivers if w.rule == finding.rule_id and (w.scope is None or w.scope == finding.subject)),
            None,
        )
        if match is None:
            active.append(finding)
        elif match.expires < today:
            active.append(finding)
            if (match.rule, match.scope) not in expired_reported:
                expired_reported.add((match.rule, match.scope))
                notices.append(f"waiver for {match.rule}{f' ({match.scope})' if match.scope else ''} expired on "
                               f"{match.expires.isoformat()}; the finding is active again")  # fmt: skip
        else:
            suppressed.append(Suppressed(finding=finding, reason=match.reason, expires=match.expires))
    return active, suppressed, notices

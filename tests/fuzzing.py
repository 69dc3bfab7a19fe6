"""A fuzzing harness for the whole tool: hostile inputs through the CLI (in process), with what must always hold.

Used by `tests/test_fuzz.py` (a bounded slice on every test run) and `benchmarks/fuzz.py` (a campaign of 1,000+
cases). Each case is a command line, maybe standard input, and files it needs in a fresh temporary folder. What
must hold, whatever the input: no traceback (only the tool's own errors, as one line and an exit code), exit
codes 0, 1 or 2, valid JSON where JSON was asked for, no hang, and nothing written outside the temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import string
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WATCHED = ("kb", "kb_chunks", "index", "prompts", "evals", "agent")
HANG_SECONDS = 30


@dataclass
class Case:
    """One command line, its standard input, and files to create first (name → text or bytes)."""

    args: list[str]
    stdin: str | None = None
    files: dict[str, str | bytes] = field(default_factory=dict)
    wants_json: bool = False
    specials: dict[str, str] = field(default_factory=dict)  # name → "fifo", or the target of a symlink
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    case: Case
    exit_code: int | None
    problem: str | None  # None when every property held
    seconds: float


# ---- generators ------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    "", " ", "\u200b\u200b", "\x00", "null", "[1,2]", "{}", '{"a":', "-", "--help", "'; DROP TABLE users; --",
    "Build a Twitter clone", "a URL shortener, 100M new URLs a month", "10^400 users", "inf users", "-5 users",
    "9" * 400 + " users", "Uber for dogs " * 500, "缓存 服务 设计", "🚀🚀🚀", "a\nb\nc", "\\", '"',
    "<script>alert(1)</script>", "\ud800 lone surrogate", "%s%s%n", "{{ 7*7 }}", "${HOME}", "../../etc/passwd",
    "Build " + "x" * 30000,
]  # fmt: skip


def _text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return rng.choice(HOSTILE_TEXT)
    alphabet = string.printable + "äöüßçé中文😀\u200b\u2028\x7f"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))


def _json_value(rng: random.Random, depth: int = 0):
    kind = rng.randint(0, 7 if depth < 4 else 4)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False, 0, -1, 10**30, 1.5, float("1e308")])
    if kind in (2, 3, 4):
        return _text(rng)
    if kind == 5:
        return [_json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_text(rng)[:20]: _json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


FIELDS = ["request", "pattern", "components", "services", "flows", "estimate", "cap", "traits", "scaling"]


def _document(rng: random.Random) -> str:
    """An architecture document: mostly well-shaped with hostile values, sometimes not JSON at all."""
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(["", "{not json", "[" * 3000 + "]" * 3000, '{"components": ' + "[" * 2000 + "]" * 2000 + "}",
                           "\ufeff{}", "1e999", "NaN"])  # fmt: skip
    document: dict = {"request": _text(rng)}
    document["components"] = [rng.choice([_text(rng), {"name": _text(rng), "category": _text(rng)[:10]},
                                           "Redis", "Postgres", "Kafka", _json_value(rng)])
                              for _ in range(rng.randint(0, 8))]  # fmt: skip
    document["services"] = [rng.choice([_text(rng), {"name": _text(rng), "data_stores": [_text(rng)]},
                                         {"name": "Feed Service", "data_stores": "Redis"}, _json_value(rng)])
                            for _ in range(rng.randint(0, 8))]  # fmt: skip
    for name in rng.sample(FIELDS, rng.randint(0, 3)):
        document[name] = _json_value(rng)
    return json.dumps(document, ensure_ascii=rng.random() < 0.5, allow_nan=True)


def _rule_pack(rng: random.Random) -> str:
    regexes = ["^(a+)+$", "(x+x+)+y", "(?=x)", "[", "encrypt(ed|ion) at rest", r"(\w+\s?)*$", "a{1000}{1000}",
               "x" * 100_000, "(" * 1_000 + "a" + ")" * 1_000, "(a|aa){1000}b"]  # fmt: skip
    rule = {"id": rng.choice(["TEAM001", "bad id", "SD001", ""]), "title": _text(rng) or "t",
            "severity": rng.choice(["error", "warning", "info", "fatal"]), "pillar": "security",
            "message": "m", "remediation": "r", "help": "caching-strategies"}  # fmt: skip
    kind = rng.choice(["require_text", "when", "require", "forbid", "none"])
    if kind == "require_text":
        rule["require_text"] = rng.choice(regexes)
    elif kind == "when":
        rule["when"] = {"text": rng.choice(regexes)}
        rule["require"] = ["Redis"]
    elif kind in ("require", "forbid"):
        rule[kind] = [_text(rng)]
    pack = {"pack": "fuzz", "rules": [rule]}
    return rng.choice([json.dumps(pack), "rules: [", "- just a list", "pack: x\nrules: 5\n", json.dumps(pack) * 2])


def _settings(rng: random.Random) -> str:
    return rng.choice([
        'index = "../victim"', 'index = "."',
        'drafter = "openai"\nbase_url = "http://user:pw@127.0.0.1:9/v1"\ntimeout = 1',
        "rounds = 1e308", "timeout = -1", "[estimation]\ncap = 0.1", "[estimation]\nfactors = { ml = 1e308 }",
        "a = " + "[" * 2000 + "]" * 2000, "colour = 'blue'", "not toml at all = = =", 'fallback = "none"',
        'drafter = "kb"\nrounds = 10', "",
    ])  # fmt: skip


KNOWLEDGE_REGEXES = ["(x+x+)+y", "[unclosed", "(?<!never )x", "a" * 2_000, "(" * 1_000 + "a" + ")" * 1_000,
                     "[a-z]{1000}", "\ud800", "encrypt(ed|ion) at rest", "url shortener"]  # fmt: skip
HOSTILE_TEMPLATES = [
    "{{ 'x' * 3000000000 }}", "{{ 'x'|center(3000000000) }}", "{{ '%3000000000s' % 'x' }}", "{{ 10 ** 100000 }}",
    "{{ '{:>3000000000}'.format('x') }}", "{% macro f(x) %}{{ f(x ~ x) }}{% endmacro %}{{ f('ab') }}",
    "{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}", "{{ range(10000)|join('x' * 100000) }}",
    "{% include 'secret.j2' %}", "{{ ''.__class__.__mro__ }}", "{{ 1 + 'a' }}", "{% if %}", "{{ " + "9" * 5000 + " }}",
    "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}",
]  # fmt: skip


def project_files(rng: random.Random) -> Case:
    """What a cloned project hands the tool: knowledge YAML with hostile expressions, rule packs, waivers and
    settings that are FIFOs or links to devices, and prompt templates that ask for gigabytes or leave the folder."""
    import yaml

    kind = rng.choice(["knowledge", "special", "prompts"])
    request = "x" * rng.choice([40, 5000])  # what `(x+x+)+y` backtracks on
    document = {"doc.json": json.dumps({"request": request, "pattern": "url_shortener", "components": ["Cassandra"]})}
    if kind == "knowledge":
        spec = yaml.safe_load((PROJECT_ROOT / "tests/data/knowledge-url-shortener/url-shortener.yaml").read_text())
        pattern, regex = spec["patterns"]["url_shortener"], rng.choice(KNOWLEDGE_REGEXES)
        if rng.random() < 0.3:
            pattern["chapter"] = regex
        else:
            pattern["required"].append({"any_of": ["Kafka"], "why": "w", "when": regex})
        files = {
            **document,
            "kb/k.yaml": yaml.safe_dump(spec, allow_unicode=True),
            "ix/manifest.json": '{"kb_dirs": ["kb"]}',
        }
        return Case(["check", "doc.json", "--index", "ix"], files=files)
    if kind == "special":
        name, args = rng.choice([("rules/team.yaml", ["--rules-dir", "rules"]), ("w.yaml", ["--waivers", "w.yaml"]),
                                 ("sysdesign.toml", []), ("kb/zero.yaml", ["--index", "ix"])])  # fmt: skip
        files = {**document, "ix/manifest.json": '{"kb_dirs": ["kb"]}'} if name.startswith("kb/") else document
        target = rng.choice(["fifo", "/dev/zero", "/dev/null", "/etc/hostname", "missing"])
        return Case(["check", "doc.json", *args], files=files, specials={name: target})
    prompts = {f"p/{name}": (PROJECT_ROOT / "prompts" / name).read_text() for name in ("draft.j2", "draft_full.j2")}
    prompts["p/system.j2"] = rng.choice(HOSTILE_TEMPLATES)
    return Case(["ask", "a todo app", "--drafter", "openai", "--base-url", "http://127.0.0.1:9/v1", "--prompts-dir",
                 "p", "--timeout", "2"], files=prompts, specials={"p/secret.j2": "/etc/hostname"},
                env={"OPENAI_API_KEY": "sk-fuzz"})  # fmt: skip


WRITE_TARGETS = ["/dev/full", "fifo", "dangling", "folder", "n" * 300 + ".json", "file.txt/x.json", "."]
"""Where a write cannot go as asked: a full device, a FIFO nobody reads, a symlink to nothing, a folder, a name
too long for the file system, a path under a file, the working folder."""


def write_targets(rng: random.Random) -> Case:
    """Every write path (an output, a check's output, an evaluation report, a chat's /save, an index folder) aimed
    at a special file or a write that fails."""
    target = rng.choice(WRITE_TARGETS)
    files = {"doc.json": json.dumps({"components": ["Redis"]}), "folder/keep.txt": "mine", "file.txt": "mine",
             "kb/a.md": "# A\n\n## B\n\ntext about queues\n"}  # fmt: skip
    specials = {"fifo": "fifo", "dangling": "nowhere/x.json"}
    args = rng.choice([
        ["ask", "Build a Twitter clone", "-o", target, "--format", "json"],
        ["check", "doc.json", "-o", target, "--format", rng.choice(["json", "sarif"])],
        ["eval", "--report", target, "--limit", "1"],
        ["chat"],
        ["index", "build", "--kb", "kb", "--no-default-kb", "--index", target],
    ])  # fmt: skip
    stdin = f"Build a Twitter clone\n/save {target}\n/save {target}/x.md\n" if args == ["chat"] else None
    return Case(args, stdin=stdin, files=files, specials=specials)


def oversized(rng: random.Random) -> Case:
    """Input that parses into trouble: integers past Python's 4,300 digits, documents past 2 MB, prediction lines
    that are not objects or whose ids are not text, estimation factors that overflow."""
    long_number = "9" * rng.choice([4301, 5000, 100_000])
    kind = rng.choice(["number", "large", "predictions", "factors"])
    if kind == "number":
        document = '{"components": ["Redis"], "estimate": {"hours": [1, ' + long_number + "]}}"
        return Case([rng.choice(["check", "estimate"]), "doc.json", "--json"], files={"doc.json": document},
                    wants_json=True)  # fmt: skip
    if kind == "large":
        document = json.dumps({"components": ["Redis"], "request": "x" * rng.choice([2_000_001, 30_000_000])})
        return Case(["check", "-", "--format", "json"], stdin=document, wants_json=True)
    if kind == "predictions":
        lines = ["[1, 2]", '"text"', "null", '{"id": ["bl-url-01"]}', '{"id": {"a": 1}}', '{"id": 5}',
                 '{"id": "bl-url-01", "n": ' + long_number + "}",
                 '{"id": "bl-url-01", "components": ["Redis"]}']  # fmt: skip
        chosen = rng.sample(lines, rng.randint(1, len(lines)))
        return Case(["eval", "--predictions", "p.jsonl", "--limit", "1"], files={"p.jsonl": "\n".join(chosen)})
    factors = rng.choice(["ml = 1e308", "ml = 1e308, payments = 1e308", "ml = nan", "ml = -1.0", "ml = inf",
                          "ml = 1000, payments = 1000, real_time = 1000"])  # fmt: skip
    cap = rng.choice(["1e308", "inf", "3"])
    settings = f'[estimation]\ncombination = "product"\ncap = {cap}\nfactors = {{ {factors} }}\n'
    return Case(["estimate", "Uber for dogs with payments, live chat and recommendations", "--json"],
                files={"sysdesign.toml": settings}, wants_json=True)  # fmt: skip


SURFACES = ("ask", "ask-json", "check", "check-fix", "estimate", "search", "pack", "settings", "chat", "waivers",
            "batch", "features", "output", "project-files", "write-targets", "oversized")  # fmt: skip


def generate(rng: random.Random, surfaces: tuple[str, ...] = SURFACES) -> Case:
    """One random case across the tool's inputs (or across `surfaces` of them)."""
    surface = rng.choice(surfaces)
    if surface == "ask":
        return Case(["ask", _text(rng)])
    if surface == "ask-json":
        return Case(["ask", _text(rng), "--json"], wants_json=True)
    if surface == "check":
        return Case(["check", "-", "--format", rng.choice(["json", "sarif", "junit", "text"])], stdin=_document(rng))
    if surface == "check-fix":
        return Case(["check", "doc.json", "--fix", "--json"], files={"doc.json": _document(rng)}, wants_json=True)
    if surface == "estimate":
        flags = rng.choice([[], ["--dau", _text(rng)[:12] or "5M"], ["--team", "3"], ["--read-write", _text(rng)[:8]],
                            ["--media-mb-per-day", rng.choice(["inf", "nan", "-1", "1e300", "5"])]])  # fmt: skip
        return Case(["estimate", _text(rng), *flags, "--json"], wants_json=True)
    if surface == "search":
        return Case(["search", _text(rng), "-k", str(rng.choice([1, 5, 100])), "--json"], wants_json=True)
    if surface == "pack":
        return Case(["check", "doc.json", "--rules-dir", "rules"],
                    files={"doc.json": "{\"components\": [\"Redis\"], \"request\": \"" + "a" * 5000 + "\"}",
                           "rules/pack.yaml": _rule_pack(rng)})  # fmt: skip
    if surface == "settings":
        return Case(
            ["ask", "Build a Twitter clone", "--json"], files={"sysdesign.toml": _settings(rng)}, wants_json=True
        )
    if surface == "chat":
        lines = [rng.choice(["Build a Twitter clone", "add payments", "/save out", "/save .", "/load doc.json",
                             "/json", "what breaks at 10^400x?", "what breaks at " + "9" * 400 + "x?", "/undo",
                             "/model nope", "/new", _text(rng)]) for _ in range(rng.randint(1, 6))]  # fmt: skip
        return Case(["chat"], stdin="\n".join(lines) + "\n", files={"doc.json": _document(rng)})
    if surface == "waivers":
        waiver = rng.choice(["- rule: SD001\n  reason: x\n  expires: 2027-13-01\n", "- rule: SD001\n  expires: x\n",
                             "not: [valid", "- 5\n", ""])  # fmt: skip
        return Case(["check", "doc.json", "--waivers", "w.yaml"], files={"doc.json": _document(rng), "w.yaml": waiver})
    if surface == "batch":
        lines = "\n".join(_document(rng) for _ in range(rng.randint(1, 4)))
        return Case(["check", "--batch", "preds.jsonl", "--json"], files={"preds.jsonl": lines}, wants_json=True)
    if surface == "project-files":
        return project_files(rng)
    if surface == "write-targets":
        return write_targets(rng)
    if surface == "oversized":
        return oversized(rng)
    if surface == "features":
        return Case(["features", _text(rng) or "x", "--format", rng.choice(["csv", "json"])])
    target = rng.choice(["out", "missing/dir/x.html", ".", "/dev/null", "fifo.json", "x.unknown", "x.md"])
    return Case(["ask", "Build a Twitter clone", "-o", target])


# ---- running ---------------------------------------------------------------------------------------------


class _Hang(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only when a case hangs
    raise _Hang()


def _snapshot() -> dict[str, float]:
    """Modification times of the project's own files: a case must change none of them."""
    found = {}
    for name in WATCHED:
        for path in (PROJECT_ROOT / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = path.stat().st_mtime
    return found


@contextlib.contextmanager
def _sandbox() -> Iterator[Path]:
    """A fresh folder as the working folder, data folder and home: all a case may touch."""
    with tempfile.TemporaryDirectory(prefix="sysdesign-fuzz-") as folder:
        root = Path(folder)
        saved_cwd, saved_env = Path.cwd(), dict(os.environ)
        os.chdir(root)
        os.environ.update(SYSDESIGN_DATA=str(root / "data"), SYSDESIGN_CACHE=saved_env.get("SYSDESIGN_CACHE", str(
            Path.home() / ".cache" / "sysdesign-agent")), HOME=str(root))  # fmt: skip
        for name in ("SYSDESIGN_CONFIG", "SYSDESIGN_INDEX", "SYSDESIGN_DRAFTER", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"):
            os.environ.pop(name, None)
        try:
            yield root
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)


def run_case(case: Case) -> Outcome:
    """Run one case in process and check every property."""
    from agent.interfaces.cli.app import add_commands, app, known_error

    add_commands()
    started = time.monotonic()
    with _sandbox() as root:
        for name, content in case.files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content) if isinstance(content, bytes) else path.write_bytes(
                content.encode("utf-8", "surrogatepass")
            )
        if "fifo.json" in case.args:
            os.mkfifo(root / "fifo.json")
        for name, kind in case.specials.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            os.mkfifo(root / name) if kind == "fifo" else os.symlink(kind, root / name)
        os.environ.update(case.env)  # the sandbox puts the environment back afterwards
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(HANG_SECONDS)
        try:
            stdin = case.stdin.encode("utf-8", "surrogatepass") if case.stdin is not None else None  # raw bytes
            result = CliRunner().invoke(app, case.args, input=stdin, catch_exceptions=True)
        except _Hang:
            return Outcome(case, None, f"hang: no answer within {HANG_SECONDS} s", time.monotonic() - started)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        seconds = time.monotonic() - started
        exception = result.exception
        if isinstance(exception, _Hang):
            return Outcome(case, None, f"hang: no answer within {HANG_SECONDS} s", seconds)
        code = result.exit_code
        if exception is not None and (known := known_error(exception)) is not None:
            code = known.exit_code  # what main() turns it into: one line and this exit code
        elif exception is not None and not isinstance(exception, SystemExit):
            return Outcome(case, code, f"traceback: {type(exception).__name__}: {str(exception)[:200]}", seconds)
        if code not in (0, 1, 2):
            return Outcome(case, code, f"exit code {code}", seconds)
        if case.wants_json and code in (0, 1) and exception is None and "--help" not in case.args:
            try:
                json.loads(result.stdout, parse_constant=_no_constant)
            except ValueError as exc:
                return Outcome(case, code, f"invalid JSON on stdout: {exc}", seconds)
        return Outcome(case, code, None, seconds)


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


@dataclass
class Campaign:
    tried: int = 0
    tracebacks: list[Outcome] = field(default_factory=list)
    hangs: list[Outcome] = field(default_factory=list)
    other: list[Outcome] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)
    seconds: float = 0.0


def campaign(n: int, seed: int = 0, surfaces: tuple[str, ...] = SURFACES) -> Campaign:
    """Run `n` random cases (deterministic for a seed; of `surfaces` only, when given) and collect what went
    wrong."""
    rng = random.Random(seed)
    before = _snapshot()
    result = Campaign()
    started = time.monotonic()
    for _ in range(n):
        outcome = run_case(generate(rng, surfaces))
        result.tried += 1
        if outcome.problem is None:
            continue
        if outcome.problem.startswith("traceback"):
            result.tracebacks.append(outcome)
        elif outcome.problem.startswith("hang"):
            result.hangs.append(outcome)
        else:
            result.other.append(outcome)
    after = _snapshot()
    result.touched = sorted(path for path, mtime in after.items() if before.get(path) != mtime)
    result.touched += sorted(set(before) - set(after))
    result.seconds = time.monotonic() - started
    return result

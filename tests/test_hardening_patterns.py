"""Files a project or a cloned repository hands the tool cannot hang it, exhaust its memory or leak a file.

Issue #32, items 6, 7, 10 and the pattern half of 13: a knowledge folder's regular expressions run on RE2 with
their size bounded; rule packs' expressions are bounded at load; rule packs, waivers, knowledge YAML, settings and
prompt templates are read only as regular files of bounded size; a project's prompts folder is used only once the
project is trusted, never through a link out of it, and rendered with bounded output.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from agent.errors import InvalidRequest
from tests.conftest import SYSDESIGN

URL_SHORTENER = Path(__file__).parent / "data" / "knowledge-url-shortener" / "url-shortener.yaml"
HANG = 60  # seconds: every case here answers in a few; the old code never answered at all
DOCUMENT = '{"request": "REQUEST", "pattern": "url_shortener", "components": ["Cassandra"], "services": []}'


def sysdesign(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real CLI in a subprocess, given HANG seconds (a hang fails the test instead of stalling the suite)."""
    environment = {**os.environ, "SYSDESIGN_DATA": str(cwd / "data"), **(env or {})}
    environment.pop("SYSDESIGN_CONFIG", None)
    return subprocess.run([*SYSDESIGN, *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=HANG)


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and all(word in lines[0] for word in words), result.stderr


def knowledge_folder(tmp_path: Path, edit) -> Path:
    """A knowledge folder holding the URL-shortener pattern as `edit` changes it, and an index that names it."""
    folder = tmp_path / "kb"
    folder.mkdir()
    spec = yaml.safe_load(URL_SHORTENER.read_text())
    edit(spec["patterns"]["url_shortener"])
    (folder / "url-shortener.yaml").write_text(yaml.safe_dump(spec))
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.json").write_text(f'{{"kb_dirs": ["{folder}"]}}')
    return folder


def check_document(tmp_path: Path, request: str, *extra: str) -> subprocess.CompletedProcess:
    (tmp_path / "doc.json").write_text(DOCUMENT.replace("REQUEST", request))
    return sysdesign("check", "doc.json", "--index", "index", *extra, cwd=tmp_path)


# ---- item 6: a knowledge folder's expressions ------------------------------------------------------------------


def test_a_catastrophic_when_in_a_knowledge_folder_answers_at_once(tmp_path):
    knowledge_folder(tmp_path, lambda p: p["required"].append({"any_of": ["Kafka"], "why": "w", "when": "(x+x+)+y"}))
    result = check_document(tmp_path, "x" * 40)  # `re` backtracks for ever on this; RE2 answers in microseconds
    assert result.returncode in (0, 1), result.stderr


@pytest.mark.parametrize(
    ("where", "pattern", "words"),
    [
        ("when", "[unclosed", ["missing ]"]),
        ("when", "(?<!never )encrypt", ["look-arounds"]),
        ("when", "a" * 2_000, ["2,000 characters"]),
        ("when", "(" * 40 + "a" + ")" * 40, ["nests groups 40 deep"]),
        ("when", "[a-z]{1000}", ["compiles to"]),
        ("chapter", "url (shortener", ["missing )"]),
    ],
    ids=["unclosed", "look-behind", "too-long", "too-deep", "too-large-compiled", "chapter"],
)
def test_a_bad_expression_in_a_knowledge_folder_names_the_file_and_key(tmp_path, where, pattern, words):
    from agent.knowledge import load_knowledge

    def edit(spec):
        if where == "chapter":
            spec["chapter"] = pattern
        else:
            spec["required"].append({"any_of": ["Kafka"], "why": "w", "when": pattern})

    folder = knowledge_folder(tmp_path, edit)
    key = "chapter" if where == "chapter" else "required[1].when"
    with pytest.raises(InvalidRequest, match=re.escape(f"url-shortener.yaml': patterns.url_shortener.{key}: ")) as err:
        load_knowledge((folder,))
    assert all(word in str(err.value) for word in words), err.value
    if where == "when" and pattern == "[unclosed":  # the CLI says it in one line, exit 2 (it was a traceback)
        one_line_error(check_document(tmp_path, "a shortener"), "url-shortener.yaml", "required[1].when")


def test_a_blocks_mistake_from_a_folder_is_refused_by_name(tmp_path):
    from agent.knowledge import load_knowledge

    folder = tmp_path / "kb"
    folder.mkdir()
    bundled = sorted((Path(__file__).parent.parent / "agent" / "knowledge" / "blocks").glob("*.yaml"))[0]
    block = yaml.safe_load(bundled.read_text())
    block_id = block.pop("id")
    block["mistakes"] = [{"mistake": "m", "says": "(?=x)", "fix": "f", "cite": block["cite"], "example": "x"}]
    (folder / "block.yaml").write_text(yaml.safe_dump({"blocks": {block_id: block}}))
    with pytest.raises(InvalidRequest, match=rf"block\.yaml': blocks\.{block_id}\.mistakes\[0\]\.says: .*RE2"):
        load_knowledge((folder,))


def test_the_bundled_knowledge_keeps_re_and_a_folders_own_runs_on_re2():
    from agent.knowledge import load_knowledge
    from agent.knowledge.models import MistakeSpec, Requirement
    from agent.knowledge.regexes import bundled_regexes, knowledge_regex
    from agent.rules.user_regex import UserRegex

    knowledge = load_knowledge()
    ours = next(r.when for spec in knowledge.patterns.values() for r in spec.required if r.when)
    assert ours in bundled_regexes() and isinstance(knowledge_regex(ours), re.Pattern)
    assert all(isinstance(cue, re.Pattern) for cue, _ in knowledge.chapter_cues)
    theirs = Requirement(any_of=("Kafka",), why="w", when="(x+x+)+y")
    assert isinstance(knowledge_regex("(x+x+)+y"), UserRegex)
    assert theirs.asked_for("x" * 100_000) is False  # linear: on `re` this is 2^100000 steps
    mistake = MistakeSpec(mistake="m", says="(a|aa)+$", fix="f", cite="c", example="aaaa")
    assert isinstance(mistake.regex, UserRegex) and mistake.regex.search("a" * 100_000 + "b") is None


# ---- item 13: rule packs' expressions ----------------------------------------------------------------------------

PACK = """pack: p
rules:
- {id: TEAM001, title: t, severity: error, pillar: security, message: m, remediation: r, help: h, require_text: 'REGEX'}
"""


@pytest.mark.parametrize(
    ("regex", "words"),
    [("x" * 100_000, "100,000 characters"), ("(" * 1_000 + "a" + ")" * 1_000, "characters"),
     ("(" * 300 + "a" + ")" * 300, "nests groups 300 deep"), ("(a|aa){1000}b", "compiles to")],
    ids=["literal-100k", "nested-1000", "nested-300", "repeated"],
)  # fmt: skip
def test_a_pack_expression_too_large_is_refused_at_load_naming_the_rule(tmp_path, regex, words):
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "team.yaml").write_text(PACK.replace("REGEX", regex))
    (tmp_path / "doc.json").write_text('{"request": "a shop", "components": ["Postgres"]}')
    one_line_error(
        sysdesign("check", "doc.json", "--rules-dir", "rules", cwd=tmp_path), "TEAM001", "require_text", words
    )


def test_pack_expressions_run_in_linear_time_on_a_long_document(tmp_path):
    (tmp_path / "rules").mkdir()
    # the largest expressions the bounds let through, on a 1.8 MB document that almost matches everywhere
    regexes = ["a" * 999 + "b", "(a|aa){400}b", "a[ab]{200}bc", "(x+x+)+y"]
    rules = "".join(f"- {{id: T{n}, title: t, severity: error, pillar: security, message: m, remediation: r, "
                    f"help: h, require_text: '{regex}'}}\n" for n, regex in enumerate(regexes))  # fmt: skip
    (tmp_path / "rules" / "team.yaml").write_text("pack: p\nrules:\n" + rules)
    (tmp_path / "doc.json").write_text('{"request": "' + "a" * 1_800_000 + '", "components": ["Postgres"]}')
    result = sysdesign("check", "doc.json", "--rules-dir", "rules", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr[-2000:]


def test_user_expression_bounds_and_odd_text():
    from agent.rules.user_regex import MAX_NESTING, compile_user_regex, group_depth, user_regex_search

    assert group_depth(r"(a)[(]((b))\((") == 2 and group_depth("[]()]((x))") == 2 and group_depth("[[:alpha:](]") == 0
    compile_user_regex("(" * MAX_NESTING + "a" + ")" * MAX_NESTING)
    with pytest.raises(ValueError, match="nests groups"):
        compile_user_regex("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1))
    assert user_regex_search("encrypt(ed|ion) at rest", "Encrypted at rest \ud800")  # a lone surrogate is no crash
    assert [m.span() for m in compile_user_regex("é|a").finditer("é\udcffa")] == [(0, 1), (2, 3)]


# ---- item 7: only regular files, of bounded size ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "folder", "huge"])
def test_a_rules_dir_entry_that_is_not_a_small_regular_file_is_one_sentence(tmp_path, kind):
    rules = tmp_path / "rules"
    rules.mkdir()
    if kind == "dev-zero":
        os.symlink("/dev/zero", rules / "team.yaml")  # committed to a repository: `check` ran out of memory
    elif kind == "fifo":
        os.mkfifo(rules / "team.yaml")  # `check` waited for a writer for ever
    elif kind == "folder":
        (rules / "team.yaml").mkdir()
    else:
        (rules / "team.yaml").write_text("# " + "x" * 4_000_000 + "\n")
    (tmp_path / "doc.json").write_text('{"request": "a shop", "components": ["Postgres"]}')
    words = {"dev-zero": "character device", "fifo": "a FIFO", "folder": "a folder", "huge": "larger than"}[kind]
    one_line_error(sysdesign("check", "doc.json", "--rules-dir", "rules", cwd=tmp_path), "team.yaml", words)


def test_waivers_knowledge_and_settings_that_are_special_files_are_one_sentence(tmp_path):
    from agent.rules.waivers import load_waivers

    (tmp_path / "doc.json").write_text('{"request": "a shop", "components": ["Postgres"]}')
    os.mkfifo(tmp_path / "waivers.yaml")
    with pytest.raises(InvalidRequest, match=r"waivers\.yaml' is a FIFO"):
        load_waivers(tmp_path / "waivers.yaml")
    one_line_error(sysdesign("check", "doc.json", "--waivers", "waivers.yaml", cwd=tmp_path), "waivers.yaml")

    folder = knowledge_folder(tmp_path, lambda spec: None)
    os.symlink("/dev/zero", folder / "zero.yaml")
    one_line_error(check_document(tmp_path, "a shortener"), "zero.yaml", "character device")
    os.unlink(folder / "zero.yaml")

    os.symlink("/dev/zero", tmp_path / "sysdesign.toml")
    one_line_error(sysdesign("check", "doc.json", cwd=tmp_path), "sysdesign.toml", "character device")


def test_read_regular_file_refuses_what_is_not_a_small_regular_file(tmp_path):
    from agent.files import read_regular_file

    (tmp_path / "ok.yaml").write_text("a: 1\n")
    assert read_regular_file(tmp_path / "ok.yaml") == "a: 1\n"
    os.symlink(tmp_path / "ok.yaml", tmp_path / "link.yaml")  # a link to a regular file is fine
    assert read_regular_file(tmp_path / "link.yaml") == "a: 1\n"
    os.mkfifo(tmp_path / "fifo")
    for path, words in [(tmp_path / "fifo", "is a FIFO"), (tmp_path, "is a folder"), (Path("/dev/null"), "device"),
                        (tmp_path / "ok.yaml", "larger than 3 bytes")]:  # fmt: skip
        with pytest.raises(InvalidRequest, match=words):
            read_regular_file(path, "rule pack", limit=3 if path.name == "ok.yaml" else 1_000)


# ---- item 10: a project's prompts ------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SYSDESIGN_DATA", str(tmp_path / "data"))
    for name in ("SYSDESIGN_CONFIG", "SYSDESIGN_PROMPTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_an_untrusted_projects_prompts_dir_is_ignored_until_it_is_trusted(project, caplog):
    from agent.config import load_settings
    from agent.trust import trust

    (project / "prompts").mkdir()
    (project / "sysdesign.toml").write_text('prompts_dir = "prompts"\n')
    assert load_settings().prompts_dir is None
    assert "prompts_dir" in caplog.text and "sysdesign trust" in caplog.text
    trust(project / "sysdesign.toml")
    assert load_settings().prompts_dir == Path("prompts")
    assert load_settings(prompts_dir=project / "mine").prompts_dir == project / "mine"  # a flag is the user's own


def prompts_folder(tmp_path: Path, system: str) -> Path:
    folder = tmp_path / "prompts"
    folder.mkdir(exist_ok=True)
    (folder / "system.j2").write_text(system)
    return folder


def test_a_template_never_reads_through_a_link_out_of_its_folder(tmp_path):
    from agent.drafting.prompts import render_prompt

    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    folder = prompts_folder(tmp_path, "{% include 'notes.j2' %}")
    os.symlink(secret, folder / "notes.j2")
    for template in ("system.j2", "notes.j2"):
        with pytest.raises(InvalidRequest, match="outside the prompts folder") as err:
            render_prompt(template, folder)
        assert "hunter2" not in str(err.value)
    (folder / "inside.j2").write_text("kept {{ 1 + 1 }}")
    os.symlink(folder / "inside.j2", folder / "alias.j2")  # a link inside the folder is fine
    assert render_prompt("alias.j2", folder) == "kept 2\n"


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ 'x' * 3000000000 }}", "repeating"),
        ("{{ 'x'|center(3000000000) }}", "3,000,000,000"),
        ("{{ '%3000000000s' % 'x' }}", "width"),
        ("{{ '{:>3000000000}'.format('x') }}", "width"),
        ("{% for i in range(3000000000) %}{% endfor %}", "3,000,000,000"),
        ("{% macro f(x) %}{{ f(x) }}{% endmacro %}{{ f(1) }}", "calls itself too deeply"),
        ("{% macro f(x) %}{{ f(x ~ x) }}{% endmacro %}{{ f('ab') }}", "1,000,000"),
        ("{% set ns = namespace(x='ab') %}{% for i in range(64) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}", "000"),
        ("{{ ('x' * 100000).replace('', 'y' * 100000) }}", "replacement"),
        ("{{ range(10000)|join('x' * 100000) }}", "joining"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "ranges"),
        ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}", "rendered text"),
        ("{{ 10 ** 100000 }}", "power"),
        ("{{ 1 + 'a' }}", "unsupported operand"),
    ],
    ids=["repeat", "center", "percent-width", "format-width", "range", "recursion", "recursive-doubling",
         "namespace-doubling", "replace", "join", "nested-loops", "output", "power", "type-error"],
)  # fmt: skip
def test_a_hostile_template_is_one_sentence_not_a_crash(tmp_path, template, words):
    from agent.drafting.prompts import render_prompt

    with pytest.raises(InvalidRequest, match=re.escape(words)) as err:
        render_prompt("system.j2", prompts_folder(tmp_path, template))
    assert "system.j2" in str(err.value) and "\n" not in str(err.value)


def test_the_bundled_templates_render_under_the_bounds():
    from agent.drafting.prompts import render_prompt

    assert "JSON" in render_prompt("system.j2")
    long_request = "a shop " * 3_000  # a request at the query limit, with long sections, stays well inside
    draft = render_prompt("draft.j2", request=long_request, sections=[("a/b", "text " * 2_000)] * 8,
                          snippet_chars=400, pattern_ids=["ecommerce"], technologies=["Redis"],
                          services=["Cart Service"], pattern_hint="")  # fmt: skip
    assert long_request in draft


def test_ask_with_a_hostile_prompts_dir_is_one_sentence(tmp_path):
    folder = prompts_folder(tmp_path, "{{ 'x' * 3000000000 }}")
    for name in ("draft.j2", "repair.j2", "draft_full.j2", "repair_full.j2"):
        shutil.copy(Path(__file__).parent.parent / "prompts" / name, folder / name)
    result = sysdesign("ask", "a todo app", "--drafter", "openai", "--base-url", "http://127.0.0.1:9/v1",
                       "--prompts-dir", str(folder), cwd=tmp_path, env={"OPENAI_API_KEY": "sk-test"})  # fmt: skip
    one_line_error(result, "system.j2", "repeating")


# ---- the fuzzer's class for these files ------------------------------------------------------------------------


def test_a_bounded_slice_of_hostile_project_files_finds_nothing():
    """`tests/fuzzing.py`'s `project-files` surface (also drawn by `benchmarks/fuzz.py`), 24 cases."""
    import random

    from tests.fuzzing import project_files, run_case

    rng = random.Random(32)
    outcomes = [run_case(project_files(rng)) for _ in range(24)]
    assert [(o.problem, o.case.args, o.case.specials) for o in outcomes if o.problem] == []

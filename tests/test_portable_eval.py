"""The eval cases outside this tool: the Hugging Face dataset folder and its card, and the lm-evaluation-harness and
inspect-ai tasks run end to end against the real llama.cpp server (SmolLM2 on 127.0.0.1), scored by the grader."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent.errors import ML_EXTRA, InvalidRequest
from agent.evaluation.cases import load_cases
from agent.evaluation.portable.cases import COLUMNS, TASK_NAME, knowledge_hash
from agent.evaluation.runner import select
from tests.conftest import run_cli
from tests.model_server import ReplayHandler, openai_body, serving

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
datasets = pytest.importorskip("datasets")

TAGS = ["block", "terse"]
THREE = 3
"""Cases a harness runs: enough for a mean and a spread, few enough for a 135M model on two cores."""
MAX_TOKENS = 96
DESIGN = {
    "components": [
        {"name": "Redis", "purpose": "cache of hot short keys for fast redirects"},
        {"name": "Cassandra", "purpose": "key to long URL mappings, partitioned by key"},
        {"name": "Kafka", "purpose": "click events for analytics"},
    ],
    "services": [
        {"name": "Shortener", "responsibility": "mints a base62 key from a unique counter, stores the mapping"},
        {"name": "Redirect", "responsibility": "looks the key up and answers a 301 or 302 redirect"},
        {"name": "Analytics", "responsibility": "counts clicks per short link from the click events"},
    ],
    "flows": [{"name": "redirect", "steps": ["GET /abc123", "Redis, then Cassandra on a miss", "301 with Location"]}],
    "tradeoffs": [{"decision": "301 or 302", "why": "browsers cache a 301 and its clicks go uncounted"}],
    "failure_modes": [{"failure": "a cache node is lost", "mitigation": "reads fall through to Cassandra"}],
    "scaling": ["read-heavy: a hundred reads per write; cache hot keys; shard by key"],
}
"""A fair design for "Design a URL shortener like bit.ly" (the first case with the tags)."""
ANSWER = f"Here is the design.\n\n```json\n{json.dumps(DESIGN, indent=1)}\n```\n\nIt favours reads."


def _front_matter(card: Path) -> dict:
    text = card.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hf") / "sysdesign-cases"
    result = run_cli("eval", "export", "-o", str(folder), "--tag", TAGS[0], "--tag", TAGS[1])
    assert result.returncode == 0, result.stderr
    assert str(folder) in result.stdout and knowledge_hash() in result.stdout
    return folder


def test_the_export_holds_every_chosen_case_once_with_its_labels(exported):
    expected = select(load_cases(), TAGS)
    table = pq.read_table(next((exported / "data").glob("test-*.parquet")))
    assert table.column_names == list(COLUMNS)
    assert table.schema.field("tags").type == pa.list_(pa.string())
    assert table.schema.field("services_min").type == pa.int32()
    rows = {row["id"]: row for row in table.to_pylist()}
    assert list(rows) == [case.id for case in expected]
    for case in expected:
        row = rows[case.id]
        assert row["prompt"] == case.prompt and row["prompt"] in row["instruction"]
        assert tuple(row["tags"]) == case.tags and tuple(row["blocks"]) == case.blocks
        assert row["pattern"] == case.pattern and row["tier"] == case.tier
        assert tuple(row["concepts"]) == case.concepts and tuple(row["must_include"]) == case.must_include
        assert tuple(row["must_not_include"]) == case.must_not_include
        assert (row["services_min"], row["services_max"]) == (case.services or (None, None))
        assert set(TAGS) & set(row["tags"])


def test_datasets_loads_the_parquet_and_the_folder_by_its_card(exported, tmp_path):
    files = [str(p) for p in (exported / "data").glob("*.parquet")]
    by_files = datasets.load_dataset("parquet", data_files={"test": files}, cache_dir=str(tmp_path / "a"))
    by_card = datasets.load_dataset(str(exported), cache_dir=str(tmp_path / "b"))  # reads the card's `configs`
    assert list(by_card) == ["test"] and by_card["test"].num_rows == by_files["test"].num_rows
    assert by_card["test"]["id"] == by_files["test"]["id"]
    assert by_card["test"].features["tags"] == datasets.List(datasets.Value("string"))


def test_the_card_front_matter_describes_the_data_as_the_hub_reads_it(exported, tmp_path):
    meta = _front_matter(exported / "README.md")
    files = str(exported / "data" / "*.parquet")
    loaded = datasets.load_dataset("parquet", data_files=files, split="train", cache_dir=str(tmp_path))
    assert meta["license"] == "mit" and meta["task_categories"] == ["text-generation"]
    assert meta["size_categories"] == ["n<1K"]
    assert meta["configs"] == [{"config_name": "default", "data_files": [{"split": "test", "path": "data/test-*"}]}]
    hub = pytest.importorskip("huggingface_hub").DatasetCard.load(exported / "README.md")  # the Hub's own reader
    assert hub.data.license == "mit" and hub.data.to_dict()["dataset_info"] == meta["dataset_info"]
    info = meta["dataset_info"]
    assert datasets.Features._from_yaml_list(info["features"]) == loaded.features
    assert info["splits"] == [{"name": "test", "num_bytes": info["dataset_size"], "num_examples": loaded.num_rows}]
    body = (exported / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert knowledge_hash() in body and "from agent.evaluation.grader import grade" in body
    assert f"--tasks {TASK_NAME}" in body


def test_the_cards_scoring_example_runs_in_the_exported_folder(exported, tmp_path):
    card = (exported / "README.md").read_text(encoding="utf-8")
    example = card.split("```python\n", 1)[1].split("```", 1)[0]
    code = f"completion = {ANSWER!r}\n{example}"
    env = {**os.environ, "HF_DATASETS_CACHE": str(tmp_path), "PYTHONPATH": os.getcwd()}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=exported, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    score = float(result.stdout.split()[0])
    assert score > 0.5 and "addresses" in result.stdout  # the first case is the URL shortener ANSWER designs


@pytest.mark.parametrize(
    ("where", "message"),
    [("missing/deeper", "does not exist"), ("file", "is a file")],
    ids=["missing-parent", "a-file"],
)
def test_export_refuses_a_bad_folder_with_exit_2(tmp_path, where, message):
    (tmp_path / "file").write_text("x")
    result = run_cli("eval", "export", "-o", str(tmp_path / where))
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "missing").exists()


def test_export_without_the_ml_extra_says_how_to_install_it(tmp_path):
    code = (
        "import sys; sys.modules['pyarrow'] = None; sys.argv[1:] = ['eval', 'export', '-o', sys.argv[1]]; "
        "from agent.interfaces.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "out")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"error: the portable evaluation needs 'pyarrow'; run {ML_EXTRA}"]
    assert not (tmp_path / "out" / "README.md").exists()


def test_the_inspect_task_without_inspect_ai_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "inspect_ai", None)
    monkeypatch.delitem(sys.modules, "agent.evaluation.portable.inspect_task", raising=False)
    with pytest.raises(InvalidRequest, match=r"needs 'inspect_ai'; run pip install 'sysdesign-agent\[ml\]'"):
        importlib.import_module("agent.evaluation.portable.inspect_task")


def test_the_lm_eval_dataset_reads_the_built_in_cases_or_an_export_alike(exported):
    from agent.evaluation.portable.lm_eval import utils

    built_in = utils.load(tags=TAGS, version=1.0, base_url="http://ignored")  # lm-eval passes model args too
    from_export = utils.load(data_dir=str(exported), tags="terse")
    assert built_in["test"]["id"] == [c.id for c in select(load_cases(), TAGS)]
    assert from_export["test"]["id"] == [c.id for c in select(load_cases(), ["terse"])]
    doc = from_export["test"][0]
    assert utils.doc_to_text(doc) == doc["instruction"] == utils.doc_to_text({"prompt": doc["prompt"]})
    with pytest.raises(InvalidRequest, match="sysdesign eval export"):
        utils.load(data_dir=str(exported / "data"))


def test_the_lm_eval_results_are_the_graders_score_of_the_completion():
    from agent.evaluation.grader import grade
    from agent.evaluation.portable.lm_eval import utils

    doc = utils.load(tags=TAGS)["test"][0]
    good, bad = utils.process_results(doc, [ANSWER]), utils.process_results(doc, ["I cannot help with that."])
    assert good == {"grade": grade(doc["prompt"], ANSWER).score} and good["grade"] > 0.5
    assert bad == {"grade": 0.0}


def test_the_instruction_asks_for_every_section_the_grader_counts():
    from agent.evaluation.grader import SECTIONS
    from agent.evaluation.portable.cases import instruction

    text = instruction("a {pattern} with {braces}")
    assert all(f'"{section}":' in text for section in SECTIONS)
    assert text.endswith("Request: a {pattern} with {braces}")


def test_the_helpers_print_where_the_tasks_are():
    lm = subprocess.run([sys.executable, "-m", "agent.evaluation.portable.lm_eval"], capture_output=True, text=True)
    assert (Path(lm.stdout.strip()) / f"{TASK_NAME}.yaml").is_file()
    inspect = subprocess.run(
        [sys.executable, "-m", "agent.evaluation.portable.inspect_task"], capture_output=True, text=True
    )
    file, _, name = inspect.stdout.strip().partition("@")
    assert Path(file).is_absolute() and Path(file).is_file() and name == TASK_NAME


def inside_inspect(test):
    """Ignore what inspect-ai itself warns of (not ours): its retry policy passes tenacity a deprecated argument,
    and it leaves anyio streams to the garbage collector (`run_inspect` collects them inside the test)."""
    test = pytest.mark.filterwarnings("ignore:The 'initial' parameter is deprecated:DeprecationWarning")(test)
    leak = "ignore:Exception ignored in. <function MemoryObjectReceiveStream.__del__"
    return pytest.mark.filterwarnings(f"{leak}:pytest.PytestUnraisableExceptionWarning")(test)


def run_inspect(task, model: str, base_url: str, log_dir: Path, **options):
    """One inspect-ai evaluation in this process, its one log. What it leaves behind is collected, and the handler
    it adds to the root logger removed, so that the tests after this one see the process as it was."""
    import gc
    import logging

    from inspect_ai import eval as inspect_eval

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        (log,) = inspect_eval(
            task, model=model, model_base_url=base_url, log_dir=str(log_dir), display="none", **options
        )
    finally:
        root.handlers[:], root.level = handlers, level
        gc.collect()
    assert log.status == "success", log.error
    return log


# ---- end to end against the real local model ------------------------------------------------------------------


@pytest.fixture(scope="module")
def llama_url() -> str:
    """The OpenAI-compatible endpoint llama.cpp serves on 127.0.0.1 with the bundled SmolLM2 GGUF."""
    pytest.importorskip("xllamacpp")
    from agent.drafting.llm.llama_cpp import shared_client

    try:
        client = shared_client()
    except Exception as exc:  # the model package is not installed here
        pytest.skip(str(exc))
    assert client.base_url.startswith("http://127.0.0.1:")
    return client.base_url


@pytest.mark.slow
def test_lm_eval_runs_the_task_from_its_include_path_and_grades_every_sample(llama_url, tmp_path):
    pytest.importorskip("lm_eval")
    from agent.evaluation.grader import grade
    from agent.evaluation.portable.lm_eval import INCLUDE_PATH

    out = tmp_path / "lm"
    args = [
        "run",
        "--include_path",
        str(INCLUDE_PATH),
        "--tasks",
        TASK_NAME,
        "--model",
        "local-chat-completions",
        "--model_args",
        f"base_url={llama_url}/chat/completions,model=smollm,max_retries=1,timeout=300",
        "--apply_chat_template",
        "--limit",
        str(THREE),
        "--gen_kwargs",
        f"max_gen_toks={MAX_TOKENS}",
        "--metadata",
        json.dumps({"tags": TAGS}),
        "--output_path",
        str(out),
        "--log_samples",
    ]
    env = {**os.environ, "HF_DATASETS_CACHE": str(tmp_path / "cache"), "TQDM_DISABLE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "lm_eval", *args], capture_output=True, text=True, env=env, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (samples_file,) = out.rglob(f"samples_{TASK_NAME}_*.jsonl")
    samples = [json.loads(line) for line in samples_file.read_text().splitlines()]
    assert [s["doc"]["id"] for s in samples] == [c.id for c in select(load_cases(), TAGS, THREE)]
    for sample in samples:
        completion = sample["resps"][0][0]
        assert completion.strip(), sample  # the model answered
        assert sample["grade"] == grade(sample["doc"]["prompt"], completion).score  # the grader's own score
    (results_file,) = out.rglob("results_*.json")
    figures = json.loads(results_file.read_text())["results"][TASK_NAME]
    assert figures["grade,none"] == pytest.approx(sum(s["grade"] for s in samples) / THREE)


@pytest.mark.slow
@inside_inspect
def test_inspect_evaluates_the_task_and_scores_carry_the_graders_explanation(llama_url, tmp_path, monkeypatch):
    pytest.importorskip("inspect_ai")
    from agent.evaluation.grader import grade
    from agent.evaluation.portable.inspect_task import sysdesign_design

    monkeypatch.setenv("LOCAL_API_KEY", "none")  # openai-api/<service>/<model> reads <SERVICE>_API_KEY
    task = sysdesign_design(tags=TAGS, limit=THREE, max_tokens=MAX_TOKENS)
    log = run_inspect(task, "openai-api/local/smollm", llama_url, tmp_path / "logs", max_connections=1)
    assert [s.id for s in log.samples] == [c.id for c in select(load_cases(), TAGS, THREE)]
    values = []
    for sample in log.samples:
        score = sample.scores["design_grade"]
        graded = grade(sample.metadata["prompt"], sample.output.completion)
        assert sample.output.completion.strip()
        assert score.value == graded.score and score.explanation == graded.explanation and score.explanation
        assert score.metadata["parts"] == [part.model_dump() for part in graded.parts]
        values.append(score.value)
    metrics = log.results.scores[0].metrics
    assert set(metrics) == {"mean", "stderr"}
    assert metrics["mean"].value == pytest.approx(sum(values) / THREE)


class DesignHandler(ReplayHandler):
    def answer(self) -> bytes:
        return openai_body(ANSWER, model="replay")


@pytest.fixture(scope="module")
def replay_url():
    """A stand-in OpenAI-compatible server on 127.0.0.1 that answers every request with `ANSWER`."""
    for httpd in serving(DesignHandler):
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"


@inside_inspect
def test_an_inspect_score_holds_the_graders_parts_for_a_fenced_design(replay_url, tmp_path, monkeypatch):
    pytest.importorskip("inspect_ai")
    from agent.evaluation.grader import grade
    from agent.evaluation.portable.inspect_task import sysdesign_design

    monkeypatch.setenv("REPLAY_API_KEY", "none")
    log = run_inspect(sysdesign_design(tags=TAGS, limit=1), "openai-api/replay/m", replay_url, tmp_path / "logs")
    (sample,) = log.samples
    score, graded = sample.scores["design_grade"], grade(sample.metadata["prompt"], ANSWER)
    assert sample.output.completion == ANSWER and score.answer == ANSWER
    assert score.value == graded.score > 0.5 and score.metadata["parsed_as"] == "fenced_json"
    assert [part["name"] for part in score.metadata["parts"]] == [part.name for part in graded.parts] != []
    assert all(part["reason"] and 0 <= part["score"] <= 1 for part in score.metadata["parts"])
    assert score.explanation == graded.explanation and score.explanation.startswith(f"{graded.score:.2f}")

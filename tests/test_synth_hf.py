"""`sysdesign synth --format hf`: Parquet shards and card, splits by template, determinism across workers and
shards, the label audit, decontamination, coverage, and the missing [ml] extra. Real engine throughout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.datasets.audit import audit
from agent.datasets.decontaminate import Decontaminator
from agent.datasets.requests import Intended, Load, SynthRequest
from agent.datasets.stream import select
from agent.pipeline import Engine
from tests.conftest import run_cli

pq = pytest.importorskip("pyarrow.parquet")
N = "128"  # two batches of 64: a shard of one batch each


@pytest.fixture(scope="module")
def engine(retriever):
    return Engine(retriever)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hf") / "ds"
    result = run_cli("synth", "--n", N, "--seed", "5", "--format", "hf", "-o", str(folder), "--audit", "flag",
                     "--shard-rows", "100", "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder


def _rows(folder: Path) -> list[dict]:
    rows = [r for f in sorted((folder / "data").rglob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    return sorted(rows, key=lambda r: r["row"])


def _card(folder: Path) -> tuple[dict, str]:
    import yaml

    text = (folder / "README.md").read_text()
    _, front, prose = text.split("---\n", 2)
    return yaml.safe_load(front), prose


def test_shards_load_with_datasets_and_pyarrow(dataset):
    datasets = pytest.importorskip("datasets")
    files = {s: str(dataset / "data" / s / "*.parquet") for s in ("train", "validation", "test")}
    loaded = datasets.load_dataset("parquet", data_files=files)
    rows = _rows(dataset)
    assert sum(len(loaded[s]) for s in files) == len(rows) == int(N)  # --audit flag keeps every row
    assert len(list((dataset / "data" / "train").glob("*.parquet"))) >= 2  # 100 rows a file
    first = loaded["train"][0]
    assert [m["role"] for m in first["messages"]] == ["system", "user", "assistant"]
    target = json.loads(first["target"])
    assert first["messages"][2]["content"] == first["target"] and "services" in target
    assert not {"audit", "changes", "findings", "citations", "request", "drafter"} & set(target)
    assert first["row_seed"] > 0 and first["template"] and first["audit_verdict"] in {"ok", "flagged"}


def test_card_yaml_names_features_splits_and_licence(dataset):
    meta, prose = _card(dataset)
    features = {f["name"] for f in meta["dataset_info"]["features"]}
    assert {"prompt", "target", "messages", "template", "row_seed", "intended_pattern", "audit_verdict"} <= features
    splits = {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]}
    assert set(splits) == {"train", "validation", "test"} and sum(splits.values()) == int(N)
    assert [c["split"] for c in meta["configs"][0]["data_files"]] == list(splits)
    assert meta["license"] == "mit" and meta["size_categories"] == ["n<1K"] and meta["task_categories"]
    assert "SHA-256 of kb/ and agent/knowledge/" in prose and "## Decontamination" in prose
    hub = pytest.importorskip("huggingface_hub")
    from datasets.info import DatasetInfosDict

    card = hub.DatasetCard((dataset / "README.md").read_text())
    infos = DatasetInfosDict.from_dataset_card_data(card.data)
    assert set(infos["default"].features) == features


def test_no_template_in_two_splits(dataset):
    where: dict[str, set[str]] = {}
    for split in ("train", "validation", "test"):
        for f in (dataset / "data" / split).glob("*.parquet"):
            for template in pq.read_table(f, columns=["template"]).column("template").to_pylist():
                where.setdefault(template, set()).add(split)
    assert all(len(splits) == 1 for splits in where.values()), where
    assert len(where) >= 10


def test_same_rows_with_two_workers_and_with_two_shards(dataset, tmp_path):
    expected = [(r["prompt"], r["target"], r["row_seed"]) for r in _rows(dataset)]
    common = ["synth", "--n", N, "--seed", "5", "--format", "hf", "--audit", "flag"]
    workers = run_cli(*common, "-o", str(tmp_path / "w"), "--workers", "2")
    assert workers.returncode == 0, workers.stderr
    assert [(r["prompt"], r["target"], r["row_seed"]) for r in _rows(tmp_path / "w")] == expected
    for part in ("1/2", "0/2"):  # two machines writing into one folder, in any order
        result = run_cli(*common, "-o", str(tmp_path / "s"), "--shard", part)
        assert result.returncode == 0, result.stderr
    assert [(r["prompt"], r["target"], r["row_seed"]) for r in _rows(tmp_path / "s")] == expected
    meta, _ = _card(tmp_path / "s")
    assert sum(s["num_examples"] for s in meta["dataset_info"]["splits"]) == int(N)


def test_every_block_appears(dataset, engine):
    written = {b for r in _rows(dataset) for b in r["intended_blocks"]}
    assert written <= set(engine.knowledge.blocks) and len(written) >= 40  # 128 rows: over half the deck
    # the deck deals every block within ~200 candidates (seeds 1, 2, 3, 7, 11: all by row 200)
    made = {b for r in select(engine, 200, seed=2) for b in r.intended.blocks}
    assert made == set(engine.knowledge.blocks)


def test_decontamination_drops_a_copy_and_a_rewording(engine, tmp_path):
    chosen = [r for r in select(engine, 60, seed=9) if len(r.prompt.split()) >= 6][:2]
    words = chosen[1].prompt.rstrip(".?").split()
    reworded = " ".join(["the", *reversed(words)]).upper()  # another order, another case, an added article
    planted = tmp_path / "my_evals.txt"
    planted.write_text(f"{chosen[0].prompt}\n{reworded}\n")
    cleaner = Decontaminator([planted], root=tmp_path)
    kept = [r.prompt for r in select(engine, 60, seed=9, decontaminator=cleaner)]
    assert chosen[0].prompt not in kept and chosen[1].prompt not in kept
    report = cleaner.report
    assert report.removed == 2 and report.by_source == {"my_evals.txt": 2}
    assert {m.eval_text for m in report.examples} == {chosen[0].prompt, reworded}
    assert "content words" in report.by_method
    assert Decontaminator([planted]).match("an unrelated personal blog for chefs") is None


def test_the_audit_flags_a_planted_mismatch(engine):
    prompt = "Build a Twitter clone with 50,000 daily active users, built by a team of 3 engineers"
    document = engine.recommend(prompt).model_dump(mode="json", exclude_none=True)
    right = Intended(subject_kind="brand", subject="social_media", pattern="social_media", team=3,
                     load=Load(value=50_000, unit="daily active users"))  # fmt: skip
    assert audit(right, document, engine.knowledge).verdict == "ok"
    wrong = right.model_copy(update={"pattern": "ride_hailing", "load": Load(value=80_000, unit="users")})
    result = audit(wrong, document, engine.knowledge)
    assert result.verdict == "flagged"
    assert [r.split(":")[0] for r in result.reasons] == ["pattern", "load"]
    assert SynthRequest(index=0, seed=1, template="t", prompt=prompt, intended=wrong).key


def test_dataset_rows_carry_the_audit(dataset):
    rows = _rows(dataset)
    flagged = [r for r in rows if r["audit_verdict"] == "flagged"]
    assert all(r["audit_reasons"] for r in flagged)
    assert all(not r["audit_reasons"] for r in rows if r["audit_verdict"] == "ok")
    assert len(flagged) < len(rows) / 3


def test_a_missing_extra_is_a_usage_error(tmp_path):
    shadow = tmp_path / "shadow" / "pyarrow"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('pyarrow is not installed')\n")
    result = run_cli("synth", "--n", "5", "--format", "hf", "-o", str(tmp_path / "out"),
                     env={"PYTHONPATH": str(tmp_path / "shadow")})  # fmt: skip
    assert result.returncode == 2
    assert "pip install 'sysdesign-agent[ml]'" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

"""Scale-out on Ray Data: a local two-worker cluster on 127.0.0.1, the same grades as one process."""

from __future__ import annotations

import json

import pytest

from agent.evaluation.grader import Grader
from agent.pipeline import Engine

ray = pytest.importorskip("ray")

REQUESTS = ["stop any one customer from flooding our API", "Design a URL shortener for 100M new links a month"]


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, _node_ip_address="127.0.0.1", include_dashboard=False, log_to_driver=False,
             configure_logging=False)  # fmt: skip
    yield
    ray.shutdown()


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_grading_on_ray_gives_the_single_process_grades(cluster, retriever):
    from agent.evaluation.ray_grading import grade_on_ray

    engine = Engine(retriever)
    designs = [json.dumps(engine.recommend(r).model_dump(mode="json", exclude_none=True)) for r in REQUESTS]
    requests = [r for r in REQUESTS for _ in range(5)]
    completions = [d[: len(d) * k // 5] if k else "" for d in designs for k in range(5)]
    completions[3] = [{"role": "assistant", "content": designs[0]}]  # conversational, carried as JSON
    expected = Grader(engine).grade_many(requests, completions)
    graded = grade_on_ray(requests, completions, workers=2, batch_rows=3)
    assert graded == expected
    assert len({g.score for g in graded}) > 3
    assert ray.cluster_resources().get("CPU") == 2


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning")
def test_synthetic_rows_on_ray_are_the_single_process_rows(cluster, retriever):
    from agent.datasets.ray_synth import rows_on_ray
    from agent.datasets.stream import rows

    engine = Engine(retriever)
    alone = [r.model_dump(mode="json") for r in rows(engine, 70, seed=5)]
    on_ray = [r.model_dump(mode="json") for r in rows_on_ray(engine, 70, seed=5, workers=2)]
    assert len(alone) == 70 and on_ray == alone
    half = [r.model_dump(mode="json") for r in rows_on_ray(engine, 70, seed=5, workers=2, shard=(1, 2))]
    assert half == alone[64:]


def test_synth_command_on_ray_writes_the_dataset_one_process_writes(tmp_path):
    from tests.conftest import run_cli

    made = {}
    for name, extra in (("alone", []), ("ray", ["--ray", "--workers", "2"])):
        result = run_cli("synth", "--n", "20", "--seed", "4", "--format", "chat", "-o", str(tmp_path / f"{name}.jsonl"),
                         *extra)  # fmt: skip
        assert result.returncode == 0, result.stderr
        made[name] = (tmp_path / f"{name}.jsonl").read_text()
    assert made["ray"] == made["alone"] and made["alone"].count("\n") >= 15

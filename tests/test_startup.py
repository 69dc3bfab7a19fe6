"""What makes a cold start fast never changes an answer: the machine caches (compiled expressions, parsed YAML,
the place table, BM25 postings), the NumPy first query, the saved optimised graph, one command module per run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from agent.machine_cache import MachineCache, key_of
from tests.conftest import PROJECT_ROOT, SYSDESIGN

REQUESTS = [
    "A URL shortener for 100M links a month, reads 100x writes, 99.99% up, team of 3, budget $500/month",
    "between 5 and 10 thousand members, 20k people in the last 10 minutes, data stays in Germany, launch in 6 weeks",
]


def _read_in_a_process(cache, *, disabled: bool = False) -> list[dict]:
    code = (
        "import json, sys\n"
        "from dataclasses import asdict\n"
        "from agent.requirements.reading import read_requirements\n"
        "out = [json.loads(json.dumps(asdict(read_requirements(r)), default=str)) for r in json.loads(sys.argv[1])]\n"
        "print(json.dumps(out))\n"
    )
    env = {**os.environ, "SYSDESIGN_CACHE": str(cache)}
    env.pop("SYSDESIGN_NO_STARTUP_CACHE", None)
    if disabled:
        env["SYSDESIGN_NO_STARTUP_CACHE"] = "1"
    done = subprocess.run([sys.executable, "-c", code, json.dumps(REQUESTS)], capture_output=True, text=True,
                          env=env, cwd=PROJECT_ROOT, check=True)  # fmt: skip
    return json.loads(done.stdout)


def test_requirements_read_from_the_cache_are_the_ones_read_without_it(tmp_path):
    plain = _read_in_a_process(tmp_path, disabled=True)
    assert not (tmp_path / "startup").exists()
    filling = _read_in_a_process(tmp_path)
    stored = {p.name for p in (tmp_path / "startup").iterdir()}
    assert any(name.startswith("patterns-") for name in stored) and "places.marshal" in stored
    from_cache = _read_in_a_process(tmp_path)
    assert plain == filling == from_cache
    assert plain[0]["team"] == 3 and plain[1]["residency"]


def test_a_damaged_cache_file_is_recomputed_not_a_crash(tmp_path):
    _read_in_a_process(tmp_path)
    for path in (tmp_path / "startup").iterdir():
        path.write_bytes(b"\x00not marshal" + os.urandom(64))
    assert _read_in_a_process(tmp_path) == _read_in_a_process(tmp_path, disabled=True)


def test_compiled_pattern_from_the_cache_matches_as_re_does(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    from agent import compiled_patterns

    pattern = r"(?P<n>\d+(?:[.,]\d+)?)\s*(?P<unit>k|million)?\b(?!\s*%)"
    first = compiled_patterns.compile_pattern(pattern, re.IGNORECASE)
    compiled_patterns._STORE.save()
    compiled_patterns._STORE._values = None  # as a new process would: read back from disk
    compiled_patterns.compile_pattern.cache_clear()
    again = compiled_patterns.compile_pattern(pattern, re.IGNORECASE)
    reference = re.compile(pattern, re.IGNORECASE)
    text = "2.5 Million users, 30% growth, 40K rps and 7"
    assert again is not first
    for compiled in (first, again):
        assert [m.groupdict() for m in compiled.finditer(text)] == [m.groupdict() for m in reference.finditer(text)]
        assert compiled.flags == reference.flags and compiled.groupindex == reference.groupindex


def test_store_keeps_plain_values_only_and_survives_a_read_only_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path / "ro"))
    (tmp_path / "ro").mkdir()
    store = MachineCache("test")
    store.put(key_of("a"), {"x": [1, 2.5, "three", None]})
    store.put(key_of("b"), object())  # not a plain value: not kept
    assert store.get(key_of("b")) is None
    os.chmod(tmp_path / "ro", 0o500)
    try:
        store.save()  # nowhere to write: silently nothing
    finally:
        os.chmod(tmp_path / "ro", 0o700)
    store.save()
    reread = MachineCache("test")
    assert reread.get(key_of("a")) == {"x": [1, 2.5, "three", None]}


def test_a_store_over_its_limit_keeps_what_this_process_used_and_the_newest(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    earlier = MachineCache("test", max_entries=10)
    for n in range(10):
        earlier.put(key_of(f"old {n}"), n)
    earlier.save()
    later = MachineCache("test", max_entries=10)
    assert later.get(key_of("old 0")) == 0  # used by this process: kept though it is the oldest
    for n in range(3):
        later.put(key_of(f"new {n}"), n)
    later.save()
    kept = MachineCache("test", max_entries=10)
    kept._load()
    assert kept._values is not None and len(kept._values) == 5  # used and added (4), then the newest other
    assert kept.get(key_of("old 0")) == 0 and kept.get(key_of("new 2")) == 2 and kept.get(key_of("old 9")) == 9
    assert kept.get(key_of("old 1")) is None


def test_mapped_weights_are_the_tensors_safetensors_reads(tmp_path):
    from safetensors.numpy import save_file

    from agent.retrieval.embedders import mapped_weights

    tensors = {"a.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "ids": np.array([5, -1], dtype=np.int64),
               "half": np.ones((2, 2), dtype=np.float16)}  # fmt: skip
    save_file(tensors, str(tmp_path / "m.safetensors"), metadata={"format": "np"})
    mapped = mapped_weights(tmp_path / "m.safetensors")
    assert mapped.keys() == tensors.keys()
    for name, tensor in tensors.items():
        assert mapped[name].dtype == tensor.dtype and np.array_equal(mapped[name], tensor)
    assert not mapped["a.weight"].flags.writeable  # a view of the file, never a copy to change


def test_parsed_yaml_is_a_fresh_copy_each_time(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path / "cache"))
    from agent.files import read_yaml

    source = tmp_path / "k.yaml"
    source.write_text("items: [1, 2]\nwhen: 2026-12-06\n")
    first = read_yaml(source)
    first["items"].append(3)
    assert read_yaml(source)["items"] == [1, 2]
    plain = tmp_path / "p.yaml"
    plain.write_text("items: [1, 2]\n")
    read_yaml(plain)["items"].append(3)
    assert read_yaml(plain)["items"] == [1, 2]
    plain.write_text("items: [4]\n")  # edited: its new text is a new key
    assert read_yaml(plain)["items"] == [4]


def test_bm25_postings_from_the_cache_score_as_built(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    from agent.retrieval import bm25

    documents = ["token bucket rate limiter per api key", "websocket chat fan-out", "base62 short codes for urls"]
    built = bm25.BM25(documents)
    bm25.BM25.kept(documents)
    bm25._POSTINGS.save()
    bm25._POSTINGS._values = None
    kept = bm25.BM25.kept(documents)
    for query in ("limit each api key", "chat over websockets", "short urls", "nothing matches"):
        assert np.array_equal(built.scores(query), kept.scores(query))


@pytest.mark.slow
def test_first_query_in_numpy_then_onnxruntime_with_the_same_vectors(tmp_path, monkeypatch):
    monkeypatch.setenv("SYSDESIGN_CACHE", str(tmp_path))
    from agent.retrieval.embedders import (
        DEFAULT_MODEL,
        FirstQueryEmbedder,
        NumpyBertEmbedder,
        OnnxEmbedder,
        export_onnx,
        resolve_model_dir,
    )

    model_dir = resolve_model_dir(DEFAULT_MODEL)
    exported = export_onnx(model_dir)
    embedder = FirstQueryEmbedder(model_dir, DEFAULT_MODEL, exported)
    query = ["stop any one customer from flooding our API"]
    first = embedder.embed(query)
    assert isinstance(embedder._first, NumpyBertEmbedder) and embedder._rest is None
    second = embedder.embed(query)
    assert isinstance(embedder._rest, OnnxEmbedder)
    assert float(first[0] @ second[0]) > 0.99999
    optimised = [p for p in exported.parent.iterdir() if ".ort-" in p.name]
    assert len(optimised) == 1  # the optimised graph was saved for the next process
    optimised[0].write_bytes(b"damaged")
    again = OnnxEmbedder(model_dir, DEFAULT_MODEL, exported).embed(query)  # optimises again, never fails
    assert float(again[0] @ second[0]) > 0.99999


def test_each_command_is_found_in_the_module_named_for_it():
    import importlib

    from agent.interfaces.cli.app import COMMAND_HOMES

    for command, home in COMMAND_HOMES.items():
        module = importlib.import_module(f"agent.interfaces.cli.{home}")
        names = {c.name or c.callback.__name__.replace("_", "-") for c in module.app.registered_commands}
        assert command in names, (command, home)
    every = set()
    for home in set(COMMAND_HOMES.values()):
        module = importlib.import_module(f"agent.interfaces.cli.{home}")
        every |= {c.name or c.callback.__name__.replace("_", "-") for c in module.app.registered_commands}
    assert every == set(COMMAND_HOMES)  # a new command needs its line, or a run of it would not find it


def test_a_run_of_one_command_imports_only_its_module():
    code = (
        "import sys\nsys.argv = ['sysdesign', 'schema']\n"
        "import importlib\napp = importlib.import_module('agent.interfaces.cli.app')\n"
        "try:\n    app.main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('agent.interfaces.cli.') and "
        "m.endswith('_commands')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    loaded = done.stdout.rsplit("LOADED", 1)[1]
    assert "engine_commands" in loaded and "check_commands" not in loaded and "chat_commands" not in loaded
    help_text = subprocess.run([*SYSDESIGN, "--help"], capture_output=True, text=True, cwd=PROJECT_ROOT).stdout
    assert all(word in help_text for word in ("ask", "check", "chat", "index", "eval", "rules", "synth"))

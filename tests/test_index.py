"""Index build, load, staleness, corruption and atomic replacement (fake embedder, real FAISS)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.errors import IndexMissing, IndexOutOfDate, InvalidRequest
from agent.ingest.index import CHUNKS, MANIFEST, MARKER, VECTORS, build_index, ensure_index, load_index, status
from tests.conftest import HashEmbedder


def build(path: Path, kb: Path, **options):
    return build_index(path, kb_dirs=[kb], default_kb=False, embedder=HashEmbedder(), **options)


def test_build_then_load(tmp_path, user_kb):
    manifest = build(tmp_path / "index", user_kb)
    loaded = load_index(tmp_path / "index")
    assert manifest.chunk_count == len(loaded.chunks) == loaded.vectors.ntotal == 3
    assert {chunk.id for chunk in loaded.chunks} == set(manifest.chunks)
    assert any(chunk.id.startswith("payments/ledger/") for chunk in loaded.chunks)
    assert manifest.index_type == "flat-ip"


def test_building_twice_gives_the_same_bytes(tmp_path, user_kb):
    build(tmp_path / "a", user_kb)
    build(tmp_path / "b", user_kb)
    for name in (MANIFEST, VECTORS, CHUNKS):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_large_indexes_use_hnsw(tmp_path, user_kb):
    assert build(tmp_path / "index", user_kb, hnsw_threshold=2).index_type == "hnsw-ip"
    assert load_index(tmp_path / "index").vectors.ntotal == 3


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="sysdesign index build"):
        load_index(tmp_path / "nothing")


def test_edited_document_makes_the_index_stale(tmp_path, user_kb):
    build(tmp_path / "index", user_kb)
    (user_kb / "oncall.md").write_text("# On-call\n\n## Paging\n\nPage the team lead.\n")
    with pytest.raises(IndexOutOfDate, match=r"oncall\.md.*changed"):
        load_index(tmp_path / "index")
    assert status(tmp_path / "index")["fresh"] is False


def test_added_document_makes_the_index_stale(tmp_path, user_kb):
    build(tmp_path / "index", user_kb)
    (user_kb / "new.md").write_text("# New\n\nText.\n")
    with pytest.raises(IndexOutOfDate, match="documents changed"):
        load_index(tmp_path / "index")


def test_corrupted_vectors_are_detected(tmp_path, user_kb):
    build(tmp_path / "index", user_kb)
    vectors = tmp_path / "index" / VECTORS
    data = bytearray(vectors.read_bytes())
    data[-10] ^= 0xFF
    vectors.write_bytes(bytes(data))
    with pytest.raises(IndexOutOfDate, match="corrupted"):
        load_index(tmp_path / "index")


def test_garbage_manifest_is_out_of_date(tmp_path, user_kb):
    build(tmp_path / "index", user_kb)
    (tmp_path / "index" / MANIFEST).write_text("{not json")
    with pytest.raises(IndexOutOfDate, match="manifest"):
        load_index(tmp_path / "index")


def test_an_interrupted_build_leaves_the_old_index(tmp_path, user_kb):
    build(tmp_path / "index", user_kb)
    before = (tmp_path / "index" / MANIFEST).read_bytes()
    (user_kb / "more.md").write_text("# More\n\n" + "\n\n".join(f"## S{i}\n\nText {i}." for i in range(100)))
    with pytest.raises(RuntimeError, match="interrupted"):
        build_index(tmp_path / "index", [user_kb], default_kb=False, embedder=HashEmbedder(fail_after=1))
    assert (tmp_path / "index" / MANIFEST).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index", "team-kb"]  # no staging folder left


def test_ensure_index_rebuilds_a_stale_index_with_a_notice(tmp_path, user_kb, caplog, monkeypatch):
    build(tmp_path / "index", user_kb)
    (user_kb / "oncall.md").write_text("# On-call\n\n## Paging\n\nPage the team lead.\n")
    monkeypatch.setattr("agent.ingest.index.build_embedder", lambda model: HashEmbedder())
    with caplog.at_level(logging.WARNING, logger="sysdesign"):
        loaded = ensure_index(tmp_path / "index")
    assert any("rebuilding" in record.message for record in caplog.records)
    assert any("team lead" in chunk.text for chunk in loaded.chunks)


@pytest.mark.parametrize(
    ("kb_dirs", "default_kb", "message"),
    [
        (["missing"], True, "does not exist"),
        (["empty"], True, "no markdown"),
        ([], False, "needs at least one"),
    ],
)
def test_bad_knowledge_base_folders(tmp_path, kb_dirs, default_kb, message):
    (tmp_path / "empty").mkdir()
    with pytest.raises(InvalidRequest, match=message):
        build_index(tmp_path / "index", [tmp_path / d for d in kb_dirs], default_kb, embedder=HashEmbedder())


def test_a_folder_of_someone_elses_files_is_never_replaced(tmp_path, user_kb):
    thesis = tmp_path / "d"
    thesis.mkdir()
    (thesis / "t.md").write_text("thesis\n")
    with pytest.raises(InvalidRequest, match="not a sysdesign index"):
        build(thesis, user_kb)
    with pytest.raises(InvalidRequest, match="not a sysdesign index"):
        ensure_index(thesis)  # the path the fuzzing campaign found: a missing index "rebuilt" over user data
    assert [p.name for p in thesis.iterdir()] == ["t.md"] and (thesis / "t.md").read_text() == "thesis\n"


def test_a_file_at_the_index_path_is_never_replaced(tmp_path, user_kb):
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    with pytest.raises(InvalidRequest, match="not a folder"):
        build(target, user_kb)
    assert target.read_text() == "mine\n"


def test_an_index_carries_the_marker_and_an_empty_folder_may_become_one(tmp_path, user_kb):
    (tmp_path / "empty").mkdir()
    build(tmp_path / "empty", user_kb)
    assert (tmp_path / "empty" / MARKER).is_file()
    build(tmp_path / "empty", user_kb)  # rebuilding our own index is fine


def test_leftovers_of_interrupted_builds_are_removed_on_the_next_build(tmp_path, user_kb):
    dead = tmp_path / ".index.building-999999999"
    dead.mkdir()
    (dead / MARKER).write_text("x")
    foreign = tmp_path / ".index.old-999999998"
    foreign.mkdir()  # no marker: not ours, left alone
    build(tmp_path / "index", user_kb)
    assert not dead.exists() and foreign.exists()


def test_a_missing_index_is_the_bundled_one_copied_not_rebuilt(tmp_path, caplog):
    from agent.paths import bundled_index

    with caplog.at_level("WARNING"):
        loaded = ensure_index(tmp_path / "mine")
    assert "copied the bundled one" in caplog.text
    for name in (VECTORS, CHUNKS, MANIFEST):
        assert (tmp_path / "mine" / name).read_bytes() == (bundled_index() / name).read_bytes()
    assert [c.id for c in loaded.chunks] == [c.id for c in load_index(bundled_index()).chunks]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def test_a_stale_copy_of_the_bundled_index_is_copied_again_not_rebuilt(tmp_path, caplog):
    import json

    from agent.paths import bundled_index

    ensure_index(tmp_path / "mine")
    manifest = json.loads((tmp_path / "mine" / MANIFEST).read_text())
    first = next(iter(manifest["chunks"]))
    manifest["chunks"][first] = "0" * 16  # a chunk that no longer matches: out of date
    (tmp_path / "mine" / MANIFEST).write_text(json.dumps(manifest))
    with caplog.at_level("WARNING"):
        loaded = ensure_index(tmp_path / "mine")
    assert "replaced it with a copy of the bundled one" in caplog.text
    assert (tmp_path / "mine" / MANIFEST).read_bytes() == (bundled_index() / MANIFEST).read_bytes()
    assert len(loaded.chunks) == len(load_index(bundled_index()).chunks)

"""Writing the user's files: whole or not at all; special files written through, never replaced."""

from __future__ import annotations

import os
import stat

import pytest

from agent.errors import InvalidRequest
from agent.files import check_writable, write_atomic


def test_replaces_a_regular_file_whole_and_keeps_its_permissions(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temp file left


def test_a_symlink_keeps_its_link_and_its_target_gets_the_content(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_a_fifo_is_written_through_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # someone is reading
    try:
        write_atomic(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_refused_instead_of_waiting_forever(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InvalidRequest, match="reading it"):
        write_atomic(fifo, "nobody listens")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_device_is_written_through_not_replaced():
    write_atomic(__import__("pathlib").Path("/dev/null"), "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_planted_symlink_at_a_predictable_temp_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    for pid in (os.getpid(), os.getpid() + 1):
        (tmp_path / f".out.json.{pid}.tmp").symlink_to(victim)
    write_atomic(tmp_path / "out.json", "data")
    assert victim.read_text() == "precious" and (tmp_path / "out.json").read_text() == "data"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "does not exist"),
    ],
    ids=["folder", "missing-parent"],
)
def test_bad_targets_are_refused_before_any_work(tmp_path, make, message):
    target = tmp_path / "target"
    make(target)
    path = target if message == "is a folder" else tmp_path / "missing" / "out.json"
    with pytest.raises(InvalidRequest, match=message):
        check_writable(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    with pytest.raises(InvalidRequest, match="not writable"):
        check_writable(folder / "out.json")

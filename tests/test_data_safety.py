"""Nothing the user has is lost: the chat store and the data folder refuse what the tool did not create, `check --fix`
never overwrites an edit saved while it ran nor its own input, keeps the user's fields as written, and a read-only
file or a full disk is one sentence and exit 2 with nothing touched (issue 32, items 1 and 3).

Everything runs through the real CLI in a subprocess and the real SQLite store. A full disk and a read-only file
system are real tmpfs mounts when the tests run as root (skipped otherwise); /dev/full is a full disk everywhere.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from agent.advisor import Advisor
from agent.chat.store import APPLICATION_ID, SCHEMA, SessionStore
from agent.errors import InvalidRequest
from agent.files import FileChanged, replace_if_unchanged, write_atomic
from agent.interfaces.cli.check_commands import run_check
from tests.conftest import SYSDESIGN, run_cli

PARTIAL = {
    "request": "Twitter clone",
    "components": ["Postgres", "RabbitMQ", "Redis"],
    "services": ["API", "Tweet", "Timeline"],
}
REQUEST = "Build a Twitter clone\n"


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every entry under `folder` (not following links): its type and content, to prove nothing was touched."""
    seen: dict[str, tuple[int, bytes | str]] = {}
    for path in sorted(folder.rglob("*")):
        mode = os.lstat(path).st_mode
        if stat.S_ISREG(mode):
            seen[str(path)] = (stat.S_IFMT(mode), path.read_bytes())
        elif stat.S_ISLNK(mode):
            seen[str(path)] = (stat.S_IFMT(mode), os.readlink(path))
        else:
            seen[str(path)] = (stat.S_IFMT(mode), b"")
    return seen


def one_sentence(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 with one line on stderr (no traceback) that says each of `words`."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Traceback" not in result.stderr, result.stderr
    for word in words:
        assert word in errors[0], errors[0]


# ---- real mounts: a full disk, a read-only file system -------------------------------------------------------


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount a small tmpfs (root only, else the test is skipped); unmounted afterwards."""
    mounted: list[Path] = []

    def make(name: str, size: str = "1m") -> Path:
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a tmpfs needs root")
        where = tmp_path / name
        where.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, check=False
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounted.append(where)
        return where

    yield make
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def make_read_only(folder: Path) -> None:
    """A folder nobody may write into: a read-only remount as root (root ignores 0555), chmod 0555 otherwise."""
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
    else:
        folder.chmod(0o555)


@pytest.fixture
def read_only_folder(tmp_path: Path, mount) -> Iterator[Callable[[Callable[[Path], None]], Path]]:
    """A folder filled by `fill`, then made read-only (a real read-only mount as root)."""
    made: list[Path] = []

    def make(fill: Callable[[Path], None]) -> Path:
        folder = mount("ro") if os.geteuid() == 0 else tmp_path / "ro"
        folder.mkdir(exist_ok=True)
        fill(folder)
        make_read_only(folder)
        made.append(folder)
        return folder

    yield make
    for folder in made:
        if os.geteuid() != 0:
            folder.chmod(0o755)


def fill_up(folder: Path) -> None:
    """Write into `folder` until its file system is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass  # full
    finally:
        os.close(fd)


def our_store(path: Path) -> Path:
    """A chat store made by the real CLI, with one chat in it."""
    made = run_cli("chat", "--store", str(path), input=REQUEST)
    assert made.returncode == 0, made.stderr
    return path


# ---- 1. the chat store: only a file the tool created ---------------------------------------------------------


def _text_file(folder: Path) -> Path:
    (folder / "notes.txt").write_text("my notes, not a database\n")
    return folder / "notes.txt"


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "pipe")
    return folder / "pipe"


def _dangling(folder: Path) -> Path:
    (folder / "gone.db").symlink_to(folder / "nowhere" / "chats.db")
    return folder / "gone.db"


def _link_to_text(folder: Path) -> Path:
    (folder / "link.db").symlink_to(_text_file(folder))
    return folder / "link.db"


def _foreign_database(folder: Path) -> Path:
    with sqlite3.connect(folder / "accounts.db") as db:
        db.execute("CREATE TABLE accounts (name TEXT, balance INTEGER)")
        db.execute("INSERT INTO accounts VALUES ('alice', 100)")
    return folder / "accounts.db"


def _binary(folder: Path) -> Path:
    (folder / "photo.db").write_bytes(bytes(range(256)) * 40)
    return folder / "photo.db"


NOT_OURS = {
    "project-folder": (lambda folder: folder, "is a folder"),
    "text-file": (_text_file, "not a chat store"),
    "binary-file": (_binary, "not a chat store"),
    "fifo": (_fifo, "not a regular file"),
    "dangling-symlink": (_dangling, "symlink to nothing"),
    "symlink-to-text": (_link_to_text, "not a chat store"),
    "other-programs-sqlite": (_foreign_database, "another program's SQLite database"),
}


@pytest.mark.parametrize(
    "how", [["--list"], ["--list", "--json"], ["--show", "x"], []], ids=["list", "json", "show", "chat"]
)
@pytest.mark.parametrize("kind", NOT_OURS, ids=list(NOT_OURS))
def test_a_store_path_that_is_not_ours_is_refused_and_left_exactly_as_it_is(tmp_path, kind, how):
    make, message = NOT_OURS[kind]
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("keep me\n")
    target = make(project)
    before = snapshot(project)
    result = run_cli("chat", "--store", str(target), *how, input=REQUEST, cwd=project)
    one_sentence(result, message)
    assert snapshot(project) == before  # nothing moved, renamed, replaced or created beside it


def test_store_dot_is_refused_not_renamed(tmp_path):
    (tmp_path / "work.txt").write_text("precious")
    before = snapshot(tmp_path)
    for how in (["--list"], []):
        one_sentence(run_cli("chat", "--store", ".", *how, input=REQUEST, cwd=tmp_path), "is a folder")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("how", [["--list"], []], ids=["list", "chat"])
def test_a_device_is_never_replaced(how):
    before = os.stat("/dev/null")
    one_sentence(run_cli("chat", "--store", "/dev/null", *how, input=REQUEST), "not a regular file")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_listing_creates_nothing(tmp_path):
    data = tmp_path / "data"
    listed = run_cli("chat", "--list", env={"SYSDESIGN_DATA": str(data)})
    assert listed.returncode == 0 and "No stored chats yet" in listed.stdout
    shown = run_cli("chat", "--list", "--store", str(tmp_path / "none.db"))
    assert shown.returncode == 0 and "No stored chats yet" in shown.stdout
    assert not data.exists() and not (tmp_path / "none.db").exists()
    missing = run_cli("chat", "--show", "20260101-000000-abcdef", "--store", str(tmp_path / "none.db"))
    one_sentence(missing, "no chat")
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_holds_nothing_to_lose_and_becomes_the_store(tmp_path):
    (tmp_path / "chats.db").write_bytes(b"")
    assert run_cli("chat", "--list", "--store", str(tmp_path / "chats.db")).returncode == 0
    assert (tmp_path / "chats.db").read_bytes() == b""  # listing wrote nothing
    our_store(tmp_path / "chats.db")
    assert [s.title for s in SessionStore(tmp_path / "chats.db", read_only=True).summaries()] == [
        "Build a Twitter clone"
    ]


def test_a_read_only_store_is_listed_but_never_written(tmp_path):
    path = our_store(tmp_path / "chats.db")
    path.chmod(0o444)
    before = snapshot(tmp_path)
    listed = run_cli("chat", "--list", "--store", str(path))
    assert listed.returncode == 0 and "Build a Twitter clone" in listed.stdout
    one_sentence(run_cli("chat", "--store", str(path), input=REQUEST), "read-only")
    assert snapshot(tmp_path) == before and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_store_from_before_the_application_id_is_still_ours(tmp_path):
    path = tmp_path / "chats.db"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
    assert run_cli("chat", "--list", "--store", str(path)).returncode == 0
    our_store(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


def _damage(path: Path) -> bytes:
    """Overwrite everything after the first page (the header, with our application id, stays)."""
    data = bytearray(path.read_bytes())
    assert len(data) > 4096
    data[4096:] = b"\x13" * (len(data) - 4096)
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_store_of_ours_is_set_aside_by_chat_but_never_by_list(tmp_path):
    path = our_store(tmp_path / "chats.db")
    damaged = _damage(path)
    listed = run_cli("chat", "--list", "--store", str(path))
    one_sentence(listed, "cannot be read", "moves it aside")
    assert path.read_bytes() == damaged and sorted(p.name for p in tmp_path.iterdir()) == ["chats.db"]
    started = run_cli("chat", "--store", str(path), input=REQUEST)
    assert started.returncode == 0 and "kept as" in started.stderr, started.stderr
    (kept,) = tmp_path.glob("chats.unreadable-*.db")
    assert kept.read_bytes() == damaged  # moved, never deleted or changed
    assert len(SessionStore(path, read_only=True).summaries()) == 1


def test_a_damaged_store_reached_through_a_symlink_is_not_moved(tmp_path):
    real = _damage(our_store(tmp_path / "real.db"))
    (tmp_path / "link.db").symlink_to(tmp_path / "real.db")
    before = snapshot(tmp_path)
    one_sentence(run_cli("chat", "--store", str(tmp_path / "link.db"), input=REQUEST), "cannot be read")
    assert snapshot(tmp_path) == before and (tmp_path / "real.db").read_bytes() == real


def test_a_damaged_sqlite_file_of_another_program_is_not_moved(tmp_path):
    path = _foreign_database(tmp_path)
    with sqlite3.connect(path) as db:  # enough pages that damage after the first one is damage, not emptiness
        db.executemany("INSERT INTO accounts VALUES (?, ?)", [(f"user{i}" * 20, i) for i in range(500)])
    damaged = _damage(path)
    one_sentence(run_cli("chat", "--store", str(path), input=REQUEST), "cannot be read", "move it away")
    assert path.read_bytes() == damaged and sorted(p.name for p in tmp_path.iterdir()) == ["accounts.db"]


def test_the_library_refuses_the_same_way(tmp_path):
    text = _text_file(tmp_path)
    for read_only in (True, False):
        with pytest.raises(InvalidRequest, match="not a chat store"):
            SessionStore(text, read_only=read_only)
    with pytest.raises(InvalidRequest, match="is a folder"):
        SessionStore(tmp_path)
    with pytest.raises(InvalidRequest, match="does not exist"):
        SessionStore(tmp_path / "missing" / "chats.db")
    assert text.read_text() == "my notes, not a database\n" and sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt"
    ]


def test_a_store_in_a_read_only_folder_can_be_listed_but_not_written(tmp_path, read_only_folder):
    source = our_store(tmp_path / "made.db")
    folder = read_only_folder(lambda f: shutil.copy(source, f / "chats.db"))
    before = snapshot(folder)
    listed = run_cli("chat", "--list", "--store", str(folder / "chats.db"))
    assert listed.returncode == 0 and "Build a Twitter clone" in listed.stdout, listed.stderr
    one_sentence(run_cli("chat", "--store", str(folder / "chats.db"), input=REQUEST), "chats.db'")
    one_sentence(run_cli("chat", "--store", str(folder / "new.db"), input=REQUEST), "new.db'")
    assert snapshot(folder) == before


def test_a_full_disk_is_one_sentence_and_leaves_no_empty_store(mount):
    disk = mount("full", size="64k")
    fill_up(disk)
    before = snapshot(disk)
    one_sentence(run_cli("chat", "--store", str(disk / "chats.db"), input=REQUEST), "full")
    assert snapshot(disk) == before


# ---- 1b. the data folder ---------------------------------------------------------------------------------------


def _data_file(tmp_path: Path) -> Path:
    (tmp_path / "data").write_text("a file, not a folder\n")
    return tmp_path / "data"


def _data_fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "data")
    return tmp_path / "data"


def _data_dangling(tmp_path: Path) -> Path:
    (tmp_path / "data").symlink_to(tmp_path / "nowhere")
    return tmp_path / "data"


def _data_under_a_file(tmp_path: Path) -> Path:
    _data_file(tmp_path)
    return tmp_path / "data" / "sysdesign"


BAD_DATA = {
    "file": (_data_file, "not a folder"),
    "fifo": (_data_fifo, "not a folder"),
    "dangling-symlink": (_data_dangling, "symlink to nothing"),
    "under-a-file": (_data_under_a_file, "SYSDESIGN_DATA"),
}
DATA_COMMANDS = {
    "chat": ["chat"],
    "list": ["chat", "--list"],
    "trust": ["trust", "sysdesign.toml"],
    "index-build": ["index", "build", "--kb", "kb-docs"],
}


@pytest.mark.parametrize("command", DATA_COMMANDS, ids=list(DATA_COMMANDS))
@pytest.mark.parametrize("kind", BAD_DATA, ids=list(BAD_DATA))
def test_a_data_folder_that_is_not_a_folder_is_one_sentence(tmp_path, kind, command):
    make, message = BAD_DATA[kind]
    data = make(tmp_path)
    (tmp_path / "sysdesign.toml").write_text('drafter = "kb"\n')
    (tmp_path / "kb-docs").mkdir()
    (tmp_path / "kb-docs" / "notes.md").write_text("# Notes\n\n## Caching\n\nPut a cache in front of the database.\n")
    before = snapshot(tmp_path)
    result = run_cli(*DATA_COMMANDS[command], input=REQUEST, env={"SYSDESIGN_DATA": str(data)}, cwd=tmp_path)
    one_sentence(result, message)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["chat", "trust"])
def test_a_read_only_data_folder_is_one_sentence(tmp_path, read_only_folder, command):
    data = read_only_folder(lambda folder: None)
    (tmp_path / "sysdesign.toml").write_text('drafter = "kb"\n')
    args = ["chat"] if command == "chat" else ["trust", str(tmp_path / "sysdesign.toml")]
    result = run_cli(*args, input=REQUEST, env={"SYSDESIGN_DATA": str(data)})
    one_sentence(result, "not writable")
    assert list(data.iterdir()) == []
    listed = run_cli("chat", "--list", env={"SYSDESIGN_DATA": str(data)})  # reading needs no write
    assert listed.returncode == 0 and "No stored chats yet" in listed.stdout


# ---- 3a. --fix never overwrites an edit saved while it ran -----------------------------------------------------


def _waiting_for_lock(pid: int, inode: int) -> bool:
    """True when process `pid` waits for the lock on file `inode` (Linux's /proc/locks lists waiters with '->':
    "1: -> FLOCK  ADVISORY  WRITE <pid> <major>:<minor>:<inode> 0 EOF")."""
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if fields[1:2] == ["->"] and len(fields) > 6 and fields[5] == str(pid) and fields[6].endswith(f":{inode}"):
            return True
    return False


def _start_fixers(path: Path, count: int) -> list[subprocess.Popen]:
    """Start `count` `check --fix` runs while we hold the file's lock, and return once each is waiting for it:
    each has read and checked the file and is about to write (no timing guesses: the kernel's lock table says
    where each one is)."""
    inode = path.stat().st_ino
    processes = [
        subprocess.Popen(
            [*SYSDESIGN, "check", str(path), "--fix"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(count)
    ]
    deadline = time.monotonic() + 300
    while not all(_waiting_for_lock(p.pid, inode) for p in processes):
        for process in processes:
            assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the fixers never reached the write"
        time.sleep(0.02)
    return processes


needs_proc_locks = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")


@needs_proc_locks
@pytest.mark.parametrize("editor", ["rename", "in-place"])
def test_an_edit_saved_while_fix_runs_is_never_overwritten(tmp_path, editor):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    edited = json.dumps({**PARTIAL, "request": "Twitter clone, edited by hand"}, indent=4)
    lock = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # what another sysdesign writing this file would hold
        (fixer,) = _start_fixers(path, 1)
        if editor == "rename":  # how most editors save: a new file renamed over the old one
            (tmp_path / "design.json.swp").write_text(edited)
            os.replace(tmp_path / "design.json.swp", path)
        else:
            path.write_text(edited)
    finally:
        os.close(lock)
    out, err = fixer.communicate(timeout=300)
    assert fixer.returncode == 2, (out, err)
    assert "design.json' changed while it was being checked; nothing written" in err and "Traceback" not in err
    assert path.read_text() == edited
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.json"]


@needs_proc_locks
def test_two_fixers_at_once_one_writes_the_other_refuses(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    lock = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fixers = _start_fixers(path, 2)
    finally:
        os.close(lock)
    errors = [fixer.communicate(timeout=300)[1] for fixer in fixers]
    codes = sorted(fixer.returncode for fixer in fixers)
    assert codes in ([0, 2], [1, 2]), (codes, errors)
    assert sum("changed while it was being checked" in e for e in errors) == 1
    written = json.loads(path.read_text())
    assert written["request"] == "Twitter clone" and len(written["services"]) > 3


class EditsWhileChecking:
    """The real engine, while the user saves an edit to the file during the check (a slow check on a big file)."""

    def __init__(self, path: Path, edit: Callable[[Path], None]) -> None:
        self.engine = Advisor().engine
        self.knowledge = self.engine.knowledge
        self.path, self.edit = path, edit

    def check(self, text, **options):
        self.edit(self.path)
        self.left = self.path.read_bytes() if self.path.is_file() else None  # what the user's edit left there
        return self.engine.check(text, **options)


EDITS = {
    "rewritten": lambda p: p.write_text(json.dumps({**PARTIAL, "services": ["API"]})),
    "one-byte-appended": lambda p: p.write_text(p.read_text() + " "),
    "deleted": lambda p: p.unlink(),
    "renamed-over": lambda p: (p.with_name("new").write_text("{}"), os.replace(p.with_name("new"), p)),
    "became-a-fifo": lambda p: (p.unlink(), os.mkfifo(p)),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_fix_refuses_whatever_happened_to_the_file_meanwhile(tmp_path, edit):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    engine = EditsWhileChecking(path, EDITS[edit])
    with pytest.raises(FileChanged, match="changed while it was being checked; nothing written"):
        run_check(engine, str(path), "write", [], None, "none", [], "never")
    assert not list(tmp_path.glob(".*tmp"))
    assert (path.read_bytes() if path.is_file() else None) == engine.left  # the edit stands, not the repair


def test_replace_if_unchanged_writes_when_nobody_touched_the_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old\r\nlines\n")
    replace_if_unchanged(path, "new\n", read=path.read_text())  # read as the CLI reads it (newlines translated)
    assert path.read_text() == "new\n"
    with pytest.raises(FileChanged):
        replace_if_unchanged(path, "newer\n", read="old\nlines\n")
    assert path.read_text() == "new\n"


# ---- 3b. never the input as the output --------------------------------------------------------------------------


def _design(tmp_path: Path) -> Path:
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    return path


SAME_PATH = {
    "check-o": lambda d: ["check", str(d), "-o", str(d)],
    "check-o-relative": lambda d: ["check", str(d), "-o", f"{d.parent}/./{d.name}"],
    "check-output-format": lambda d: ["check", str(d), "--output-format", f"json={d}"],
    "check-fix-o": lambda d: ["check", str(d), "--fix", "-o", str(d)],
    "check-folder-o-member": lambda d: ["check", str(d.parent), "-o", str(d)],
    "check-o-symlink": lambda d: ["check", str(d), "-o", str(d.with_name("alias.json"))],
    "check-o-hard-link": lambda d: ["check", str(d), "-o", str(d.with_name("hard.json"))],
    "check-o-waivers": lambda d: [
        "check",
        str(d),
        "--waivers",
        str(d.with_name("w.yaml")),
        "--format",
        "text",
        "-o",
        str(d.with_name("w.yaml")),
    ],
    "ask-answers-o": lambda d: [
        "ask",
        "Build a Twitter clone",
        "--answers",
        str(d.with_name("a.json")),
        "-o",
        str(d.with_name("a.json")),
    ],
}


@pytest.mark.parametrize("case", SAME_PATH, ids=list(SAME_PATH))
def test_the_output_is_never_the_input(tmp_path, case):
    design = _design(tmp_path)
    (tmp_path / "alias.json").symlink_to(design)
    os.link(design, tmp_path / "hard.json")
    (tmp_path / "w.yaml").write_text("# no waivers yet\n")
    (tmp_path / "a.json").write_text('{"users": "50k"}')
    before = snapshot(tmp_path)
    one_sentence(run_cli(*SAME_PATH[case](design)), "is also an input")
    assert snapshot(tmp_path) == before


# ---- 3c. --fix keeps the user's fields as written ---------------------------------------------------------------

WRITTEN = """{
    "request": "Twitter clone",
    "owner": null,
    "budget_usd": 1e400,
    "ratio": 2.50,
    "limits": {"burst": NaN, "floor": -Infinity, "note": null},
    "components": ["Postgres", "RabbitMQ", "Redis"],
    "services": ["API", {"name": "Tweet", "latency_ms": 1e400, "team": null, "weight": 1.0E2}, "Timeline"],
    "x-team-field": [1, 2.0, null]
}
"""


def test_fix_keeps_nulls_numbers_and_own_fields_as_written(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(WRITTEN)
    fixed = run_cli("check", str(path), "--fix")
    assert fixed.returncode in (0, 1) and "Traceback" not in fixed.stderr, fixed.stderr
    text = path.read_text()
    for spelled in [
        '"owner": null',
        '"budget_usd": 1e400',
        '"ratio": 2.50',
        '"burst": NaN',
        '"floor": -Infinity',
        '"note": null',
        '"latency_ms": 1e400',
        '"team": null',
        '"weight": 1.0E2',
    ]:
        assert spelled in text, spelled
    data = json.loads(text)  # Python reads NaN and Infinity, as it read them before
    assert list(data)[:6] == ["request", "owner", "budget_usd", "ratio", "limits", "components"]
    assert data["x-team-field"] == [1, 2.0, None] and any(isinstance(c, str) for c in data["components"])
    assert len(data["services"]) > 3 and "findings" not in data and "changes" not in data  # the repair is there


def test_fix_that_changes_nothing_leaves_the_file_byte_for_byte(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    assert run_cli("check", str(path), "--fix").returncode in (0, 1)
    once = path.read_bytes()
    stamp = path.stat().st_mtime_ns
    again = run_cli("check", str(path), "--fix")
    assert again.returncode in (0, 1) and "0 change(s)" in again.stderr, again.stderr
    assert path.read_bytes() == once and path.stat().st_mtime_ns == stamp  # repair(repair(x)) == repair(x)


def test_fix_keeps_a_crlf_tabbed_file_untouched_when_there_is_nothing_to_repair(tmp_path):
    path = tmp_path / "design.json"
    path.write_text(json.dumps(PARTIAL))
    run_cli("check", str(path), "--fix")
    settled = json.loads(path.read_text())
    path.write_bytes(json.dumps(settled, indent="\t").replace("\n", "\r\n").encode())
    before = path.read_bytes()
    assert run_cli("check", str(path), "--fix").returncode in (0, 1)
    assert path.read_bytes() == before


def test_fix_on_stdin_keeps_the_fields_too():
    result = run_cli("check", "-", "--fix", input=WRITTEN)
    assert '"budget_usd": 1e400' in result.stdout and '"owner": null' in result.stdout, result.stderr


# ---- 3d. read-only files are refused, never replaced --------------------------------------------------------------


def _read_only(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o444)
    return path


READ_ONLY = {
    "check-fix": lambda t: ["check", str(_read_only(t / "design.json", json.dumps(PARTIAL))), "--fix"],
    "check-o": lambda t: ["check", str(_design_rw(t)), "-o", str(_read_only(t / "report.sarif", "old"))],
    "check-output-format": lambda t: [
        "check",
        str(_design_rw(t)),
        "--output-format",
        f"junit={_read_only(t / 'j.xml', 'old')}",
    ],
    "ask-o": lambda t: ["ask", "Build a Twitter clone", "-o", str(_read_only(t / "design.md", "old"))],
    "ask-o-symlink": lambda t: ["ask", "Build a Twitter clone", "-o", str(_link(t, _read_only(t / "r.md", "old")))],
    "synth-o": lambda t: ["synth", "--n", "2", "-o", str(_read_only(t / "train.jsonl", "old"))],
    "synth-split": lambda t: _synth_split(t),
}


def _synth_split(tmp_path: Path) -> list[str]:
    _read_only(tmp_path / "data.val.jsonl", "old")  # the second of the two files --split writes
    return ["synth", "--n", "4", "--split", "0.5", "-o", str(tmp_path / "data.jsonl")]


def _design_rw(tmp_path: Path) -> Path:
    path = tmp_path / "in.json"
    if not path.exists():
        path.write_text(json.dumps(PARTIAL))
    return path


def _link(tmp_path: Path, target: Path) -> Path:
    (tmp_path / "link.md").symlink_to(target)
    return tmp_path / "link.md"


@pytest.mark.parametrize("case", READ_ONLY, ids=list(READ_ONLY))
def test_a_read_only_file_is_refused_never_replaced(tmp_path, case):
    args = READ_ONLY[case](tmp_path)
    before = snapshot(tmp_path)
    modes = {p: p.stat().st_mode for p in tmp_path.iterdir() if not p.is_symlink()}
    one_sentence(run_cli(*args), "read-only")
    assert snapshot(tmp_path) == before
    assert {p: p.stat().st_mode for p in tmp_path.iterdir() if not p.is_symlink()} == modes


def test_chat_save_refuses_a_read_only_file(tmp_path):
    target = _read_only(tmp_path / "design.json", "my own design")
    said = run_cli("chat", "--store", str(tmp_path / "chats.db"), input=f"{REQUEST}/save {target}\n/save {target}.md\n")
    assert said.returncode == 0 and "Traceback" not in said.stderr, said.stderr
    assert "is read-only" in said.stdout and target.read_text() == "my own design"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert (tmp_path / "design.json.md").is_file()  # the next /save works: one refusal does not end the chat


def test_write_atomic_refuses_read_only_even_for_root(tmp_path):
    target = _read_only(tmp_path / "out.json", "keep")
    with pytest.raises(InvalidRequest, match="read-only"):
        write_atomic(target, "replace")
    assert target.read_text() == "keep" and sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


# ---- full disks ---------------------------------------------------------------------------------------------------


def test_writing_to_a_full_device_is_one_sentence():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    one_sentence(run_cli("ask", "Build a Twitter clone", "--format", "json", "-o", "/dev/full"), "No space left")
    one_sentence(
        run_cli("check", "-", "-o", "/dev/full", "--format", "json", input=json.dumps(PARTIAL)), "No space left"
    )


def test_fix_on_a_full_disk_keeps_the_file_and_leaves_no_temporary(mount):
    disk = mount("full", size="64k")
    path = disk / "design.json"
    path.write_text(json.dumps(PARTIAL))
    fill_up(disk)
    before = snapshot(disk)
    one_sentence(run_cli("check", str(path), "--fix"), "No space left", "nothing was written")
    assert snapshot(disk) == before


@pytest.mark.parametrize(
    "args", [["ask", "Build a Twitter clone", "-o"], ["check", "-", "--format", "sarif", "-o"]], ids=["ask", "check"]
)
def test_an_output_on_a_full_disk_is_one_sentence_and_leaves_nothing(mount, args):
    disk = mount("full", size="64k")
    fill_up(disk)
    before = snapshot(disk)
    one_sentence(run_cli(*args, str(disk / "out.json"), input=json.dumps(PARTIAL)), "No space left")
    assert snapshot(disk) == before


def test_write_atomic_on_a_full_disk_keeps_the_old_content(mount):
    disk = mount("full", size="64k")
    (disk / "keep.txt").write_text("old")
    fill_up(disk)
    with pytest.raises(InvalidRequest, match="No space left on device; nothing was written"):
        write_atomic(disk / "keep.txt", "new" * 100_000)
    assert (disk / "keep.txt").read_text() == "old" and sorted(p.name for p in disk.iterdir()) == ["filler", "keep.txt"]

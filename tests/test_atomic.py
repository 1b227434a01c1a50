"""The one writer of every output file: beside the target, flushed, renamed into place; every
OSError one line that names the path; several files renamed only when all are complete; and a
clean-up that deletes only its own dead temporaries."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from histquiz import atomic
from histquiz.atomic import (
    parse_temp_name,
    remove_stale_temporaries,
    temp_name,
    write_file,
    write_files,
)
from histquiz.cli import main
from histquiz.errors import ExportError

GOOD = Path(__file__).parent / "data" / "good"
MINI = str(GOOD / "mini.yaml")


def dead_pid() -> int:
    finished = subprocess.Popen(["true"])
    finished.wait()
    return finished.pid


def one_line_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("histquiz: error: ") and "Traceback" not in err
    for word in words:
        assert word in lines[0], (word, lines[0])


# --- the bugs: an existing folder as the output ---------------------------------------------


@pytest.mark.parametrize("fmt", ["gift", "kahoot", "moodle-xml", "quizlet", "json"])
def test_export_to_an_existing_folder_is_one_line(fmt: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "already-here"
    folder.mkdir()
    (folder / "inside.txt").write_text("keep")
    assert main(["export", "--format", fmt, "--decks", MINI, "-o", str(folder)]) == 1
    one_line_error(capsys.readouterr().err, str(folder), "is a folder")
    assert [p.name for p in folder.iterdir()] == ["inside.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["already-here"]


def test_anki_to_a_folder_named_apkg_is_one_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "DIR.apkg"
    folder.mkdir()
    assert main(["anki", "--decks", MINI, "-o", str(folder)]) == 1
    one_line_error(capsys.readouterr().err, str(folder), "is a folder")
    assert folder.is_dir() and not list(folder.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DIR.apkg"]


def test_worksheet_to_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "w.pdf"
    folder.mkdir()
    assert main(["worksheet", "--decks", MINI, "-o", str(folder)]) == 1
    one_line_error(capsys.readouterr().err, str(folder), "is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.pdf"]


# --- the writer -----------------------------------------------------------------------------


def test_writes_replace_and_leave_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_file(target, b"new")
    assert target.read_bytes() == b"new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_every_file_is_flushed_before_its_rename(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(f"rename {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)
    write_files([(tmp_path / "a.pdf", b"a"), (tmp_path / "a-answers.pdf", b"b")])
    assert events == ["fsync", "fsync", "rename a.pdf", "rename a-answers.pdf"]
    # an output written in pieces is flushed too; a cache entry, which its digest checks when
    # it is read, is renamed into place without waiting for the disk
    events.clear()
    write_file(tmp_path / "b.txt", [b"pie", b"", b"ces"])
    write_file(tmp_path / "c.cache", [b"entry"], durable=False)
    assert events == ["fsync", "rename b.txt", "rename c.cache"]
    assert (tmp_path / "b.txt").read_bytes() == b"pieces"
    assert (tmp_path / "c.cache").read_bytes() == b"entry"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-answers.pdf", "a.pdf", "b.txt",
                                                         "c.cache"]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"nowhere does not exist; create it first") as info:
        write_file(tmp_path / "nowhere" / "x.xml", b"x")
    assert str(tmp_path / "nowhere" / "x.xml") in str(info.value)


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="is not a folder"):
        write_file(tmp_path / "file" / "x.xml", b"x")


@pytest.mark.parametrize(("code", "says"), [
    pytest.param(errno.EACCES, "choose a folder you can write to", id="unwritable"),
    pytest.param(errno.EROFS, "choose a folder you can write to", id="read-only"),
    pytest.param(errno.ENOSPC, "the disk is full", id="disk-full"),
    pytest.param(errno.EIO, "cannot write the file", id="other"),
])
def test_os_errors_while_writing_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              code: int, says: str) -> None:
    target = tmp_path / "deck.apkg"
    target.write_bytes(b"the old package")

    def fail(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic, "_write_all", fail)
    with pytest.raises(ExportError) as info:
        write_file(target, b"x" * 1000)
    message = str(info.value)
    assert message.startswith(f"{target}: ") and says in message and "\n" not in message
    assert target.read_bytes() == b"the old package"
    assert [p.name for p in tmp_path.iterdir()] == ["deck.apkg"]


def test_unwritable_folder_when_creating_the_temporary(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "open", refuse)
    with pytest.raises(ExportError, match=r"cannot write in .*\(Permission denied\); choose a folder"):
        write_file(tmp_path / "x.txt", b"x")


def test_several_files_are_renamed_only_when_all_are_complete(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    sheet, key = tmp_path / "w.pdf", tmp_path / "w-answers.pdf"
    sheet.write_bytes(b"old sheet")
    key.write_bytes(b"old key")
    real = atomic._write_all
    calls = []

    def second_fails(fd: int, data: bytes) -> None:
        calls.append(data)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    monkeypatch.setattr(atomic, "_write_all", second_fails)
    with pytest.raises(ExportError, match=r"w-answers\.pdf: the disk is full"):
        write_files([(sheet, b"new sheet"), (key, b"new key")])
    assert (sheet.read_bytes(), key.read_bytes()) == (b"old sheet", b"old key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-answers.pdf", "w.pdf"]


def test_interrupted_while_writing_keeps_the_old_file(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "q.txt"
    target.write_text("old")

    def interrupt(fd: int, data: bytes) -> None:
        os.write(fd, data[:2])
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_write_all", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_file(target, b"new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["q.txt"]


# --- temporary names and the clean-up -------------------------------------------------------


def test_temporary_names_carry_the_target_and_the_pid() -> None:
    name = temp_name("mini-gift.txt", 4321)
    assert name.startswith(".mini-gift.txt.histquiz-4321-") and name.endswith(".part")
    assert parse_temp_name(name) == ("mini-gift.txt", 4321)
    for other in (".movie.mkv.part", ".notes.part", ".mini-gift.txt.4321.ab12cd.part",
                  ".x.histquiz-0-abcdef12.part", "mini-gift.txt.histquiz-1-abcdef12.part",
                  ".x.histquiz-12-abcdef12.part.bak"):
        assert parse_temp_name(other) is None, other


def test_clean_up_deletes_only_dead_writers_temporaries_of_planned_files(tmp_path: Path) -> None:
    dead = dead_pid()
    ours_dead = tmp_path / f".mini-gift.txt.histquiz-{dead}-0123abcd.part"
    ours_dead_key = tmp_path / f".mini-worksheet-answers.pdf.histquiz-{dead}-89abcdef.part"
    ours_live = tmp_path / f".mini-gift.txt.histquiz-{os.getpid()}-0123abcd.part"
    other_file = tmp_path / f".report.txt.histquiz-{dead}-0123abcd.part"  # not about to be written
    foreign = [tmp_path / ".movie.mkv.part", tmp_path / ".notes.part",
               tmp_path / f".mini-gift.txt.{dead}.ab12cd.part", tmp_path / "mini-gift.txt"]
    for path in (ours_dead, ours_dead_key, ours_live, other_file, *foreign):
        path.write_text("x")
    removed = remove_stale_temporaries(
        tmp_path, ["mini-gift.txt", "mini-worksheet.pdf", "mini-worksheet-answers.pdf"])
    assert sorted(removed) == sorted([ours_dead, ours_dead_key])
    assert not ours_dead.exists() and not ours_dead_key.exists()
    for path in (ours_live, other_file, *foreign):
        assert path.exists(), path


# --- read-only outputs, kept modes, and the decks being read --------------------------------


def test_a_read_only_output_is_refused_and_left_as_it_is(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Replacing a read-only file used to succeed without a word and reset its mode to 0644."""
    target = tmp_path / "kept.txt"
    target.write_text("do not touch")
    target.chmod(0o444)
    assert main(["export", "--format", "gift", "--decks", MINI, "-o", str(target)]) == 1
    one_line_error(capsys.readouterr().err, str(target), "read-only")
    assert target.read_text() == "do not touch" and target.stat().st_mode & 0o777 == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_a_read_only_answer_key_keeps_the_worksheet_too(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    sheet, key = tmp_path / "w.pdf", tmp_path / "w-answers.pdf"
    sheet.write_bytes(b"old sheet")
    key.write_bytes(b"old key")
    key.chmod(0o444)
    assert main(["worksheet", "--decks", MINI, "-o", str(sheet)]) == 1
    one_line_error(capsys.readouterr().err, str(key), "read-only")
    assert (sheet.read_bytes(), key.read_bytes()) == (b"old sheet", b"old key")


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    private = tmp_path / "private.txt"
    private.write_text("old")
    private.chmod(0o600)
    write_file(private, b"new")
    assert private.read_bytes() == b"new" and private.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "fresh.txt"
    write_file(fresh, b"new")
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_export_onto_a_deck_being_read_is_refused(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`export -o` onto one of the loaded deck files overwrote the deck."""
    deck = tmp_path / "mini.yaml"
    deck.write_text(Path(MINI).read_text(encoding="utf-8"), encoding="utf-8")
    before = deck.read_bytes()
    (tmp_path / "link.yaml").symlink_to(deck)
    for given, target in ((deck, deck), (tmp_path, tmp_path / "link.yaml")):
        assert main(["export", "--format", "json", "--decks", str(given), "-o", str(target)]) == 1
        one_line_error(capsys.readouterr().err, str(target), "one of the deck files being read")
        assert deck.read_bytes() == before


# --- real disks: full, unwritable (run where the test can arrange them) ---------------------


@pytest.fixture
def full_disk() -> Iterator[Path]:
    """A tmpfs of 1 MiB, filled up: a file can still be created, but not written."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a full disk needs root to mount a small tmpfs")
    folder = Path(tempfile.mkdtemp(prefix="histquiz-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        (folder / "out").mkdir()
        ballast = folder / "ballast"
        with ballast.open("wb", buffering=0) as fill, contextlib.suppress(OSError):
            while True:
                fill.write(b"\0" * 4096)
        yield folder / "out"
    finally:
        subprocess.run(["umount", str(folder)], check=True)
        folder.rmdir()


DISK_FULL_RUNS = [
    *(pytest.param(["export", "--format", f, "--decks", MINI, "-o", "{out}/x"], id=f)
      for f in ("moodle-xml", "gift", "kahoot", "quizlet", "json")),
    pytest.param(["anki", "--decks", MINI, "-o", "{out}/x.apkg"], id="anki"),
    pytest.param(["anki", "--decks", MINI, "--out-dir", "{out}/decks"], id="anki-out-dir"),
    pytest.param(["worksheet", "--decks", MINI, "-o", "{out}/x.pdf"], id="worksheet"),
]


@pytest.mark.parametrize("argv", DISK_FULL_RUNS)
def test_a_full_disk_is_one_line_and_leaves_nothing(full_disk: Path, argv: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", "histquiz",
                             *(a.format(out=full_disk) for a in argv)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    one_line_error(result.stderr, "the disk is full")
    assert not [p for p in full_disk.rglob("*") if p.is_file()]


def test_a_full_disk_fails_each_build_output_and_says_so_at_the_end(full_disk: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "histquiz", "build", "--decks", MINI,
                             "--out", str(full_disk), "--formats", "gift,json,kahoot"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("histquiz: error:")]
    assert len(errors) == 3 and all("the disk is full" in line for line in errors)
    assert result.stderr.splitlines()[-1] == ("histquiz: 3 outputs could not be written (gift, "
                                              "json, kahoot); every other file was written")
    assert not [p for p in full_disk.iterdir() if p.is_file()]


# An unprivileged run: the interpreter is started as root (it may live where only root can
# read), runs the command once to load every module it needs, then drops to 'nobody'.
AS_NOBODY = """
import contextlib, io, json, os, sys
from histquiz.cli import main
warm, real = json.loads(sys.argv[1]), json.loads(sys.argv[2])
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(warm)
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
sys.exit(main(real))
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can enter, holding the mini deck."""
    if os.geteuid() != 0:
        pytest.skip("dropping to an unprivileged user needs root (as root, every folder is "
                    "writable)")
    folder = Path(tempfile.mkdtemp(prefix="histquiz-shared-"))
    try:
        folder.chmod(0o755)
        (folder / "mini.yaml").write_text(Path(MINI).read_text(encoding="utf-8"), encoding="utf-8")
        (folder / "mini.yaml").chmod(0o644)
        (folder / "warm").mkdir(mode=0o777)
        (folder / "ro").mkdir()
        (folder / "ro").chmod(0o555)
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize(("warm", "real", "says"), [
    pytest.param(["build", "--out", "warm/b", "--formats", "gift"],
                 ["build", "--out", "ro/sub", "--formats", "gift"],
                 "ro/sub: cannot create the folder in ro (Permission denied)", id="build-out"),
    pytest.param(["anki", "--out-dir", "warm/a"], ["anki", "--out-dir", "ro/sub"],
                 "ro/sub: cannot create the folder in ro (Permission denied)", id="anki-out-dir"),
    pytest.param(["export", "--format", "gift", "-o", "warm/x.txt"],
                 ["export", "--format", "gift", "-o", "ro/x.txt"],
                 "ro/x.txt: cannot write in ro (Permission denied)", id="export"),
])
def test_an_unwritable_folder_is_one_line(shared_folder: Path, warm: list[str], real: list[str],
                                          says: str) -> None:
    deck = ["--decks", "mini.yaml"]
    result = subprocess.run([sys.executable, "-c", AS_NOBODY, json.dumps([*warm, *deck]),
                             json.dumps([*real, *deck])], capture_output=True, text=True,
                            cwd=shared_folder, timeout=120)
    assert result.returncode == 1, result.stderr
    one_line_error(result.stderr, says)
    assert not list((shared_folder / "ro").iterdir())


# --- the Anki step's scratch folder ---------------------------------------------------------


KILLED_IN_ANKI = """
import os, signal, sys
import genanki
from histquiz.cli import main

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

genanki.Package.write_to_db = die
main(["anki", "--decks", sys.argv[1], "-o", sys.argv[2]])
"""


def test_a_build_killed_in_the_anki_step_leaves_a_folder_the_next_removes(tmp_path: Path) -> None:
    """Each killed build left a histquiz-anki-* folder in the temporary folder for good."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_ANKI, MINI, str(tmp_path / "a.apkg")],
                            env=env, capture_output=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    (left,) = temp.iterdir()
    assert left.name.startswith(f"histquiz-anki-{killed_pid(left)}-")
    live = temp / f"histquiz-anki-{os.getpid()}-keepme"  # a running writer's
    live.mkdir()
    other = temp / "histquiz-anki-notours"
    other.mkdir()
    done = subprocess.run([sys.executable, "-m", "histquiz", "anki", "--decks", MINI, "-o",
                           str(tmp_path / "b.apkg")], env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in temp.iterdir()) == sorted([live.name, other.name])


def killed_pid(folder: Path) -> int:
    pid = int(folder.name.removeprefix("histquiz-anki-").split("-")[0])
    assert not atomic.process_alive(pid)
    return pid

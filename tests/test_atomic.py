"""The one writer of every output file: beside the target, flushed, renamed into place; every
OSError one line that names the path; several files renamed only when all are complete; and a
clean-up that deletes only its own dead temporaries."""

from __future__ import annotations

import errno
import os
import subprocess
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

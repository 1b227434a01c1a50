"""Files in the way of an output: histquiz replaces only those it wrote itself (by its folder's
record, or by a format's own content), and leaves everything else exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from histquiz.cli import main
from histquiz.export.registry import FORMATS
from histquiz.owned import RECORD

GOOD = Path(__file__).parent / "data" / "good"
MINE = b"my own notes, not histquiz's\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the small deck, every format: the files a user of histquiz already has."""
    out = tmp_path_factory.mktemp("built") / "dist"
    assert main(["build", "--decks", str(GOOD / "mini.yaml"), "--out", str(out)]) == 0
    return out


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != RECORD}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def copy_of(built: Path, into: Path) -> Path:
    """The files of ``built`` copied into a new folder without a record (as if written before
    histquiz kept one)."""
    into.mkdir()
    for name, data in outputs(built).items():
        (into / name).write_bytes(data)
    return into


def built_into(out: Path) -> Path:
    assert build(out) == 0
    assert (out / RECORD).is_file()
    return out


def build(out: Path, seed: int = 0) -> int:
    return main(["build", "--decks", str(GOOD / "mini.yaml"), "--out", str(out),
                 "--seed", str(seed)])


def test_a_rebuild_replaces_histquiz_s_own_files(tmp_path: Path) -> None:
    out = built_into(tmp_path / "dist")
    before = outputs(out)
    assert build(out, seed=9) == 0
    after = outputs(out)
    assert set(after) == set(before)
    changed = [n for n in after if after[n] != before[n]]
    # every file depends on the seed (the Anki package on its notes' options)
    assert len(changed) >= len(after) - 1, changed


# Which format writes each of the small deck's files.
FORMAT_OF = {p.name: f.name for f in FORMATS.values() for p in f.paths(Path(f"mini{f.suffix}"))}


def test_a_users_file_with_an_outputs_name_is_left_as_it_is(built: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """For each name a build writes: a file of the user's there survives, byte for byte; the
    build says which file and what to do, exits 1, and writes every other file."""
    assert set(FORMAT_OF) == set(outputs(built))
    for name in outputs(built):
        out = tmp_path / name.replace(".", "_")
        out.mkdir()
        (out / name).write_bytes(MINE)
        capsys.readouterr()
        assert build(out) == 1, name
        err = capsys.readouterr().err
        assert (out / name).read_bytes() == MINE, name
        assert f"{out / name}: a file that histquiz did not write is there" in err, err
        assert "move it away or rename it" in err
        # the format refused writes none of its files; every other format writes all of its
        expected = {n for n in outputs(built) if n == name or FORMAT_OF[n] != FORMAT_OF[name]}
        assert set(outputs(out)) == expected, (name, sorted(outputs(out)))


def test_without_the_record_each_format_knows_its_own_files(built: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Files written before the folder had a record (or after it was deleted): each format
    tells its own by their content, except Quizlet's, which has no room for a mark."""
    out = copy_of(built, tmp_path / "dist")
    assert not (out / RECORD).exists()
    before = outputs(out)
    assert build(out, seed=4) == 1
    err = capsys.readouterr().err
    after = outputs(out)
    assert after["mini-quizlet.txt"] == before["mini-quizlet.txt"]
    assert "mini-quizlet.txt: a file that histquiz did not write is there" in err
    refused = [line for line in err.splitlines() if "did not write" in line]
    assert len(refused) == 1, refused
    assert [n for n in after if after[n] == before[n]] == ["mini-quizlet.txt"]
    # and now the folder has a record: the next build replaces the Quizlet file it wrote
    (out / "mini-quizlet.txt").unlink()
    assert build(out, seed=4) == 0
    assert build(out, seed=5) == 0


def test_each_format_recognises_only_its_own_files(built: Path) -> None:
    files = outputs(built)
    seen: dict[str, list[str]] = {}
    for fmt in FORMATS.values():
        recognise = fmt.recogniser()
        if recognise is None:
            continue
        seen[fmt.name] = [n for n in files if recognise(built / n)]
    assert seen == {
        "anki": ["mini.apkg"],
        "worksheet": ["mini-worksheet-answers.pdf", "mini-worksheet.pdf"],
        "moodle-xml": ["mini-moodle.xml"],
        "gift": ["mini-gift.txt"],
        "kahoot": ["mini-kahoot.xlsx"],
        "qti": ["mini-qti.zip"],
        "json": ["mini-items.json"],
    }


def test_an_edited_file_and_a_link_are_not_replaced(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = built_into(tmp_path / "dist")
    # a Quizlet file histquiz wrote, then edited by its user: changed since, and unrecognisable
    quizlet = out / "mini-quizlet.txt"
    edited = quizlet.read_bytes() + b"my card\tmy answer\n"
    quizlet.write_bytes(edited)
    # a link where a GIFT file would go, to a file of the user's elsewhere
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_bytes(MINE)
    (out / "mini-gift.txt").unlink()
    (out / "mini-gift.txt").symlink_to(elsewhere)
    capsys.readouterr()
    assert build(out, seed=3) == 1
    err = capsys.readouterr().err
    assert quizlet.read_bytes() == edited
    assert f"{quizlet}: this file was changed since histquiz wrote it" in err
    assert (out / "mini-gift.txt").is_symlink() and elsewhere.read_bytes() == MINE
    assert f"{out / 'mini-gift.txt'}: a link or special file that histquiz did not make" in err


def test_a_record_that_is_not_histquiz_s_is_left_alone(built: Path, tmp_path: Path) -> None:
    out = copy_of(built, tmp_path / "dist")
    (out / RECORD).write_bytes(MINE)
    (out / "mini-quizlet.txt").unlink()
    assert build(out, seed=2) == 0  # the others are known by their content
    assert (out / RECORD).read_bytes() == MINE
    assert build(out, seed=3) == 1  # the Quizlet file cannot be recorded, so it is not known


def test_single_commands_keep_to_the_same_rule(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    decks = ["--decks", str(GOOD / "mini.yaml")]
    commands = {
        "quiz.txt": ["export", "--format", "quizlet", *decks],
        "quiz.json": ["export", "--format", "json", *decks],
        "quiz.apkg": ["anki", *decks],
        "sheet.pdf": ["worksheet", *decks, "--count", "5"],
    }
    for name, command in commands.items():
        target = tmp_path / name
        target.write_bytes(MINE)
        assert main([*command, "-o", str(target)]) == 1, name
        assert target.read_bytes() == MINE
        assert "a file that histquiz did not write is there" in capsys.readouterr().err
        target.unlink()
        assert main([*command, "-o", str(target)]) == 0, name
        first = target.stat().st_ino
        assert main([*command, "-o", str(target), "--seed", "77"]) == 0, name
        assert target.stat().st_ino != first, name  # its own file, replaced by a new one

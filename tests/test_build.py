"""`histquiz build`: every artefact for every deck, whole files even when the build is killed,
the same bytes from the same inputs, a progress bar on a terminal and a table at the end."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pexpect
import pytest
from outputs import outputs_in
from synth import write_deck
from test_formats import read_gift, read_xlsx

from histquiz import atomic, generate, load_decks
from histquiz.cli import main
from histquiz.export.registry import FORMATS as REGISTRY
from histquiz.export.registry import Context, render_format
from histquiz.owned import RECORD

ARTEFACTS = {name: fmt.suffix for name, fmt in REGISTRY.items()}

GOOD = Path(__file__).parent / "data" / "good"
FORMATS = list(ARTEFACTS)
SOURCE_DATE_EPOCH = "1700000000"


def expected_files(deck: str, formats: list[str] = FORMATS, kahoot_parts: int = 1) -> set[str]:
    """The files a build writes for a deck; Kahoot's in ``kahoot_parts`` numbered files when
    the deck has more than 100 questions for it."""
    names = {f"{deck}{ARTEFACTS[f]}" for f in formats}
    if "worksheet" in formats:
        names.add(f"{deck}-worksheet-answers.pdf")
    if "kahoot" in formats and kahoot_parts > 1:
        names.remove(f"{deck}-kahoot.xlsx")
        names |= {f"{deck}-kahoot-{n}.xlsx" for n in range(1, kahoot_parts + 1)}
    return names


def kahoot_parts(decks: Path | None, deck: str, seed: int = 0) -> int:
    """How many Kahoot sheets a build writes for ``deck`` (the template holds 100 questions)."""
    loaded = load_decks([decks] if decks is not None else None)
    items = [i for i in generate(loaded, seed) if i.deck == deck]
    return len(render_format("kahoot", items, Context(decks=loaded, seed=seed, build_time=0)).files)


def check_whole(path: Path) -> int:
    """Read a file with the reader its format needs; returns how many items or pages it holds."""
    name = path.name
    if name.endswith(".apkg"):
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
            assert archive.testzip() is None
            db = next(n for n in archive.namelist() if n.startswith("collection.anki2"))
            archive.extract(db, tmp)
            with sqlite3.connect(Path(tmp) / db) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                notes: int = conn.execute("SELECT count(*) FROM notes").fetchone()[0]
            conn.close()
            return notes
    if name.endswith(".pdf"):
        from pypdf import PdfReader

        assert path.read_bytes().rstrip().endswith(b"%%EOF")
        return len(PdfReader(path).pages)
    if name.endswith("-moodle.xml"):
        root = ElementTree.parse(path).getroot()
        return sum(q.get("type") != "category" for q in root)
    if name.endswith("-gift.txt"):
        return len(read_gift(path.read_text("utf-8")))
    if name.endswith(".xlsx"):
        cells = read_xlsx(path.read_bytes())
        return len({r for r, _ in cells if r >= 9})
    if name.endswith("-quizlet.txt"):
        text = path.read_text("utf-8")
        assert text.endswith("\n")
        lines = text.splitlines()
        assert all(line.count("\t") == 1 for line in lines)
        return len(lines)
    if name.endswith("-qti.zip"):
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
            parts = {n: ElementTree.fromstring(archive.read(n)) for n in archive.namelist()}
        return sum(len(root.findall(".//{*}item")) for root in parts.values())
    if name.endswith(".json"):
        return len(json.loads(path.read_text("utf-8")))
    raise AssertionError(f"unexpected file {path}")


def run_build(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "histquiz", "build", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def decks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("decks")
    write_deck(folder, 30, seed=11, deck_id="synth")
    (folder / "mini.yaml").write_text((GOOD / "mini.yaml").read_text("utf-8"), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def big_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_deck(tmp_path_factory.mktemp("big"), 250, seed=3, deck_id="big")


def test_build_writes_every_artefact_for_every_deck(decks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    result = run_build("--decks", str(decks_dir), "--out", str(out), "--seed", "5")
    assert result.returncode == 0, result.stderr
    names = {p.name for p in outputs_in(out)}
    parts = kahoot_parts(decks_dir, "synth", 5)
    assert parts == 2, "the synthetic deck has more than 100 Kahoot questions"
    assert names == expected_files("mini") | expected_files("synth", kahoot_parts=parts)
    table = result.stdout.splitlines()
    assert table[0].split()[:3] == ["file", "format", "items"]
    assert table[-1 - table[::-1].index(next(t for t in table if "files in" in t))].startswith(
        f"{len(names)} files in {out}")
    for path in outputs_in(out):
        count = check_whole(path)
        assert count > 0
        row = next(line for line in table if line.split()[0] == str(path))
        if not path.name.endswith(".pdf"):
            assert int(row.split()[2]) == count, row
    # stderr is not a terminal here: one line per file instead of a bar
    assert sorted(line.split()[1] for line in result.stderr.splitlines()
                  if line.startswith("wrote ")) == sorted(str(out / n) for n in names)
    assert "\r" not in result.stderr


def test_build_files_are_those_the_single_commands_write(decks_dir: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """For the same seed and deck, `build` and `export`, `anki` and `worksheet` write the
    same bytes: they go through the same formats with the same items."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    out = tmp_path / "dist"
    assert main(["build", "--decks", str(decks_dir), "--out", str(out), "--seed", "8"]) == 0
    common = ["--decks", str(decks_dir), "--deck", "synth", "--seed", "8"]
    singles: dict[str, list[Path]] = {}
    for fmt in ("moodle-xml", "gift", "kahoot", "quizlet", "json"):
        single = tmp_path / f"single-{fmt}"
        assert main(["export", "--format", fmt, *common, "-o", str(single)]) == 0
        singles[fmt] = [single]
    assert main(["anki", *common, "-o", str(tmp_path / "single.apkg")]) == 0
    singles["anki"] = [tmp_path / "single.apkg"]
    # build's worksheet is `worksheet --count 40`
    assert main(["worksheet", *common, "--count", "40", "-o", str(tmp_path / "single.pdf")]) == 0
    singles["worksheet"] = [tmp_path / "single.pdf", tmp_path / "single-answers.pdf"]
    singles["kahoot"] = [tmp_path / "single-kahoot-1", tmp_path / "single-kahoot-2"]
    for fmt, files in singles.items():
        built = [out / f"synth{ARTEFACTS[fmt]}"]
        if fmt == "worksheet":
            built.append(out / "synth-worksheet-answers.pdf")
        if fmt == "kahoot":  # more than 100 questions: numbered parts, the same in both
            built = [out / "synth-kahoot-1.xlsx", out / "synth-kahoot-2.xlsx"]
        assert not (out / "synth-kahoot.xlsx").exists() and not (tmp_path / "single-kahoot").exists()
        for one, other in zip(built, files, strict=True):
            assert one.read_bytes() == other.read_bytes(), (fmt, one, other)


def test_build_and_worksheet_agree_on_the_built_in_un_deck(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`build --seed 3` once printed 46 choice questions for deck un and `worksheet --deck un
    --seed 3` 47, because the worksheet command picked with a random source that generating
    had already used."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    out = tmp_path / "dist"
    assert main(["build", "--out", str(out), "--seed", "3", "--formats", "worksheet"]) == 0
    single = tmp_path / "un.pdf"
    assert main(["worksheet", "--deck", "un", "--seed", "3", "--count", "40", "-o", str(single)]) == 0
    assert (out / "un-worksheet.pdf").read_bytes() == single.read_bytes()
    assert (out / "un-worksheet-answers.pdf").read_bytes() == (tmp_path / "un-answers.pdf").read_bytes()


def test_build_worksheet_has_a_printable_length(big_deck: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A built worksheet holds 40 questions by default (--worksheet-count changes it, 'all'
    prints the whole bank); the classroom files keep every item."""
    rows: dict[str, dict[str, int]] = {}
    for option in ([], ["--worksheet-count", "12"], ["--worksheet-count", "all"]):
        out = tmp_path / ("dist" + "".join(option))
        assert main(["build", "--decks", str(big_deck), "--out", str(out), "--seed", "2",
                     "--formats", "worksheet,json", *option]) == 0
        table = capsys.readouterr().out.splitlines()
        rows[" ".join(option)] = {
            Path(m.group(1)).name: int(m.group(2))
            for m in (re.match(r"^(\S+)\s+\S.*?\s{2,}(\d+)\s", line) for line in table) if m}
        assert check_whole(out / "big-items.json") == rows[" ".join(option)]["big-items.json"]
        # what a teacher prints: the questions numbered in the PDF's text
        text = subprocess.run(["pdftotext", "-layout", str(out / "big-worksheet.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        numbers = [int(n) for n in re.findall(r"^\s*(\d+)\. ", text, re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) == rows[" ".join(option)]["big-worksheet.pdf"]
    assert rows[""]["big-worksheet.pdf"] == 40
    assert rows["--worksheet-count 12"]["big-worksheet.pdf"] == 12
    every = rows["--worksheet-count all"]["big-worksheet.pdf"]
    assert every > 200
    assert {r["big-items.json"] for r in rows.values()} == {rows[""]["big-items.json"]}
    assert rows[""]["big-items.json"] > every


def test_same_inputs_same_bytes(decks_dir: Path, tmp_path: Path) -> None:
    env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        result = run_build("--decks", str(decks_dir), "--out", str(out), "--seed", "2", env=env)
        assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in outputs_in(first))
    assert names == sorted(p.name for p in outputs_in(second))
    different = [n for n in names if (first / n).read_bytes() != (second / n).read_bytes()]
    assert not different


def test_formats_option_and_its_errors(decks_dir: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "only"
    assert main(["build", "--decks", str(decks_dir), "--out", str(out),
                 "--formats", "gift,json", "--formats", "quizlet"]) == 0
    assert {p.name for p in outputs_in(out)} == (expected_files("mini", ["gift", "json", "quizlet"])
                                               | expected_files("synth", ["gift", "json", "quizlet"]))
    with pytest.raises(SystemExit) as info:
        main(["build", "--formats", "gift,pdf"])
    assert info.value.code == 2
    assert "unknown format 'pdf'" in capsys.readouterr().err
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert main(["build", "--decks", str(decks_dir), "--out", str(a_file)]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err


# --- interruptions --------------------------------------------------------------------------


def test_a_write_cut_off_halfway_keeps_the_old_file(decks_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl-C in the middle of writing a file: the file keeps its old content, whole."""
    out = tmp_path / "dist"
    args = ["build", "--decks", str(decks_dir), "--out", str(out), "--formats", "gift,moodle-xml"]
    assert main([*args, "--seed", "1"]) == 0
    before = {p.name: p.read_bytes() for p in outputs_in(out)}

    def half_then_interrupt(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_write_all", half_then_interrupt)
    assert main([*args, "--seed", "2"]) == 130
    monkeypatch.undo()
    assert "interrupted" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in outputs_in(out)} == before
    # and the interrupted build would have changed them: the test can tell
    assert main([*args, "--seed", "2"]) == 0
    assert {p.name: p.read_bytes() for p in outputs_in(out)} != before


# A build that stops, as if the machine were slow, just before it renames the files of its
# (AFTER+1)-th artefact into place, with their temporary files complete: it says "paused" and
# waits for input that never comes. The signal then always meets a build in mid-write.
PAUSING_BUILD = """
import sys
from histquiz import atomic
from histquiz.cli import main

after = int(sys.argv[1])
real_commit = atomic._commit
commits = 0

def commit(temps):
    global commits
    commits += 1
    if commits == after + 1:
        print("paused", file=sys.stderr, flush=True)
        sys.stdin.read()
    real_commit(temps)

atomic._commit = commit
sys.exit(main(["build", *sys.argv[2:]]))
"""


@pytest.mark.parametrize(("sig", "after"), [
    pytest.param(signal.SIGKILL, 1, id="sigkill-after-1"),
    pytest.param(signal.SIGKILL, 4, id="sigkill-after-4"),
    pytest.param(signal.SIGINT, 2, id="sigint-after-2"),
])
def test_a_killed_build_leaves_only_whole_files(big_deck: Path, tmp_path: Path,
                                                sig: signal.Signals, after: int) -> None:
    out = tmp_path / "dist"
    args = [sys.executable, "-c", PAUSING_BUILD, str(after), "--decks", str(big_deck),
            "--out", str(out)]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    written = []
    for line in proc.stderr:
        if line.startswith("wrote "):
            written.append(Path(line.split()[1]))
        if line.strip() == "paused":
            proc.send_signal(sig)
            break
    _, err = proc.communicate(timeout=120)
    artefacts = {p for p in written if not p.name.endswith("-answers.pdf")}
    assert len(artefacts) == after, (written, err)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    else:
        assert proc.returncode == -signal.SIGKILL
    temporaries = sorted(out.glob(".*.part"))
    if sig == signal.SIGINT:
        assert not temporaries, "Ctrl-C must clean up its temporary files"
    else:
        assert temporaries, "the killed build was writing: its temporary files are left"
        assert all(".histquiz-" in p.name for p in temporaries)
    finished = sorted(p for p in outputs_in(out) if not p.name.startswith("."))
    assert finished == sorted(written)
    for path in finished:
        assert check_whole(path) > 0, path
    # the next build removes what a killed one left and completes everything
    again = run_build("--decks", str(big_deck), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.glob(".*")] == [RECORD]  # no temporary file is left
    assert {p.name for p in outputs_in(out)} == expected_files(
        "big", kahoot_parts=kahoot_parts(big_deck, "big"))
    if temporaries:
        n = len(temporaries)
        assert f"removed {n} unfinished temporary file{'s' * (n != 1)}" in again.stderr


def test_stale_temporary_files_are_removed_and_others_kept(decks_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    finished = subprocess.Popen(["true"])
    finished.wait()
    of_dead_writer = out / f".mini-moodle.xml.histquiz-{finished.pid}-ab12cd34.part"
    of_dead_writer.write_text("<quiz><question")
    of_live_writer = out / f".mini-moodle.xml.histquiz-{os.getpid()}-ef34ab12.part"
    of_live_writer.write_text("<quiz><still being written")
    not_planned = out / f".mini-gift.txt.histquiz-{finished.pid}-ab12cd34.part"
    not_planned.write_text("::q")
    foreign = [out / ".movie.mkv.part", out / ".notes.part",
               out / f".mini-moodle.xml.{finished.pid}.ab12cd.part", out / "notes.txt"]
    for path in foreign:
        path.write_text("mine")
    result = run_build("--decks", str(decks_dir), "--out", str(out), "--formats", "moodle-xml")
    assert result.returncode == 0
    assert "removed 1 unfinished temporary file left by an interrupted build" in result.stderr
    assert not of_dead_writer.exists()
    assert of_live_writer.exists(), "a running writer's temporary file must be left alone"
    assert not_planned.exists(), "only the temporaries of files this build writes are removed"
    for path in foreign:
        assert path.read_text() == "mine", path


# --- on a terminal --------------------------------------------------------------------------


def test_progress_bar_on_a_terminal(decks_dir: Path, tmp_path: Path) -> None:
    child = pexpect.spawn(sys.executable, ["-m", "histquiz", "build", "--decks", str(decks_dir),
                                           "--out", str(tmp_path / "dist"), "--formats", "gift,json"],
                          encoding="utf-8", timeout=120, dimensions=(24, 100))
    child.expect(pexpect.EOF)
    child.close()
    screen = child.before or ""
    assert child.exitstatus == 0, screen
    assert "\r\x1b[K[" in screen and "] 2/4 synth-gift.txt" in screen
    assert "wrote " not in screen
    assert "4 files in" in screen


# --- the built-in decks ---------------------------------------------------------------------


def test_build_of_the_built_in_decks(tmp_path: Path) -> None:
    decks = load_decks()
    result = run_build("--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    assert result.returncode == 0, result.stderr
    expected = set().union(*(expected_files(d.id, kahoot_parts=kahoot_parts(None, d.id))
                             for d in decks))
    assert {p.name for p in outputs_in(tmp_path)} == expected
    for path in outputs_in(tmp_path):
        assert check_whole(path) > 0, path
    # The table, then at most one line per format and reason for what was left out: no item
    # is named unless --verbose asks.
    out = result.stdout.splitlines()
    end = next(n for n, line in enumerate(out) if line.startswith(f"{len(expected)} files in "))
    assert out[-1] == "  (--verbose lists each item and why)"
    summary = out[end + 1:-1]
    assert summary and all(": " in line for line in summary)
    reasons = [(line.split(": ", 1)[0], line.split(" left out by design: ")[-1].split(" kept, but ")[-1])
               for line in summary]
    assert len(reasons) == len(set(reasons)) <= 3 * len(REGISTRY)
    ids = {i.id for i in generate(decks, 0)}
    shown = [line for line in [*out, *result.stderr.splitlines()] if not line.startswith("wrote ")]
    assert not [line for line in shown if any(part in ids for part in line.split())]
    assert [line for line in result.stderr.splitlines() if not line.startswith("wrote ")] == []


def test_verbose_lists_each_item_the_summary_counts(decks_dir: Path, tmp_path: Path) -> None:
    """--verbose names every item left out or kept with a caveat, one line each, and the lines
    add up to the summary's counts, format by format and reason by reason."""
    result = run_build("--decks", str(decks_dir), "--out", str(tmp_path / "dist"), "--verbose")
    assert result.returncode == 0, result.stderr
    counted: dict[tuple[str, str], int] = {}
    for line in [*result.stdout.splitlines(), *result.stderr.splitlines()]:
        found = re.fullmatch(r"(?:histquiz: warning: )?([\w-]+): (\d+) items? "
                             r"(left out by design|kept, but|left out): (.+)", line)
        if found:
            _fmt, count, how, reason = found.groups()
            key = ("kept, but" if how == "kept, but" else "left out", reason)
            counted[key] = counted.get(key, 0) + int(count)
    assert counted, result.stdout
    listed: dict[tuple[str, str], int] = {}
    ids = {item.id for item in generate(load_decks([decks_dir]), 0)}
    for line in result.stdout.splitlines():
        found = re.fullmatch(r"  (.+?): (\S+): (left out|kept, but): (.+)", line)
        if found:
            where, item_id, how, rest = found.groups()
            assert Path(where).parent == tmp_path / "dist" and item_id in ids, line
            reason = next(r for h, r in counted if h == how and rest.startswith(r))
            listed[(how, reason)] = listed.get((how, reason), 0) + 1
    assert listed == counted


def test_a_format_that_fails_does_not_stop_the_others(tmp_path: Path) -> None:
    """A character the worksheet font lacks used to stop the build after the .apkg, without
    the Moodle, GIFT, Kahoot, Quizlet and JSON files, none of which need the font."""
    deck = tmp_path / "deva.yaml"
    deck.write_text((GOOD / "mini.yaml").read_text("utf-8").replace(
        "ask: Which foreign minister signed", "ask: Which foreign minister (मंत्री) signed"),
        encoding="utf-8")
    out = tmp_path / "dist"
    result = run_build("--decks", str(deck), "--out", str(out), "--seed", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert {p.name for p in outputs_in(out)} == expected_files("mini") - {
        "mini-worksheet.pdf", "mini-worksheet-answers.pdf"}
    for path in outputs_in(out):
        assert check_whole(path) > 0
    errors = result.stderr.splitlines()[-2:]
    assert errors[0].startswith(f"histquiz: error: {deck}:") and "worksheet font" in errors[0]
    assert errors[1] == ("histquiz: 1 output could not be written (worksheet); every other file "
                         "was written")


@pytest.mark.parametrize("epoch", ["4354819199", "99999999999999999999", "1e5", "-1"])
def test_a_build_time_a_zip_cannot_hold_is_one_line(tmp_path: Path, epoch: str) -> None:
    """SOURCE_DATE_EPOCH past 2107 crashed the Anki package with a struct error."""
    result = run_build("--decks", str(GOOD / "mini.yaml"), "--out", str(tmp_path / "d"),
                       env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("histquiz: error: SOURCE_DATE_EPOCH must be ")
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").iterdir())


def test_a_build_shared_out_among_processes_writes_the_same(decks_dir: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    import histquiz.export.build as build_module

    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    outputs = {}
    for jobs in ("1", "2"):
        monkeypatch.setattr(build_module, "jobs", lambda jobs=jobs: int(jobs))  # whatever the cores
        monkeypatch.setattr(build_module, "FORK_FROM", 0)
        out = tmp_path / jobs
        assert main(["build", "--decks", str(decks_dir), "--out", str(out), "--seed", "5"]) == 0
        outputs[jobs] = ({p.name: p.read_bytes() for p in outputs_in(out)}, capsys.readouterr().out)
    (alone, alone_report), (shared, shared_report) = outputs["1"], outputs["2"]
    assert sorted(shared) == sorted(alone)
    assert [n for n in alone if alone[n] != shared[n]] == []
    # the same table and left-out report, the folder's name aside
    assert shared_report.replace(str(tmp_path / "2"), "OUT") == \
        alone_report.replace(str(tmp_path / "1"), "OUT")


def test_work_is_shared_evenly() -> None:
    from histquiz.export.build import _share

    groups = _share([5, 1, 3, 3, 2, 2], 2)
    assert sorted(i for g in groups for i in g) == list(range(6))
    assert sorted(sum([5, 1, 3, 3, 2, 2][i] for i in g) for g in groups) == [8, 8]
    assert _share([4, 4], 1) == [[0, 1]] and _share([], 2) == [[]]
    # tasks that must run together first, beside other work: the rest balance around them
    groups = _share([5, 1, 3, 3, 2, 2], 2, first=[1, 4], head=4)
    assert {1, 4} <= set(groups[0]) and sorted(i for g in groups for i in g) == list(range(6))
    assert sorted(sum([5, 1, 3, 3, 2, 2][i] for i in g) for g in groups) == [6, 10]


def test_the_relation_is_made_once_per_deck_in_one_process(decks_dir: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The formats that read which item gives which away run in the build's own process, so
    each deck's relation is made there once, and the other process never waits for it."""
    import histquiz.export.build as build_module
    from histquiz.generate import reveal

    made = tmp_path / "made.txt"
    original = reveal._reveals

    def counted(items):  # type: ignore[no-untyped-def]
        with made.open("a") as log:
            log.write(f"{os.getpid()} {items[0].deck}\n")
        return original(items)

    monkeypatch.setattr(reveal, "_reveals", counted)
    monkeypatch.setattr(build_module, "jobs", lambda: 2)
    monkeypatch.setattr(build_module, "FORK_FROM", 0)
    assert main(["build", "--decks", str(decks_dir), "--out", str(tmp_path / "out")]) == 0
    assert sorted(made.read_text().split("\n")[:-1]) == [f"{os.getpid()} mini",
                                                          f"{os.getpid()} synth"]

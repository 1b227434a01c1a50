"""The CLI as a user meets it: help for every command, exit codes, JSON, determinism, start-up."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from histquiz.cli import build_parser, main
from histquiz.commands import COMMANDS

GOOD = Path(__file__).parent / "data" / "good"
BAD = Path(__file__).parent / "data" / "bad"
# Written out here, not read from the registry, so that a command dropped from the registry fails.
EXPECTED_COMMANDS = {"build", "validate", "decks", "items", "anki", "worksheet", "schema", "export",
                     "quiz", "stats", "flags", "mark"}
HEAVY = ("reportlab", "genanki", "questionary", "anki", "fsrs", "prompt_toolkit", "numpy", "cv2",
         "pypdfium2", "zxingcpp")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "histquiz", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


@pytest.mark.parametrize("command", sorted(EXPECTED_COMMANDS))
def test_every_command_has_help_with_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: histquiz {command}" in out
    assert "example:" in out


def test_top_help_lists_every_command() -> None:
    # Each command has its own line in the list of commands, its name first: a bare substring
    # check would pass for 'decks' or 'quiz' because the description mentions decks and quizzes.
    text = build_parser().format_help()
    listed = {m.group(1) for m in re.finditer(r"^ {4}([a-z][a-z-]*)(?= {2,}\S|$)", text, re.MULTILINE)}
    assert listed == EXPECTED_COMMANDS == set(COMMANDS)


def test_help_imports_nothing_heavy() -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "histquiz", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:")}
    imported = {m.split(".")[0] for m in modules}
    assert "histquiz" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)
    # nor the loader: reading YAML is for the commands that load decks
    assert "yaml" not in imported
    assert not modules & {"histquiz.load.loader", "histquiz.load.yaml", "histquiz.load.spec"}


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_and_version_import_neither_loader_nor_generator(flag: str) -> None:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "histquiz", flag],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    modules = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:")}
    ours = {m for m in modules if m.startswith("histquiz")}
    assert ours, result.stderr[-500:]
    assert not {m for m in ours if m.startswith(("histquiz.load", "histquiz.generate",
                                                 "histquiz.model", "histquiz.export"))}, ours
    assert "yaml" not in modules


def test_top_help_summaries_are_the_command_docstrings() -> None:
    import importlib

    text = " ".join(build_parser(only="").format_help().split())
    for name, module in COMMANDS.items():
        doc = importlib.import_module(f"histquiz.commands.{module}").__doc__ or ""
        assert " ".join(doc.strip().splitlines()[0].split()) in text, name


def test_generate_stays_the_function_after_the_subpackage_is_imported() -> None:
    import histquiz
    import histquiz.generate.reveal

    assert callable(histquiz.generate) and histquiz.generate.__name__ == "generate"


def test_validate_clean_and_broken(tmp_path: Path) -> None:
    ok = run("validate", str(GOOD / "mini.yaml"))
    assert ok.returncode == 0 and ok.stdout.startswith("ok: 1 deck, 8 facts")
    bad = run("validate", str(BAD / "three-problems.yaml"))
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 4 and lines[-1] == "histquiz: 3 problems found"
    assert all(line.startswith(f"{BAD / 'three-problems.yaml'}:") for line in lines[:3])
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("name", ["bomb.yaml", "binary.bin.yaml", "latin1.yaml", "empty.yaml",
                                  "malformed.yaml", "not-mapping.yaml", "missing.yaml"])
def test_broken_files_never_traceback(name: str) -> None:
    result = run("validate", str(BAD / name))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{BAD / name}:1:") or \
        result.stderr.splitlines()[0].startswith(f"{BAD / name}:")


def test_items_json_fields_and_determinism() -> None:
    a = run("items", "--decks", str(GOOD), "--format", "json", "--seed", "1")
    b = run("items", "--decks", str(GOOD), "--format", "json", "--seed", "1")
    c = run("items", "--decks", str(GOOD), "--format", "json", "--seed", "2")
    assert a.returncode == 0 and a.stdout == b.stdout and a.stdout != c.stdout
    items = json.loads(a.stdout)
    for item in items:
        for key in ("id", "kind", "question", "answer", "explanation", "sources", "topic",
                    "tags", "date"):
            assert key in item
        assert ("options" in item) == (item["kind"] == "choice")
    assert any("&" in i["explanation"] and "<b>" in i["explanation"] for i in items)


def test_items_count_and_filters() -> None:
    out = run("items", "--decks", str(GOOD), "--format", "json", "--count", "5", "--seed", "3",
              "--kind", "choice", "--topic", "diplomacy")
    items = json.loads(out.stdout)
    assert len(items) == 5
    assert all(i["kind"] == "choice" and i["topic"] == "diplomacy" for i in items)


def test_unknown_filter_is_one_line_error() -> None:
    result = run("items", "--decks", str(GOOD), "--deck", "nope")
    assert result.returncode == 1
    assert result.stderr.strip() == "histquiz: error: unknown deck 'nope'. Known: mini"


def test_runs_from_another_directory_with_builtin_decks(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_schema_command_prints_the_shipped_schema() -> None:
    result = run("schema")
    assert result.returncode == 0, result.stderr
    shipped = Path(__file__).resolve().parents[1] / "src" / "histquiz" / "schema" / "deck.schema.json"
    assert result.stdout == shipped.read_text(encoding="utf-8"), (
        "the shipped schema is stale: run `histquiz schema > src/histquiz/schema/deck.schema.json`")
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {"deck", "sources", "periods", "pools", "templates", "facts"}
    assert set(schema["$defs"]) == {"fact", "question", "false_statement"}


def test_ci_runs_exactly_the_readme_test_command() -> None:
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    ci = (root / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    test_command = next(c for c in commands if "pytest" in c)
    assert ci[-1] == test_command


def test_debug_shows_the_traceback_behind_an_error() -> None:
    bad = str(BAD / "three-problems.yaml")
    quiet = run("validate", bad)
    assert quiet.returncode == 1 and "Traceback" not in quiet.stderr
    loud = run("--debug", "validate", bad)
    assert loud.returncode == 1 and "Traceback (most recent call last)" in loud.stderr
    assert loud.stderr.count("histquiz: 3 problems found") == 1


def test_a_bug_is_one_line_unless_debugging(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    import histquiz.commands.schema as schema

    def broken(args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr(schema, "run", broken)
    monkeypatch.delenv("HISTQUIZ_DEBUG", raising=False)
    assert main(["schema"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("histquiz: internal error: RuntimeError: boom")
    monkeypatch.setenv("HISTQUIZ_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["schema"])


# --- terminals that are not UTF-8 ------------------------------------------------------------

NOT_UTF8 = [
    pytest.param({"PYTHONIOENCODING": "ascii"}, "ascii", id="ascii"),
    pytest.param({"PYTHONIOENCODING": "latin-1"}, "latin-1", id="latin-1"),
    pytest.param({"PYTHONIOENCODING": "cp1252"}, "cp1252", id="cp1252"),
    pytest.param({"LC_ALL": "C", "PYTHONUTF8": "0"}, "ascii", id="C-locale"),
]


def run_in(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "LC_ALL", "LANG", "LC_CTYPE")}
    return subprocess.run([sys.executable, "-m", "histquiz", *args], capture_output=True,
                          timeout=120, env={**base, **env})


@pytest.mark.parametrize(("env", "encoding"), NOT_UTF8)
def test_a_terminal_that_is_not_utf8_gets_what_it_can_show(env: dict[str, str], encoding: str,
                                                           tmp_path: Path) -> None:
    """items, decks, validate and export -o - crashed with UnicodeEncodeError on '–' or '·'."""
    for args in (["items", "--deck", "culture", "--count", "5"], ["decks"], ["validate"],
                 ["validate", str(BAD / "three-problems.yaml")]):
        result = run_in(env, *args)
        assert result.returncode in (0, 1) and b"Traceback" not in result.stderr, args
        assert b"internal error" not in result.stderr, (args, result.stderr[-300:])
        result.stdout.decode(encoding)
        result.stderr.decode(encoding)
    # the data formats are UTF-8 by definition: their bytes, whatever the terminal
    saved = tmp_path / "culture.txt"
    assert run_in({}, "export", "--format", "gift", "--deck", "culture", "-o",
                  str(saved)).returncode == 0
    piped = run_in(env, "export", "--format", "gift", "--deck", "culture", "-o", "-")
    assert piped.returncode == 0 and piped.stdout == saved.read_bytes()
    listed = run_in(env, "items", "--deck", "culture", "--format", "json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout.decode("utf-8")) == json.loads(
        run_in({}, "items", "--deck", "culture", "--format", "json").stdout)


# --- one problem, one line, and nothing a terminal would act on ------------------------------

RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def test_file_names_and_values_cannot_break_lines_or_reach_the_terminal(tmp_path: Path) -> None:
    """A newline or ESC in a file name or a value split one problem over several lines and
    reached the terminal raw (ESC [2J clears the screen)."""
    name = tmp_path / "evil\x1b[2J\nname\r.yaml"
    name.write_text('deck: {id: "x\\e]8;;http://evil\\e\\\\", title: "t\\nu", description: d}\n'
                    "facts: [{id: 'a\nb', statement: S.}]\n", encoding="utf-8")
    result = run("validate", str(name))
    assert result.returncode == 1
    lines = result.stderr.split("\n")[:-1]
    assert lines[-1].startswith("histquiz: ") and lines[-1].endswith("problems found")
    count = int(lines[-1].split()[1])
    assert len(lines) == count + 1
    for line in lines:
        assert not RAW_CONTROL.search(line), repr(line)
        assert line.startswith(f"{tmp_path}/evil\\x1b[2J\\nname\\r.yaml:") or line == lines[-1]


def test_arguments_quoted_back_are_escaped() -> None:
    result = run("items", "\x1b[2J\x1b]8;;http://x\x07")
    assert result.returncode == 2
    assert not RAW_CONTROL.search(result.stderr.replace("\n", "")), repr(result.stderr)
    assert "\\x1b[2J" in result.stderr


def test_a_pipe_in_a_deck_title_stays_in_its_markdown_cell(tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text("deck: {id: d, title: 'Treaties | Pacts \\ Accords', description: D, topic: t}\n"
                    "sources: {s: {title: T, author: A, date: 2000}}\n"
                    "facts: [{id: f, statement: S., explanation: E., sources: [s]}]\n",
                    encoding="utf-8")
    result = run("decks", "--decks", str(deck), "--format", "markdown")
    assert result.returncode == 0
    row = next(line for line in result.stdout.splitlines() if line.startswith("| `d`"))
    cells = re.split(r"(?<!\\)\|", row)[1:-1]
    assert [c.strip() for c in cells] == ["`d`", "Treaties \\| Pacts \\\\ Accords", "t", "1", "0"]


def test_the_readme_says_which_commands_take_decks() -> None:
    """The README promised --decks for every command, and `stats --decks` was rejected."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    claim = re.search(r"Every command that reads decks \(all but ([^)]*)\) takes `--decks PATH`",
                      " ".join(readme.split()))
    assert claim is not None
    named = set(re.findall(r"`(\w+)`", claim.group(1)))
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    without = {name for name, child in sub.choices.items()
               if not any("--decks" in a.option_strings for a in child._actions)}
    assert without == named


@pytest.mark.parametrize("command", ["stats", "flags"])
def test_a_store_path_is_printed_safely(tmp_path: Path, command: str) -> None:
    """The stats page and the flags list start with the store's path, which came out raw."""
    from histquiz.quiz.store import Store

    path = tmp_path / "class\x1b[2J\nroom.sqlite3"
    Store.open(path).close()
    result = run(command, "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "class\\x1b[2J\\nroom.sqlite3" in result.stdout
    assert not RAW_CONTROL.search(result.stdout.replace("\n", "")), repr(result.stdout)

"""A big deck file read in parts on several cores gives exactly what reading it whole gives.

``histquiz.load.split`` cuts the list of facts at the lines where facts begin and reads each
part in its own process. Here every file is read both ways with the size limit lowered, so
that even small files are cut: the decks (every origin included) or the problems must be the
same, and for files of the usual shape the parts must really have been read.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synth import deck_yaml

from histquiz import DeckError
from histquiz.load import loader, split
from histquiz.load.files import builtin_decks_dir

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def small_files_are_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "SPLIT_FROM", 0)


def outcome(paths: list[Path], processes: int, monkeypatch: pytest.MonkeyPatch) -> tuple[str, object]:
    """What loading gives with ``processes`` processes (1: every file read whole)."""
    monkeypatch.setattr(loader, "jobs", lambda: processes)
    try:
        return "decks", loader.load_decks([str(p) for p in paths])
    except DeckError as exc:
        return "problems", exc.problems


def same_both_ways(paths: list[Path], monkeypatch: pytest.MonkeyPatch,
                   processes: int = 2) -> tuple[str, object]:
    whole = outcome(paths, 1, monkeypatch)
    assert outcome(paths, processes, monkeypatch) == whole
    return whole


def read_in_parts(path: Path, processes: int) -> object:
    return split.read(str(path), path.read_bytes(), processes)


def deck_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.yaml"))


@pytest.mark.parametrize("processes", [2, 3, 5])
def test_builtin_decks_are_read_in_parts_to_the_same_decks(processes: int,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    files = deck_files(builtin_decks_dir())
    kind, _ = same_both_ways(files, monkeypatch, processes)
    assert kind == "decks"
    cut = [f for f in files if read_in_parts(f, processes) is not None]
    # every deck file of facts is cut; the library of sources has no list to cut
    assert [f.name for f in files if f not in cut] == ["sources.yaml"]


@pytest.mark.parametrize("case", sorted(p.name for p in (DATA / "bad").iterdir()))
def test_a_broken_deck_gives_the_same_problems(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = DATA / "bad" / case
    paths = deck_files(path) if path.is_dir() else [path]
    kind, _ = same_both_ways(paths, monkeypatch)
    assert kind == "problems"


@pytest.mark.parametrize("folder", ["good", "warn"])
def test_the_test_decks_load_the_same(folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for path in deck_files(DATA / folder):
        same_both_ways([path], monkeypatch)


def synth_text(n: int = 24, seed: int = 1) -> str:
    return deck_yaml(n, seed, awkward=True)


def with_pools_after_facts(text: str) -> str:
    head, facts = text.split("facts:\n", 1)
    pools_at = head.index("pools:\n")
    return head[:pools_at] + "facts:\n" + facts + head[pools_at:]


def with_comments_and_blank_lines(text: str) -> str:
    lines = text.split("\n")
    out = []
    for n, line in enumerate(lines):
        if line.startswith("  - id:") and n % 2:
            out += ["", "# a comment at the margin", "    # and an indented one", ""]
        out.append(line)
    return "\n".join(out)


# (name, how to change the synthetic deck's text, whether its parts are read)
SHAPES = [
    ("as generated", lambda t: t, True),
    ("Windows line ends", lambda t: t.replace("\n", "\r\n"), True),
    ("pools after the facts", with_pools_after_facts, True),
    ("comments and blank lines between facts", with_comments_and_blank_lines, True),
    ("a comment after 'facts:'", lambda t: t.replace("facts:\n", "facts:   # the facts\n"), True),
    ("items at the margin", lambda t: t.replace("\n  ", "\n"), False),
    ("an anchor and its alias", lambda t: t.replace("tags: [t0]", "tags: &t [t0]", 1)
     .replace("tags: [t1]", "tags: *t", 1), False),
    ("a dash alone on its line", lambda t: t.replace("  - id: f5\n", "  -\n    id: f5\n"), False),
    ("'facts:' given twice", lambda t: t + "facts:\n  - id: again\n", False),
    ("an old Mac line end", lambda t: t.replace("\n", "\r", 3), False),
    ("a line break YAML 1.1 knows", lambda t: t.replace("Statement of", "Statement\u2028of", 1),
     False),
    ("a quoted key at the margin", lambda t: t.replace("pools:", '"pools":'), False),
]


@pytest.mark.parametrize(("name", "change", "cut"), SHAPES, ids=[s[0] for s in SHAPES])
def test_shapes_read_the_same_and_only_safe_ones_are_cut(name: str, change, cut: bool,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deck.yaml"
    path.write_bytes(change(synth_text()).encode("utf-8"))
    for processes in (2, 4):
        same_both_ways([path], monkeypatch, processes)
        assert (read_in_parts(path, processes) is not None) is cut


QUOTE_ACROSS_FACTS = """\
deck: {id: d, title: D, description: x}
sources: {s: {title: T, author: A, date: 2000}}
facts:
  - id: one
    statement: "It opens here
  - id: two
    statement: and runs on over what looks like a fact
  - id: three
    statement: to close here."
    topic: t
    date: 1971
    sources: [s]
  - id: four
    statement: A fact.
    topic: t
    date: 1972
    sources: [s]
"""


@pytest.mark.parametrize("processes", [2, 3, 4])
def test_a_quote_open_across_fact_lines_is_read_as_the_whole_reads_it(
        processes: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(QUOTE_ACROSS_FACTS, encoding="utf-8")
    assert read_in_parts(path, processes) is None
    same_both_ways([path], monkeypatch, processes)


# The quote opened in fact 'one' closes in fact 'two' when the file is read whole, and the
# quote after 'templates:' is never closed: the whole file is refused. Cut before 'two', the
# first part's quote would run on through the blank lines that stand for the second part and
# close after 'templates:', swallowing that key: every part reads without a problem, and only
# the check of the keys at the margin sees that the cut is not safe.
QUOTE_INTO_THE_TAIL = """\
deck: {id: d, title: D, description: x}
sources: {s: {title: T, author: A, date: 2000}}
facts:
  - id: one
    topic: t
    date: 1971
    sources: [s]
    explanation: A long explanation of the first fact, which takes up some room here, more and more.
    statement: "It opens here
  - id: two
    statement: and closes here."
    explanation: Two.
    topic: t
    date: 1972
    sources: [s]
  - id: three
    statement: Fact three.
    explanation: Three.
    topic: t
    date: 1973
    sources: [s]
templates: "
pools: {person.x: [a]}
"""


def test_a_quote_that_a_cut_would_close_in_a_later_key_is_not_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deck.yaml"
    path.write_text(QUOTE_INTO_THE_TAIL, encoding="utf-8")
    cut = split._cut(QUOTE_INTO_THE_TAIL, 2)
    assert cut is not None and cut[0][1].text.lstrip("\n").startswith("  - id: two")
    assert read_in_parts(path, 2) is None
    kind, problems = same_both_ways([path], monkeypatch)
    assert kind == "problems" and "never closed" in problems[0]  # type: ignore[index]


def test_a_problem_in_a_later_part_or_across_parts_gives_the_whole_files_messages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = synth_text(40)
    lines = text.split("\n")
    last = max(n for n, line in enumerate(lines) if line.startswith("  - id:"))
    broken = lines[:]
    broken[last + 1] = broken[last + 1].replace("statement:", "statment:")  # in the last part
    path = tmp_path / "deck.yaml"
    path.write_text("\n".join(broken), encoding="utf-8")
    kind, problems = same_both_ways([path], monkeypatch)
    assert kind == "problems" and any("statment" in p for p in problems)  # type: ignore[union-attr]
    # a fact id of the first part given again in the last: found only across the parts
    twice = text.replace("  - id: f39\n", "  - id: f0\n")
    path.write_text(twice, encoding="utf-8")
    kind, problems = same_both_ways([path], monkeypatch)
    assert kind == "problems" and any("used twice" in p for p in problems)  # type: ignore[union-attr]


NASTY_LINES = [
    "  - id: x", "  -", "- id: y", "  - 'quoted'", "    statement: \"open", "    note: 'open",
    "'", '"', "pools:", "facts:", "---", "...", "# comment", "", "    tags: [a, b",
    "  - &anchor", "    <<: {topic: t}", "\ttab", "   - id: z", "  - id: f1", "    - id: q",
    "    statement: |", "      - id: in-a-block", "x: y", "  - [a, b]", "  - {id: w}",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(2, 14), seed=st.integers(0, 1000), processes=st.integers(2, 4),
       edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from(NASTY_LINES)), max_size=3))
def test_any_change_to_a_deck_reads_the_same_in_parts(n: int, seed: int, processes: int,
                                                      edits: list[tuple[float, str]],
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    lines = synth_text(n, seed).split("\n")
    for where, line in edits:
        lines.insert(int(where * len(lines)), line)
    path = tmp_path / f"deck-{random.Random(seed).random()}.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    same_both_ways([path], monkeypatch, processes)
    if not edits:
        assert read_in_parts(path, processes) is not None

"""The loader finds every problem, each as one exact path:line:col: message line."""

from __future__ import annotations

from pathlib import Path

import pytest

from histquiz import DeckError, load_decks

BAD = Path(__file__).parent / "data" / "bad"


def problems_of(*paths: Path | str) -> list[str]:
    with pytest.raises(DeckError) as info:
        load_decks(list(paths))
    return info.value.problems


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("unknown-key.yaml",
                     ["16:5: unknown key 'dat' in fact 'f1'; did you mean 'date'?"], id="unknown-key"),
        pytest.param("bad-date.yaml",
                     ["16:11: fact 'f1': date '1971-02-30' is impossible: February 1971 has 28 "
                      "days, not 30"], id="impossible-date"),
        pytest.param("duplicate-id.yaml",
                     ["16:9: fact id 'f1' is used twice (first at {path}:11:9); fact ids must be "
                      "unique across all decks"], id="duplicate-id"),
        pytest.param("unknown-source.yaml",
                     ["15:15: fact 'f1': unknown source 's2'; define it under 'sources:'"],
                     id="unknown-source"),
        pytest.param("missing-source.yaml",
                     ["11:5: fact 'f1' needs 'sources', a list of at least one source id"],
                     id="missing-source"),
        pytest.param("too-few-candidates.yaml",
                     ["20:15: fact 'f1', question 'who': answer kind 'person.rare' has 1 "
                      "distractor candidate across the loaded decks, need 3; add values to "
                      "'pools: person.rare:' or to the question's 'distractors'"],
                     id="too-few-candidates"),
        pytest.param("malformed.yaml",
                     ["4:6: malformed YAML: did not find expected ',' or ']'"], id="malformed"),
        pytest.param("not-mapping.yaml",
                     ["1:1: the top level must be a mapping with 'deck:', 'sources:' and 'facts:'"],
                     id="not-a-mapping"),
        pytest.param("empty.yaml",
                     ["1:1: the file is empty; a deck needs 'deck:' and 'facts:'"], id="empty"),
        pytest.param("latin1.yaml",
                     ["2:10: not valid UTF-8 text (byte 0xe9); save the file as UTF-8"],
                     id="not-utf8"),
        pytest.param("binary.bin.yaml",
                     ["1:1: this is a binary file, not YAML text"], id="binary"),
        pytest.param("three-problems.yaml",
                     ["16:11: fact 'f1': date '1971-02-30' is impossible: February 1971 has 28 "
                      "days, not 30",
                      "22:5: unknown key 'tpoic' in fact 'f2'; did you mean 'topic'?",
                      "23:9: fact id 'f1' is used twice (first at {path}:11:9); fact ids must be "
                      "unique across all decks"], id="all-problems-at-once"),
    ],
)
def test_each_rule_reports_exact_line(name: str, expected: list[str]) -> None:
    path = BAD / name
    assert problems_of(path) == [f"{path}:" + e.format(path=path) for e in expected]


def test_alias_bomb_is_refused() -> None:
    path = BAD / "bomb.yaml"
    (line,) = problems_of(path)
    assert line.startswith(f"{path}:1:8: the document expands to more than")
    assert "alias bomb" in line


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("a: &x [*x]\n", encoding="utf-8")
    (line,) = problems_of(path)
    assert "alias" in line


def test_missing_file() -> None:
    assert problems_of("no/such/deck.yaml") == ["no/such/deck.yaml:1:1: no such file or folder"]


def test_duplicate_fact_id_across_files(tmp_path: Path) -> None:
    text = (BAD / "unknown-source.yaml").read_text().replace("[s2]", "[s1]")
    first = tmp_path / "a.yaml"
    first.write_text(text)
    second = tmp_path / "b.yaml"
    second.write_text(text.replace("id: bad", "id: other").replace("s1:", "s9:").replace("[s1]", "[s9]"))
    (line,) = problems_of(first, second)
    assert line == (f"{second}:11:9: fact id 'f1' is used twice (first at {first}:11:9); "
                    "fact ids must be unique across all decks")


def test_good_deck_loads_with_positions(mini_decks: list) -> None:
    (deck,) = mini_decks
    assert deck.id == "mini"
    fact = deck.facts[0]
    assert fact.origin is not None and fact.origin.line > 1
    assert fact.all_tags[:2] == ("topic::diplomacy", "era::1970s")
    assert {s.id for s in deck.sources} == {"ref-a", "ref-b"}


def test_stem_must_not_give_the_date_away(tmp_path: Path) -> None:
    text = (BAD / "bad-date.yaml").read_text().replace("1971-02-30", "1971-02-03")
    text += "    when: was the 1971 thing done\n"
    path = tmp_path / "d.yaml"
    path.write_text(text)
    (line,) = problems_of(path)
    assert line == (f"{path}:17:11: fact 'f1': 'when' mentions 1971, which gives the date away; "
                    "leave the date out of it")


def test_question_must_not_contain_its_answer(tmp_path: Path) -> None:
    text = (BAD / "too-few-candidates.yaml").read_text()
    text = text.replace("ask: Who did it?", "ask: Did Somebody do it?").replace(
        "distractors: [Somebody Else]", "distractors: [A, B, C]")
    path = tmp_path / "q.yaml"
    path.write_text(text)
    (line,) = problems_of(path)
    assert line == (f"{path}:18:14: fact 'f1', question 'who': the question contains its own "
                    "answer 'Somebody'; reword it")


def test_source_library_file_is_shared(tmp_path: Path) -> None:
    lib = tmp_path / "sources.yaml"
    lib.write_text("sources:\n  s1:\n    title: T\n    author: A\n    date: 2001-01-01\n")
    deck = tmp_path / "deck.yaml"
    deck.write_text("deck: {id: d, title: D, description: x}\nfacts:\n"
                    "  - {id: f, statement: S., explanation: E., topic: t, sources: [s1]}\n")
    (loaded,) = load_decks([tmp_path])
    assert loaded.facts[0].sources[0].title == "T"


def test_which_happened_needs_other_years(tmp_path: Path) -> None:
    def fact(i: int, year: int, explicit: bool) -> str:
        extra = "    templates: [which-happened]\n" if explicit else ""
        return (f"  - id: f{i}\n    statement: S.\n    explanation: E.\n    topic: t\n"
                f"    sources: [s]\n    date: {year}\n    event: Thing {i} happens\n{extra}")

    head = ("deck: {id: d, title: D, description: x}\n"
            "sources: {s: {title: T, author: A, date: 2000}}\nfacts:\n")
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text(head + fact(1, 1950, False) + fact(2, 1951, False) + fact(3, 1952, False))
    (deck,) = load_decks([quiet])
    assert all("which-happened" not in f.templates for f in deck.facts)
    loud = tmp_path / "loud.yaml"
    loud.write_text(head + fact(1, 1950, True) + fact(2, 1951, False) + fact(3, 1952, False))
    (line,) = problems_of(loud)
    assert line == (f"{loud}:10:12: fact 'f1': 'which-happened' needs events of at least 3 other "
                    "years in the loaded decks, found 2; add facts or drop the template")


def test_era_only_for_undated_facts(tmp_path: Path) -> None:
    head = ("deck: {id: d, title: D, description: x}\n"
            "sources: {s: {title: T, author: A, date: 2000}}\nfacts:\n")
    body = ("  - {id: a, statement: S., explanation: E., topic: t, sources: [s], era: 1950s}\n"
            "  - {id: b, statement: S., explanation: E., topic: t, sources: [s], era: fifties}\n"
            "  - {id: c, statement: S., explanation: E., topic: t, sources: [s], date: 1961, "
            "era: 1960s}\n")
    path = tmp_path / "era.yaml"
    path.write_text(head + body)
    assert problems_of(path) == [
        f"{path}:5:74: fact 'b': era 'fifties' must be a decade such as 1970s",
        f"{path}:6:81: fact 'c': 'era' comes from the date; remove 'era'",
    ]
    path.write_text(head + body.splitlines()[0] + "\n")
    (deck,) = load_decks([path])
    assert "era::1950s" in deck.facts[0].all_tags

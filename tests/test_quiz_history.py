"""The quiz asks the history templates: "order" and "match" items answered with letters, and
the feedback of "true-statement" and "first". The scoring and its FSRS rating are checked
without a terminal; the real program is then driven in a pseudo-terminal (and through a pipe)
for each kind, with a right, a partly right, a wrong and an unreadable answer, and the store
read back."""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from quiz_pty import FEEDBACK_KEYS, QUESTION_KEYS, Terminal, environment

from histquiz import Item, generate, load_decks
from histquiz.dates import Verdict
from histquiz.quiz.screen import (
    cells,
    feedback_lines,
    question_lines,
    summary_lines,
)
from histquiz.quiz.session import (
    AGAIN,
    GOOD,
    HARD,
    Mode,
    Outcome,
    Planned,
    Prompt,
    Quiz,
    grade,
    pairs_in_order,
    partly_right,
    read_letters,
    reshuffled,
    rows_right,
    solution,
    summarise,
)
from histquiz.quiz.store import Store

NOW = "2025-03-03T09:00:00+00:00"
START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
SEED = 1
# Events of one topic within 30 years, with event texts long enough to wrap at 80 columns.
DECK = """
deck:
  id: history
  title: Order and match
  description: Events for the ordering and matching questions of the quiz tests.
sources:
  ref:
    title: A reference work
    publisher: Test Press
    date: 2001-05
templates:
  default: [true-statement, first, order, match]
facts:
  - id: panchsheel
    statement: India and China set out the Five Principles in April 1954.
    false_statements:
      - text: The Five Principles were first set out at Bandung in 1955.
        why: They were set out in the India–China agreement of April 1954.
      - text: The April 1954 agreement settled the India–China boundary.
        why: It dealt with trade with Tibet; the boundary stayed unsettled.
      - text: The Bandung conference of 1955 settled the India–China boundary.
        why: The principles were set out in April 1954; the boundary stayed unsettled.
    event: >-
      India and China set out the Five Principles of Peaceful Coexistence in the preamble of an
      agreement on trade with the Tibet region
    date: 1954-04-29
    topic: ties
    tags: [statements]
    sources: [ref]
    explanation: The principles became known in India as Panchsheel.
  - id: bhilai
    statement: The USSR agreed to build a steel plant at Bhilai.
    event: >-
      The Soviet Union agrees to build the Bhilai steel plant, its first large industrial
      project in India, on credit repaid in rupees
    date: 1955-02-02
    topic: ties
    sources: [ref]
    explanation: The plant began production in 1959.
  - id: tashkent
    statement: Lal Bahadur Shastri died in Tashkent.
    event: >-
      Lal Bahadur Shastri dies in Tashkent the night after signing the declaration that ended
      the war of 1965 with Pakistan
    date: 1966-01-11
    topic: ties
    sources: [ref]
    explanation: He died hours after the signing.
  - id: treaty
    statement: India and the USSR signed a treaty of friendship in 1971.
    event: >-
      India and the USSR sign a Treaty of Peace, Friendship and Cooperation in New Delhi,
      promising to consult each other if attacked
    date: 1971-08-09
    topic: ties
    sources: [ref]
    explanation: It ran for twenty years.
  - id: aryabhata
    statement: A Soviet rocket launched India's first satellite.
    event: >-
      Aryabhata, India's first satellite, goes up on a Soviet Kosmos rocket from Kapustin Yar
    date: 1975-04-19
    topic: ties
    sources: [ref]
    explanation: The launch cost India nothing but the data.
  - id: delhi-declaration
    statement: Gandhi and Gorbachev signed the Delhi Declaration.
    event: >-
      Rajiv Gandhi and Mikhail Gorbachev sign the Delhi Declaration on Principles for a
      Nuclear-Weapon-Free and Non-Violent World
    date: 1986-11-27
    topic: ties
    sources: [ref]
    explanation: Signed during Gorbachev's first visit to India.
  - id: veto
    statement: It happened.
    event: >-
      The Soviet Union casts its first veto on Kashmir in the Security Council, blocking a
      Western draft resolution
    date: 1957-02-20
    topic: ties
    sources: [ref]
    explanation: Invented for the tests.
  - id: refinery
    statement: It happened.
    event: >-
      A Soviet-built oil refinery is opened in the east of India, the first of its kind in the public sector
    date: 1961-06-15
    topic: ties
    sources: [ref]
    explanation: Invented for the tests.
  - id: yuri
    statement: It happened.
    event: >-
      A Soviet cosmonaut tours Indian cities and is received by crowds in Bombay and Calcutta
    date: 1963-09-10
    topic: ties
    sources: [ref]
    explanation: Invented for the tests.
  - id: kilo
    statement: It happened.
    event: >-
      India signs for a new class of Soviet submarines, to be delivered over the next decade
    date: 1979-03-05
    topic: ties
    sources: [ref]
    explanation: Invented for the tests.
"""


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decks") / "history.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def items(deck: Path) -> list[Item]:
    # the same call the quiz makes for --seed 1, so the events stand as on the screen
    return generate(load_decks([deck]), SEED)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "unit.sqlite3") as s:
        yield s


def of_kind(items: list[Item], kind: str) -> list[Item]:
    found = [i for i in items if i.kind == kind]
    # one per fact, but where two facts drew the same events (asked once)
    assert len(found) >= 5 and all(len(i.options) == 4 for i in found)
    return found


def letters(indices: tuple[int, ...] | list[int]) -> str:
    return "".join("ABCDE"[i] for i in indices)


def right(item: Item) -> str:
    return letters(item.key)


def partly(item: Item) -> str:
    """Order: the 2nd and 3rd events swapped (5 of 6 pairs); match: rows 1 and 2 swapped
    (2 of 4 rows)."""
    key = list(item.key)
    a, b = (1, 2) if item.kind == "order" else (0, 1)
    key[a], key[b] = key[b], key[a]
    return letters(key)


def wrong(item: Item) -> str:
    """Order: reversed (0 of 6 pairs); match: every row given the next row's year (0 of 4)."""
    if item.kind == "order":
        return letters(item.key[::-1])
    return letters(item.key[1:] + item.key[:1])


def dates_of(item: Item) -> list[tuple[int, int, int]]:
    """The events' dates as (year, month, day), read back from the notes ("29 April 1954")."""
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    out = []
    for note in item.notes:
        day, month, year = note.split()
        out.append((int(year), months.index(month) + 1, int(day)))
    return out


# --- scoring and rating ----------------------------------------------------------------------


def test_pairs_in_order_counts_pairs_in_the_right_relative_order(items: list[Item]) -> None:
    item = of_kind(items, "order")[0]
    dates = dates_of(item)
    assert sorted(range(4), key=lambda i: dates[i]) == list(item.key), "key: earliest first"
    for given in itertools.permutations(range(4)):
        # counted the long way: every pair of events, compared by their dates
        agree = sum((given.index(a) < given.index(b)) == (dates[a] < dates[b])
                    for a, b in itertools.combinations(range(4), 2))
        assert pairs_in_order(item.key, given) == agree
    assert pairs_in_order(item.key, item.key) == 6
    assert pairs_in_order(item.key, item.key[::-1]) == 0
    key = list(item.key)
    key[0], key[1] = key[1], key[0]
    assert pairs_in_order(item.key, key) == 5, "two neighbours swapped: one pair out of order"
    key = list(item.key)
    key[0], key[3] = key[3], key[0]
    assert pairs_in_order(item.key, key) == 1, "the first and last swapped: five pairs wrong"


def test_rows_right_counts_events_given_their_own_year(items: list[Item]) -> None:
    item = of_kind(items, "match")[0]
    assert rows_right(item.key, item.key) == 4
    assert rows_right(item.key, read_letters(item, partly(item)) or ()) == 2
    assert rows_right(item.key, read_letters(item, wrong(item)) or ()) == 0
    years = [item.targets[k] for k in item.key]
    assert years == [note.split()[-1] for note in item.notes], "key[i]: the year of event i"


def synthetic(kind: str, n: int) -> Item:
    """An order or match item of ``n`` events, shown in date order reversed."""
    return Item(id=f"t/f/{kind}", kind=kind, template=kind, question="?", answer="", deck="t",
                fact="f", topic="t", explanation="", sources=(), tags=(), date=None,
                statement="", options=tuple(f"event {i}" for i in range(n)),
                notes=tuple(str(1950 + 10 * (n - i)) for i in range(n)),
                key=tuple(range(n))[::-1],  # order: earliest first; match: year of each event
                targets=tuple(str(1950 + 10 * i) for i in range(1, n + 1)))


@pytest.mark.parametrize("n", [3, 4, 5])
@pytest.mark.parametrize("kind", ["order", "match"])
def test_rating_all_right_good_partly_right_hard_else_again(kind: str, n: int) -> None:
    item = synthetic(kind, n)
    verdicts: dict[Verdict, int] = {}
    for given in itertools.permutations(range(n)):
        result = grade(item, letters(given))
        assert result.final
        verdicts[result.verdict] = verdicts.get(result.verdict, 0) + 1
        assert result.rating == {Verdict.EXACT: GOOD, Verdict.NEAR: HARD}.get(result.verdict,
                                                                             AGAIN)
        if kind == "order":
            got, total = pairs_in_order(item.key, given), n * (n - 1) // 2
            near = 0 < total - got <= max(1, total // 4)
        else:
            got, total = rows_right(item.key, given), n
            near = got < n and 2 * got >= n
        assert (result.verdict is Verdict.NEAR) == near
        assert (result.verdict is Verdict.EXACT) == (got == total)
    assert verdicts[Verdict.EXACT] == 1
    # how often a blind guess is partly right: the bar is set well above chance
    chance = {("order", 3): 2, ("order", 4): 3, ("order", 5): 13,
              ("match", 3): 0, ("match", 4): 6, ("match", 5): 10}[kind, n]
    assert verdicts.get(Verdict.NEAR, 0) == chance


def test_half_the_pairs_of_an_order_would_pass_a_guess() -> None:
    """Why partly right is not "half the pairs": most random orders of four reach it."""
    orders = list(itertools.permutations(range(4)))
    at_least_half = [o for o in orders if pairs_in_order(range(4), o) >= 3]
    assert (len(at_least_half), len(orders)) == (15, 24)
    assert not partly_right("order", 3, 6) and not partly_right("order", 4, 6)
    assert partly_right("order", 5, 6) and not partly_right("order", 6, 6)
    assert partly_right("match", 2, 4) and not partly_right("match", 1, 4)


@pytest.mark.parametrize("kind", ["order", "match"])
def test_letters_in_any_case_with_spaces_and_commas(items: list[Item], kind: str) -> None:
    item = of_kind(items, kind)[0]
    answer = right(item)
    spaced = ", ".join(answer[:2].lower()) + " " + " ".join(answer[2:].lower())  # "c, a d b"
    for typed in (answer, answer.lower(), spaced, "-".join(answer), f" {answer}  "):
        result = grade(item, typed)
        assert (result.verdict, result.given, result.rating) == (Verdict.EXACT, answer, GOOD)
    assert grade(item, partly(item)).verdict is Verdict.NEAR
    assert grade(item, wrong(item)).verdict is Verdict.WRONG
    assert grade(item, "?").verdict is Verdict.WRONG and grade(item, "?").given == "?"


@pytest.mark.parametrize("kind", ["order", "match"])
@pytest.mark.parametrize("typed", ["ab", "abcda", "aabc", "abce", "abcz", "1234", "a b c",
                                   "abc d e", "", "what?"])
def test_letters_that_are_not_each_shown_letter_once_are_asked_again(
        items: list[Item], kind: str, typed: str) -> None:
    item = of_kind(items, kind)[0]
    result = grade(item, typed)
    assert not result.final and result.verdict is Verdict.UNREADABLE
    assert "\n" not in result.message and f"'{typed}'" in result.message
    assert cells(result.message) <= 79, "one line at 80 columns"


def test_a_match_may_be_typed_as_numbered_pairs(items: list[Item]) -> None:
    item = of_kind(items, "match")[0]
    pairs = [f"{n + 1}{'abcd'[k]}" for n, k in enumerate(item.key)]
    assert grade(item, " ".join(pairs)).verdict is Verdict.EXACT
    assert grade(item, ", ".join(reversed(pairs))).verdict is Verdict.EXACT
    assert not grade(item, " ".join([pairs[0], pairs[0], *pairs[2:]])).final
    assert not grade(item, " ".join(pairs[:3])).final
    order = of_kind(items, "order")[0]
    assert not grade(order, "1a 2b 3c 4d").final, "an order has no rows to number"


def test_invalid_letters_cost_nothing_and_each_answer_is_saved_with_its_rating(
        items: list[Item], store: Store) -> None:
    order, match = of_kind(items, "order")[0], of_kind(items, "match")[2]
    plan = [order, match, *of_kind(items, "order")[1:3], of_kind(items, "match")[3]]
    replies = iter(["abc", right(order), "aabb", partly(match), partly(plan[2]),
                    wrong(plan[3]), "?"])
    asked: list[Prompt] = []

    def ask(prompt: Prompt) -> str:
        asked.append(prompt)
        # every answer is in the store before the next question is asked
        assert len(store.reviews()) == len({p.item.id for p in asked}) - 1
        return next(replies)

    clock = iter(START.replace(minute=m) for m in range(60))
    quiz = Quiz(store, Mode.LEARN, lambda: next(clock), store.start_session("learn", 5, START))
    result = quiz.run([Planned(i) for i in plan], ask)
    assert [p.hint is not None for p in asked] == [False, True, False, True, False, False, False]
    assert asked[1].hint == "'abc' is not an order of A–D: type each letter once, earliest first."
    reviews = store.reviews()
    assert [(r.item_id, r.verdict, r.rating, r.correct) for r in reviews] == [
        (order.id, "exact", 3, True), (match.id, "near", 2, False),
        (plan[2].id, "near", 2, False), (plan[3].id, "wrong", 1, False),
        (plan[4].id, "wrong", 1, False)]
    # kept as the events themselves: letters depend on the seed and a retry's shuffle
    assert reviews[0].answer == "; ".join(order.options[i] for i in order.key)
    given = read_letters(match, partly(match))
    assert given is not None
    assert reviews[1].answer == "; ".join(f"{e}: {match.targets[k]}"
                                          for e, k in zip(match.options, given, strict=True))
    assert reviews[4].answer == "?"
    assert set(store.card_infos()) == {i.id for i in plan}, "learn mode schedules every one"
    assert (result.right, result.close, len(result.missed)) == (1, 2, 4)


def test_an_exam_counts_a_partly_right_answer_as_close(items: list[Item], store: Store) -> None:
    order, match = of_kind(items, "order")[0], of_kind(items, "match")[1]
    answers = {order.id: partly(order), match.id: right(match)}
    quiz = Quiz(store, Mode.EXAM, lambda: START, store.start_session("exam", 2, START))
    result = quiz.run([Planned(order), Planned(match)], lambda p: answers[p.item.id])
    summary = summarise(result, store, START)
    assert (summary.asked, summary.right, summary.close) == (2, 1, 1)
    flat = " ".join(" ".join(t for _, t in summary_lines(summary, 80, exam=True)).split())
    assert "Score: 1 of 2 right (50%), 1 close" in flat
    assert f"you: {partly(order)} (close, 5 of 6 pairs in order)" in flat
    assert " ".join(solution(order).split()) in flat


def test_retries_show_the_events_in_a_new_order_and_the_key_follows(items: list[Item]) -> None:
    rng = random.Random(5)
    for item in (i for i in items if i.kind in ("order", "match")):
        for _ in range(10):
            again = reshuffled(item, rng)
            assert again.id == item.id and again.options != item.options
            assert sorted(again.options) == sorted(item.options)
            # each event keeps its own date and, for a match, its own year
            before = dict(zip(item.options, item.notes, strict=True))
            assert dict(zip(again.options, again.notes, strict=True)) == before
            if item.kind == "order":
                assert [again.options[i] for i in again.key] == [item.options[i]
                                                                 for i in item.key]
                assert again.key != tuple(range(4)), "never shown already in order"
            else:
                assert again.targets == item.targets
                years = {item.options[n]: item.targets[k] for n, k in enumerate(item.key)}
                assert {again.options[n]: again.targets[k]
                        for n, k in enumerate(again.key)} == years


def test_a_flag_keeps_the_events_as_shown(items: list[Item], store: Store) -> None:
    match = of_kind(items, "match")[0]
    quiz = Quiz(store, Mode.PRACTICE, lambda: START, store.start_session("practice", 1, START))
    quiz.flag(match, "years unclear")
    (flag,) = store.flags()
    rows = flag.question.splitlines()
    assert rows[0] == match.question
    assert rows[1:5] == [f"{n}. {event}" for n, event in enumerate(match.options, start=1)]
    assert rows[5] == " · ".join(f"{'ABCD'[i]}) {y}" for i, y in enumerate(match.targets))
    assert flag.answer == solution(match) and "→" in flag.answer


# --- the screens -----------------------------------------------------------------------------


def texts(lines: list[tuple[str, str]]) -> list[str]:
    return [text for _style, text in lines]


@pytest.mark.parametrize("width", [79, 39])
def test_order_and_match_screens_wrap_at_the_width(items: list[Item], width: int) -> None:
    for item in (i for i in items if i.kind in ("order", "match")):
        lines, _focus = question_lines(Prompt(item, 1, 4), width)
        for given in (right(item), partly(item), wrong(item), "?"):
            result = grade(item, given)
            outcome = Outcome(item, result.given, result.verdict, result.rating, result.message,
                              1.0)
            lines += feedback_lines(outcome, width)[0]
        assert all(cells(text) <= width for text in texts(lines))


def test_order_feedback_gives_the_right_order_with_dates_and_the_pairs(items: list[Item]) -> None:
    item = of_kind(items, "order")[0]
    result = grade(item, partly(item))
    outcome = Outcome(item, result.given, result.verdict, result.rating, result.message, 1.0)
    lines, at = feedback_lines(outcome, 200)
    assert lines[at] == ("close", f"~ Partly right: 5 of 6 pairs in the right order. You typed "
                                  f"{partly(item)}. The right order: {right(item)}.")
    shown = texts(lines)
    start = shown.index("The right order, earliest first:")
    assert shown[start + 1:start + 5] == [
        f"  {n}. {'ABCD'[i]}) {item.options[i]} ({item.notes[i]})"
        for n, i in enumerate(item.key, start=1)]


def test_match_feedback_marks_each_row_with_the_right_year(items: list[Item]) -> None:
    item = of_kind(items, "match")[0]
    given = read_letters(item, partly(item))
    assert given is not None
    result = grade(item, partly(item))
    outcome = Outcome(item, result.given, result.verdict, result.rating, result.message, 1.0)
    lines, at = feedback_lines(outcome, 200)
    assert lines[at][1].startswith("~ Partly right: 2 of 4 events matched to their year.")
    rows = [t for t in texts(lines) if re.match(r"^[✓✗] \d\. ", t)]
    assert len(rows) == 4
    for n, (row, k) in enumerate(zip(rows, item.key, strict=True)):
        year = item.targets[k]
        head = f"{n + 1}. {item.options[n]} → {year} ({item.notes[n]})"
        if given[n] == k:
            assert row == f"✓ {head}"
        else:
            assert row == f"✗ {head}; you: {item.targets[given[n]]}"
    assert [r[0] for r in rows] == ["✗", "✗", "✓", "✓"]


def test_first_feedback_gives_each_events_date(items: list[Item]) -> None:
    item = next(i for i in items if i.template == "first")
    assert item.answer_index is not None
    miss = item.options[1 - item.answer_index]
    shown = texts(feedback_lines(Outcome(item, miss, Verdict.WRONG, AGAIN, "Wrong.", 1.0),
                                 200)[0])
    start = shown.index("When each happened:")
    assert shown[start + 1:start + 3] == [f"  {'AB'[i]}) {o} ({item.notes[i]})"
                                          for i, o in enumerate(item.options)]


def test_deck_text_of_every_part_is_escaped(items: list[Item]) -> None:
    """The loader refuses control characters, but the screens must not rely on it."""
    evil = "\x1b[2J\x1b]0;pwned\x07\u202e"
    for item in (i for i in items if i.kind in ("order", "match")):
        bad = dataclasses.replace(
            item, options=tuple(evil + o for o in item.options),
            notes=tuple(evil + n for n in item.notes),
            targets=tuple(evil + t for t in item.targets), statement=evil, explanation=evil)
        lines, _ = question_lines(Prompt(bad, 1, 1, hint=evil), 79)
        for given in (partly(bad), "?"):
            result = grade(bad, given)
            lines += feedback_lines(Outcome(bad, result.given, result.verdict, result.rating,
                                            result.message, 1.0), 79)[0]
        assert all(ch.isprintable() for text in texts(lines) for ch in text)
        assert any("\\x1b[2J" in text for text in texts(lines))


# --- the real program ------------------------------------------------------------------------


def quiz(deck: Path, db: Path, *args: str, rows: int = 24, columns: int = 80) -> Terminal:
    return Terminal(["quiz", "--decks", str(deck), "--db", str(db), "--seed", str(SEED), *args],
                    rows=rows, columns=columns, env=environment(HISTQUIZ_NOW=NOW))


def shown_item(term: Terminal, items: list[Item], kind: str) -> Item:
    """The item on screen, found by its events as the screen shows them (wrapped rows
    joined)."""
    rows = term.lines()
    at = next(n for n, row in enumerate(rows) if row.startswith(("Question ", "Retry ")))
    label = r"([A-E])\)" if kind == "order" else r"([1-5])\."
    events: dict[str, str] = {}
    current = ""
    for row in rows[at + 2:]:
        found = re.match(rf"^  {label} (.*)$", row)
        if found:
            current = found.group(1)
            events[current] = found.group(2)
        elif current and row.startswith("     ") and row.strip():
            events[current] += " " + row.strip()
        elif events:
            break
    options = tuple(events[k] for k in sorted(events))
    found_items = [i for i in items if i.kind == kind and i.options == options]
    assert found_items, f"no {kind} item shows {options}"
    return found_items[0]


def whole_page(term: Terminal) -> str:
    """The feedback page's words, scrolling down (↓) while it says there is more."""
    seen = term.flat()
    while "↓ more" in term.text():
        before = term.text()
        term.send("\x1b[B")
        term.wait(lambda t, before=before: t.text() != before)
        seen += " " + term.flat()
    return seen


def expect_question(term: Terminal, number: int, total: int) -> None:
    term.wait(f"Question {number} of {total}")
    term.wait(lambda t: "Your answer:" in t.text() and "Type the letters, then Enter" in t.flat())


@pytest.mark.parametrize("kind", ["order", "match"])
def test_pty_right_partly_right_wrong_and_unreadable_answers(deck: Path, db: Path,
                                                             items: list[Item],
                                                             kind: str) -> None:
    term = quiz(deck, db, "--kind", kind, "--count", "4")  # learn mode: ratings move FSRS
    term.wait("Learning: no reviews due, and 4 new items.")
    asked = []
    for n, how in enumerate(("unreadable", "right", "partly", "wrong"), start=1):
        expect_question(term, n, 4)
        item = shown_item(term, items, kind)
        asked.append(item)
        instruction = ("Type the letters A–D, the earliest event's first" if kind == "order"
                       else "Type the letter of each event's year, event 1's first")
        assert instruction in term.flat()
        if kind == "order":
            assert "Put these events in order, earliest first." in term.text()
        else:
            years = " · ".join(f"{'ABCD'[i]}) {y}" for i, y in enumerate(item.targets))
            assert f"  {years}" in term.lines()
        assert not term.screen.wrapped and not term.full_rows(), term.text()
        if how == "unreadable":
            term.send("a b\r")
            hint = ("'a b' is not an order of A–D: type each letter once, earliest first." if
                    kind == "order" else
                    "'a b' is not one of A–D per event: type each letter once, row 1's first.")
            term.wait(hint)
            assert sum(hint in row for row in term.lines()) == 1, "a one-line hint"
            with Store.open(db) as store:
                assert store.reviews() == [], "asked again, not marked"
            typed = ", ".join(right(item)[:2].lower()) + " " + " ".join(right(item)[2:].lower())
            term.send(typed + "\r")
            term.wait(f"✓ Right: {right(item)}.")
        elif how == "right":
            term.send(right(item) + "\r")
            term.wait(f"✓ Right: {right(item)}.")
        elif how == "partly":
            term.send(partly(item).lower() + "\r")
            unit = ("5 of 6 pairs in the right order" if kind == "order"
                    else "2 of 4 events matched to their year")
            term.wait(f"~ Partly right: {unit}. You typed {partly(item)}.")
        else:
            term.send(" ".join(wrong(item)) + "\r")
            unit = ("0 of 6 pairs in the right order" if kind == "order"
                    else "0 of 4 events matched to their year")
            term.wait(f"✗ Wrong: {unit}. You typed {wrong(item)}.")
        term.wait("Enter: next")
        page = whole_page(term)
        if kind == "order":
            assert "The right order, earliest first:" in page
            for place, i in enumerate(item.key, start=1):
                assert f"{place}. {'ABCD'[i]}) {item.options[i]} ({item.notes[i]})" in page
        else:
            given = read_letters(item, {"partly": partly(item), "wrong": wrong(item)}.get(
                how, right(item)))
            assert given is not None
            for row, k in enumerate(item.key):
                mark = "✓" if given[row] == k else "✗"
                year = item.targets[k]
                text = f"{mark} {row + 1}. {item.options[row]} → {year} ({item.notes[row]})"
                if given[row] != k:
                    text += f"; you: {item.targets[given[row]]}"
                assert text in page, page
        assert item.statement in page
        term.send("\r")
    term.wait("Try the 2 missed questions again?")
    # the summary's top has scrolled away at 24 rows: the long answers of the misses follow it
    unit = "pairs in order" if kind == "order" else "years right"
    assert f"you: {partly(asked[2])} (close, {2 if kind == 'match' else 5} of" in term.flat()
    assert f"you: {wrong(asked[3])} (wrong, 0 of {6 if kind == 'order' else 4} {unit})" \
        in term.flat()
    term.send("n")
    term.wait("Saved: 4 answers in this session.")
    assert term.finish() == 0
    with Store.open(db) as store:
        reviews = store.reviews()
        assert [(r.item_id, r.verdict, r.rating) for r in reviews] == [
            (asked[0].id, "exact", 3), (asked[1].id, "exact", 3), (asked[2].id, "near", 2),
            (asked[3].id, "wrong", 1)]
        assert set(store.card_infos()) == {i.id for i in asked}
        first = asked[1].options[asked[1].key[0]] if kind == "order" else (
            f"{asked[1].options[0]}: {asked[1].targets[asked[1].key[0]]};")
        assert reviews[1].answer.startswith(first), "the events kept, not the letters"


def test_pty_a_question_taller_than_the_screen_scrolls(deck: Path, db: Path,
                                                      items: list[Item]) -> None:
    term = quiz(deck, db, "--kind", "order", "--count", "1", "--mode", "practice")
    term.wait("Your answer:")
    assert re.search(r"^  A\) ", term.text(), re.M) and "more ·" not in term.text()
    term.resize(12, 40)  # now too small: the instructions and the answer line stay in view
    term.wait("↑ more")
    term.wait("spaces and commas are fine.")
    assert not re.search(r"^  A\) ", term.text(), re.M), term.text()
    assert "Your answer:" in term.text()
    for _ in range(20):
        if re.search(r"^  A\) ", term.text(), re.M):
            break
        before = term.text()
        term.send("\x1b[A")
        term.wait(lambda t, before=before: t.text() != before)
    assert re.search(r"^  A\) ", term.text(), re.M), term.text()
    assert "Your answer:" in term.text() and not term.screen.wrapped
    term.send("?\r")
    term.wait("Not answered.")
    term.send("\r")
    term.wait("Try the 1 missed question again?")
    term.send("n")
    assert term.finish() == 0


def test_pty_true_statement_and_first_feedback(deck: Path, db: Path, items: list[Item]) -> None:
    term = quiz(deck, db, "--kind", "choice", "--tag", "statements", "--count", "2",
                "--mode", "practice")
    seen = set()
    for n in (1, 2):
        term.wait(f"Question {n} of 2")
        term.wait_keys(QUESTION_KEYS)
        template = "true-statement" if "Which of these statements is true?" in term.text() \
            else "first"
        item = next(i for i in items if i.template == template)
        assert item.answer_index is not None
        miss = (item.answer_index + 1) % len(item.options)
        term.send("abc"[miss] + "\r")
        term.wait("✗ Wrong: you chose")
        term.wait_keys(FEEDBACK_KEYS)
        page = whole_page(term)
        if template == "true-statement":
            assert "Why the others are false:" in page
            for option, note in zip(item.options, item.notes, strict=True):
                if note:
                    assert f"{option} {note}" in page
        else:
            assert "When each happened:" in page
            for letter, option, note in zip("AB", item.options, item.notes, strict=True):
                assert f"{letter}) {option} ({note})" in page
        seen.add(template)
        term.send("\r")
    assert seen == {"true-statement", "first"}
    term.wait("Try the 2 missed questions again?")
    term.send("n")
    assert term.finish() == 0


@pytest.mark.parametrize("kind", ["order", "match"])
def test_piped_input_asks_order_and_match_as_plain_lines(deck: Path, db: Path,
                                                         items: list[Item], kind: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "histquiz", "quiz", "--decks", str(deck), "--db", str(db),
         "--seed", str(SEED), "--kind", kind, "--count", "1", "--mode", "practice"],
        input="x y\nb, a d c\nn\n", capture_output=True, text=True, timeout=60,
        env=environment(HISTQUIZ_NOW=NOW))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b[" not in out and "Traceback" not in result.stderr
    assert "'x y' is not" in out
    label = r"[A-D]\)" if kind == "order" else r"[1-4]\."
    heads = re.findall(rf"^  {label} (.+)$", out, re.M)[:4]
    (item,) = [i for i in items if i.kind == kind
               and all(o.startswith(h) for o, h in zip(i.options, heads, strict=True))]
    expected = grade(item, "BADC")
    assert expected.final
    with Store.open(db) as store:
        (review,) = store.reviews()
    assert (review.item_id, review.verdict, review.rating) == (
        item.id, expected.verdict.value, expected.rating)
    assert "You typed BADC" in out or "✓ Right: BADC." in out

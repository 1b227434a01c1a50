"""What a student sees and can do at a terminal, checked on the screen a terminal would show
(pyte), at 80x24 and at 40x12: wrapping, the pause after feedback, the keys, undo and flags,
reading dates, the end of a session, the statistics and the progress file's errors.

Each test is named for the point of issue 14 it covers."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler
from quiz_pty import FEEDBACK_KEYS, QUESTION_KEYS, Terminal, environment, unprivileged

from histquiz import Item, generate, load_decks
from histquiz.dates import HistDate
from histquiz.quiz.session import Mode, Planned, Quiz, retry_plan
from histquiz.quiz.store import Store, card_id_for

MINI = Path(__file__).parent / "data" / "good" / "mini.yaml"
NOW = "2025-03-03T09:00:00+00:00"
START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
LONG = "India and the USSR agree that the Soviet Union will launch an Indian satellite from Soviet soil"
SCREEN_DECK = f"""
deck:
  id: screen
  title: Screen tests
  description: Long options, numbers and one full date, for the terminal tests.
sources:
  ref:
    title: A reference work with a long title that goes on and on about the space programme
    publisher: Test Press
    date: 2001-05
    url: https://example.org/a/very/long/address/that/will/not/fit/on/one/line/of/a/small/terminal/index.html
  other:
    title: Another reference work, also with a title long enough to wrap on a small terminal
    publisher: Second Press
    date: 2003-01
    url: https://example.org/another/long/address/for/the/second/source/of/this/fact/page.html
facts:
  - id: pilots
    statement: Six pilots were trained.
    topic: numbers
    sources: [ref]
    explanation: Six of them.
    questions:
      - id: how-many
        ask: How many pilots were trained?
        answer: 6
        kind: number
  - id: launch
    statement: The Soviet Union agreed to launch an Indian satellite.
    topic: wrapping
    sources: [ref, other]
    explanation: >-
      The agreement was signed in 1972 between the Indian Space Research Organisation and the
      Soviet Academy of Sciences, and the satellite, Aryabhata, went up three years later from
      Kapustin Yar on a Soviet Kosmos rocket; the launch cost India nothing but the data.
    note: >-
      Accounts differ on who first proposed the launch, and on how much of the satellite's
      design came from Soviet engineers; the question asks only about the agreement itself.
    questions:
      - id: what
        ask: What did India and the USSR agree in 1972, after two years of talks between their space agencies?
        answer: {LONG}
        kind: text
        distractors:
          - India and the USSR agree to build a joint research station in Antarctica by the end of the decade
          - India and the USSR agree that Indian cosmonauts will train at Star City for a joint flight
          - India and the USSR agree to share weather data from their satellites every day of the year
  - id: friendship
    statement: The two states signed a treaty of friendship.
    event: A treaty of friendship is signed
    when: was the treaty of friendship signed
    date: 1971-08-09
    topic: dates
    sources: [ref]
    explanation: It ran for twenty years.
"""


@pytest.fixture
def decks(tmp_path: Path) -> list[Path]:
    screen = tmp_path / "screen.yaml"
    screen.write_text(SCREEN_DECK, encoding="utf-8")
    return [MINI, screen]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


def quiz(decks: list[Path], db: Path, *args: str, rows: int = 24, columns: int = 80,
         now: str = NOW, **env: str) -> Terminal:
    deck_args = [a for d in decks for a in ("--decks", str(d))]
    return Terminal(["quiz", *deck_args, "--db", str(db), "--seed", "1", *args], rows=rows,
                    columns=columns, env=environment(HISTQUIZ_NOW=now, **env))


def begin(term: Terminal) -> None:
    """Past the intro's own page, which a small screen shows before the first question."""
    term.wait(lambda t: "Question 1 of" in t.text() or "Enter: start" in t.text())
    if "Enter: start" in term.text():
        term.send("\r")
    term.wait("Question 1 of")


def items_of(decks: list[Path]) -> list[Item]:
    # the same call the quiz makes for --seed 1, so options match the screen
    return generate(load_decks([str(d) for d in decks]), 1)


def the_item(decks: list[Path], item_id: str) -> Item:
    return next(i for i in items_of(decks) if i.id == item_id)


def option_block(term: Terminal, letter: str) -> list[str]:
    """The screen rows of one option: its first row and the rows indented under it."""
    rows = term.lines()
    start = next(n for n, row in enumerate(rows) if re.match(rf"^[ ›>] {letter}\) ", row))
    block = [rows[start]]
    for row in rows[start + 1:]:
        if not row.startswith("     ") or not row.strip():
            break
        block.append(row)
    return block


def option_text(term: Terminal, letter: str) -> str:
    block = option_block(term, letter)
    return " ".join([re.sub(r"^[ ›] [A-E]\) ", "", block[0]), *(row.strip() for row in block[1:])])


def near_miss(d: HistDate) -> str:
    """A date a near miss off ``d``, at its precision."""
    if d.month is None:
        return str(d.year + 1)
    if d.day is None:
        return HistDate(d.year + (d.month == 12), d.month % 12 + 1).display()
    moved = date(d.year, d.month, d.day) + timedelta(days=2)
    return HistDate(moved.year, moved.month, moved.day).display()


def right_answer(item: Item) -> int | str:
    """The right answer as the quiz takes it: an option's index, letters (order: earliest
    first; match: each row's year) or a date."""
    if item.kind == "choice" and item.answer_index is not None:
        return item.answer_index
    if item.kind in ("order", "match"):
        return "".join("ABCDE"[i] for i in item.key)
    return item.answer


def pointed(term: Terminal) -> str:
    """The letter of the option pointed at ("" while the screen is being drawn)."""
    return next((row[2] for row in term.lines() if row.startswith("› ")), "")


# --- 1. reading ------------------------------------------------------------------------------


@pytest.mark.parametrize(("rows", "columns"), [(24, 80), (12, 40)], ids=["80x24", "40x12"])
def test_1_options_and_stems_wrap_under_their_letter(decks: list[Path], db: Path, rows: int,
                                                     columns: int) -> None:
    item = the_item(decks, "screen/launch/choice-what")
    term = quiz(decks, db, "--mode", "practice", "--topic", "wrapping", rows=rows, columns=columns)
    begin(term)
    term.wait(lambda t: "D)" in t.text() or "↓ more" in t.text())
    for index, option in enumerate(item.options):
        letter = "ABCD"[index]
        if index:  # point at it: a small screen keeps the option pointed at in view
            term.send("\x1b[B")
            term.wait(lambda t, letter=letter: pointed(t) == letter)
        block = option_block(term, letter)
        assert option_text(term, letter) == option, block
        assert all(row.startswith("     ") and row[5] != " " for row in block[1:]), block
    assert not term.screen.wrapped, "nothing may be left for the terminal to break"
    assert " ".join(item.question.split()) in term.flat() or columns == 40
    term.send("q")
    assert term.finish() == 0


@pytest.mark.parametrize(("rows", "columns"), [(24, 80), (12, 40)], ids=["80x24", "40x12"])
def test_1_feedback_waits_for_enter_and_the_next_question_starts_clean(
        decks: list[Path], db: Path, rows: int, columns: int) -> None:
    term = quiz(decks, db, "--mode", "practice", "--topic", "wrapping,numbers", "--count", "2",
                rows=rows, columns=columns)
    begin(term)
    term.wait_keys(QUESTION_KEYS)
    first = "How many pilots" if "How many pilots" in term.text() else "What did India"
    term.send("b\r")
    term.wait("Wrong: you chose B)")
    screen = term.wait_keys(FEEDBACK_KEYS)  # the key line is drawn last: the screen is whole
    assert "Question 2 of 2" not in screen
    # the verdict is on screen even when the page is taller than it
    assert screen.index("Question 1 of 2") < screen.index("✗ Wrong")
    if rows == 12:
        assert "↓ more" in term.flat()
        term.send(" ")  # Space scrolls a long page
        term.wait(term.gone("Question 1 of 2"))
        assert "Question 2 of 2" not in term.text()
    term.send("\r")
    term.wait("Question 2 of 2")
    assert "Wrong: you chose" not in term.text() and first not in term.flat()
    assert term.lines()[0].startswith("Question 2 of 2"), "a clean screen, from the top"
    term.send("q")
    term.wait("Stopped.")
    assert term.finish() == 0


def test_1_intro_and_piped_hints_wrap_at_word_boundaries(decks: list[Path], db: Path,
                                                         tmp_path: Path) -> None:
    with Store.open(db) as store:  # some history, for the welcome-back line
        session = store.start_session("practice", 1, START - timedelta(days=1))
        item = items_of(decks)[0]
        Quiz(store, Mode.PRACTICE, lambda: START - timedelta(days=1), session).run(
            [Planned(item)], lambda _p: "?")
    term = quiz(decks, db, "--mode", "practice", "--topic", "dates", "--kind", "date",
                rows=12, columns=40)
    # at 40x12 the intro does not fit above the question: it has a page of its own
    term.wait("Enter: start")
    assert "Welcome back: 1 answer so far" in term.flat()
    assert "Practice: 1 question; the schedule is left alone." in term.flat()
    assert "Keys: a letter or ↑↓ then Enter to answer" in term.flat()
    assert not term.screen.wrapped and not term.full_rows(), term.text()
    term.send("\r")
    term.wait("Question 1 of 1")
    assert not term.screen.wrapped and not term.full_rows(), term.text()
    term.send("q\r")
    term.finish()
    # piped answers, the output on a 40-column terminal
    deck_args = " ".join(f"--decks {d}" for d in decks)
    piped = Terminal([], rows=60, columns=40, env=environment(HISTQUIZ_NOW=NOW),
                     shell=f"printf 'nonsense\\nq\\n' | {sys.executable} -m histquiz quiz "
                           f"{deck_args} --db {tmp_path / 'piped.sqlite3'} --seed 1 "
                           "--topic dates --kind date --mode practice")
    piped.wait("Stopped.")
    assert piped.finish() == 0
    assert "no terminal, so the questions come as plain lines" in piped.flat()
    assert "is not a date I can read" in piped.flat()
    assert not piped.screen.wrapped, piped.text()


def duplicated(term: Terminal) -> list[str]:
    rows = [row for row in term.lines() if row.strip()]
    return sorted({row for row in rows if rows.count(row) > 1})


@pytest.mark.parametrize("kind", ["choice", "date"])
def test_1_resizing_mid_question_redraws_it_once(decks: list[Path], db: Path, kind: str) -> None:
    topic = "wrapping" if kind == "choice" else "dates"
    term = quiz(decks, db, "--mode", "practice", "--topic", topic, "--kind", kind)
    term.wait("What did India" if kind == "choice" else "On what date was the treaty")
    term.wait(lambda t: bool(re.search(r"Your answer|then Enter", t.text())))
    typed = ""
    for rows, columns, key, shown in ((12, 40, "\x1b[B", r"^\s*[›»] B\)"),
                                      (24, 80, "\x1b[A", r"^\s*[›»] A\)"),
                                      (10, 30, "\x1b[B", r"^\s*[›»] B\)")):
        term.resize(rows, columns)
        # a key after the resize: once its redraw is on screen, so is the resize's
        if kind == "choice":
            term.send(key)
            term.wait(lambda t, shown=shown: any(re.match(shown, row) for row in t.lines()))
        else:
            typed += str(rows)[0]
            term.send(typed[-1])
            term.wait(lambda t, typed=typed: any(row.endswith(f" {typed}") for row in t.lines()))
        assert not duplicated(term), "\n".join(term.lines())
        assert not term.screen.wrapped, "\n".join(term.lines())
    term.send("q" if kind == "choice" else "\x04")
    assert term.finish() == 0


# --- 2. keys -----------------------------------------------------------------------------


def test_2_a_digit_never_picks_an_option(decks: list[Path], db: Path) -> None:
    item = the_item(decks, "screen/pilots/choice-how-many")
    assert all(o.isdigit() for o in item.options) and item.options[3] != "4"
    term = quiz(decks, db, "--mode", "practice", "--topic", "numbers")
    term.wait("How many pilots")
    assert "A–D or ↑↓, then Enter" in term.flat(), "the keys shown are letters"
    term.send("4")
    term.wait("Press a letter, A–D")
    assert pointed(term) == "A", "4 must not move the pointer"
    letter = "ABCD"[item.options.index("6")]
    term.send(letter.lower() + "\r")
    term.wait(f"✓ Right: {letter}) 6.")
    term.send("q")
    term.finish()


def test_2_question_mark_means_i_dont_know_on_a_choice(decks: list[Path], db: Path) -> None:
    item = the_item(decks, "screen/pilots/choice-how-many")
    letter = "ABCD"[item.options.index("6")]
    term = quiz(decks, db, "--mode", "practice", "--topic", "numbers")
    term.wait("How many pilots")
    term.send("?")
    term.wait(f"✗ Not answered. The answer is {letter}) 6.")
    term.send("\r")
    term.wait("Try the 1 missed question again?")
    term.send("n")
    term.wait("Saved: 1 answer in this session.")
    with Store.open(db) as store:
        assert [(r.answer, r.rating) for r in store.reviews()] == [("?", 1)]
    assert term.finish() == 0


STOPS = [
    pytest.param("choice", "q", id="choice-q"),
    pytest.param("choice", "\x1b", id="choice-esc"),
    pytest.param("choice", "\x04", id="choice-ctrl-d"),
    pytest.param("date", "quit\r", id="date-quit"),
    pytest.param("date", "q\r", id="date-q"),
    pytest.param("date", "\x04", id="date-ctrl-d"),
    pytest.param("feedback", "q", id="feedback-q"),
    pytest.param("feedback", "\x1b", id="feedback-esc"),
]


@pytest.mark.parametrize(("where", "keys"), STOPS)
def test_2_q_esc_and_ctrl_d_stop_with_the_summary(decks: list[Path], db: Path, where: str,
                                                  keys: str) -> None:
    # one question answered ("I don't know"), so the summary has a score and a miss to show
    only = ["--topic", "dates,diplomacy", "--kind", "date"] if where == "date" else [
        "--topic", "numbers,wrapping"]
    term = quiz(decks, db, "--mode", "practice", *only, "--count", "2")
    term.wait("Question 1 of 2")
    term.wait_keys(QUESTION_KEYS)
    rows = term.lines()
    question = rows[next(n for n, row in enumerate(rows) if row.startswith("Question 1")) + 1]
    term.send("?\r" if where == "date" else "?")
    term.wait("Not answered.")
    if where != "feedback":
        term.send("\r")
        term.wait("Question 2 of 2")
        term.wait_keys(QUESTION_KEYS)
    term.send(keys)
    term.wait("Stopped. Your progress is saved: 1 answer in this session.")
    screen = term.flat()
    assert "Session summary (stopped early)" in screen
    assert "Score: 0 of 1 right (0%)" in screen and "Missed (1)" in screen
    assert " ".join(question.split()) in screen
    assert term.finish() == 0


def test_2_esc_then_typing_a_date_keeps_every_digit(decks: list[Path], db: Path) -> None:
    term = quiz(decks, db, "--mode", "practice", "--topic", "dates", "--kind", "date")
    term.wait("On what date was the treaty of friendship signed?")
    term.send("\x1b9 August 1971\r")  # Esc, then typing at once
    term.wait("✓ Right: 9 August 1971.")
    term.send("\r")
    assert term.finish() == 0


def test_2_undo_takes_the_answer_back_and_the_store_is_as_before(decks: list[Path],
                                                                 db: Path) -> None:
    term = quiz(decks, db, "--topic", "dates", "--kind", "date")  # learn mode: FSRS moves
    term.wait("On what date")
    term.send("1 January 1960\r")
    term.wait("✗ Wrong")
    with Store.open(db) as store:
        assert len(store.reviews()) == 1 and store.card("screen/friendship/date-recall")
    term.send("u")
    term.wait("Your last answer was taken back: answer again.")
    with Store.open(db) as store:
        assert store.reviews() == [] and store.card_infos() == {}
    term.send("9 August 1971\r")
    term.wait("✓ Right")
    term.send("\r")
    assert term.finish() == 0
    with Store.open(db) as store:
        reviews = store.reviews()
        assert [(r.answer, r.rating) for r in reviews] == [("9 August 1971", 3)]
        card = store.card("screen/friendship/date-recall")
    expected, _ = Scheduler(enable_fuzzing=False).review_card(
        Card(card_id=card_id_for("screen/friendship/date-recall"), due=reviews[0].at),
        Rating.Good, review_datetime=reviews[0].at)
    assert card is not None and card.to_dict() == expected.to_dict()


def test_2_undo_from_the_next_question(decks: list[Path], db: Path) -> None:
    term = quiz(decks, db, "--mode", "exam", "--topic", "numbers,wrapping", "--count", "2")
    term.wait("Question 1 of 2")
    term.send("?")
    term.wait("Question 2 of 2")
    term.send("u")
    term.wait("Question 1 of 2")
    term.wait("Your last answer was taken back")
    with Store.open(db) as store:
        assert store.reviews() == []
    term.send("q")
    term.wait("Stopped.")
    assert term.finish() == 0


def test_2_flag_a_question_then_histquiz_flags_lists_it(decks: list[Path], db: Path) -> None:
    item = the_item(decks, "screen/pilots/choice-how-many")
    letter = "ABCD"[item.options.index("6")]
    term = quiz(decks, db, "--mode", "practice", "--topic", "numbers")
    term.wait("How many pilots")
    term.send("f")
    term.wait("Flag this question as wrong or unclear")
    term.send("six or seven? the source is unclear\r")
    term.wait("Flag saved, thank you")
    term.send(f"{letter.lower()}\r")
    term.wait("✓ Right")
    term.send("f")  # on the feedback page
    term.wait("Comment:")
    term.send("\x1b")  # Esc cancels a flag
    term.wait("Enter: next")
    assert "Flag saved" not in term.text()
    term.send("f")
    term.wait("Comment:")
    term.send("the explanation is short\r")
    term.wait("Flag saved, thank you")
    assert "✓ Right" in term.text(), "back on the same feedback page"
    term.send("\r")
    assert term.finish() == 0
    with Store.open(db) as store:  # a comment with a terminal escape in it, as a prank would
        store.add_flag(None, "mini/pact/date-recall", "In what year?", "1955",
                       "\x1b[31mred\x1b[0m and \x07", START)
    listing = Terminal(["flags", "--db", str(db)], rows=40)
    listing.wait("3 flags in")
    assert listing.finish() == 0
    flat = listing.flat()
    assert "screen/pilots/choice-how-many" in flat
    assert "question: How many pilots were trained?" in flat
    assert f"answer: {letter}) 6" in flat and "comment: six or seven? the source is unclear" in flat
    assert "comment: the explanation is short" in flat
    assert "comment: \\x1b[31mred\\x1b[0m and \\x07" in flat
    assert all(char.fg == "default" for row in listing.screen.buffer.values()
               for char in row.values()), "no colour reached the terminal"


def test_2_key_help_at_the_start_and_on_h(decks: list[Path], db: Path) -> None:
    term = quiz(decks, db, "--mode", "practice", "--topic", "numbers")
    term.wait("How many pilots")
    assert "Keys: a letter or ↑↓ then Enter to answer · ? I don't know · u undo" in term.flat()
    term.send("h")
    term.wait("undo: take your last answer back and answer again")
    assert "flag the question as wrong or unclear" in term.flat()
    term.send("h")
    term.wait(term.gone("undo: take your last answer back"))
    term.wait("How many pilots")
    term.send("q")
    term.finish()


# --- 3. dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "shown"), [
    pytest.param("8/9/1971", "You typed 8/9/1971, read as 8 September 1971 (numbers with "
                 "slashes or dots are read day first).", id="read-as"),
    pytest.param("4 February 1955", "✗ Wrong: off by 16 years, 6 months and 5 days (early).",
                 id="years-months-days"),
    pytest.param("August 1971", "~ Close: the right month, without the day. The answer is "
                 "9 August 1971.", id="month-and-year"),
])
def test_3_dates_are_read_back_and_misses_told_as_a_person_would(
        decks: list[Path], db: Path, typed: str, shown: str) -> None:
    term = quiz(decks, db, "--topic", "dates", "--kind", "date")
    term.wait("On what date")
    term.send(typed + "\r")
    term.wait(shown)
    term.send("\r")
    term.wait("Try the 1 missed question again?")  # close is not right: offered again
    term.send("n")
    assert term.finish() == 0
    with Store.open(db) as store:
        rating = store.reviews()[0].rating
    assert rating == (2 if typed == "August 1971" else 1)


def test_3_a_year_outside_the_decks_is_asked_again(decks: list[Path], db: Path) -> None:
    term = quiz(decks, db, "--topic", "dates", "--kind", "date")
    term.wait("On what date")
    term.send("9 August 971\r")
    term.wait("outside the years these questions cover (1950–2029)")
    assert "Wrong" not in term.text()
    with Store.open(db) as store:
        assert store.reviews() == []
    term.send("9 August 1971\r")
    term.wait("✓ Right")
    term.send("\r")
    assert term.finish() == 0


# --- 4. ending and results ---------------------------------------------------------------------


def test_4_ctrl_c_in_an_exam_shows_the_score_and_misses(decks: list[Path], db: Path) -> None:
    term = quiz(decks, db, "--mode", "exam", "--topic", "numbers,dates", "--kind", "choice,date",
                "--count", "3")
    answered = 0
    while answered < 2:
        term.wait(f"Question {answered + 1} of 3")
        if "How many pilots" in term.text():
            term.send("a\r")  # right
        elif "Type the date" in term.text():
            term.send("1 January 1960\r")  # wrong
        else:
            term.send("?")
        answered += 1
    term.wait("Question 3 of 3")
    term.child.sendintr()
    term.wait("Exam result (stopped early)")
    term.wait("Stopped. Your progress is saved: 2 answers")
    screen = term.flat()
    assert re.search(r"Score: [0-2] of 2 right", screen) and "Missed (" in screen
    assert term.finish() == 130


def test_4_stats_memory_is_recall_a_week_on_and_explained(tmp_path: Path, db: Path) -> None:
    items = generate(load_decks([MINI]), 1)
    cold = [i for i in items if i.topic == "cold-war"]
    science = [i for i in items if i.topic == "science"]
    moment = [START]
    with Store.open(db) as store:
        quiz_ = Quiz(store, Mode.LEARN, lambda: moment[0], store.start_session("learn", 30, START))
        for _round in range(5):
            quiz_.run([Planned(i) for i in cold], lambda p: "?")
            quiz_.run([Planned(i) for i in science], lambda p: right_answer(p.item))
            moment[0] += timedelta(hours=1)
    term = Terminal(["stats", "--db", str(db)],
                    env=environment(HISTQUIZ_NOW="2025-03-03T14:00:00+00:00"))
    term.wait("In a week")
    assert term.finish() == 0
    rows = {row.split()[0]: row for row in term.lines() if row.startswith("  ")}
    recall = {name: int(re.findall(r"(\d+)%", rows[name])[-1]) for name in ("Cold", "Science")}
    assert recall["Cold"] < 70 < recall["Science"], term.text()
    assert "In a week: the chance, by FSRS, that you would still recall" in term.flat()
    # every line fits, but for the store's path, kept whole to be copied
    assert all(len(line) < 80 for line in term.logical() if not line.startswith("Progress"))


def test_4_every_count_means_one_thing(decks: list[Path], db: Path) -> None:
    items = items_of(decks)
    reviews = [i for i in items if i.kind == "date" and i.deck == "mini"][:5]
    with Store.open(db) as store:
        earlier = START - timedelta(days=3)
        q = Quiz(store, Mode.LEARN, lambda: earlier, store.start_session("learn", 5, earlier))
        first = q.run([Planned(i) for i in reviews], lambda p: (
            "?" if p.item is reviews[0] else p.item.answer))
        q.run(retry_plan(first.outcomes), lambda p: p.item.answer, retry=True)
    # the intro says how many reviews this session asks of how many are due
    term = quiz(decks, db, "--count", "2", "--new-per-day", "0")
    term.wait("Learning: 2 of the 5 reviews due, and 0 new items.")
    term.wait("Welcome back: 5 answers so far")
    # a near miss counts as close, not right, in the session's score
    for n in (1, 2):
        term.wait(f"Question {n} of 2")
        term.wait_keys(QUESTION_KEYS)
        item = next(i for i in reviews if " ".join(i.question.split()) in term.flat())
        assert item.answer_date is not None
        term.send(near_miss(item.answer_date) + "\r")
        term.wait("Close:")
        term.send("\r")
    term.wait("Score: 0 of 2 right (0%), 2 close")
    term.send("n")
    term.wait("Saved: 2 answers in this session")
    assert term.finish() == 0
    stats = Terminal(["stats", "--db", str(db)], rows=50, env=environment(HISTQUIZ_NOW=NOW))
    stats.wait("Recent sessions")
    assert stats.finish() == 0
    assert "7 answers · 1 retry · 5 items seen" in stats.flat()
    row = re.compile(r"^  (\D+?)\s+(\d+)\s+(\d+)\s+(\d+%)\s+(\d+%)\s+(\S+)")
    table = [m.groups() for m in map(row.match, stats.lines()) if m]
    assert table and sum(int(t[2]) for t in table) == 7, stats.text()
    assert re.search(r"learn\s+0/2 right", stats.text()), "near misses are not right there either"


def test_4_retries_reshuffle_the_options(decks: list[Path], db: Path) -> None:
    item = the_item(decks, "screen/launch/choice-what")
    assert item.answer_index is not None and not item.ordered
    term = quiz(decks, db, "--mode", "exam", "--topic", "wrapping")
    term.wait("Question 1 of 1")
    term.wait_keys(QUESTION_KEYS)
    first = [option_text(term, letter) for letter in "ABCD"]
    assert first == list(item.options)
    term.send("abcd"[(item.answer_index + 1) % 4] + "\r")
    term.wait("Try the 1 missed question again?")
    term.send("y")
    term.wait("Retry 1 of 1")
    term.wait_keys(QUESTION_KEYS)
    again = [option_text(term, letter) for letter in "ABCD"]
    assert sorted(again) == sorted(first)
    assert again.index(LONG) != first.index(LONG), "the answer is under another letter"
    term.send("abcd"[again.index(LONG)] + "\r")
    term.wait("✓ Right")
    term.send("\r")
    term.wait("Retry: 1 of 1 right.")
    term.wait("Saved: 1 answer and 1 retry in this session.")
    assert term.finish() == 0


def test_4_the_next_review_is_shown_and_mistakes_can_be_practised(decks: list[Path],
                                                                 db: Path) -> None:
    item = the_item(decks, "screen/pilots/choice-how-many")
    term = quiz(decks, db, "--topic", "numbers")
    term.wait("How many pilots")
    term.send("abcd"[item.options.index("6")] + "\r")
    term.wait("Next review in 10 minutes.")
    term.send("\r")
    assert term.finish() == 0
    missed = the_item(decks, "screen/friendship/date-recall")
    with Store.open(db) as store:  # a miss two days ago
        earlier = START - timedelta(days=2)
        Quiz(store, Mode.LEARN, lambda: earlier, store.start_session("learn", 1, earlier)).run(
            [Planned(missed)], lambda _p: "1 January 1960")
    mistakes = quiz(decks, db, "--mode", "mistakes", "--days", "7")
    mistakes.wait("Your mistakes: 1 question missed in the last 7 days")
    mistakes.wait("On what date was the treaty of friendship signed?")
    mistakes.send("9 August 1971\r")
    mistakes.wait("✓ Right")
    assert "Next review" not in mistakes.text(), "mistakes mode leaves the schedule alone"
    mistakes.send("\r")
    assert mistakes.finish() == 0
    with Store.open(db) as store:
        assert [r.mode for r in store.reviews()][-1] == "mistakes"
    none_left = quiz(decks, db, "--mode", "mistakes")
    none_left.wait("No mistakes to practise")
    assert none_left.finish() == 0


# --- 5. the progress file ---------------------------------------------------------------------

needs_unprivileged = pytest.mark.skipif(
    unprivileged() == ["<no setpriv>"], reason="running as root without setpriv")


def made_store(db: Path) -> None:
    with Store.open(db) as store:
        session = store.start_session("learn", 1, START)
        item = generate(load_decks([MINI]), 1)[0]
        Quiz(store, Mode.LEARN, lambda: START, session).run([Planned(item)], lambda _p: "?")


@needs_unprivileged
def test_5_stats_on_a_read_only_store_leaves_nothing_behind(tmp_path: Path, db: Path) -> None:
    made_store(db)
    db.chmod(0o444)
    try:
        term = Terminal(["stats", "--db", str(db)], prefix=unprivileged(),
                        env=environment(HISTQUIZ_NOW=NOW))
        term.wait("By topic")
        assert term.finish() == 0
        assert "1 answer · 0 retries · 1 item seen" in term.flat()
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(db.name)) == [
            db.name], "no -wal or -shm left beside a read-only store"
    finally:
        db.chmod(0o644)
    with Store.open(db) as store:  # and once writable again, the quiz can use it at once
        store.start_session("learn", 1, START)


@needs_unprivileged
def test_5_the_quiz_checks_the_store_before_anything_else(decks: list[Path], tmp_path: Path,
                                                          db: Path) -> None:
    made_store(db)
    db.chmod(0o444)
    try:
        term = Terminal(["quiz", "--decks", str(MINI), "--db", str(db)], prefix=unprivileged(),
                        env=environment(HISTQUIZ_NOW=NOW))
        term.wait("histquiz: error:")
        assert term.finish() == 1
        errors = [line for line in term.logical() if line]
        assert len(errors) == 1, "nothing is shown before the store is known to be usable"
        assert (f"histquiz: error: cannot write the progress store {db}: it is read-only; make "
                f"it writable (chmod u+w {db})") in errors[0]
    finally:
        db.chmod(0o644)


@needs_unprivileged
def test_5_a_folder_that_cannot_be_written_is_named_with_the_fix(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        term = Terminal(["quiz", "--decks", str(MINI), "--db", str(folder / "p.sqlite3")],
                        prefix=unprivileged(), env=environment(HISTQUIZ_NOW=NOW))
        term.wait("histquiz: error:")
        assert term.finish() == 1
        errors = [line for line in term.logical() if line]
        assert len(errors) == 1 and errors[0].startswith("histquiz: error: ")
        assert (f"cannot create the progress store {folder / 'p.sqlite3'}: the folder {folder} "
                f"is not writable; make it writable (chmod u+w {folder})") in errors[0]
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("command", ["quiz", "stats", "flags"])
def test_5_histquiz_home_pointing_at_a_file_is_one_clear_line(tmp_path: Path,
                                                              command: str) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("x")
    args = [command, "--decks", str(MINI)] if command == "quiz" else [command]
    term = Terminal(args, env=environment(HISTQUIZ_NOW=NOW, HISTQUIZ_HOME=str(home)))
    term.wait("histquiz: error:")
    assert term.finish() == 1
    errors = [line for line in term.logical() if line.startswith("histquiz:")]
    assert len(errors) == 1 and errors == [line for line in term.logical() if line]
    assert f"HISTQUIZ_HOME is {home}, which is a file, not a folder" in errors[0]
    assert "answer some questions" not in errors[0] and "Not a directory" not in errors[0]

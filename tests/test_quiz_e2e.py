"""The real program in a pseudo-terminal, driven as a student would: answer, read the feedback,
press Ctrl-C, come back (a day later) and find the history kept and the due reviews first.
The screen is read the way a terminal shows it (pyte, see quiz_pty.py)."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
from quiz_pty import Terminal, environment

from histquiz import Item, generate, load_decks
from histquiz.dates import HistDate
from histquiz.quiz.store import Store

MINI = Path(__file__).parent / "data" / "good" / "mini.yaml"
DAY1 = "2025-03-03T09:00:00+00:00"
DAY3 = "2025-03-05T09:00:00+00:00"
SEED = 1


@pytest.fixture(scope="module")
def items() -> list[Item]:
    # the same call the quiz command makes for --seed 1, so the options match the screen
    return generate(load_decks([MINI]), SEED)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "progress.sqlite3"


class Student:
    """Reads the screen and answers like a person at the keyboard."""

    def __init__(self, db: Path, now: str, *args: str, **env: str) -> None:
        self.term = Terminal(["quiz", "--decks", str(MINI), "--db", str(db), "--seed", str(SEED),
                              *args], env=environment(HISTQUIZ_NOW=now, **env))

    def next_question(self, items: list[Item]) -> tuple[int, int, Item]:
        """Wait for the next question; return its number, the total and which item it is."""
        term = self.term
        term.wait(lambda t: any(row.startswith(("Question ", "Retry ")) for row in t.lines())
                  and "then Enter · ? I don't know" in t.flat() and "Enter: next" not in t.text())
        rows = term.lines()
        at = next(n for n, row in enumerate(rows) if row.startswith(("Question ", "Retry ")))
        words = rows[at].split()
        number, total = int(words[1]), int(words[3])
        question_rows = []
        for row in rows[at + 1:]:
            if not row.strip():
                break
            question_rows.append(row)
        question = " ".join(" ".join(question_rows).split())
        kind = "date" if "Your answer:" in term.text() else "choice"
        if "Type the letters, then Enter" in term.flat():
            kind = "order" if question.startswith("Put these events in order") else "match"
        options = shown_options(rows[at + 1 + len(question_rows):])
        found = [i for i in items if i.kind == kind and " ".join(i.question.split()) == question
                 and sorted(i.options) == sorted(options)]
        # options as shown first; a retry shows them in a new order
        found.sort(key=lambda i: i.options != options)
        assert found, f"no {kind} item asks {question!r} with {options}"
        return number, total, as_shown(found[0], options)

    def answer(self, item: Item, right: bool = True, keys: str = "letter") -> None:
        """Answer by a letter or the arrow keys (choice items), or by typing a date."""
        if item.kind in ("order", "match"):  # letters: right, or reversed / moved a row on
            key = item.key if right else (item.key[::-1] if item.kind == "order"
                                          else item.key[1:] + item.key[:1])
            self.term.send("".join("ABCDE"[i] for i in key) + "\r")
        elif item.kind == "choice":
            assert item.answer_index is not None
            index = item.answer_index if right else (item.answer_index + 1) % len(item.options)
            if keys == "letter":
                self.term.send("abcde"[index])
            else:
                self.term.send("\x1b[B" * index)  # cursor down from the first option
            self.term.send("\r")
        else:
            assert item.answer_date is not None
            d = item.answer_date
            typed = d.display() if right else HistDate(d.year - 5, d.month, d.day).display()
            self.term.send(typed + "\r")

    def feedback(self) -> str:
        """Wait for the feedback page; return it and press Enter for the next question."""
        screen = self.term.wait(lambda t: "Enter: next" in t.flat())
        self.term.send("\r")
        return screen


def shown_options(rows: list[str]) -> tuple[str, ...]:
    """The options (or events) below a question as the screen shows them, wrapped rows joined:
    lettered ("› A) …") or numbered ("  1. …")."""
    found: list[str] = []
    for row in rows:
        start = re.match(r"^(?:[ ›] [A-E]\)|  [1-5]\.) (.*)$", row)
        if start:
            found.append(start.group(1))
        elif found and row.startswith("     ") and row.strip():
            found[-1] += " " + row.strip()
        elif found:
            break
    return tuple(found)


def as_shown(item: Item, options: tuple[str, ...]) -> Item:
    """The item with its options in the order on screen (a retry shows them reshuffled)."""
    if item.options == options:
        return item
    moved = [item.options.index(o) for o in options]  # shown position -> the item's own
    if item.kind == "choice":
        return dataclasses.replace(item, options=options, answer_index=options.index(item.answer))
    if item.kind == "order":
        key = tuple(moved.index(k) for k in item.key)
    else:
        key = tuple(item.key[m] for m in moved)
    return dataclasses.replace(item, options=options, key=key,
                               notes=tuple(item.notes[m] for m in moved))


def stats(db: Path, now: str) -> str:
    result = subprocess.run([sys.executable, "-m", "histquiz", "stats", "--db", str(db)],
                            capture_output=True, text=True, env=environment(HISTQUIZ_NOW=now),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_answer_interrupt_restart_and_due_reviews_come_first(db: Path, items: list[Item]) -> None:
    # Day 1: three answers, then Ctrl-C on the fourth question.
    student = Student(db, DAY1, "--count", "6")
    student.term.wait("Learning: no reviews due, and 6 new items.")
    answered, arrows = [], 0
    for expected in (1, 2, 3):
        number, total, item = student.next_question(items)
        assert (number, total) == (expected, 6)
        # the arrow keys answer a choice item (the first after the first question), letters
        # the others
        keys = "arrows" if expected > 1 and item.kind == "choice" and not arrows else "letter"
        arrows += keys == "arrows"
        student.answer(item, right=True, keys=keys)
        assert "✓ Right" in student.feedback()
        answered.append(item)
    assert arrows == 1, "with this seed the arrow keys answer a choice item"
    student.next_question(items)
    student.term.child.sendintr()
    student.term.wait("Stopped. Your progress is saved: 3 answers in this session.")
    assert "Session summary (stopped early)" in student.term.flat()
    assert "Score: 3 of 3 right (100%)" in student.term.flat()
    assert student.term.finish() == 130

    with Store.open(db) as store:
        reviews = store.reviews()
        assert [r.item_id for r in reviews] == [i.id for i in answered]
        assert all(r.correct and r.rating == 3 and r.mode == "learn" for r in reviews)
        assert set(store.card_infos()) == {i.id for i in answered}

    report = stats(db, DAY1)
    assert "3 answers · 0 retries · 3 items seen" in report
    for item in answered:
        assert item.topic.replace("-", " ") in report.lower()
    assert "learn" in report.split("Recent sessions")[1]

    # Day 3: the three reviews are due and come before anything new.
    again = Student(db, DAY3, "--count", "5")
    again.term.wait("Welcome back: 3 answers so far")
    again.term.wait("Learning: 3 reviews due, and 2 new items.")
    reviewed = []
    for n in (1, 2, 3):
        _number, _total, item = again.next_question(items)
        reviewed.append(item)
        again.answer(item, right=(n != 2))
        page = " ".join(again.feedback().split())
        assert ("✗ Wrong" in page and ("The answer is" in page or "The right " in page)
                if n == 2 else "✓ Right" in page)
    assert {i.id for i in reviewed} == {i.id for i in answered}
    _n, _t, fresh = again.next_question(items)
    assert fresh.id not in {i.id for i in answered} and "· new" in again.term.text()
    again.term.child.sendintr()
    again.term.wait("Stopped. Your progress is saved: 3 answers")
    assert "Missed (1)" in again.term.flat()
    assert again.term.finish() == 130

    with Store.open(db) as store:
        assert store.review_count() == 6
    assert "6 answers" in stats(db, DAY3)


def test_exam_holds_feedback_to_the_end_then_offers_a_retry(db: Path, items: list[Item]) -> None:
    student = Student(db, DAY1, "--mode", "exam", "--count", "3")
    student.term.wait("Exam: 3 questions; the results come at the end.")
    asked = []
    for n in (1, 2, 3):
        _number, _total, item = student.next_question(items)
        asked.append(item)
        student.answer(item, right=(n != 2))
        # no verdict may appear during an exam: the next screen is the next question
        if n < 3:
            student.term.wait(f"Question {n + 1} of 3")
            assert "Right" not in student.term.text() and "Wrong" not in student.term.text()
    student.term.wait("Exam result")
    student.term.wait("Try the 1 missed question again?")
    flat = student.term.flat()
    assert "Score: 2 of 3 right (67%)" in flat and "Missed (1)" in flat
    assert " ".join(asked[1].question.split()) in flat
    student.term.send("y")
    _n, _t, retried = student.next_question(items)
    assert retried.id == asked[1].id
    if retried.kind == "choice":  # the options come in a new order: find the answer again
        retried = next(i for i in items if i.id == retried.id)
        rows = [row for row in student.term.lines() if row[2:4] in ("A)", "B)", "C)", "D)")]
        letter = next(row[2] for row in rows if retried.answer in row)
        student.term.send(letter.lower() + "\r")
    else:
        student.answer(retried, right=True)
    assert "✓ Right" in student.feedback()
    student.term.wait("Retry: 1 of 1 right.")
    student.term.wait("Saved: 3 answers and 1 retry in this session.")
    assert student.term.finish() == 0
    with Store.open(db) as store:
        assert [r.retry for r in store.reviews()] == [False, False, False, True]
        assert store.card_infos() == {}


def test_colour_only_without_no_color(db: Path, items: list[Item]) -> None:
    colours = {}
    for no_color in ("1", ""):
        student = Student(db, DAY1, "--mode", "practice", "--count", "1", NO_COLOR=no_color)
        _n, _t, item = student.next_question(items)
        student.answer(item, right=True)
        student.term.wait("✓ Right")
        screen = student.term.screen
        colours[no_color] = {char.fg for row in screen.buffer.values() for char in row.values()}
        verdict = next(y for y in range(screen.lines) if "✓ Right" in screen.row_text(y))
        colours[no_color + "verdict"] = {screen.buffer[verdict][x].fg for x in range(5)}
        student.term.send("\r")
        student.term.wait("Saved: 1 answer")
        assert student.term.finish() == 0
    assert colours["verdict"] == {"green"}, "the verdict is green at a colour terminal"
    assert colours["1"] == {"default"}, "NO_COLOR: no colour at all"


def run_piped(db: Path, text: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "histquiz", "quiz", "--decks", str(MINI), "--db", str(db),
         "--seed", str(SEED), *args],
        input=text, stdin=None if text is not None else subprocess.DEVNULL,
        capture_output=True, text=True, env=environment(HISTQUIZ_NOW=DAY1), timeout=60)


def test_piped_input_gets_plain_lines(db: Path, items: list[Item]) -> None:
    result = run_piped(db, "?\n" * 3 + "n\n", "--mode", "practice", "--count", "3")
    assert result.returncode == 0, result.stderr
    assert "no terminal" in result.stderr and "Traceback" not in result.stderr
    out = result.stdout
    assert out.count("Not answered.") == 3 and "Question 3 of 3" in out
    assert "Try the 3 missed questions again? [y/N]" in out
    assert "Saved: 3 answers in this session" in out
    assert "\x1b[" not in out


def test_piped_commands_undo_flag_and_quit(db: Path) -> None:
    result = run_piped(db, "?\nu\nf\nthe question is vague\n?\nq\n", "--mode", "practice",
                       "--count", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Your last answer was taken back: answer again." in out
    assert "Flag saved, thank you" in out
    assert "Session summary (stopped early)" in out and "Score: 0 of 1 right (0%)" in out
    with Store.open(db) as store:
        assert len(store.reviews()) == 1 and [f.comment for f in store.flags()] == [
            "the question is vague"]


def test_piped_input_ending_early_stops_cleanly(db: Path) -> None:
    for text in (None, "nonsense\n"):
        result = run_piped(db, text, "--count", "4")
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert "Stopped. Your progress is saved: 0 answers" in result.stdout


def test_a_closed_terminal_loses_at_most_the_question_on_screen(db: Path,
                                                                items: list[Item]) -> None:
    student = Student(db, DAY1, "--mode", "practice", "--count", "5")
    answered = []
    for _ in range(2):
        _n, _t, item = student.next_question(items)
        student.answer(item)
        student.feedback()
        answered.append(item)
    student.next_question(items)
    student.term.child.close(force=True)  # hang up the terminal, as closing the window does
    child = student.term.child
    assert child.signalstatus is not None or child.exitstatus is not None
    with Store.open(db) as store:
        assert [r.item_id for r in store.reviews()] == [i.id for i in answered]


def test_histquiz_home_holds_the_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        [sys.executable, "-m", "histquiz", "quiz", "--decks", str(MINI), "--mode", "practice",
         "--count", "1", "--seed", str(SEED)],
        input="?\nn\n", capture_output=True, text=True, timeout=60,
        env=environment(HISTQUIZ_NOW=DAY1, HISTQUIZ_HOME=str(home)))
    assert result.returncode == 0, result.stderr
    with Store.open(home / "progress.sqlite3") as store:
        assert store.review_count() == 1
    shown = subprocess.run([sys.executable, "-m", "histquiz", "stats"], capture_output=True,
                           text=True, timeout=60,
                           env=environment(HISTQUIZ_NOW=DAY1, HISTQUIZ_HOME=str(home)))
    assert shown.returncode == 0 and "1 answer · 0 retries · 1 item seen" in shown.stdout
    assert str(home / "progress.sqlite3") in shown.stdout

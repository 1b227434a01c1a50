"""The real program in a pseudo-terminal, driven as a student would: answer, see feedback, press
Ctrl-C, come back (a day later) and find the history kept and the due reviews first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from histquiz import Item, generate, load_decks
from histquiz.quiz.store import Store

MINI = Path(__file__).parent / "data" / "good" / "mini.yaml"
DAY1 = "2025-03-03T09:00:00+00:00"
DAY3 = "2025-03-05T09:00:00+00:00"
SEED = 16
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")
COLOUR = re.compile(r"\x1b\[[0-9;]*(?:3[0-7]|38;|9[0-7])[0-9;]*m")


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "HISTQUIZ_HOME")}
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", TZ="UTC", NO_COLOR="1",
               COLUMNS="100", LINES="40")
    env.update(extra)
    return {k: v for k, v in env.items() if v}


def plain(text: str) -> str:
    return " ".join(ANSI.sub("", text).split())


@pytest.fixture(scope="module")
def items() -> list[Item]:
    # the same call the quiz command makes for --seed SEED, so the options match the screen
    return generate(load_decks([MINI]), SEED)


class Student:
    """Reads the screen through a pty and answers like a person at the keyboard."""

    def __init__(self, db: Path, now: str, *args: str, **env: str) -> None:
        self.log: list[str] = []
        self.child = pexpect.spawn(
            sys.executable, ["-m", "histquiz", "quiz", "--decks", str(MINI), "--db", str(db),
                             "--seed", str(SEED), *args],
            env=environment(HISTQUIZ_NOW=now, **env), encoding="utf-8", dimensions=(40, 100),
            timeout=30,
        )

    def expect(self, pattern: str) -> str:
        self.child.expect(pattern)
        seen = (self.child.before or "") + str(self.child.after)
        self.log.append(seen)
        return seen

    def next_question(self, items: list[Item]) -> tuple[int, int, Item]:
        """Wait for the next question; return its number, the total and which item it is."""
        self.expect(r"(Question|Retry) (\d+) of (\d+)")
        match = self.child.match
        assert match is not None and not isinstance(match, type(pexpect.EOF))
        number, total = int(match.group(2)), int(match.group(3))
        self.expect(r"Your answer")
        before = self.child.before or ""
        # the lines between the header and the prompt, less the prompt's "?" mark
        question = plain(before.split("\n", 1)[1] if "\n" in before else before)
        question = question.removesuffix("?").strip()
        shown = self.expect(r"↑↓|\(type")
        kind = "choice" if "↑↓" in shown else "date"
        found = [i for i in items if i.kind == kind and plain(i.question) == question]
        assert found, f"no {kind} item asks {question!r}"
        return number, total, found[0]

    def answer(self, item: Item, right: bool = True, keys: str = "letter") -> None:
        """Answer by a letter, a number or the arrow keys (choice items), or by typing."""
        if item.kind == "choice":
            assert item.answer_index is not None
            index = item.answer_index if right else (item.answer_index + 1) % len(item.options)
            if keys == "letter":
                self.child.send("abcde"[index])
            elif keys == "number":
                self.child.send(str(index + 1))
            else:
                self.child.send("\x1b[B" * index)  # cursor down from the first option
            self.child.send("\r")
        else:
            assert item.answer_date is not None
            date = item.answer_date
            typed = date.display() if right else date.__class__(date.year - 40, date.month,
                                                                  date.day).display()
            self.child.send(typed + "\r")
        self.expect(r"Right\.|Wrong\b|Close:")

    def finish(self) -> int:
        self.child.expect(pexpect.EOF)
        self.log.append(self.child.before or "")
        self.child.close()
        assert "Traceback" not in self.screen()
        status = self.child.exitstatus
        assert status is not None
        return status

    def screen(self) -> str:
        return "".join(self.log)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "progress.sqlite3"


def stats(db: Path, now: str) -> str:
    result = subprocess.run([sys.executable, "-m", "histquiz", "stats", "--db", str(db)],
                            capture_output=True, text=True, env=environment(HISTQUIZ_NOW=now),
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_answer_interrupt_restart_and_due_reviews_come_first(db: Path, items: list[Item]) -> None:
    # Day 1: three answers, then Ctrl-C on the fourth question.
    student = Student(db, DAY1, "--count", "6")
    student.expect(r"Learning: 0 due for review, 6 new")
    answered = []
    for expected, keys in ((1, "letter"), (2, "number"), (3, "arrows")):
        number, total, item = student.next_question(items)
        assert (number, total) == (expected, 6)
        student.answer(item, right=True, keys=keys)
        answered.append(item)
    # with this seed the number and arrow answers land on choice items, so both are exercised
    assert [i.kind for i in answered[1:]] == ["choice", "choice"]
    student.next_question(items)
    student.child.sendintr()
    student.expect(r"Stopped\. Your progress is saved: 3 answers in this session\.")
    assert student.finish() == 130

    with Store.open(db) as store:
        reviews = store.reviews()
        assert [r.item_id for r in reviews] == [i.id for i in answered]
        assert all(r.correct and r.rating == 3 and r.mode == "learn" for r in reviews)
        assert set(store.card_infos()) == {i.id for i in answered}

    report = stats(db, DAY1)
    assert "3 answers · 3 items seen" in report
    for item in answered:
        assert item.topic.replace("-", " ") in report.lower()
    assert "learn" in report.split("Recent sessions")[1]

    # Day 3: the three reviews are due and come before anything new.
    again = Student(db, DAY3, "--count", "5")
    again.expect(r"Welcome back: 3 answers so far")
    again.expect(r"Learning: 3 due for review, 2 new")
    reviewed = []
    for n in (1, 2, 3):
        _number, _total, item = again.next_question(items)
        reviewed.append(item)
        again.answer(item, right=(n != 2))
    assert {i.id for i in reviewed} == {i.id for i in answered}
    assert "Wrong" in again.screen() and "The answer is" in again.screen()
    _n, _t, fresh = again.next_question(items)
    assert fresh.id not in {i.id for i in answered} and "· new" in again.screen()
    again.child.sendintr()
    again.expect(r"Stopped\. Your progress is saved: 3 answers")
    assert again.finish() == 130

    with Store.open(db) as store:
        assert store.review_count() == 6
    assert "6 answers" in stats(db, DAY3)


def test_exam_holds_feedback_to_the_end_then_offers_a_retry(db: Path, items: list[Item]) -> None:
    student = Student(db, DAY1, "--mode", "exam", "--count", "3")
    student.expect(r"Exam: 3 questions")
    asked = []
    for n in (1, 2, 3):
        _number, _total, item = student.next_question(items)
        asked.append(item)
        # no verdict may appear during an exam: answer, then wait for the next header
        if item.kind == "choice":
            assert item.answer_index is not None
            index = item.answer_index if n != 2 else (item.answer_index + 1) % len(item.options)
            student.child.send("abcde"[index] + "\r")
        else:
            assert item.answer_date is not None
            d = item.answer_date
            wrong = d.__class__(d.year - 40, d.month, d.day)
            student.child.send((d if n != 2 else wrong).display() + "\r")
    student.expect(r"Exam result")
    during = student.screen().split("Exam result")[0]
    assert "Right." not in during and "Wrong" not in during
    student.expect(r"Score:\s+2 of 3 right")
    student.expect(r"Missed")
    student.expect(re.escape(asked[1].question[:30]))
    student.expect(r"Try the 1 missed question again\?")
    student.child.send("y")
    _n, _t, retried = student.next_question(items)
    assert retried.id == asked[1].id
    student.answer(retried, right=True)
    student.expect(r"Retry: 1 of 1 right")
    student.expect(r"Saved: 4 answers")
    assert student.finish() == 0
    with Store.open(db) as store:
        assert [r.retry for r in store.reviews()] == [False, False, False, True]
        assert store.card_infos() == {}


def test_colour_only_without_no_color(db: Path, items: list[Item]) -> None:
    screens = {}
    for no_color in ("1", ""):
        student = Student(db, DAY1, "--mode", "practice", "--count", "1", NO_COLOR=no_color)
        _n, _t, item = student.next_question(items)
        student.answer(item, right=True)
        student.expect(r"Saved: 1 answer")
        assert student.finish() == 0
        screens[no_color] = student.screen()
    assert "\x1b[32m" in screens[""], "the verdict is green at a colour terminal"
    assert not COLOUR.search(screens["1"]), "NO_COLOR: no colour codes at all"


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
    assert "Try the 3 missed questions again? [y/N]" in out and "Saved: 3 answers" in out
    assert "\x1b[" not in out


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
        answered.append(item)
    student.next_question(items)
    student.child.close(force=True)  # hang up the terminal, as closing the window does
    assert student.child.signalstatus is not None or student.child.exitstatus is not None
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
    assert shown.returncode == 0 and "1 answer · 1 item seen" in shown.stdout
    assert str(home / "progress.sqlite3") in shown.stdout

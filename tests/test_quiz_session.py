"""The quiz logic without a terminal: an injected ``ask``, an injected clock, a real store."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler, State

from histquiz import Deck, Item, generate
from histquiz.dates import HistDate, Verdict
from histquiz.quiz.screen import (
    cells,
    clean,
    describe_interval,
    feedback_lines,
    more_marker,
    window,
    wrap,
)
from histquiz.quiz.session import (
    AGAIN,
    FLAG_SAVED,
    GOOD,
    HARD,
    NOT_UNDONE,
    NOTHING_TO_UNDO,
    UNDONE,
    Command,
    Flag,
    Mode,
    Outcome,
    Planned,
    Prompt,
    Quiz,
    grade,
    new_today,
    plan_learn,
    plan_mistakes,
    plan_random,
    reshuffled,
    retry_plan,
    summarise,
    topic_title,
    typed_command,
    years_covered,
)
from histquiz.quiz.store import Store, card_id_for

START = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """Time stands still unless a test moves it; each reading may add a fixed step."""

    def __init__(self, start: datetime = START, step: timedelta = timedelta(seconds=2)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def items(mini_decks: list[Deck]) -> list[Item]:
    return generate(mini_decks, 5)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "progress.sqlite3") as s:
        yield s


def right_answer(item: Item) -> int | str:
    if item.kind == "choice":
        assert item.answer_index is not None
        return item.answer_index
    if item.kind in ("order", "match"):  # the letters: earliest first, or each row's year
        return "".join("ABCDE"[i] for i in item.key)
    assert item.answer_date is not None
    return item.answer_date.iso()


def wrong_answer(item: Item) -> int | str:
    if item.kind == "choice":
        assert item.answer_index is not None
        return (item.answer_index + 1) % len(item.options)
    if item.kind in ("order", "match"):  # reversed, or each row given the next row's year
        key = item.key[::-1] if item.kind == "order" else item.key[1:] + item.key[:1]
        return "".join("ABCDE"[i] for i in key)
    assert item.answer_date is not None
    d = item.answer_date
    return HistDate(d.year - 30, d.month, d.day).iso()


AskFn = Callable[[Prompt], "int | str | None"]


def answering(rule: Callable[[Item], int | str | None]) -> tuple[list[Prompt], AskFn]:
    asked: list[Prompt] = []

    def ask(prompt: Prompt) -> int | str | None:
        asked.append(prompt)
        return rule(prompt.item)

    return asked, ask


def first(items: list[Item], kind: str, **where: object) -> Item:
    for item in items:
        if item.kind == kind and all(getattr(item, k) == v for k, v in where.items()):
            return item
    raise AssertionError(f"no {kind} item with {where}")


# --- grading -------------------------------------------------------------------------------


def test_choice_grading_by_index_letter_and_text(items: list[Item]) -> None:
    item = first(items, "choice")
    assert item.answer_index is not None
    right, wrong = item.answer_index, (item.answer_index + 1) % len(item.options)
    assert grade(item, right).verdict is Verdict.EXACT
    assert grade(item, wrong).verdict is Verdict.WRONG
    assert grade(item, chr(ord("a") + right)).verdict is Verdict.EXACT
    assert grade(item, chr(ord("A") + wrong)).verdict is Verdict.WRONG
    assert grade(item, f" {item.options[right].upper()} ").verdict is Verdict.EXACT
    # a number is never a position: the keys shown are letters
    assert not grade(item, str(right + 1)).final
    assert grade(item, "?").verdict is Verdict.WRONG
    assert grade(item, "?").given == "?"
    assert not grade(item, "z").final
    assert not grade(item, "nonsense words").final


def test_choice_option_typed_as_a_year_is_not_read_as_a_number(items: list[Item]) -> None:
    item = first(items, "choice", template="date-choice", fact="pact")
    assert item.answer == "1955"
    assert grade(item, "1955").verdict is Verdict.EXACT


def test_a_digit_never_picks_an_option_whose_text_is_another_number(items: list[Item]) -> None:
    item = first(items, "choice", template="choice", fact="share")
    assert all(o.endswith("%") for o in item.options) and "36%" in item.options
    for digit in "1234":
        result = grade(item, digit)
        assert not result.final and "letter" in result.message
    assert grade(item, "36%").verdict is Verdict.EXACT


@pytest.mark.parametrize(("typed", "verdict", "rating", "message"), [
    pytest.param("1955", Verdict.EXACT, GOOD, "Right.", id="exact"),
    pytest.param("1957", Verdict.NEAR, HARD, "Close: off by 2 years (2 years late).", id="near-late"),
    pytest.param("1954", Verdict.NEAR, HARD, "Close: off by 1 year (1 year early).", id="near-early"),
    pytest.param("1940", Verdict.WRONG, AGAIN, "Wrong: off by 15 years (early).", id="wrong"),
    pytest.param("?", Verdict.WRONG, AGAIN, "Not answered.", id="dont-know"),
    pytest.param("in the fifties", Verdict.UNREADABLE, AGAIN, "'in the fifties' is not a date",
                 id="unreadable"),
])
def test_year_item_grading_and_rating(items: list[Item], typed: str, verdict: Verdict,
                                      rating: int, message: str) -> None:
    item = first(items, "date", fact="pact")
    assert item.answer_date == HistDate(1955)
    result = grade(item, typed)
    assert result.verdict is verdict
    assert result.message.startswith(message)
    if result.final:
        assert result.rating == rating


def test_day_item_wants_the_full_date(items: list[Item]) -> None:
    item = first(items, "date", fact="treaty")
    assert item.answer_date == HistDate(1971, 8, 9)
    vague = grade(item, "1971")
    assert vague.verdict is Verdict.IMPRECISE and not vague.final
    assert vague.message.startswith("Please give the full date, or at least the month")
    near = grade(item, "11 August 1971")
    assert near.verdict is Verdict.NEAR and near.rating == HARD
    assert "off by 2 days" in near.message
    assert grade(item, "9/8/1971").verdict is Verdict.EXACT


@pytest.mark.parametrize(("typed", "verdict", "message"), [
    pytest.param("Aug 1971", Verdict.NEAR, "Close: the right month, without the day.", id="month"),
    pytest.param("August 1971", Verdict.NEAR, "Close: the right month", id="month-in-full"),
    pytest.param("Sep 1971", Verdict.WRONG, "Wrong: off by 1 month (late).", id="other-month"),
    pytest.param("Jan 1970", Verdict.WRONG, "Wrong: off by 1 year and 7 months (early).",
                 id="other-year"),
])
def test_month_and_year_for_a_full_date_is_a_near_miss_when_right(
        items: list[Item], typed: str, verdict: Verdict, message: str) -> None:
    item = first(items, "date", fact="treaty")
    result = grade(item, typed)
    assert result.verdict is verdict and result.final
    assert result.message.startswith(message)
    assert result.rating == (HARD if verdict is Verdict.NEAR else AGAIN)


@pytest.mark.parametrize(("typed", "message"), [
    pytest.param("4 February 1955", "off by 16 years, 6 months and 5 days (early)", id="far"),
    pytest.param("9 September 1972", "off by 1 year and 1 month (late)", id="year-month"),
    pytest.param("8 September 1971", "off by 30 days (late)", id="days"),
    pytest.param("9 July 1971", "off by 1 month (early)", id="month"),
])
def test_misses_are_told_in_years_months_and_days(items: list[Item], typed: str,
                                                   message: str) -> None:
    item = first(items, "date", fact="treaty")
    result = grade(item, typed, (1940, 1989))
    assert result.verdict is Verdict.WRONG
    assert result.message == f"Wrong: {message}."
    assert "6032" not in result.message


@pytest.mark.parametrize(("typed", "read_as"), [
    pytest.param("8/9/1971", "You typed 8/9/1971, read as 8 September 1971 (numbers with "
                 "slashes or dots are read day first).", id="slashes"),
    pytest.param("9.8.1971", "You typed 9.8.1971, read as 9 August 1971 (numbers with "
                 "slashes or dots are read day first).", id="dots"),
    pytest.param("1971-08-09", "You typed 1971-08-09, read as 9 August 1971.", id="iso"),
    pytest.param("9 aug 1971", "You typed 9 aug 1971, read as 9 August 1971.", id="short-month"),
    pytest.param("08/1971", "You typed 08/1971, read as August 1971.", id="month-slash"),
    pytest.param("9 August 1971", None, id="in-full"),
    pytest.param("9  august   1971", None, id="in-full-spaced"),
])
def test_how_a_typed_date_was_read_is_echoed_unless_written_in_full(
        items: list[Item], typed: str, read_as: str | None) -> None:
    item = first(items, "date", fact="treaty")
    assert grade(item, typed, (1940, 1989)).read_as == read_as


def test_a_year_outside_the_decks_decades_is_asked_again(items: list[Item], store: Store) -> None:
    item = first(items, "date", fact="pact")
    years = years_covered(i.date for i in items)
    assert years == (1950, 2029)  # the mini deck runs from 1955 to 2025
    for typed in ("955", "1855", "2955"):
        slip = grade(item, typed, years)
        assert not slip.final and "1950–2029" in slip.message and "in full" in slip.message
    assert grade(item, "1950", years).verdict is Verdict.WRONG
    replies = iter(["955", "1955"])
    asked, ask = answering(lambda _item: next(replies))
    quiz = Quiz(store, Mode.LEARN, FakeClock(), store.start_session("learn", 1, START),
                years=years)
    result = quiz.run([Planned(item, "new")], ask)
    assert asked[1].hint is not None and "955" in asked[1].hint
    assert [r.answer for r in store.reviews()] == ["1955"] and result.right == 1


def test_unreadable_and_vague_dates_are_asked_again_at_no_cost(items: list[Item], store: Store) -> None:
    item = first(items, "date", fact="treaty")
    replies = iter(["soon", "1971", "9 August 1971"])
    asked, ask = answering(lambda _item: next(replies))
    quiz = Quiz(store, Mode.LEARN, FakeClock(), store.start_session("learn", 1, START))
    result = quiz.run([Planned(item, "new")], ask)
    assert [p.hint is None for p in asked] == [True, False, False]
    assert asked[1].hint is not None and "not a date" in asked[1].hint
    assert asked[2].hint is not None and asked[2].hint.startswith("Please give the full date")
    assert [o.verdict for o in result.outcomes] == [Verdict.EXACT]
    reviews = store.reviews()
    assert len(reviews) == 1
    assert (reviews[0].answer, reviews[0].rating, reviews[0].correct) == ("9 August 1971", GOOD, True)


# --- FSRS ----------------------------------------------------------------------------------


def test_fsrs_state_after_a_sequence_of_answers(items: list[Item], store: Store) -> None:
    """Right, right, wrong, right, near on five days: the stored card is FSRS's own result."""
    item = first(items, "date", fact="pact")
    plan = [Planned(item, "new")]
    clock = FakeClock(step=timedelta(0))
    answers = ["1955", "1955", "1930", "1955", "1956"]
    when = [START + timedelta(days=d) for d in (0, 1, 4, 5, 20)]
    for typed, moment in zip(answers, when, strict=True):
        clock.now = moment
        quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 1, moment))
        quiz.run(plan, lambda _p, typed=typed: typed)

    expected = Card(card_id=card_id_for(item.id), due=START)
    scheduler = Scheduler(enable_fuzzing=False)
    states = []
    ratings = [Rating.Good, Rating.Good, Rating.Again, Rating.Good, Rating.Hard]
    for rating, moment in zip(ratings, when, strict=True):
        expected, _ = scheduler.review_card(expected, rating, review_datetime=moment)
        states.append(expected.state)
    stored = store.card(item.id)
    assert stored is not None
    assert stored.to_dict() == expected.to_dict()
    assert stored.card_id == card_id_for(item.id)
    assert states == [State.Learning, State.Review, State.Relearning, State.Review, State.Review]
    assert stored.due > when[-1] + timedelta(days=1)
    assert [r.rating for r in store.reviews()] == [GOOD, GOOD, AGAIN, GOOD, HARD]


def test_card_ids_are_stable_and_distinct(items: list[Item]) -> None:
    ids = [card_id_for(i.id) for i in items]
    assert len(set(ids)) == len(ids)
    assert all(0 < i < 2**63 for i in ids)
    assert card_id_for(items[0].id) == card_id_for(str(items[0].id))


# --- ordering ------------------------------------------------------------------------------


def test_due_reviews_come_first_after_days_pass(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    day1 = plan_learn(items, store.card_infos(), clock.now, count=4, new_today=0,
                      new_per_day=20, rng=random.Random(1))
    assert [p.label for p in day1] == ["new"] * 4
    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 4, clock.now))
    quiz.run(day1, lambda item_prompt: right_answer(item_prompt.item))

    # the same day: learning steps are minutes, nothing is due yet; new items still come
    cards = store.card_infos()
    assert set(cards) == {p.item.id for p in day1}
    same_day = plan_learn(items, cards, clock(), count=10, new_today=4, new_per_day=20,
                          rng=random.Random(2))
    assert not {p.item.id for p in same_day} & set(cards)

    # three days later every item answered on day 1 is due, and comes before any new item
    clock.advance(timedelta(days=3))
    later = plan_learn(items, cards, clock(), count=10, new_today=0, new_per_day=20,
                       rng=random.Random(3))
    labels = [p.label for p in later]
    assert labels[:4] == ["review"] * 4 and set(labels[4:]) == {"new"}
    assert {p.item.id for p in later[:4]} == set(cards)
    dues = [cards[p.item.id].due for p in later[:4]]
    assert dues == sorted(dues), "most overdue first"


def test_new_items_per_day_are_limited(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    for _ in range(2):
        plan = plan_learn(items, store.card_infos(), clock.now, count=10,
                          new_today=new_today(store, clock.now), new_per_day=3,
                          rng=random.Random(1))
        quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", len(plan), clock.now))
        quiz.run(plan, lambda p: right_answer(p.item))
    assert len(store.card_infos()) == 3, "the second session of the day adds nothing new"
    assert new_today(store, clock.now) == 3
    clock.advance(timedelta(days=1))
    assert new_today(store, clock.now) == 0


def test_removed_facts_are_skipped(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    gone = Planned(items[0], "new")
    Quiz(store, Mode.LEARN, clock, store.start_session("learn", 1, clock.now)).run(
        [gone], lambda p: right_answer(p.item))
    clock.advance(timedelta(days=30))
    remaining = [i for i in items if i.fact != items[0].fact]
    plan = plan_learn(remaining, store.card_infos(), clock.now, count=50, new_today=0,
                      new_per_day=50, rng=random.Random(1))
    assert plan and all(p.item.fact != items[0].fact for p in plan)
    assert all(p.label == "new" for p in plan)


def test_one_item_per_fact_when_the_pool_allows(items: list[Item]) -> None:
    facts = {(i.deck, i.fact) for i in items}
    plan = plan_random(items, count=len(facts), rng=random.Random(4))
    # each fact asked: by an item of its own, or among the events of an order or match (whose
    # fact may then have a second item, as this fact cannot have its own)
    asked = [(p.item.deck, p.item.fact) for p in plan]
    covered = set(asked) | {tuple(f.split("/")) for p in plan for f in p.item.option_facts}
    assert covered == facts
    assert len(asked) - len(set(asked)) <= len(facts - set(asked))
    bigger = plan_random(items, count=len(facts) + 3, rng=random.Random(4))
    assert len(bigger) == len(facts) + 3 and len({p.item.id for p in bigger}) == len(bigger)
    learn = plan_learn(items, {}, START, count=100, new_today=0, new_per_day=100,
                       rng=random.Random(4))
    own = {(p.item.deck, p.item.fact) for p in learn}
    assert len(own) == len(learn) <= len(facts)
    assert own | {tuple(f.split("/")) for p in learn for f in p.item.option_facts} == facts


def test_same_seed_same_plan(items: list[Item]) -> None:
    a = plan_random(items, count=6, rng=random.Random(9))
    b = plan_random(items, count=6, rng=random.Random(9))
    assert [p.item.id for p in a] == [p.item.id for p in b]


# --- modes, stopping, retry, summary -------------------------------------------------------


def test_practice_records_answers_but_leaves_the_schedule(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    plan = plan_random(items, count=5, rng=random.Random(2))
    told = []
    Quiz(store, Mode.PRACTICE, clock, store.start_session("practice", 5, clock.now)).run(
        plan, lambda p: right_answer(p.item), told.append)
    assert len(store.reviews()) == 5 and len(told) == 5
    assert store.card_infos() == {}


def test_exam_gives_no_feedback_until_the_retry(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    plan = plan_random(items, count=4, rng=random.Random(3))
    told = []
    quiz = Quiz(store, Mode.EXAM, clock, store.start_session("exam", 4, clock.now))
    result = quiz.run(plan, lambda p: wrong_answer(p.item), told.append)
    assert told == [] and result.right == 0 and len(result.missed) == 4
    again = retry_plan(result.outcomes)
    assert [p.item.id for p in again] == [p.item.id for p in plan]
    retried = quiz.run(again, lambda p: right_answer(p.item), told.append, retry=True)
    assert len(told) == 4 and retried.right == 4
    reviews = store.reviews()
    assert [r.retry for r in reviews] == [False] * 4 + [True] * 4
    assert store.card_infos() == {}


@pytest.mark.parametrize("stop", [
    pytest.param(KeyboardInterrupt, id="ctrl-c"),
    pytest.param(EOFError, id="end-of-input"),
    pytest.param(None, id="none"),
])
def test_stopping_keeps_every_answer_given(items: list[Item], store: Store,
                                           stop: type[BaseException] | None) -> None:
    plan = plan_random(items, count=6, rng=random.Random(6))
    count = 0

    def ask(prompt: Prompt) -> int | str | None:
        nonlocal count
        count += 1
        if count == 4:
            if stop is None:
                return None
            raise stop
        return right_answer(prompt.item)

    quiz = Quiz(store, Mode.LEARN, FakeClock(), store.start_session("learn", 6, START))
    result = quiz.run(plan, ask)
    assert result.stopped == ("interrupt" if stop is KeyboardInterrupt else "quit")
    assert [r.item_id for r in store.reviews()] == [p.item.id for p in plan[:3]]
    assert len(store.card_infos()) == 3


def test_prompt_header_and_retry_label(items: list[Item]) -> None:
    item = first(items, "choice", fact="war")
    assert Prompt(item, 3, 10).header == "Question 3 of 10 · Cold War"
    assert Prompt(item, 1, 2, "new").header == "Question 1 of 2 · Cold War · new"
    assert Prompt(item, 2, 4, "retry").header == "Retry 2 of 4 · Cold War"
    assert topic_title("un") == "UN" and topic_title("cold-war") == "Cold War"


def test_summary_counts_streak_and_weakest_topics(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    diplomacy = [i for i in items if i.topic == "diplomacy"][:3]
    science = [i for i in items if i.topic == "science"][:3]
    result = None
    for day in range(3):
        quiz = Quiz(store, Mode.PRACTICE, clock, store.start_session("practice", 6, clock.now))
        result = quiz.run(
            [Planned(i) for i in diplomacy + science],
            lambda p: wrong_answer(p.item) if p.item.topic == "diplomacy" else right_answer(p.item))
        if day < 2:
            clock.advance(timedelta(days=1))
    assert result is not None
    summary = summarise(result, store, clock())
    assert (summary.asked, summary.right) == (6, 3)
    assert summary.streak == 3
    assert [w[0] for w in summary.weakest] == ["diplomacy"]
    clock.advance(timedelta(days=2))
    assert store.streak(clock()) == 0


def test_feedback_gives_the_answer_fact_explanation_note_and_source(mini_decks: list[Deck]) -> None:
    items = generate(mini_decks, 0)
    item = next(i for i in items if i.kind == "date" and i.note)
    near = Outcome(item, "1953", Verdict.NEAR, 2, "Close: off by 2 years (2 years early).", 3.0,
                   interval=timedelta(days=3))
    lines, verdict_at = feedback_lines(near, 60)
    texts = [text for _style, text in lines]
    assert texts[verdict_at] == "~ Close: off by 2 years (2 years early). The answer is 1955."
    assert lines[verdict_at][0] == "close"
    assert "Next review in 3 days." in texts
    flat = " ".join(" ".join(texts).split())
    for part in (item.statement, item.explanation, f"Note: {item.note}"):
        assert " ".join(part.split()) in flat
    assert all(f"Source: {s.citation()}" in flat for s in item.sources)
    assert all(cells(text) <= 60 for text in texts)
    wrong = Outcome(item, "1980", Verdict.WRONG, 1, "Wrong: off by 25 years (late).", 3.0,
                    read_as="You typed 80, read as 1980.")
    lines, verdict_at = feedback_lines(wrong, 60)
    assert lines[verdict_at] == ("wrong", "✗ Wrong: off by 25 years (late). The answer is 1955.")
    assert lines[verdict_at - 1] == ("", "You typed 80, read as 1980.")


def test_feedback_says_why_each_false_statement_is_false(mini_decks: list[Deck]) -> None:
    import dataclasses

    # the history templates run where a deck names them: name it on the fact that has them
    decks = [dataclasses.replace(d, facts=tuple(
        dataclasses.replace(f, templates=(*f.templates, "true-statement"))
        if f.false_statements else f for f in d.facts)) for d in mini_decks]
    (item,) = [i for i in generate(decks, 0) if i.template == "true-statement"]
    wrong = next(o for o in item.options if o != item.answer)
    outcome = Outcome(item, wrong, Verdict.WRONG, 1, "", 2.0)
    texts = [text for _, text in feedback_lines(outcome, 200)[0]]
    assert texts[0] == f"✗ Wrong: you chose {'ABCDE'[item.options.index(wrong)]}) {wrong} " \
        f"The answer is {'ABCDE'[item.answer_index or 0]}) {item.answer}", "one full stop each"
    # each false statement, then why it is false under it; the true one is not listed
    expected = []
    for i, (option, note) in enumerate(zip(item.options, item.notes, strict=True)):
        if i == item.answer_index:
            assert not note
        else:
            expected += [f"  {'ABCDE'[i]}) {option}", f"     {note}"]
    at = texts.index("Why the others are false:")
    assert texts[at + 1:at + 1 + len(expected)] == expected
    assert texts[at + 1 + len(expected)] == ""


# --- what reaches the screen -----------------------------------------------------------------


@pytest.mark.parametrize(("text", "shown"), [
    pytest.param("red \x1b[31mtext\x1b[0m", "red \\x1b[31mtext\\x1b[0m", id="escape-sequence"),
    pytest.param("bell\x07 and \x9b", "bell\\x07 and \\x9b", id="c0-and-c1"),
    pytest.param("left\u202eright", "left\\u202eright", id="bidi-override"),
    pytest.param("zero\u200bwidth", "zero\\u200bwidth", id="zero-width-space"),
    pytest.param("line\nbreak\ttab", "line break tab", id="whitespace"),
    pytest.param("क्\u200dष and Хрущёв", "क्\u200dष and Хрущёв", id="joiner-and-cyrillic-kept"),
])
def test_deck_text_is_escaped_before_the_terminal(text: str, shown: str) -> None:
    assert clean(text) == shown
    assert all(ch.isprintable() or ch == "\u200d" for line in wrap(text, 30) for ch in line)


def test_options_wrap_with_a_hanging_indent_and_long_words_are_cut() -> None:
    option = "India and the USSR agree that the Soviet Union will launch an Indian satellite"
    lines = wrap(option, 40, "› D) ")
    assert lines[0].startswith("› D) India") and all(len(line) <= 40 for line in lines)
    assert all(line.startswith("     ") and line[5] != " " for line in lines[1:])
    assert " ".join(line.strip() for line in lines).removeprefix("› D) ") == option
    url = "<https://example.org/" + "long-path-segment/" * 6 + "end.html>"
    cut = wrap(f"Source: {url}", 40, "  ", "    ")
    assert all(cells(line) <= 40 for line in cut)
    assert "".join(line.strip() for line in cut[1:]) == url
    assert wrap("漢字" * 8, 9) == ["漢字漢字", "漢字漢字", "漢字漢字", "漢字漢字"]


def test_window_keeps_the_wanted_lines_in_view() -> None:
    lines = [("", str(n)) for n in range(20)]
    assert window(lines, 30)[0] == lines
    shown, offset = window(lines, 5, [(0, 19), (12, 14)])
    assert offset == 10 and shown[-1] == ("", "14")
    assert window(lines, 5, [(0, 3)])[1] == 0
    assert window(lines, 5, offset=99)[1] == 15
    assert more_marker(0, 5, 20) == "↓ more · " and more_marker(15, 5, 20) == "↑ more · "
    assert more_marker(0, 20, 20) == ""


def test_intervals_read_as_a_person_says_them() -> None:
    assert describe_interval(timedelta(seconds=50)) == "in 1 minute"
    assert describe_interval(timedelta(minutes=10)) == "in 10 minutes"
    assert describe_interval(timedelta(hours=5)) == "in 5 hours"
    assert describe_interval(timedelta(days=1)) == "in 1 day"
    assert describe_interval(timedelta(days=12)) == "in 12 days"
    assert describe_interval(timedelta(days=70)) == "in about 2 months"
    assert describe_interval(timedelta(days=400)) == "in about 1.1 years"


# --- undo, flags, stopping -----------------------------------------------------------------


def store_rows(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the tables an answer touches, exactly as stored."""
    conn = sqlite3.connect(store.path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall()
                for t in ("reviews", "cards", "flags")}
    finally:
        conn.close()


@pytest.mark.parametrize("mode", [Mode.LEARN, Mode.PRACTICE])
def test_undo_leaves_the_store_exactly_as_before(items: list[Item], store: Store,
                                                mode: Mode) -> None:
    clock = FakeClock()
    item = first(items, "date", fact="pact")
    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 3, clock.now))
    # a history first: the item's card has moved on twice
    for typed in ("1955", "1930"):
        quiz.run([Planned(item)], lambda _p, typed=typed: typed)
        clock.advance(timedelta(days=2))
    before = store_rows(store)
    card_before = store.card(item.id)
    assert card_before is not None
    # answer, see the feedback, press u; then stop at the question asked again
    replies = iter(["1957", Command.STOP])
    asked, ask = answering(lambda _item: next(replies))
    told: list[Outcome] = []

    def tell(outcome: Outcome) -> Command:
        told.append(outcome)
        return Command.UNDO

    quiz = Quiz(store, mode, clock, store.start_session(mode.value, 1, clock.now))
    result = quiz.run([Planned(item)], ask, tell)
    assert [o.given for o in told] == ["1957"]
    assert [p.item.id for p in asked] == [item.id, item.id] and asked[1].notice == UNDONE
    assert result.outcomes == [] and result.stopped == "quit"
    assert store_rows(store) == before
    card_after = store.card(item.id)
    assert card_after is not None and card_after.to_dict() == card_before.to_dict()


def test_undo_of_a_first_answer_removes_the_new_card(items: list[Item], store: Store) -> None:
    clock = FakeClock()
    item = first(items, "choice", fact="war", template="which-happened")
    before = store_rows(store)
    replies = iter([right_answer(item), Command.UNDO, Command.STOP])
    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 1, clock.now))
    seen: list[Prompt] = []

    def ask(prompt: Prompt) -> int | str | Command | None:
        seen.append(prompt)
        reply = next(replies)
        return reply if not isinstance(reply, Flag) else None

    other = first(items, "choice", fact="pact", template="which-happened")
    result = quiz.run([Planned(item, "new"), Planned(other, "new")], ask)
    # answered the first, pressed u on the second question: back to the first, then stopped
    assert [p.item.id for p in seen] == [item.id, other.id, item.id]
    assert seen[2].notice == UNDONE
    assert result.outcomes == [] and result.stopped == "quit"
    assert store_rows(store) == before
    assert store.card(item.id) is None and store.card_infos() == {}


def test_undo_is_refused_when_the_item_was_answered_elsewhere_since(items: list[Item],
                                                                   store: Store) -> None:
    clock = FakeClock()
    item = first(items, "date", fact="pact")
    other = first(items, "date", fact="war")
    asked: list[Prompt] = []

    def ask(prompt: Prompt) -> int | str | Command | None:
        asked.append(prompt)
        if len(asked) == 1:
            return "1955"
        if len(asked) == 2:
            # another session answers the same item before this one presses u
            elsewhere = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 1, clock.now))
            elsewhere.run([Planned(item)], lambda _p: "1930")
            return Command.UNDO
        return Command.STOP

    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 2, clock.now))
    result = quiz.run([Planned(item), Planned(other)], ask)
    assert asked[2].item.id == other.id and asked[2].notice == NOT_UNDONE
    assert [r.answer for r in store.reviews()] == ["1955", "1930"]
    assert len(result.outcomes) == 1


def test_nothing_to_undo_at_the_start(items: list[Item], store: Store) -> None:
    item = first(items, "date", fact="pact")
    replies = iter([Command.UNDO, "1955"])
    asked, ask = answering(lambda _item: next(replies))
    Quiz(store, Mode.PRACTICE, FakeClock(), store.start_session("practice", 1, START)).run(
        [Planned(item)], ask)
    assert asked[1].notice == NOTHING_TO_UNDO and len(store.reviews()) == 1


def test_flags_are_saved_with_the_question_as_shown(items: list[Item], store: Store) -> None:
    item = first(items, "choice", template="choice", fact="share")
    replies = iter([Flag("  36% of what? unclear  "), right_answer(item)])
    asked, ask = answering(lambda _item: next(replies))
    told = []

    def tell(outcome: Outcome) -> Flag | None:
        told.append(outcome)
        return Flag("source is old") if len(told) == 1 else None

    quiz = Quiz(store, Mode.PRACTICE, FakeClock(), store.start_session("practice", 1, START))
    result = quiz.run([Planned(item)], ask, tell)
    assert asked[1].notice == FLAG_SAVED and result.right == 1
    assert [o.flagged for o in told] == [False, True]
    flags = store.flags()
    assert [f.comment for f in flags] == ["36% of what? unclear", "source is old"]
    assert all(f.item_id == item.id for f in flags)
    shown = [f"{'ABCD'[n]}) {option}" for n, option in enumerate(item.options)]
    assert flags[0].question.splitlines() == [item.question, *shown]
    assert "D) 36%" in shown or "A) 12%" in shown
    assert flags[0].answer == "D) 36%"
    assert len(store.reviews()) == 1, "a flag is not an answer"


def test_typed_commands() -> None:
    assert typed_command(" Q ") is Command.STOP and typed_command("quit") is Command.STOP
    assert typed_command("u") is Command.UNDO and typed_command("flag") is Command.FLAG
    assert typed_command("h") is Command.HELP and typed_command("1971") is None


# --- retries, mistakes, counting -------------------------------------------------------------


def test_retries_reshuffle_options_unless_they_are_in_order(items: list[Item]) -> None:
    rng = random.Random(3)
    for item in (i for i in items if i.kind == "choice"):
        again = reshuffled(item, rng)
        assert again.id == item.id and sorted(again.options) == sorted(item.options)
        assert again.answer == item.answer
        assert again.answer_index is not None
        assert again.options[again.answer_index] == item.answer
        if item.ordered:
            assert again == item
        else:
            assert again.answer_index != item.answer_index, "the letter of the answer moves"
    outcomes = [Outcome(i, "?", Verdict.WRONG, 1, "Not answered.", 1.0)
                for i in items if i.kind == "choice" and not i.ordered][:3]
    plan = retry_plan(outcomes, random.Random(1))
    assert [p.item.options for p in plan] != [o.item.options for o in outcomes]
    assert [p.label for p in plan] == ["retry"] * 3


def test_mistakes_are_items_missed_lately_and_not_answered_right_since(items: list[Item],
                                                                       store: Store) -> None:
    clock = FakeClock(step=timedelta(0))
    close = first(items, "date", fact="pact")
    old, fixed, still = [i for i in items if i.kind == "date" and i.fact != "pact"][:3]
    quiz = Quiz(store, Mode.PRACTICE, clock, store.start_session("practice", 4, clock.now))
    quiz.run([Planned(old)], lambda p: wrong_answer(p.item))
    clock.advance(timedelta(days=10))
    quiz.run([Planned(i) for i in (fixed, still)], lambda p: wrong_answer(p.item))
    quiz.run([Planned(fixed)], lambda p: right_answer(p.item))
    near = quiz.run([Planned(close)], lambda _p: "1956")
    assert near.close == 1, "a near miss counts as missed too"
    missed = store.missed_items(clock.now - timedelta(days=7))
    assert set(missed) == {still.id, close.id}
    plan = plan_mistakes(items, [*missed, "gone/fact/date-recall"], count=10,
                         rng=random.Random(1))
    assert {p.item.id for p in plan} == {still.id, close.id}
    assert plan_mistakes(items, missed, count=1, rng=random.Random(1))[0].item.id == missed[0]
    assert set(store.missed_items(clock.now - timedelta(days=30))) == {old.id, still.id, close.id}


def test_right_close_and_missed_mean_the_same_everywhere(items: list[Item], store: Store) -> None:
    """A near miss is close, never right: in the round, the summary, the topic statistics and
    the recent sessions alike; retries are counted apart."""
    clock = FakeClock()
    treaty = first(items, "date", fact="treaty")
    pact = first(items, "date", fact="pact")
    war = first(items, "date", fact="war")
    answers = {treaty.id: "11 August 1971", pact.id: "1955", war.id: "1930"}
    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 3, clock.now))
    result = quiz.run([Planned(i) for i in (treaty, pact, war)], lambda p: answers[p.item.id])
    assert (result.right, result.close, len(result.missed)) == (1, 1, 2)
    summary = summarise(result, store, clock())
    assert (summary.asked, summary.right, summary.close) == (3, 1, 1)
    assert [o.item.id for o in summary.missed] == [treaty.id, war.id]
    quiz.run(retry_plan(result.outcomes), lambda p: right_answer(p.item), retry=True)
    stats = {t.topic: t for t in store.topic_stats(clock())}
    assert (stats["diplomacy"].answers, stats["diplomacy"].right, stats["diplomacy"].close) == (1, 0, 1)
    assert (stats["cold-war"].answers, stats["cold-war"].right) == (2, 1)
    assert store.answer_counts() == (3, 2)
    assert [(s.answers, s.correct) for s in store.recent_sessions()] == [(3, 1)]


def test_memory_a_week_on_is_low_after_wrong_answers(items: list[Item], store: Store) -> None:
    """Stats must not read 100% right after a run of wrong answers."""
    clock = FakeClock()
    cold = [i for i in items if i.topic == "cold-war"]
    science = [i for i in items if i.topic == "science"]
    quiz = Quiz(store, Mode.LEARN, clock, store.start_session("learn", 30, clock.now))
    for _ in range(5):
        quiz.run([Planned(i) for i in cold], lambda p: wrong_answer(p.item))
        quiz.run([Planned(i) for i in science], lambda p: right_answer(p.item))
        clock.advance(timedelta(days=1))
    stats = {t.topic: t for t in store.topic_stats(clock())}
    weak, strong = stats["cold-war"].recall_in_week, stats["science"].recall_in_week
    assert weak is not None and strong is not None
    assert weak < 0.7 < strong

"""The quiz logic without a terminal: an injected ``ask``, an injected clock, a real store."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating, Scheduler, State

from histquiz import Deck, Item, generate
from histquiz.dates import HistDate, Verdict
from histquiz.quiz.session import (
    AGAIN,
    GOOD,
    HARD,
    Mode,
    Planned,
    Prompt,
    Quiz,
    grade,
    new_today,
    plan_learn,
    plan_random,
    retry_plan,
    summarise,
    topic_title,
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
    assert item.answer_date is not None
    return item.answer_date.iso()


def wrong_answer(item: Item) -> int | str:
    if item.kind == "choice":
        assert item.answer_index is not None
        return (item.answer_index + 1) % len(item.options)
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


def test_choice_grading_by_index_letter_number_and_text(items: list[Item]) -> None:
    item = first(items, "choice")
    assert item.answer_index is not None
    right, wrong = item.answer_index, (item.answer_index + 1) % len(item.options)
    assert grade(item, right).verdict is Verdict.EXACT
    assert grade(item, wrong).verdict is Verdict.WRONG
    assert grade(item, chr(ord("a") + right)).verdict is Verdict.EXACT
    assert grade(item, chr(ord("A") + wrong)).verdict is Verdict.WRONG
    assert grade(item, str(right + 1)).verdict is Verdict.EXACT
    assert grade(item, f" {item.options[right].upper()} ").verdict is Verdict.EXACT
    assert grade(item, "?").verdict is Verdict.WRONG
    assert grade(item, "?").given == "?"
    assert not grade(item, "z").final
    assert not grade(item, "nonsense words").final


def test_choice_option_typed_as_a_year_is_not_read_as_a_number(items: list[Item]) -> None:
    item = first(items, "choice", template="date-choice", fact="pact")
    assert item.answer == "1955"
    assert grade(item, "1955").verdict is Verdict.EXACT


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
    assert vague.message == "Please give the full date."
    near = grade(item, "11 August 1971")
    assert near.verdict is Verdict.NEAR and near.rating == HARD
    assert "off by 2 days" in near.message
    assert grade(item, "9/8/1971").verdict is Verdict.EXACT


def test_unreadable_and_vague_dates_are_asked_again_at_no_cost(items: list[Item], store: Store) -> None:
    item = first(items, "date", fact="treaty")
    replies = iter(["soon", "1971", "9 August 1971"])
    asked, ask = answering(lambda _item: next(replies))
    quiz = Quiz(store, Mode.LEARN, FakeClock(), store.start_session("learn", 1, START))
    result = quiz.run([Planned(item, "new")], ask)
    assert [p.hint is None for p in asked] == [True, False, False]
    assert asked[1].hint is not None and "not a date" in asked[1].hint
    assert asked[2].hint == "Please give the full date."
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
    assert len({(p.item.deck, p.item.fact) for p in plan}) == len(facts)
    bigger = plan_random(items, count=len(facts) + 3, rng=random.Random(4))
    assert len(bigger) == len(facts) + 3 and len({p.item.id for p in bigger}) == len(bigger)
    learn = plan_learn(items, {}, START, count=100, new_today=0, new_per_day=100,
                       rng=random.Random(4))
    assert len(learn) == len(facts)


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
    assert Prompt(item, 3, 10).header == "Question 3 of 10 · Cold war"
    assert Prompt(item, 1, 2, "new").header == "Question 1 of 2 · Cold war · new"
    assert Prompt(item, 2, 4, "retry").header == "Retry 2 of 4 · Cold war"
    assert topic_title("un") == "UN" and topic_title("cold-war") == "Cold war"


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
    from histquiz.quiz.session import Outcome
    from histquiz.quiz.terminal import Paint, feedback_lines

    items = generate(mini_decks, 0)
    item = next(i for i in items if i.kind == "date" and i.note)
    near = Outcome(item, "1953", Verdict.NEAR, 2, "Close: off by 2 years (2 years early).", 3.0)
    text = "\n".join(feedback_lines(near, Paint(False)))
    assert text.startswith("~ Close: off by 2 years (2 years early). The answer is 1955.")
    flat = " ".join(text.split())
    for part in (item.statement, item.explanation, f"Note: {item.note}"):
        assert " ".join(part.split()) in flat
    assert all(f"Source: {s.citation()}" in flat for s in item.sources)
    assert "\x1b[" not in text  # no colour when it is off
    wrong = Outcome(item, "1980", Verdict.WRONG, 1, "Off by 25 years (late).", 3.0)
    assert feedback_lines(wrong, Paint(False))[0] == "✗ Off by 25 years (late). The answer is 1955."
    assert feedback_lines(wrong, Paint(False, "ascii"))[0] == "x Off by 25 years (late). The answer is 1955."

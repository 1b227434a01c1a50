"""The revealing relation: which item gives another away, and selections that keep them apart."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from histquiz import Item
from histquiz.dates import HistDate
from histquiz.generate.reveal import reveals, spread


def item(fact: str, template: str, question: str, answer: str, *, kind: str = "choice",
         answer_kind: str = "text", date: HistDate | None = None,
         answer_date: HistDate | None = None, options: tuple[str, ...] = (),
         accept: tuple[str, ...] = ()) -> Item:
    if kind == "choice" and not options:
        options = (answer, "Something else", "A third thing")
    return Item(
        id=f"d/{fact}/{template}", kind=kind, template=template, question=question,
        answer=answer, deck="d", fact=fact, topic="t", explanation="", sources=(), tags=(),
        date=date, statement="", options=options,
        answer_index=options.index(answer) if kind == "choice" else None,
        answer_date=answer_date, answer_kind=answer_kind, accept=accept,
    )


TREATY = HistDate(1971, 8, 9)
RECALL_YEAR = item("treaty", "date-recall", "In what year was the treaty signed?", "1971",
                   kind="date", answer_kind="date", date=HistDate(1971), answer_date=HistDate(1971))
SIGNATORY = item("treaty", "choice-signatory", "Which Soviet minister signed the 1971 treaty?",
                 "Andrei Gromyko", date=HistDate(1971), accept=("Gromyko",))
WAR_YEAR = item("war", "date-recall", "In what year was the war of 1971 fought?", "1971",
                kind="date", answer_kind="date", date=HistDate(1971), answer_date=HistDate(1971))
VISIT = item("visit", "choice-guest", "Whom did Gromyko receive in Moscow in 1973?",
             "Swaran Singh", options=("Swaran Singh", "Andrei Gromyko", "Y. B. Chavan"))
WHICH = item("treaty", "which-happened", "Which of these happened in 1971?",
             "India and the USSR sign a treaty", date=HistDate(1971),
             options=("India and the USSR sign a treaty", "A", "B"))
DAY = item("treaty", "date-recall", "On what date was the treaty signed?", "9 August 1971",
           kind="date", answer_kind="date", date=TREATY, answer_date=TREATY)
MONTH_STEM = item("treaty", "choice-place", "Where was the treaty of August 1971 signed?",
                  "New Delhi", date=TREATY)


def test_a_stem_that_states_the_year_gives_away_its_facts_date() -> None:
    items = [RECALL_YEAR, SIGNATORY]
    r = reveals(items)
    assert r.gives[1] == {0}
    assert r.clash(0, 1) and r.clash(1, 0)


def test_a_year_in_another_facts_stem_gives_nothing_away() -> None:
    r = reveals([WAR_YEAR, SIGNATORY])
    assert not r.clash(0, 1)


def test_a_name_gives_away_any_question_whose_answer_it_is() -> None:
    r = reveals([SIGNATORY, VISIT])
    # the visit's stem names Gromyko, the signatory question's answer (another fact)
    assert r.gives[1] == {0}
    assert r.gives[0] == frozenset()


def test_a_distractor_gives_nothing_away() -> None:
    # Gromyko is one of the visit's options, but not its key
    asks_gromyko = item("mission", "choice-envoy", "Who led the Soviet mission?", "Andrei Gromyko")
    guest = item("visit", "choice-guest", "Whom did the foreign minister receive in 1973?",
                 "Swaran Singh", options=("Swaran Singh", "Andrei Gromyko", "Y. B. Chavan"))
    assert not reveals([asks_gromyko, guest]).clash(0, 1)


def test_the_date_counts_at_the_precision_asked() -> None:
    items = [DAY, WHICH, MONTH_STEM, RECALL_YEAR]
    r = reveals(items)
    # the full date (the day item's answer) gives away the year and the year's event
    assert {1, 3} <= r.gives[0]
    # "August 1971" gives the year away but not the day
    assert 3 in r.gives[2] and 0 not in r.gives[2]
    # "Which of these happened in 1971?" states the year: it gives the year item away
    assert 3 in r.gives[1]
    assert 0 not in r.gives[1]


def test_accepted_variants_count() -> None:
    other = item("other", "choice-x", "Which treaty did Gromyko sign in Delhi?", "The 1971 treaty")
    r = reveals([SIGNATORY, other])
    assert 0 in r.gives[1]


@given(st.integers(0, 2**32 - 1), st.integers(1, 12))
def test_spread_never_keeps_a_revealing_pair(seed: int, count: int) -> None:
    items = [RECALL_YEAR, SIGNATORY, WAR_YEAR, VISIT, WHICH, DAY, MONTH_STEM]
    r = reveals(items)
    chosen = spread(range(len(items)), r, random.Random(seed), count)
    assert len(chosen) <= count
    assert chosen == sorted(chosen)
    assert not any(r.clash(a, b) for a in chosen for b in chosen if a != b)


def test_builtin_items_relation(builtin_decks: list) -> None:  # type: ignore[type-arg]
    from histquiz import generate

    items = generate(builtin_decks, 0)
    r = reveals(items)
    by_id = {it.id: n for n, it in enumerate(items)}
    # a headline naming a hand-written answer gives that question away (the built-in stems no
    # longer state their fact's date: `histquiz validate` warns about those)
    a = by_id["un/resolution-123-1957/which-happened"]
    assert "Gunnar Jarring" in items[a].answer
    assert by_id["un/resolution-123-1957/choice-envoy"] in r.gives[a]
    # and the date-choice item shows the key the date-recall item asks
    recall = by_id["indo-soviet/putin-visit-2025/date-recall"]
    choice = by_id["indo-soviet/putin-visit-2025/date-choice"]
    assert r.clash(recall, choice)

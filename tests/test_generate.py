"""Every item upholds the invariants, on the shipped decks, the test deck and unseen decks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import check_items, with_every_template
from synth import write_deck

from histquiz import Deck, Item, Selection, UsageError, generate, load_decks
from histquiz.generate import TEMPLATES
from histquiz.load.rules import MIN_FALSE


@pytest.mark.parametrize("n_options", [3, 4, 5])
def test_builtin_items_uphold_invariants(builtin_decks: list[Deck], n_options: int) -> None:
    items = generate(builtin_decks, n_options, n_options=n_options)
    assert items
    check_items(items, builtin_decks, n_options)


def test_mini_items_uphold_invariants(mini_decks: list[Deck]) -> None:
    decks = with_every_template(mini_decks)
    items = generate(decks, 5)
    assert {i.template for i in items} == set(TEMPLATES)
    check_items(items, decks)


@pytest.mark.parametrize("n_options", [3, 4, 5])
def test_builtin_ordering_and_matching_uphold_invariants(builtin_decks: list[Deck],
                                                         n_options: int) -> None:
    decks = with_every_template(builtin_decks)
    items = generate(decks, n_options, n_options=n_options)
    assert {"order", "match", "first", "true-statement"} <= {i.template for i in items}
    check_items(items, decks, n_options)


@pytest.mark.parametrize("n_options", [3, 4, 5])
def test_no_question_is_dropped(builtin_decks: list[Deck], n_options: int) -> None:
    items = generate(builtin_decks, 0, n_options=n_options)
    made = {i.id for i in items if i.template == "choice"}
    wanted = {f"{f.deck}/{f.id}/choice-{q.id}" for d in builtin_decks for f in d.facts
              if "choice" in f.templates for q in f.questions}
    assert made == wanted
    if n_options == 4:  # the loader guarantees four options for every shipped item
        assert all(len(i.options) == 4 for i in items
                   if i.kind == "choice" and i.template not in ("first", "true-statement"))


def test_every_fact_of_every_shipped_deck_gives_items(builtin_decks: list[Deck]) -> None:
    items = generate(builtin_decks, 0)
    with_items = {(i.deck, i.fact) for i in items}
    silent = [f"{f.deck}/{f.id}" for d in builtin_decks for f in d.facts
              if (f.deck, f.id) not in with_items]
    assert silent == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(4, 60), seed=st.integers(0, 10_000), n_options=st.integers(3, 5))
def test_unseen_decks_uphold_invariants(tmp_path_factory: pytest.TempPathFactory, n: int,
                                        seed: int, n_options: int) -> None:
    folder = tmp_path_factory.mktemp("synth")
    decks = load_decks([write_deck(folder, n, seed)])
    check_items(generate(decks, seed, n_options=n_options), decks, n_options)


names = st.text(alphabet="abcAB .,-'é", min_size=1, max_size=6).filter(lambda s: s.strip(" .,-'"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    answers=st.lists(names, min_size=1, max_size=8),
    pool=st.lists(names, min_size=3, max_size=12),
    years=st.lists(st.integers(1947, 2025), min_size=4, max_size=8),
    numbers=st.lists(st.integers(1, 99), min_size=1, max_size=4),
    seed=st.integers(0, 1000),
)
def test_adversarial_values(tmp_path_factory: pytest.TempPathFactory, answers: list[str],
                            pool: list[str], years: list[int], numbers: list[int],
                            seed: int) -> None:
    """Values that differ only in case, accents or punctuation never yield two right options."""
    from histquiz.textnorm import normalize

    distinct = {normalize(p) for p in pool} - {normalize(a) for a in answers}
    if len(distinct) < 3:
        return
    q = lambda s: '"' + s.replace('"', '\\"') + '"'  # noqa: E731
    lines = ["deck: {id: adv, title: Adv, description: x}",
             "sources: {s: {title: T, author: A, date: 2000}}",
             "pools: {person.x: [" + ", ".join(q(p) for p in pool) + "]}", "facts:"]
    for i, year in enumerate(years):
        lines += [f"  - id: f{i}", "    statement: S.", "    explanation: E.", "    topic: t",
                  "    sources: [s]", f"    date: {year}", f"    when: did thing {i} happen",
                  f"    event: Thing {i} happens", "    questions:",
                  f"      - {{id: n, ask: How many {i}?, answer: {numbers[i % len(numbers)]}, kind: number}}"]
        if i < len(answers):
            lines.append(f"      - {{id: p, ask: Who {i}?, answer: {q(answers[i])}, kind: person.x}}")
    path = tmp_path_factory.mktemp("adv") / "adv.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        decks = load_decks([path])
    except Exception as exc:  # the loader may refuse (too few candidates): never a crash
        assert type(exc).__name__ == "DeckError", exc
        return
    check_items(generate(decks, seed), decks)


def test_same_seed_same_items_different_seed_differs(builtin_decks: list[Deck]) -> None:
    a = generate(builtin_decks, 1)
    b = generate(builtin_decks, 1)
    c = generate(builtin_decks, 2)
    assert a == b
    assert [i.options for i in a] != [i.options for i in c]


def test_key_position_spread_evenly(builtin_decks: list[Deck]) -> None:
    # of four options ("Which came first?" has two, a true statement one per false one)
    items = [i for i in generate(builtin_decks, 3) if i.kind == "choice" and len(i.options) == 4]
    positions = Counter(i.answer_index for i in items)
    assert set(positions) == {0, 1, 2, 3}
    assert max(positions.values()) - min(positions.values()) <= max(4, len(items) // 10)


def test_filters(builtin_decks: list[Deck]) -> None:
    topic = builtin_decks[0].facts[0].topic
    items = generate(builtin_decks, 0, Selection(topics=(topic,), kinds=("date",)))
    assert items and all(i.topic == topic and i.kind == "date" for i in items)
    with pytest.raises(UsageError, match="unknown topic 'nope'"):
        generate(builtin_decks, 0, Selection(topics=("nope",)))
    with pytest.raises(UsageError, match="Did you mean 'choice'"):
        generate(builtin_decks, 0, Selection(kinds=("choise",)))


def test_distractors_come_from_all_loaded_decks(mini_decks: list[Deck], tmp_path: Path) -> None:
    extra = write_deck(tmp_path, 5, 1, deck_id="other")
    decks = load_decks([Path(__file__).parent / "data" / "good" / "mini.yaml", extra])
    items = generate(decks, 0, Selection(decks=("mini",)))
    assert {i.deck for i in items} == {"mini"}
    check_items(items, decks)


def test_an_item_does_not_depend_on_what_else_is_selected(builtin_decks: list[Deck]) -> None:
    everything = {i.id: i for i in generate(builtin_decks, 9)}
    one_deck = generate(builtin_decks, 9, Selection(decks=("un",)))
    assert one_deck and all(everything[i.id] == i for i in one_deck)
    dates_only = generate(builtin_decks, 9, Selection(kinds=("date",)))
    assert dates_only and all(everything[i.id] == i for i in dates_only)


def test_distractors_come_from_the_facts_period(tmp_path: Path) -> None:
    """Of the candidates drawn, those known from facts nearest the question's year are kept."""
    lines = ["deck: {id: era, title: Era, description: x}",
             "sources: {s: {title: T, author: A, date: 2000}}", "facts:"]
    people = {1955: "Old One", 1957: "Old Two", 1961: "Old Three", 2011: "New One",
              2013: "New Two", 2015: "New Three", 2017: "New Four", 2019: "New Five"}
    for year, name in [(1959, "Answer Person"), *people.items()]:
        lines += [f"  - id: f{year}", "    statement: S.", "    explanation: E.", "    topic: t",
                  "    sources: [s]", f"    date: {year}", "    questions:",
                  f"      - {{id: who, ask: Who acted in fact {year % 100}?, answer: {name}, "
                  "kind: person.x}"]
    path = tmp_path / "era.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    decks = load_decks([path])
    for seed in range(5):
        item = next(i for i in generate(decks, seed) if i.fact == "f1959")
        assert set(item.options) == {"Answer Person", "Old One", "Old Two", "Old Three"}


_days = st.tuples(st.integers(1947, 2025), st.integers(1, 12), st.integers(1, 28))


@settings(max_examples=40, deadline=None)
@given(dates=st.lists(st.tuples(_days, st.sampled_from(["year", "month", "day"])),
                      min_size=1, max_size=12),
       false_count=st.integers(0, 5), seed=st.integers(0, 2**32), n_options=st.integers(3, 5))
def test_history_templates_hold_on_any_events(dates: list[tuple[tuple[int, int, int], str]],
                                              false_count: int, seed: int,
                                              n_options: int) -> None:
    """Any events at any precision: one right order, one true statement, a one-to-one matching,
    each derivable from the facts' dates and false statements alone (tests/invariants.py)."""
    from histquiz.dates import HistDate
    from histquiz.model import Fact, FalseStatement, Source

    source = Source("s", "A source", None, "Press", HistDate(2000))
    facts = []
    for n, ((y, m, d), precision) in enumerate(dates):
        when = HistDate(y) if precision == "year" else (
            HistDate(y, m) if precision == "month" else HistDate(y, m, d))
        facts.append(Fact(
            id=f"f{n}", deck="h", statement=f"Statement {n}.", topic="t", sources=(source,),
            explanation="E.", date=when, event=f"Event number {n}",
            templates=("true-statement", "first", "order", "match") if false_count else
            ("first", "order", "match"),
            false_statements=tuple(FalseStatement(f"False {n} {k}.", f"Why {k}.")
                                   for k in range(false_count))))
    decks = [Deck("h", "H", "D", tuple(facts))]
    items = generate(decks, seed, n_options=n_options)
    check_items(items, decks, n_options)
    made = sum(i.template == "true-statement" for i in items)
    assert made == (len(facts) if false_count >= MIN_FALSE else 0)


def test_no_two_items_of_one_template_ask_the_same_events(builtin_decks: list[Deck]) -> None:
    """In a small topic two facts may draw the same events; the question is asked once."""
    for seed in range(5):
        items = generate(with_every_template(builtin_decks), seed)
        asked = [(i.template, frozenset(i.option_facts)) for i in items if i.option_facts]
        assert len(asked) == len(set(asked))


def test_a_sequence_may_order_days_of_one_month(tmp_path: Path) -> None:
    """Events in one month stand together only when the deck marks them as one sequence and
    each is dated to the day; otherwise never."""
    def deck(sequence: str) -> list[Deck]:
        days = [("d09", "1971-12-09"), ("d12", "1971-12-12"), ("d14", "1971-12-14"),
                ("d16", "1971-12-16"), ("m12", "1971-12")]
        lines = ["deck: {id: s, title: S, description: D.}",
                 "sources: {r: {title: R, publisher: P, date: 2000}}",
                 "templates: {default: [order]}", "facts:"]
        for fid, day in days:
            lines += [f"  - id: {fid}", "    statement: S.", "    explanation: E.", "    topic: t",
                      "    sources: [r]", f"    event: The event of the day {fid}",
                      f"    date: {day}", *([f"    sequence: {sequence}"] if sequence else [])]
        path = tmp_path / f"seq-{sequence or 'none'}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return load_decks([path])

    marked = deck("war-1971")
    items = []
    for seed in range(10):
        made = generate(marked, seed)
        check_items(made, marked)
        items += made
    assert items and all(len(i.options) >= 3 for i in items)
    # the fact dated to the month only never stands beside a day of that month
    assert all("s/m12" not in i.option_facts for i in items)
    assert [i for seed in range(10) for i in generate(deck(""), seed)] == []


def test_make_item_makes_what_the_dataclass_makes(builtin_decks: list[Deck]) -> None:
    # make_item fills an item's fields without Item's __init__: each item must equal the one
    # __init__ makes of the same values, and keep the small table of fields that items share
    import dataclasses
    import sys

    from histquiz.generate.common import make_item

    items = generate(builtin_decks, seed=3)
    assert {i.template for i in items} >= {"choice", "first", "order", "match", "date-recall"}
    for item in items:
        values = {f.name: getattr(item, f.name) for f in dataclasses.fields(Item)}
        again = Item(**values)
        assert item == again and hash(item) == hash(again)
        assert list(vars(item)) == list(values)
        assert sys.getsizeof(vars(item)) == sys.getsizeof(vars(again))
    fact = builtin_decks[0].facts[0]
    with pytest.raises(TypeError):
        make_item(fact, "choice", "Q?", "A", date=None)  # a field taken from the fact
    with pytest.raises(TypeError):
        make_item(fact, "choice", "Q?", "A", optoins=("A", "B"))

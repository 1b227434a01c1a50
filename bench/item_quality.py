"""Item quality figures for the built-in decks (or --decks), over seeds 0-9 (or --seeds N).

Run by hand: ``python bench/item_quality.py``. It prints what the item-quality rules measure:

- "Which of these happened in YEAR?": distractors from outside the asked year's period, their
  distance from the asked year, and those within a year of it;
- numbers: options outside their question's bounds; the key's rank among the sorted options;
- dates: options outside their fact's bounds; the key as the last option; day-level options
  two days or less apart;
- hand-written questions: stems that state their fact's date, keys much longer than every
  distractor or with a parenthesis none of the distractors has;
- worksheets and quiz-like samples of 20 questions over 20 seeds: those holding a pair where
  one question gives another away (by the relation in histquiz.generate.reveal).

Periods come from the loaded decks when they declare them; otherwise the split the built-in
decks use (the Soviet Union until 26 December 1991, Russia after) is assumed, so the figure can
be taken on older versions too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import itertools

from histquiz import Item, load_decks
from histquiz.dates import HistDate
from histquiz.generate.reveal import reveals
from histquiz.textnorm import normalize

SPLIT = (1991, 12, 26)


def _generate(decks: Sequence[Any], seed: int) -> list[Item]:
    from histquiz.generate import generate

    try:
        return list(generate(decks, seed=seed))  # type: ignore[call-arg]
    except TypeError:
        return list(generate(decks, seed))


def _period_of(decks: Sequence[Any]) -> Callable[[tuple[int, int, int]], str]:
    periods = [p for d in decks for p in getattr(d, "periods", ())]
    if periods:
        def find(key: tuple[int, int, int]) -> str:
            for p in periods:
                if p.holds(key):
                    return str(p.id)
            return "none"
        return find
    return lambda key: "soviet" if key < SPLIT else "russia"


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "0/0"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--decks", nargs="*")
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    decks = load_decks(args.decks or None)
    period = _period_of(decks)
    facts = {(f.deck, f.id): f for d in decks for f in d.facts}
    event_date = {normalize(f.event): f.date for f in facts.values() if f.event and f.date}

    wh_total = wh_other_period = wh_far = wh_near = 0
    gaps: list[int] = []
    num_ranks: Counter[tuple[int, int]] = Counter()
    num_out = num_total = 0
    date_out = date_total = last_key = date_items = close_days = day_items = 0
    for seed in range(args.seeds):
        for item in _generate(decks, seed):
            fact = facts.get((item.deck, item.fact))
            if item.template == "which-happened" and item.date is not None:
                year = item.date.year if not hasattr(item.date, "start") else item.date.start.year
                asked_period = period(_key(item.date))
                for i, option in enumerate(item.options):
                    if i == item.answer_index:
                        continue
                    when = event_date.get(normalize(option))
                    if when is None:
                        continue
                    wh_total += 1
                    oyear = _key(when)[0]
                    gaps.append(abs(oyear - year))
                    wh_other_period += period(_key(when)) != asked_period
                    wh_far += abs(oyear - year) > 10
                    wh_near += abs(oyear - year) <= 1
            elif item.answer_kind.split(".")[0] in ("number", "percentage") and item.options:
                assert item.answer_index is not None
                num_ranks[(len(item.options), item.answer_index)] += 1
                bounds = _bounds(fact, item)
                for option in item.options:
                    num_total += 1
                    value = _number(option)
                    if value is not None and bounds and not bounds[0] <= value <= bounds[1]:
                        num_out += 1
            elif item.template == "date-choice" and item.answer_index is not None:
                date_items += 1
                last_key += item.answer_index == len(item.options) - 1
                lo, hi = _date_bounds(fact)
                dates = [_parse(o) for o in item.options]
                for d in dates:
                    # outside: no day of the option lies within the bounds (an option at the
                    # month's or year's precision may straddle a bound)
                    date_total += 1
                    if d is not None and ((lo and _end_key(d) < lo) or (hi and d.sort_key() > hi)):
                        date_out += 1
                if item.answer_date is not None and item.answer_date.day is not None:
                    day_items += 1
                    ordinals = sorted(_ordinal(d) for d in dates if d is not None and d.day)
                    if any(b - a <= 2 for a, b in itertools.pairwise(ordinals)):
                        close_days += 1

    print(f"decks: {len(decks)}, facts: {len(facts)}, seeds: 0-{args.seeds - 1}")
    print("which-happened distractors:")
    print(f"  from another period: {_pct(wh_other_period, wh_total)}")
    print(f"  more than 10 years from the asked year: {_pct(wh_far, wh_total)}")
    print(f"  within a year of the asked year: {_pct(wh_near, wh_total)}")
    if gaps:
        print(f"  median gap: {statistics.median(gaps)} years")
    print(f"numbers: options outside bounds: {_pct(num_out, num_total)}")
    for n in sorted({n for n, _ in num_ranks}):
        row = [num_ranks[(n, r)] for r in range(n)]
        total = sum(row)
        shares = ", ".join(f"{100 * c / total:.0f}%" for c in row)
        print(f"  key rank with {n} options (lowest first): {shares} of {total}")
    print(f"dates: options outside the fact's bounds: {_pct(date_out, date_total)}")
    print(f"  key is the last option: {_pct(last_key, date_items)}")
    print(f"  day-level items with options 2 days apart or less: {_pct(close_days, day_items)}")

    items = _generate(decks, 0)
    handwritten = [i for i in items if i.template == "choice"]
    stating = sum(1 for i in handwritten if i.date is not None and _states_date(i))
    print(f"hand-written stems stating their fact's year: {_pct(stating, len(handwritten))}")
    texts = [i for i in handwritten if i.answer_kind == "text" and i.answer_index is not None]
    longest = sum(1 for i in texts if len(i.answer) == max(len(o) for o in i.options))
    print(f"text keys that are the longest option: {_pct(longest, len(texts))}")
    long_keys = sum(1 for i in handwritten if _key_stands_out(i))
    print(f"hand-written keys much longer than every distractor or alone with a gloss: "
          f"{_pct(long_keys, len(handwritten))}")

    relation = reveals(items)
    print(f"revealing pairs among all {len(items)} items: {sum(1 for _ in relation.pairs())}")
    clashing = 0
    trials = 20
    for seed in range(trials):
        picked = _worksheet(items, seed)
        index = {id(it): n for n, it in enumerate(items)}
        chosen = [index[id(it)] for it in picked]
        if any(relation.clash(a, b) for k, a in enumerate(chosen) for b in chosen[k + 1:]):
            clashing += 1
    print(f"20-question worksheets holding a revealing pair: {_pct(clashing, trials)}")


def _worksheet(items: list[Item], seed: int) -> list[Item]:
    from histquiz.export import worksheet as ws  # the module moves; both places are tried

    pick = getattr(ws, "pick_questions", None)
    if pick is None:  # pragma: no cover - newer layout
        from histquiz.export.worksheet import plan as ws_plan  # type: ignore[attr-defined]

        pick = ws_plan.pick_questions
    try:
        return list(pick(items, 20, random.Random(seed)))
    except TypeError:
        return list(pick(items, 20, seed))


def _key(when: Any) -> tuple[int, int, int]:
    start = when.start if hasattr(when, "start") else when
    return (start.year, start.month or 0, start.day or 0)


def _number(text: str) -> float | None:
    digits = text.replace(",", "").replace("%", "").split()[0] if text.strip() else ""
    try:
        return float(digits)
    except ValueError:
        return None


def _bounds(fact: Any, item: Item) -> tuple[float, float] | None:
    if fact is None:
        return None
    for q in fact.questions:
        if item.id.endswith(f"/choice-{q.id}"):
            b = getattr(q, "bounds", None)
            if b is not None:
                return (float(b[0]), float(b[1]))
            if q.base_kind == "percentage":
                return (0.0, 100.0)
    return None


def _date_bounds(fact: Any) -> tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]:
    lo = getattr(fact, "not_before", None)
    hi = getattr(fact, "not_after", None)
    return (lo.sort_key() if lo else None, _end_key(hi) if hi else None)


def _end_key(d: HistDate) -> tuple[int, int, int]:
    return (d.year, d.month or 12, d.day or 31)


def _parse(text: str) -> HistDate | None:
    from histquiz.dates import parse_answer

    try:
        return parse_answer(text)
    except Exception:
        return None


def _ordinal(d: HistDate) -> int:
    import datetime

    return datetime.date(d.year, d.month or 1, d.day or 1).toordinal()


def _states_date(item: Item) -> bool:
    start = item.date.start if hasattr(item.date, "start") else item.date
    return start is not None and str(start.year) in item.question


def _key_stands_out(item: Item) -> bool:
    if item.answer_index is None:
        return False
    key = item.options[item.answer_index]
    others = [o for i, o in enumerate(item.options) if i != item.answer_index]
    much_longer = all(len(key) > 1.5 * len(o) + 5 for o in others)
    lone_gloss = "(" in key and not any("(" in o for o in others)
    return much_longer or lone_gloss


if __name__ == "__main__":
    main()

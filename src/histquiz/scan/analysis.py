"""Item analysis of a marked class, in the terms of classical test theory.

For each item (the same question in every version, whatever letter its answer had there):

- difficulty: the share of students who answered it right (a blank counts as wrong);
- discrimination: the point-biserial correlation between getting the item right and the score
  on the *other* items (so an item does not correlate with itself), and the upper-minus-lower
  index: the share right among the top 27% of the class minus the share among the bottom 27%;
- how often each option was chosen.

An item is flagged when its discrimination is negative (the stronger students did worse on it
than the weaker ones) or when a distractor was chosen more often than the key: both are where a
key may be wrong or a question ambiguous. Students whose answer to an item is still in doubt, or
whose page holding it was not scanned, are left out of that item's figures. Items answered by
fewer than 10 students are not flagged: with so few, chance decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..export.worksheet.layout import Layout
from .mark import Sheet

UPPER_LOWER = 0.27
FLAG_FROM = 10  # students answering an item before it is flagged: fewer, and chance rules


@dataclass
class ItemStats:
    item: str
    text: str
    key: str  # the right answer's text
    options: list[str]  # in the order of the first version that printed it
    chosen: dict[str, int] = field(default_factory=dict)  # option text → students
    blank: int = 0
    students: int = 0
    right: int = 0
    difficulty: float | None = None
    discrimination: float | None = None
    upper_lower: float | None = None
    flags: list[str] = field(default_factory=list)


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def analyse(sheets: list[Sheet], layout: Layout) -> list[ItemStats]:
    stats: dict[str, ItemStats] = {}
    answers: dict[str, list[tuple[Sheet, bool]]] = {}  # item → (sheet, right)
    for letter, version in layout.versions.items():
        for q in version.questions:
            if q.key is None:
                continue
            key_text = q.options[ord(q.key) - 65]
            item = stats.setdefault(q.item, ItemStats(q.item, q.text, key_text, list(q.options),
                                                      {o: 0 for o in q.options}))
            for sheet in sheets:
                if sheet.version != letter or q.number not in sheet.answers:
                    continue
                answer = sheet.answers[q.number]
                if answer is None:
                    continue
                item.students += 1
                if answer == "":
                    item.blank += 1
                else:
                    text = q.options[ord(answer) - 65]
                    item.chosen[text] = item.chosen.get(text, 0) + 1
                right = answer == q.key
                item.right += right
                answers.setdefault(q.item, []).append((sheet, right))
    ranked = sorted(sheets, key=lambda s: s.score / s.out_of if s.out_of else 0.0)
    group = max(1, round(len(ranked) * UPPER_LOWER))
    lower, upper = {s.key for s in ranked[:group]}, {s.key for s in ranked[-group:]}
    for item in stats.values():
        results = answers.get(item.item, [])
        if not results:
            continue
        item.difficulty = item.right / item.students
        rest = [s.score - (1 if right else 0) * _points(s, layout, item.item) for s, right in results]
        item.discrimination = _correlation([float(r) for _, r in results], [float(x) for x in rest])
        ups = [r for s, r in results if s.key in upper]
        downs = [r for s, r in results if s.key in lower]
        if ups and downs and len(sheets) >= 4:
            item.upper_lower = sum(ups) / len(ups) - sum(downs) / len(downs)
        if item.students < FLAG_FROM:
            continue
        if item.discrimination is not None and item.discrimination < 0:
            item.flags.append(f"negative discrimination ({item.discrimination:.2f})")
        key_count = item.chosen.get(item.key, 0)
        for text, count in item.chosen.items():
            if text != item.key and count > key_count:
                item.flags.append(f"distractor '{text}' chosen more than the key ({count} against "
                                  f"{key_count})")
    return list(stats.values())


def _points(sheet: Sheet, layout: Layout, item: str) -> int:
    for q in layout.versions[sheet.version].questions:
        if q.item == item:
            return q.points
    return 0

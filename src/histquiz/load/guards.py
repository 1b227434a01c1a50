"""Checks that read a whole record after the spec has typed it: what a stem gives away, and
number answers no output can show.

They sit beside the spec rather than in its rows because each looks at several fields at once
(the question and its answer, the date and the words that ask for it). ``check_file`` runs them
all over one file's records; every problem goes to the report with the line and column to fix.

- A number answer must survive being printed: at most two decimal places (``0.001`` would be
  shown as ``0``, and its neighbours ``0.002``, ``0.003`` as the same ``0.01``) and below a
  trillion (beyond that, floating point cannot step between neighbouring options).
- A question must not contain its own answer: a number answer written in the question ("the
  20-year treaty", answer 20), or a value the question also accepts ("Which premier, Kosygin,
  ...", accepting Kosygin).
- "In what month and year ..." must not name the month: a ``when`` of a fact dated to the month
  or day must not contain the month's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ..dates import MONTHS, DateSpan, HistDate, Precision, When
from ..model import NUMERIC_KINDS
from ..textnorm import format_number, normalize
from .fields import Report
from .spec import FactRecord, FileRecord, QuestionRecord

MAX_DECIMALS = 2
NUMBER_LIMIT = 10**12


def check_file(record: FileRecord, report: Report) -> None:
    """Every check of this module over one file's facts and questions."""
    check_facts(record.facts or (), report)


def check_facts(facts: Iterable[FactRecord], report: Report) -> None:
    """Every check of this module over some facts and their questions."""
    for fact in facts:
        check_when_month(fact, report)
        for question in fact.questions or ():
            check_number_shape(question, report)
            check_number_in_question(question, report)
            check_accepted_in_question(question, report)


def _decimals(text: str) -> int | None:
    """Decimal places of a number as written (``2.50`` has 1, ``1e-3`` has 3), or None."""
    try:
        exponent = Decimal(text.strip()).normalize().as_tuple().exponent
    except InvalidOperation:
        return None
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_number_shape(q: QuestionRecord, report: Report) -> None:
    value = q.answer_value() if q.base_kind in NUMERIC_KINDS and q.answer is not None else None
    if value is None or value[1] is None or q.answer is None:
        return
    number = value[1]
    decimals = _decimals(q.answer)
    where = q.node.value_at("answer")
    if decimals is not None and decimals > MAX_DECIMALS:
        report(where, f"{q.what}: the answer {q.answer} has {decimals} decimal places, but "
               f"options show at most {MAX_DECIMALS}, so it would read as {value[0]}; round it "
               "or give it in a smaller unit")
    elif number >= NUMBER_LIMIT:
        report(where, f"{q.what}: the answer {q.answer} is too large for number options (the "
               f"limit is {NUMBER_LIMIT:,}); give it in a larger unit, e.g. with 'unit: "
               "billion'")


def _number_forms(q: QuestionRecord) -> set[str]:
    """The ways a number answer may be written in a question: as in the deck, and as shown."""
    value = q.answer_value()
    if value is None or value[1] is None or q.answer is None or q.base_kind is None:
        return set()
    forms = {q.answer.strip(), format_number(value[1], q.base_kind)}
    if value[1] == int(value[1]):
        forms.add(str(int(value[1])))
    return {f.removesuffix("%") for f in forms if f}


def check_number_in_question(q: QuestionRecord, report: Report) -> None:
    if q.base_kind not in NUMERIC_KINDS or q.ask is None:
        return
    for form in sorted(_number_forms(q), key=len, reverse=True):
        # the number on its own: not part of a longer number, a decimal or a date
        if re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", q.ask):
            report(q.node.value_at("ask"), f"{q.what}: the question contains its own answer "
                   f"{form}; reword it")
            return


def check_accepted_in_question(q: QuestionRecord, report: Report) -> None:
    if q.base_kind in NUMERIC_KINDS or q.ask is None or not q.accept:
        return
    stem = f" {normalize(q.ask)} "
    for accepted in q.accept:
        key = normalize(accepted)
        if len(key) > 2 and f" {key} " in stem:
            report(q.node.value_at("ask"), f"{q.what}: the question contains '{accepted}', "
                   "which it accepts as an answer; reword it")
            return


def _asked(when: When) -> HistDate | None:
    """The date the date questions ask for (a span over several years asks none)."""
    return when.common() if isinstance(when, DateSpan) else when


def check_when_month(fact: FactRecord, report: Report) -> None:
    """"In what month and year did the August coup fail?" answers itself."""
    if fact.date is None or not fact.when:
        return
    asked = _asked(fact.date)
    if asked is None or asked.precision is Precision.YEAR or asked.month is None:
        return
    name = MONTHS[asked.month - 1]
    if re.search(rf"\b({name}|{name[:3]}\.?)(?![a-z])", fact.when):
        report(fact.node.value_at("when"), f"{fact.what}: 'when' names the month, {name}, which "
               "the question asks for; leave the month out of it")

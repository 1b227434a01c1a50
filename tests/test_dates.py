"""Dates keep their precision; typed answers are read in every common form, slashes day first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from histquiz.dates import (
    DateSpan,
    HistDate,
    Precision,
    Verdict,
    grade_date,
    parse_answer,
    parse_iso,
    spellings,
    written_forms,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1971", HistDate(1971)),
        ("1971-08", HistDate(1971, 8)),
        ("1971-08-09", HistDate(1971, 8, 9)),
        ("1962-10-20/1962-11-21", DateSpan(HistDate(1962, 10, 20), HistDate(1962, 11, 21))),
    ],
)
def test_parse_iso(text: str, expected: object) -> None:
    assert parse_iso(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1971-02-30", "date '1971-02-30' is impossible: February 1971 has 28 days, not 30"),
        ("1971-13", "date '1971-13' is impossible: there is no month 13"),
        ("1972-02-30", "date '1972-02-30' is impossible: February 1972 has 29 days, not 30"),
        ("9 Aug 1971", "date '9 Aug 1971' is not YYYY, YYYY-MM, YYYY-MM-DD or a span START/END"),
        ("1971-08-09/1971-08-01", "the span ends (1971-08-01) before it starts (1971-08-09)"),
    ],
)
def test_parse_iso_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_iso(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "typed",
    ["9 August 1971", "9 Aug 1971", "August 9, 1971", "Aug. 9 1971", "1971-08-09", "9/8/1971",
     "09/08/1971", "9th August 1971", "9th of August, 1971", "9.8.1971", "  9   august 1971 "],
)
def test_common_full_date_forms(typed: str) -> None:
    assert parse_answer(typed) == HistDate(1971, 8, 9)


@pytest.mark.parametrize("typed", ["Aug 1971", "August 1971", "1971-08", "08/1971", "aug, 1971"])
def test_month_forms(typed: str) -> None:
    assert parse_answer(typed) == HistDate(1971, 8)


@pytest.mark.parametrize("typed", ["", "soon", "31/2/1971", "Augustus 1971", "1971-13-01", "71"])
def test_unreadable(typed: str) -> None:
    assert parse_answer(typed) is None


def test_display() -> None:
    assert HistDate(1971, 8, 9).display() == "9 August 1971"
    assert HistDate(1955, 6).display() == "June 1955"
    assert DateSpan(HistDate(1955, 11, 18), HistDate(1955, 11, 30)).display() == "18–30 November 1955"
    assert (DateSpan(HistDate(1962, 10, 20), HistDate(1962, 11, 21)).display()
            == "20 October – 21 November 1962")


@pytest.mark.parametrize(
    ("answer", "typed", "verdict", "message"),
    [
        (HistDate(1971), "1971", Verdict.EXACT, "Exactly right."),
        (HistDate(1971), "9 Aug 1971", Verdict.EXACT, "Exactly right."),
        (HistDate(1971), "1969", Verdict.NEAR, "Close: off by 2 years (2 years early)."),
        (HistDate(1971), "1972", Verdict.NEAR, "Close: off by 1 year (1 year late)."),
        (HistDate(1971), "1980", Verdict.WRONG, "Off by 9 years (late)."),
        (HistDate(1971, 8, 9), "1971", Verdict.IMPRECISE, "Please give the full date."),
        (HistDate(1971, 8, 9), "19/8/1971", Verdict.WRONG, "Off by 10 days (late)."),
        (HistDate(1971, 8, 9), "4/8/1971", Verdict.NEAR, "Close: off by 5 days (5 days early)."),
        (HistDate(1971, 8), "Oct 1971", Verdict.NEAR, "Close: off by 2 months (2 months late)."),
    ],
)
def test_grading(answer: HistDate, typed: str, verdict: Verdict, message: str) -> None:
    grade = grade_date(answer, typed)
    assert (grade.verdict, grade.message) == (verdict, message)


def test_unreadable_grade_explains_the_rule() -> None:
    grade = grade_date(HistDate(1971), "last year")
    assert grade.verdict is Verdict.UNREADABLE
    assert "day first" in grade.message


dates = st.builds(
    lambda y, m, d, p: HistDate(y) if p == 0 else HistDate(y, m) if p == 1 else HistDate(y, m, d),
    st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 28), st.integers(0, 2),
)


@given(dates)
def test_display_parses_back(d: HistDate) -> None:
    assert parse_answer(d.display()) == d
    assert parse_answer(d.iso()) == d
    assert parse_iso(d.iso()) == d
    assert grade_date(d, d.display()).verdict is Verdict.EXACT


@given(dates)
def test_truncate_never_adds_precision(d: HistDate) -> None:
    for p in Precision:
        assert d.truncate(p).precision.rank == min(d.precision.rank, p.rank)


def test_dates_of_mixed_precision_order_by_their_first_day() -> None:
    ordered = [HistDate(1970), HistDate(1971), HistDate(1971, 8), HistDate(1971, 8, 9),
               HistDate(1971, 12, 3), HistDate(1972)]
    assert sorted(reversed(ordered)) == ordered
    assert HistDate(1971) < HistDate(1971, 8)
    assert HistDate(1971, 8) <= HistDate(1971, 8)
    assert not HistDate(1971, 8, 9) < HistDate(1971, 8)
    assert HistDate(1972) > HistDate(1971, 12, 31) >= HistDate(1971, 12)


@given(dates, dates)
def test_order_is_the_sort_key(a: HistDate, b: HistDate) -> None:
    assert (a < b) == (a.sort_key() < b.sort_key())
    assert (a <= b) == (a < b or a == b)


@st.composite
def dates(draw: st.DrawFn) -> HistDate:
    year = draw(st.integers(100, 2999))
    month = draw(st.none() | st.integers(1, 12))
    if month is None:
        return HistDate(year)
    day = draw(st.none() | st.integers(1, 31))
    try:
        return HistDate(year, month, day)
    except ValueError:  # no such day in that month
        return HistDate(year, month)


@given(st.lists(dates(), min_size=1, max_size=40))
def test_spellings_are_the_forms_that_read_back(drawn: list[HistDate]) -> None:
    """Forms are read back once per shape of date (month, day, digits of the year): for any
    dates in any order, what is kept is exactly what reading each form back would keep."""
    for date in drawn:
        forms = written_forms(date)
        assert spellings(date) == [f for f in forms if parse_answer(f) == date]
        assert spellings(date)[0] == date.display() and date.iso() in spellings(date)

"""Historical dates with a precision (year, month or day), spans, and reading typed answers.

A history quiz must never claim more precision than its sources: 1955 is not 1 January 1955.
So a date here is a year with an optional month and an optional day, and every comparison and
every printed form respects the precision that was given.
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from enum import Enum

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTH_NUMBERS: dict[str, int] = {}
for _i, _name in enumerate(MONTHS, start=1):
    _MONTH_NUMBERS[_name.lower()] = _i
    _MONTH_NUMBERS[_name[:3].lower()] = _i
_MONTH_NUMBERS["sept"] = 9

MIN_YEAR = 1
MAX_YEAR = 9999


class Precision(Enum):
    YEAR = "year"
    MONTH = "month"
    DAY = "day"

    @property
    def rank(self) -> int:
        return {"year": 0, "month": 1, "day": 2}[self.value]


@dataclass(frozen=True)
class HistDate:
    """A date known to the year, the month or the day.

    Dates order by their first possible day: 1971 < August 1971 < 9 August 1971 < 1972. No two
    different dates share that key, since a month or a day is never 0.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        problem = _date_problem(self.year, self.month, self.day)
        if problem:
            raise ValueError(problem)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def truncate(self, precision: Precision) -> HistDate:
        """The same date, known only to ``precision`` (never more precise than it was)."""
        if precision is Precision.YEAR:
            return HistDate(self.year)
        if precision is Precision.MONTH:
            return HistDate(self.year, self.month)
        return self

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def __lt__(self, other: HistDate) -> bool:
        return self.sort_key() < other.sort_key()

    def __le__(self, other: HistDate) -> bool:
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: HistDate) -> bool:
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: HistDate) -> bool:
        return self.sort_key() >= other.sort_key()

    def iso(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def display(self) -> str:
        if self.day is not None and self.month is not None:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month is not None:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)

    def month_index(self) -> int:
        """Months since year 0, for distances at month precision."""
        return self.year * 12 + (self.month or 1) - 1

    def ordinal(self) -> int:
        """Days since year 1, for distances at day precision."""
        from datetime import date

        return date(self.year, self.month or 1, self.day or 1).toordinal()


@dataclass(frozen=True)
class DateSpan:
    """An event that lasted from one date to another, e.g. 20 October – 21 November 1962."""

    start: HistDate
    end: HistDate

    def __post_init__(self) -> None:
        if self.end.sort_key() < self.start.sort_key():
            raise ValueError(f"the span ends ({self.end.iso()}) before it starts ({self.start.iso()})")

    def iso(self) -> str:
        return f"{self.start.iso()}/{self.end.iso()}"

    def display(self) -> str:
        s, e = self.start, self.end
        if s.precision is Precision.DAY and e.precision is Precision.DAY:
            if s.year == e.year and s.month == e.month:
                return f"{s.day}–{e.day} {MONTHS[(s.month or 1) - 1]} {s.year}"
            if s.year == e.year:
                return f"{s.day} {MONTHS[(s.month or 1) - 1]} – {e.display()}"
        if s.precision is Precision.MONTH and e.precision is Precision.MONTH and s.year == e.year:
            return f"{MONTHS[(s.month or 1) - 1]}–{e.display()}"
        return f"{s.display()} – {e.display()}"

    def common(self) -> HistDate | None:
        """The most precise single date that covers the whole span, if any (same month, same year)."""
        s, e = self.start, self.end
        if s.year != e.year:
            return None
        if s.month is not None and s.month == e.month:
            return HistDate(s.year, s.month)
        return HistDate(s.year)

    def sort_key(self) -> tuple[int, int, int]:
        return self.start.sort_key()

    @property
    def year(self) -> int:
        return self.start.year

    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)


When = HistDate | DateSpan


def years_of(when: When) -> range:
    """Every calendar year the date or span touches."""
    if isinstance(when, DateSpan):
        return when.years()
    return range(when.year, when.year + 1)


def era_of(when: When) -> str:
    """The decade tag of a date, e.g. ``1970s``."""
    return f"{when.year // 10 * 10}s"


def _date_problem(year: int, month: int | None, day: int | None) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return f"year {year} is out of range"
    if month is None:
        return "a day needs a month" if day is not None else None
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day is None:
        return None
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{MONTHS[month - 1]} {year} has {last} days, not {day}"
    return None


_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_iso(text: str) -> When:
    """Read a deck date: ``1971``, ``1971-08``, ``1971-08-09`` or a span ``START/END``.

    Raises ValueError with a message that says what is wrong.
    """
    text = text.strip()
    if "/" in text:
        left, _, right = text.partition("/")
        return DateSpan(_parse_one_iso(left, text), _parse_one_iso(right, text))
    return _parse_one_iso(text, text)


def _parse_one_iso(part: str, whole: str) -> HistDate:
    m = _ISO.match(part.strip())
    if not m:
        raise ValueError(
            f"date '{whole}' is not YYYY, YYYY-MM, YYYY-MM-DD or a span START/END"
        )
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    problem = _date_problem(year, month, day)
    if problem:
        raise ValueError(f"date '{whole}' is impossible: {problem}")
    return HistDate(year, month, day)


# --- typed answers -------------------------------------------------------------------------

_WORD = r"([A-Za-z]+)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(\d{3,4})"
_SEP = r"[\s,]+"
_ANSWER_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_YEAR}$"), "y"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{3,4})$"), "dmy"),
    (re.compile(r"^(\d{1,2})[/.](\d{3,4})$"), "my"),
    (re.compile(rf"^{_WORD}{_SEP}{_YEAR}$"), "Wy"),
    (re.compile(rf"^{_DAY}(?:\s+of)?{_SEP}{_WORD}{_SEP}{_YEAR}$"), "dWy"),
    (re.compile(rf"^{_WORD}{_SEP}{_DAY}{_SEP}{_YEAR}$"), "Wdy"),
]

DATE_INPUT_HELP = (
    "Type a year (1971), a month and year (Aug 1971, 1971-08) or a full date "
    "(9 August 1971, August 9, 1971, 1971-08-09, 9/8/1971). "
    "Slashed dates are read day first: 9/8/1971 is 9 August 1971."
)


def parse_answer(text: str) -> HistDate | None:
    """Read a date as a person types it; None when it cannot be read as a date."""
    text = " ".join(text.strip().split())
    for pattern, shape in _ANSWER_PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        groups = m.groups()
        try:
            if shape == "y":
                return HistDate(int(groups[0]))
            if shape == "ym":
                return HistDate(int(groups[0]), int(groups[1]))
            if shape == "ymd":
                return HistDate(int(groups[0]), int(groups[1]), int(groups[2]))
            if shape == "dmy":
                return HistDate(int(groups[2]), int(groups[1]), int(groups[0]))
            if shape == "my":
                return HistDate(int(groups[1]), int(groups[0]))
            if shape == "Wy":
                month = _MONTH_NUMBERS.get(groups[0].lower())
                return HistDate(int(groups[1]), month) if month else None
            if shape == "dWy":
                month = _MONTH_NUMBERS.get(groups[1].lower())
                return HistDate(int(groups[2]), month, int(groups[0])) if month else None
            if shape == "Wdy":
                month = _MONTH_NUMBERS.get(groups[0].lower())
                return HistDate(int(groups[2]), month, int(groups[1])) if month else None
        except ValueError:
            return None
    return None


class Verdict(Enum):
    EXACT = "exact"
    NEAR = "near"
    WRONG = "wrong"
    IMPRECISE = "imprecise"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class DateGrade:
    verdict: Verdict
    message: str
    given: HistDate | None = None

    @property
    def correct(self) -> bool:
        return self.verdict is Verdict.EXACT


# How far off still counts as a near miss, in the unit of the precision asked.
NEAR_LIMITS = {Precision.YEAR: 2, Precision.MONTH: 3, Precision.DAY: 7}
_UNITS = {Precision.YEAR: "year", Precision.MONTH: "month", Precision.DAY: "day"}


def span_words(earlier: HistDate, later: HistDate, precision: Precision) -> str:
    """The distance between two dates as a person says it, at ``precision``: "2 years",
    "1 year and 3 months", "16 years, 6 months and 5 days". ``earlier`` must not be after
    ``later``. Whole months are counted first (31 January to 29 February is one month)."""
    from datetime import date

    a, b = earlier.truncate(precision), later.truncate(precision)
    months = (b.year - a.year) * 12 + (b.month or 1) - (a.month or 1)
    days = 0
    if precision is Precision.DAY:
        start, end = date(a.year, a.month or 1, a.day or 1), date(b.year, b.month or 1, b.day or 1)

        def plus(count: int) -> date:
            year, month = divmod(start.month - 1 + count, 12)
            year += start.year
            return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))

        if plus(months) > end:
            months -= 1
        days = (end - plus(months)).days
    parts = []
    for amount, unit in ((months // 12, "year"), (months % 12, "month"), (days, "day")):
        if amount:
            parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
    if not parts:
        return f"0 {_UNITS[precision]}s"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _distance(given: HistDate, answer: HistDate, asked: Precision) -> int:
    """Signed distance in the unit of ``asked`` (negative: ``given`` is early)."""
    if asked is Precision.YEAR:
        return given.year - answer.year
    if asked is Precision.MONTH:
        return given.month_index() - answer.month_index()
    return given.ordinal() - answer.ordinal()


def grade_date(answer: HistDate, typed: str) -> DateGrade:
    """Grade a typed date against the answer, at the answer's precision.

    A month and year given for a full date is a near miss when the month is right (the
    student knew when, not the day), and otherwise graded by months. A miss is told in years,
    months and days as a person would say it ("off by 1 year and 3 months"); a near miss in
    the unit asked ("off by 5 days").
    """
    given = parse_answer(typed)
    if given is None:
        return DateGrade(Verdict.UNREADABLE, f"'{typed.strip()}' is not a date I can read. "
                         + DATE_INPUT_HELP)
    asked = answer.precision
    if asked is Precision.DAY and given.precision is Precision.MONTH:
        delta = given.month_index() - answer.month_index()
        if delta == 0:
            return DateGrade(Verdict.NEAR, "Close: the right month, without the day.", given)
        side = "early" if delta < 0 else "late"
        early, late = sorted((given, answer.truncate(Precision.MONTH)), key=HistDate.sort_key)
        words = span_words(early, late, Precision.MONTH)
        return DateGrade(Verdict.WRONG, f"Off by {words} ({side}).", given)
    if given.precision.rank < asked.rank:
        wanted = {Precision.MONTH: "the month and the year", Precision.DAY: "the full date"}[asked]
        return DateGrade(Verdict.IMPRECISE, f"Please give {wanted}.", given)
    given = given.truncate(asked)
    if given == answer:
        return DateGrade(Verdict.EXACT, "Exactly right.", given)
    delta = _distance(given, answer, asked)
    size = abs(delta)
    unit = _UNITS[asked] + ("s" if size != 1 else "")
    side = "early" if delta < 0 else "late"
    if size <= NEAR_LIMITS[asked]:
        return DateGrade(Verdict.NEAR, f"Close: off by {size} {unit} ({size} {unit} {side}).", given)
    early, late = sorted((given, answer), key=HistDate.sort_key)
    words = span_words(early, late, asked)
    return DateGrade(Verdict.WRONG, f"Off by {words} ({side}).", given)


# --- how a date is typed -------------------------------------------------------------------
# The same reader, run the other way: every way a person may type a date that ``parse_answer``
# reads as exactly that date, for formats that grade a typed answer by listing the accepted
# strings (Moodle's short answers, QTI's fill-in-the-blank). "Within reason": one space between
# words, a comma only before the year, the ordinal suffix that belongs to the day; not every
# spacing and punctuation the reader would also forgive.


def ordinal(number: int) -> str:
    """1 → 1st, 2 → 2nd, 3 → 3rd, 11 → 11th, 23 → 23rd."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def month_spellings(month: int) -> list[str]:
    """Every name the reader takes for ``month``: the full name first, then each shorter name
    it knows (``Aug``, ``Sep``, ``Sept``) with and without a full stop."""
    full = MONTHS[month - 1]
    names = [full]
    for name, number in _MONTH_NUMBERS.items():
        if number == month and name != full.lower():
            short = name.capitalize()
            names += [short, f"{short}."]
    return names


def _numbers(value: int) -> list[str]:
    """A day or month as digits, with and without a leading zero."""
    return list(dict.fromkeys((str(value), f"{value:02d}")))


def spellings(date: HistDate) -> list[str]:
    """``_spellings``, as a list of the caller's own."""
    return list(_spellings(date))


@functools.lru_cache(maxsize=1 << 16)  # beyond a big deck's dates, which each format asks in turn
def _spellings(date: HistDate) -> tuple[str, ...]:
    """Every usual way to type ``date`` at its own precision, each read back by
    ``parse_answer`` as exactly ``date``: the displayed form first, then the ISO form, then
    the rest (``9 Aug. 1971``, ``August 9th, 1971``, ``9th of August 1971``, ``09/08/1971``,
    ``Sept 1971``, ``3.1972`` ...). Slashed and dotted dates are day first, as the reader
    reads them.

    Which of the forms read back depends on their shape alone: the month, the day and how many
    digits the year has (the reader's patterns count digits; every form names the same date).
    So each shape is read back once, and a date of a shape already seen keeps the same forms."""
    forms = written_forms(date)
    shape = (date.month, date.day, len(str(date.year)), date.year < 0)
    kept = _READ_BACK.get(shape)
    if kept is None or len(kept) != len(forms):
        kept = tuple(parse_answer(form) == date for form in forms)
        _READ_BACK[shape] = kept
    return tuple(form for form, ok in zip(forms, kept, strict=True) if ok)


# For each shape of date (see ``_spellings``): which of its written forms read back.
_READ_BACK: dict[tuple[int | None, int | None, int, bool], tuple[bool, ...]] = {}


def written_forms(date: HistDate) -> list[str]:
    """Every form ``_spellings`` considers for ``date``, before reading them back, without
    repeats: their number and order depend on the month and the day alone."""
    y, m, d = date.year, date.month, date.day
    forms = [date.display(), date.iso()]
    if m is None:
        forms.append(str(y))
    elif d is None:
        names = month_spellings(m)
        forms += [f"{name}{sep}{y}" for name in names for sep in (" ", ", ")]
        forms += [f"{y}-{mm}" for mm in _numbers(m)]
        forms += [f"{mm}{sep}{y}" for sep in "/." for mm in _numbers(m)]
    else:
        names = month_spellings(m)
        days = [*_numbers(d), ordinal(d)]
        forms += [f"{day}{of} {name}{sep}{y}" for name in names for day in days
                  for of in ("", " of") for sep in (" ", ", ")]
        forms += [f"{name} {day}{sep}{y}" for name in names for day in days for sep in (" ", ", ")]
        forms += [f"{y}-{mm}-{dd}" for mm in _numbers(m) for dd in _numbers(d)]
        forms += [f"{dd}{sep}{mm}{sep}{y}" for sep in "/." for dd in _numbers(d)
                  for mm in _numbers(m)]
    return list(dict.fromkeys(forms))

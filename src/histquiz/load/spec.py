"""The deck format, written once: every field of a deck file as one row, and each record's rules.

The rows drive validation (``read_document``) and ``histquiz schema`` (``json_schema``), so the
two cannot drift. To add a field, add its row to the record it belongs to; if it needs a rule
that looks at other fields, add that to the record's ``check``; the loader then copies it into
the model. Values are read as the text that was written and typed here, by the field's type,
never by YAML's implicit resolvers.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ..dates import DateSpan, HistDate, When, years_of
from ..model import NUMERIC_KINDS, Origin, PoolValue, YearSpan
from ..textnorm import format_number, normalize
from .fields import (
    OPTION_LIMIT,
    QUESTION_LIMIT,
    SLUG,
    SLUG_RULE,
    At,
    Bounds,
    Date,
    Flag,
    Kind,
    ListOf,
    Located,
    MapOf,
    Number,
    Pattern,
    PoolEntry,
    Record,
    RecordType,
    Report,
    Tag,
    TemplateName,
    Text,
    Years,
    parse_number,
    read_record,
    row,
)
from .rules import MIN_FALSE, Asking, enough_false, missing_need
from .yaml import Node

Slug = Pattern(SLUG, SLUG_RULE)


@dataclass(frozen=True, kw_only=True)
class DeckRecord(Record):
    UNKNOWN_IN = "'deck'"
    NOT_A_MAP = "'{key}:' must be a mapping with id, title and description"

    id: str | None = row(Slug, required=True,
                         help="the deck's id, used in item ids and by --deck; never change it")
    title: str | None = row(Text(), required=True, hints=("name",),
                            help="the deck's name, as learners see it")
    description: str | None = row(Text(), required=True, hints=("about", "summary"),
                                  help="a sentence or two on what the deck covers")
    topic: str | None = row(Slug, help="default topic of the deck's facts")
    # --- names for Anki's decks
    anki_deck: str | None = row(Text(), help="the top-level deck in Anki; decks that give the "
                                "same name share it and its topic subdecks (default: the title)")
    topic_titles: dict[str, str] | None = row(
        MapOf(Slug, Text(), key_noun="topic", entry="topic '{key}'",
              not_map="'{key}:' must map topics to their titles, e.g. cold-war: The Cold War"),
        help="a title for each topic, for Anki's subdecks (default: the topic, title-cased)")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return "the deck"


@dataclass(frozen=True, kw_only=True)
class SourceRecord(Record):
    NOT_A_MAP = "source '{key}' needs title, author or publisher, and date"
    SCHEMA_EXTRA: ClassVar[dict[str, Any]] = {
        "anyOf": [{"required": ["author"]}, {"required": ["publisher"]}]}

    title: str | None = row(Text(), required=True, hints=("name",),
                            help="the title as the source prints it")
    author: str | None = row(Text(), hints=("authors", "by"),
                             help="who wrote it; give an author, a publisher or both")
    publisher: str | None = row(Text(), hints=("org", "organisation", "organization"),
                                help="who published it; give an author, a publisher or both")
    date: When | None = row(
        Date(spans=False, single="a source's date is one date, not a span"), required=True,
        missing="needs 'date' (YYYY, YYYY-MM or YYYY-MM-DD)", hints=("year", "published"),
        help="YYYY, YYYY-MM or YYYY-MM-DD, at the precision the sources agree on")
    url: str | None = row(Text(), hints=("link", "href"), help="where to read it online")
    locator: str | None = row(Text(), hints=("page", "pages", "section"),
                              help="page, section or paragraph")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return f"source '{key}'"

    def check(self, report: Report) -> None:
        if self.author is None and self.publisher is None:
            report(self.node.origin, f"{self.what} needs an 'author' or a 'publisher'")


@dataclass(frozen=True, kw_only=True)
class PeriodRecord(Record):
    NOT_A_MAP = "period '{key}' needs a title and a start or an end"

    title: str | None = row(Text(), required=True, hints=("name",),
                            help="the period's name, e.g. 'The Soviet Union'")
    start: When | None = row(Date(spans=False, single="a period starts on one date"),
                             hints=("from", "begin", "since"),
                             help="its first day (YYYY, YYYY-MM or YYYY-MM-DD); open if left out")
    end: When | None = row(Date(spans=False, single="a period ends on one date"),
                           hints=("until", "to", "till"),
                           help="its last day (YYYY, YYYY-MM or YYYY-MM-DD); open if left out")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return f"period '{key}'"

    def check(self, report: Report) -> None:
        if not self.node.has("start") and not self.node.has("end"):
            report(self.node.origin, f"{self.what} needs a 'start', an 'end' or both")
        if (isinstance(self.start, HistDate) and isinstance(self.end, HistDate)
                and self.end < self.start):
            report(self.node.value_at("end"), f"{self.what} ends before it starts")


@dataclass(frozen=True, kw_only=True)
class QuestionRecord(Record):
    ID = "id"
    NOT_A_MAP = "{parent}: each question must be a mapping with id, ask, answer, kind"
    SCHEMA_DEF = "question"

    id: str | None = row(Slug, required=True, help="the question's id, unique within its fact")
    ask: str | None = row(Text(limit=QUESTION_LIMIT), required=True,
                          hints=("question", "q", "prompt", "stem"),
                          help="the question as learners read it")
    answer: str | None = row(Text(json_types=("string", "number"), shape="must be one value",
                                  limit=OPTION_LIMIT),
                             required=True, hints=("correct", "key"),
                             help="the right answer; a number for number, percentage and year kinds")
    kind: str | None = row(Kind(), required=True, hints=("type",),
                           help="answer kind, optionally with a group: person.soviet, "
                           "place.indian-city, percentage")
    accept: tuple[str, ...] | None = row(
        ListOf(Text(json_types=("string", "number"), limit=OPTION_LIMIT), noun="accepted answer"),
        hints=("also", "alternatives", "aliases"),
        help="other values that are also right; never offered as distractors")
    distractors: tuple[At[str], ...] | None = row(
        ListOf(Located(Text(json_types=("string", "number"), limit=OPTION_LIMIT)), noun="distractor"),
        hints=("options", "choices", "wrong"),
        help="hand-picked wrong answers, used before any drawn from pools")
    unit: str | None = row(Text(), hints=("units",), help="for number answers, e.g. 'years'")
    years: YearSpan | None = row(
        Years(), hints=("active", "in-office", "period"),
        help="the years the answer fits, e.g. 1964-1982 for a leader in office: as a distractor "
        "it is offered only for questions about those years")
    bounds: tuple[float, float] | None = row(
        Bounds(), hints=("range", "limits"),
        help="for number answers: the lowest and highest possible values, e.g. [0, 193] for "
        "votes in the General Assembly; no option lies outside")
    step: float | None = row(
        Number(), hints=("round", "rounding", "about"),
        help="for number answers asked 'roughly': options are multiples of it, e.g. 10")
    # --- short forms, for outputs with length limits (Kahoot)
    ask_short: str | None = row(Text(), help="a shorter 'ask' for outputs with a length limit "
                                "(Kahoot: 120 characters), asking the same")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return f"{parent}, question '{own_id}'" if own_id else f"{parent}: a question"

    @property
    def base_kind(self) -> str | None:
        return self.kind.split(".", 1)[0] if self.kind else None

    def answer_value(self) -> tuple[str, float | None] | None:
        """The answer as shown, and as a number for numeric kinds; None when it does not fit."""
        if self.answer is None:
            return None
        base = self.base_kind
        if base not in NUMERIC_KINDS:
            return self.answer, None
        number = parse_number(self.answer)
        if number is None or number <= 0:
            return None
        return format_number(number, base, self.unit), number

    def _check_numbers(self, report: Report) -> None:
        numeric = self.base_kind in NUMERIC_KINDS
        for key in ("bounds", "step"):
            if self.node.has(key) and not numeric:
                report(self.node.value_at(key), f"{self.what}: '{key}' is only for number answers")
        value = self.answer_value() if numeric else None
        number = value[1] if value is not None else None
        if number is None:
            return
        if self.bounds is not None and not self.bounds[0] <= number <= self.bounds[1]:
            report(self.node.value_at("bounds"), f"{self.what}: the answer {self.answer} lies "
                   f"outside its bounds [{self.bounds[0]:g}, {self.bounds[1]:g}]")
        if self.step is not None:
            if self.step <= 0:
                report(self.node.value_at("step"), f"{self.what}: 'step' must be above zero")
            elif abs(number / self.step - round(number / self.step)) > 1e-9:
                report(self.node.value_at("step"), f"{self.what}: the answer {self.answer} is "
                       f"not a multiple of its step {self.step:g}")

    def check(self, report: Report) -> None:
        self._check_short_ask(report)
        base = self.base_kind
        numeric = base in NUMERIC_KINDS
        if numeric and self.answer is not None and self.answer_value() is None:
            wrong = ("be above zero" if parse_number(self.answer) is not None else
                     "be a finite number, e.g. 36" if _infinite(self.answer) else
                     "be a number, e.g. 36")
            report(self.node.value_at("answer"), f"{self.what}: a {base} answer must {wrong}")
        if self.unit is not None and not numeric:
            report(self.node.value_at("unit"), f"{self.what}: 'unit' is only for number answers")
        if numeric and self.distractors:
            report(self.node.value_at("distractors"), f"{self.what}: {base} distractors are "
                   "generated; remove 'distractors'")
        self._check_numbers(report)
        if self.years is not None and (numeric or base == "text"):
            report(self.node.value_at("years"), f"{self.what}: 'years' is for named answers "
                   f"(people, places, organisations ...), not {base} answers")
        if numeric or self.answer is None:
            return
        right = frozenset({normalize(self.answer), *(normalize(a) for a in self.accept or ())})
        ask = Asking(right, f" {normalize(self.ask or '')} ", None)
        for d in self.distractors or ():
            why = ask.why_not(normalize(d.value))
            if why is not None:
                fix = "" if why == "is also a correct answer" else "; choose another"
                report(d.origin, f"{self.what}: distractor '{d.value}' {why}{fix}")
        key = normalize(self.answer)
        if (self.ask is not None and len(key) > 2
                and re.search(rf"\b{re.escape(key)}\b", normalize(self.ask))):
            report(self.node.value_at("ask"), f"{self.what}: the question contains its own "
                   f"answer '{self.answer}'; reword it")

    def _check_short_ask(self, report: Report) -> None:
        """'ask_short' asks the same as 'ask', in fewer words, without its answer."""
        if self.ask_short is None:
            return
        where = self.node.value_at("ask_short")
        check_shorter(self.what, "ask_short", self.ask_short, "ask", self.ask, where, report)
        if self.answer is None or self.base_kind in NUMERIC_KINDS:
            return
        key = normalize(self.answer)
        if len(key) > 2 and re.search(rf"\b{re.escape(key)}\b", normalize(self.ask_short)):
            report(where, f"{self.what}: 'ask_short' contains its own answer '{self.answer}'; "
                   "reword it")


def check_shorter(what: str, short_key: str, short: str, full_key: str, full: str | None,
                  where: Origin, report: Report) -> None:
    """A short form needs its full form, and must be shorter than it."""
    if full is None:
        report(where, f"{what}: '{short_key}' is a short form of '{full_key}'; give '{full_key}' "
               "too")
    elif len(short) >= len(full):
        report(where, f"{what}: '{short_key}' is not shorter than '{full_key}' ({len(short)} "
               f"characters, against {len(full)}); shorten it or remove it")


def _infinite(text: str) -> bool:
    """``.inf``, ``.nan`` or a number too large for a float (``1e340``)."""
    try:
        return not math.isfinite(float(text.strip().lstrip(".")))
    except ValueError:
        return False


@dataclass(frozen=True, kw_only=True)
class FalseStatementRecord(Record):
    NOT_A_MAP = "{parent}: each false statement must be a mapping with text and why"
    SCHEMA_DEF = "false_statement"

    text: str | None = row(Text(), required=True, hints=("statement", "claim"),
                           help="a near-miss that is false, written like the fact's statement")
    why: str | None = row(Text(), required=True, hints=("because", "reason", "correction"),
                          help="why it is false, from the fact's own explanation or sources")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return f"{parent}: a false statement"


ERA = r"^\d{3}0s$"


@dataclass(frozen=True, kw_only=True)
class FactRecord(Record):
    ID = "id"
    NOT_A_MAP = "each fact must be a mapping with id, statement, topic, sources, ..."
    SCHEMA_DEF = "fact"

    id: str | None = row(Slug, required=True,
                         help="stable id, unique across all decks; never change it")
    statement: str | None = row(Text(), required=True, hints=("fact", "text"),
                                help="the fact in one sentence, shown with every answer")
    event: str | None = row(Text(limit=OPTION_LIMIT), hints=("headline",),
                            help="headline without the date, for "
                            "'Which of these happened in …?' and timelines")
    when: str | None = row(Text(limit=QUESTION_LIMIT),
                           help="completes 'In what year …?' e.g. 'was the Tashkent "
                           "Declaration signed'")
    date: When | None = row(Date(spans=True), hints=("year", "day"),
                            help="YYYY, YYYY-MM, YYYY-MM-DD, or a span START/END such as "
                            "1962-10-20/1962-11-21")
    era: str | None = row(Pattern(ERA, "a decade such as 1970s"), hints=("decade",),
                          help="the decade of an undated fact, e.g. 1970s; dated facts take it "
                          "from 'date'")
    topic: str | None = row(Slug, required=True, fallback="the deck's 'topic'",
                            help="the fact's topic; the deck's 'topic' when not given")
    tags: tuple[str, ...] | None = row(
        ListOf(Tag(r"^[A-Za-z0-9][A-Za-z0-9_:.\-]*$",
                   "one word without spaces (letters, digits, '-', '_', '::')"), noun="tag"),
        hints=("tag", "labels"),
        help="single words; the topic and era tags are added automatically")
    sources: tuple[At[str], ...] | None = row(
        ListOf(Located(Text(json_pattern=SLUG)), noun="source id"), required=True,
        missing="needs 'sources', a list of at least one source id",
        hints=("source", "refs", "references", "citations"),
        help="ids of the sources under 'sources:' that support the fact")
    explanation: str | None = row(Text(collapse=False), required=True,
                                  hints=("explain", "why", "details"),
                                  help="shown after every answer: why it is right, in context")
    note: str | None = row(Text(collapse=False), hints=("notes", "comment"),
                           help="where sources disagree, and which value is taught")
    series: str | None = row(
        Slug, hints=("group", "recurring"),
        help="facts of one series (annual summits, yearly resolutions, repeated agreements) "
        "share it: they never distract each other, and each headline must say what sets it apart")
    sequence: str | None = row(
        Slug, hints=("steps", "chain"),
        help="facts of one sequence (the days of one crisis, the steps of one negotiation) share "
        "it: two of them dated to the day may be put in order though they fall in one month")
    not_before: When | None = row(
        Date(spans=False, single="'not_before' is one date"), hints=("after", "earliest"),
        help="no date option lies before this date (e.g. India's independence for its first "
        "ambassadors)")
    not_after: When | None = row(
        Date(spans=False, single="'not_after' is one date"), hints=("before", "latest"),
        help="no date option lies after this date (e.g. the death of a leader the fact names)")
    day_matters: bool | None = row(
        Flag(), hints=("exact_day", "exact-day"),
        help="true when the day itself is worth asking: date options may then be days apart "
        "(otherwise they are a month or more apart)")
    templates: tuple[At[str], ...] | None = row(
        ListOf(Located(TemplateName()), noun="template", null_is_empty=True),
        hints=("template",),
        help="which templates apply to this fact, instead of the deck's")
    questions: tuple[QuestionRecord, ...] | None = row(
        ListOf(RecordType(QuestionRecord), noun="question"), hints=("question",),
        help="hand-written questions about the fact")
    false_statements: tuple[FalseStatementRecord, ...] | None = row(
        ListOf(RecordType(FalseStatementRecord), noun="false statement"),
        hints=("false", "misconceptions", "wrong_statements"),
        help="near-miss statements that are false, each with why, for 'Which of these "
        "statements is true?'; never generated")
    # --- short forms, for outputs with length limits (Kahoot)
    event_short: str | None = row(Text(), help="a shorter 'event' for outputs with a length "
                                  "limit (Kahoot: 75 characters an answer), saying the same")
    when_short: str | None = row(Text(), help="a shorter 'when' for outputs with a length limit "
                                 "(Kahoot: 120 characters a question), asking the same")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return f"fact '{own_id}'" if own_id else "a fact"

    def check(self, report: Report) -> None:
        self._check_bounds(report)
        if self.node.has("era") and "date" in self.node:
            report(self.node.key_at("era"), f"{self.what}: 'era' comes from the date; remove 'era'")
        if self.date is not None:
            self._check_date_free(self.date, report)
        seen: dict[str, Node] = {}
        for q in self.questions or ():
            if q.id is None:
                continue
            if q.id in seen:
                report(q.node.value_at("id"), f"{self.what}: question id '{q.id}' is used twice "
                       f"(first at line {seen[q.id].line})")
            else:
                seen[q.id] = q.node
        for name in self.templates or ():
            need = missing_need(name.value, date=self.date, when=self.when, event=self.event,
                                has_questions=bool(self.questions),
                                has_false=enough_false(self.false_statements))
            if need is not None:
                more = f" (at least {MIN_FALSE})" if need == "false_statements" else ""
                report(name.origin, f"{self.what}: template '{name.value}' needs '{need}'{more}")
        self._check_short_forms(report)
        self._check_false_statements(report)

    def _check_false_statements(self, report: Report) -> None:
        """A false statement differs from the fact's statement and from the other ones."""
        seen = {normalize(self.statement or "")}
        for f in self.false_statements or ():
            if f.text is None:
                continue
            key = normalize(f.text)
            if key in seen:
                same = "the fact's statement" if key == normalize(self.statement or "") else (
                    "another false statement")
                report(f.node.value_at("text"), f"{self.what}: false statement '{f.text}' "
                       f"repeats {same}; remove it or reword it")
            seen.add(key)

    def _check_short_forms(self, report: Report) -> None:
        """A short form says the same as its full form in fewer characters, and like it never
        names the fact's year."""
        for short_key, short, full_key, full in (("event_short", self.event_short, "event", self.event),
                                                 ("when_short", self.when_short, "when", self.when)):
            if short is None:
                continue
            where = self.node.value_at(short_key)
            check_shorter(self.what, short_key, short, full_key, full, where, report)
            for year in years_of(self.date) if self.date is not None else ():
                if re.search(rf"(?<!\d){year}(?!\d)", short):
                    report(where, f"{self.what}: '{short_key}' mentions {year}, which gives the "
                           "date away; leave the date out of it")
                    break

    def _check_bounds(self, report: Report) -> None:
        low, high = self.not_before, self.not_after
        if isinstance(low, HistDate) and isinstance(high, HistDate) and high < low:
            report(self.node.value_at("not_after"), f"{self.what}: 'not_after' comes before "
                   "'not_before'")
            return
        if self.date is None:
            for key in ("not_before", "not_after", "day_matters"):
                if self.node.has(key):
                    report(self.node.key_at(key), f"{self.what}: '{key}' needs a 'date'")
            return
        first = self.date.start if isinstance(self.date, DateSpan) else self.date
        last = self.date.end if isinstance(self.date, DateSpan) else self.date
        if isinstance(low, HistDate) and first.truncate(low.precision) < low.truncate(first.precision):
            report(self.node.value_at("not_before"), f"{self.what}: the fact's own date comes "
                   "before 'not_before'")
        if isinstance(high, HistDate) and last.truncate(high.precision) > high.truncate(last.precision):
            report(self.node.value_at("not_after"), f"{self.what}: the fact's own date comes "
                   "after 'not_after'")

    def _check_date_free(self, date: When, report: Report) -> None:
        """A stem that names the year gives the answer away: 'when' and 'event' must not."""
        for key, text in (("when", self.when), ("event", self.event)):
            if not text:
                continue
            for year in years_of(date):
                if re.search(rf"(?<!\d){year}(?!\d)", text):
                    report(self.node.value_at(key), f"{self.what}: '{key}' mentions {year}, which "
                           "gives the date away; leave the date out of it")
                    break


@dataclass(frozen=True, kw_only=True)
class FileRecord(Record):
    """A whole deck file. A file with only 'sources' and 'pools' is a library."""

    UNKNOWN_IN = "the file"
    NOT_A_MAP = "the top level must be a mapping with 'deck:', 'sources:' and 'facts:'"
    SCHEMA_EXTRA: ClassVar[dict[str, Any]] = {"dependentRequired": {"facts": ["deck"]}}

    deck: DeckRecord | None = row(RecordType(DeckRecord), help="the deck: id, title, description")
    sources: dict[str, SourceRecord] | None = row(
        MapOf(Pattern(SLUG, SLUG_RULE), RecordType(SourceRecord), key_noun="source id",
              not_map="'{key}:' must map source ids to their details"),
        hints=("source", "references"), help="the sources the facts cite, by id")
    periods: dict[str, PeriodRecord] | None = row(
        MapOf(Pattern(SLUG, SLUG_RULE), RecordType(PeriodRecord), key_noun="period id",
              not_map="'{key}:' must map period ids to a title and a start or an end"),
        hints=("period", "eras"),
        help="named periods shared by all loaded decks, e.g. the Soviet Union until 1991-12-26: "
        "'Which of these happened in …?' offers only events of the asked year's period")
    pools: dict[str, tuple[PoolValue, ...]] | None = row(
        MapOf(Kind(pool=True), ListOf(PoolEntry(), not_list="{what} must be a list of values"),
              entry="pool '{key}'", not_map="'{key}:' must map answer kinds to lists of values"),
        hints=("pool",), help="extra distractor candidates, by answer kind")
    templates: dict[str, tuple[At[str], ...]] | None = row(
        MapOf(Text(), ListOf(Located(TemplateName()), noun="template", null_is_empty=True),
              entry="templates for '{key}'", key_noun="topic",
              not_map="'{key}:' must map 'default' or a topic to a list of templates"),
        hints=("template",), help="templates per topic; 'default' for the others")
    facts: tuple[FactRecord, ...] | None = row(ListOf(RecordType(FactRecord), noun="fact"),
                                               hints=("fact",), help="the deck's facts")

    @classmethod
    def label(cls, own_id: str | None, parent: str, key: str) -> str:
        return "the deck"

    def check(self, report: Report) -> None:
        node = self.node
        if "deck" not in node:
            if "facts" in node:
                report(node.key_at("facts"), "facts need a 'deck:' section with id, title and "
                       "description")
            elif "sources" not in node and "pools" not in node and "periods" not in node:
                report(node.origin, "nothing to load: expected 'deck:' and 'facts:' (or a "
                       "'sources:' library)")
            return
        if self.deck is None:
            return
        name = f"deck '{self.deck.id}'" if self.deck.id else "the deck"
        if not node.has("facts"):
            report(node.origin, f"{name} needs 'facts:', a list of facts")
        elif self.facts == ():
            report(node.value_at("facts"), f"{name} has no facts")


def read_document(node: Node, report: Report) -> FileRecord | None:
    """Read a whole deck file's tree by the spec; every problem goes to ``report``."""
    return read_record(FileRecord, node, report)


def json_schema() -> dict[str, Any]:
    """The deck format as a JSON Schema, for editors (``histquiz schema``)."""
    defs: dict[str, Any] = {}
    body = RecordType(FileRecord).schema(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "histquiz-deck.schema.json",
        "title": "histquiz deck",
        "description": "A histquiz deck of sourced historical facts. A file with only "
                       "'sources' and 'pools' is a shared library.",
        **body,
        "$defs": defs,
    }


def schema_text() -> str:
    """``json_schema()`` as the text ``histquiz schema`` prints and the package ships."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"

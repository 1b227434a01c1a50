"""Deck files → validated, frozen Decks. Every problem in every file is found in one run.

Each file is read by the spec (spec.py) into records, which reports what is wrong inside one
file. The checks that need every file at once (ids used twice, unknown sources, too few
distractor candidates, "Which of these happened" without events of enough other years) run
after, and the records become the model. Each problem is one line, ``path:line:col: message``,
and says what to fix.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Sequence

from ..dates import HistDate
from ..errors import DeckError
from ..forked import jobs
from ..model import (
    NUMERIC_KINDS,
    Deck,
    Fact,
    FalseStatement,
    Origin,
    Period,
    PoolValue,
    Question,
    Source,
)
from ..textnorm import gc_paused
from .fields import Report, suggest
from .files import Problem, find_deck_files, read_file
from .guards import check_file
from .rules import (
    MIN_DISTRACTORS,
    EventIndex,
    applicable_templates,
    candidate_count,
    default_templates,
    distractor_pools,
    enough_false,
    is_event,
    series_problem,
)
from .spec import DeckRecord, FactRecord, FileRecord, QuestionRecord, read_document
from .split import read as split_read
from .yaml import Map, read_yaml


def load_decks(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[Deck]:
    """Load and validate decks from files or folders (the built-in decks by default).

    Raises DeckError listing every problem found, each as ``path:line:col: message``.
    """
    with gc_paused():
        return _load(paths)


def _load(paths: Sequence[str | os.PathLike[str]] | None, split: bool = True) -> list[Deck]:
    files, problems = find_deck_files(paths)
    report = Report()
    report.problems.extend(problems)
    records: list[FileRecord] = []
    processes = jobs() if split else 1
    was_split = False
    for path in files:
        data, found = read_file(path)
        # a big file is read in parts on several cores, when that is sure to read the same
        whole = None if data is None else split_read(path, data, processes)
        if whole is not None:  # checked in its parts, with no problem found
            was_split = True
            records.append(whole)
            continue
        tree = None
        if data is not None:
            tree, found = read_yaml(path, data)
        report.problems.extend(found)
        if tree is None:
            if not found:
                report(Origin(path, 1, 1), "the file is empty; a deck needs 'deck:' and 'facts:'")
            continue
        record = read_document(tree, report)
        if record is not None:
            check_file(record, report)
            records.append(record)
    decks = _Linker(report).link(records)
    if report.problems and was_split:
        return _load(paths, split=False)  # the messages, as reading each file whole gives them
    if report.problems:
        unique = dict.fromkeys(report.problems)
        raise DeckError([str(p) for p in sorted(unique, key=Problem.sort_key)])
    return decks


class _Linker:
    """Checks across files and builds the model from the records."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.sources: dict[str, tuple[Source, Origin]] = {}
        self.source_ids: dict[str, None] = {}  # every id defined, complete or not
        self.deck_ids: dict[str, Origin] = {}
        self.fact_ids: dict[str, Origin] = {}
        self.records: dict[str, tuple[FactRecord, dict[str, QuestionRecord]]] = {}
        # (Anki deck, topic) → (title, deck id, where): the first title given to a topic
        self.topic_titles: dict[tuple[str, str], tuple[str, str, Origin]] = {}

    def link(self, files: list[FileRecord]) -> list[Deck]:
        for file in files:
            self._sources(file)
        periods = self._periods(files)
        decks: list[Deck] = []
        library: dict[str, list[PoolValue]] = {}
        for file in files:
            deck = self._deck(file)
            if deck is not None:
                decks.append(deck)
            else:
                for kind, values in (file.pools or {}).items():
                    library.setdefault(kind, []).extend(values)
        if library and decks:
            # library files (sources or pools only) add their pools to the first deck
            first = decks[0]
            merged = dict(first.pools)
            for kind, more in library.items():
                merged[kind] = merged.get(kind, ()) + tuple(more)
            decks[0] = dataclasses.replace(first, pools=merged)
        decks = [dataclasses.replace(deck, periods=periods) for deck in decks]
        self._check_candidates(decks)
        self._check_series(decks)
        return self._check_which_happened(decks)

    def _periods(self, files: list[FileRecord]) -> tuple[Period, ...]:
        """Every period of every file, in time order; like sources, an id is global."""
        found: dict[str, tuple[Period, Origin]] = {}
        for file in files:
            for period_id, rec in (file.periods or {}).items():
                if rec.title is None:
                    continue
                start = rec.start if isinstance(rec.start, HistDate) else None
                end = rec.end if isinstance(rec.end, HistDate) else None
                period = Period(period_id, rec.title, start, end)
                where = rec.key_at or rec.node.origin
                if period_id in found and found[period_id][0] != period:
                    self.report(where, f"period id '{period_id}' is defined differently at "
                                f"{found[period_id][1]}; use another id or make the two the same")
                found.setdefault(period_id, (period, where))
        ordered = sorted(found.values(), key=lambda p: p[0].start.sort_key() if p[0].start
                         else (0, 0, 0))
        for (one, _), (two, where) in itertools.pairwise(ordered):
            if one.end is None or two.start is None or two.start <= one.end:
                self.report(where, f"period '{two.id}' overlaps period '{one.id}'; give each "
                            "an end and a later start")
        return tuple(p for p, _ in ordered)

    def _sources(self, file: FileRecord) -> None:
        section = file.node.get("sources")
        if isinstance(section, Map):
            for source_id in section:  # defined, if wrongly: the facts citing it are not wrong
                self.source_ids[source_id] = None
        for source_id, rec in (file.sources or {}).items():
            where = rec.key_at or rec.node.origin
            if (rec.title is None or not isinstance(rec.date, HistDate)
                    or (rec.author is None and rec.publisher is None)):
                continue
            source = Source(source_id, rec.title, rec.author, rec.publisher, rec.date, rec.url,
                            rec.locator)
            if source_id in self.sources:
                existing, first = self.sources[source_id]
                if existing != source:
                    self.report(where, f"source id '{source_id}' is defined differently at "
                                f"{first}; use another id or make the two the same")
                continue
            self.sources[source_id] = (source, where)

    def _deck(self, file: FileRecord) -> Deck | None:
        """The file's deck, or None for a library file. A deck whose 'deck:' section is broken
        (its id, say) has been reported already; it is still built, under the id it has or none,
        so that the checks across files see its facts and report their problems too."""
        rec = file.deck
        deck_id = rec.id if rec is not None else None
        if rec is not None and deck_id is not None:
            where = rec.node.value_at("id")
            if deck_id in self.deck_ids:
                self.report(where, f"deck id '{deck_id}' is used twice (first at "
                            f"{self.deck_ids[deck_id]}); give each deck its own id")
            self.deck_ids.setdefault(deck_id, where)
        topic_given = rec is not None and rec.node.has("topic")
        topic = rec.topic if rec is not None else None
        defaults = {name: tuple(t.value for t in names)
                    for name, names in (file.templates or {}).items()}
        facts = []
        for fact_rec in file.facts or ():
            fact = self._fact(fact_rec, deck_id or "", topic, topic_given, defaults)
            if fact is not None:
                facts.append(fact)
        if rec is None and "deck" not in file.node:
            return None
        used: dict[str, Source] = {}
        for fact in facts:
            for s in fact.sources:
                used.setdefault(s.id, s)
        pools = {kind: tuple(values) for kind, values in (file.pools or {}).items()}
        topic_titles = dict(rec.topic_titles or {}) if rec is not None else {}
        if rec is not None:
            self._check_topic_titles(rec, topic_titles, {f.topic for f in facts})
        title = (rec.title if rec is not None else None) or deck_id or ""
        description = (rec.description if rec is not None else None) or ""
        return Deck(deck_id or "", title, description, tuple(facts), tuple(used.values()), pools,
                    anki_deck=rec.anki_deck if rec is not None else None,
                    topic_titles=topic_titles)

    def _check_topic_titles(self, rec: DeckRecord, titles: dict[str, str], used: set[str]) -> None:
        """A title for a topic no fact of the deck has is a typo; decks that share an Anki
        deck share its topic subdecks, so they must title a topic alike."""
        root = rec.anki_deck or rec.title or ""
        for topic, title in titles.items():
            node = rec.node.get("topic_titles")
            where = node.key_at(topic) if isinstance(node, Map) else rec.node.origin
            if topic not in used:
                self.report(where, f"the deck: 'topic_titles' names topic '{topic}', which no "
                            f"fact of the deck has{suggest(topic, used)}")
                continue
            first = self.topic_titles.setdefault((root, topic), (title, rec.id or "", where))
            if first[0] != title:
                self.report(where, f"the deck: topic '{topic}' is titled '{title}' here but "
                            f"'{first[0]}' in deck '{first[1]}' (at {first[2]}), which shares the "
                            f"Anki deck '{root}'; give it one title")

    def _fact(self, rec: FactRecord, deck_id: str, deck_topic: str | None, topic_given: bool,
              defaults: dict[str, tuple[str, ...]]) -> Fact | None:
        what = rec.what
        for ref in rec.sources or ():
            if ref.value not in self.source_ids:
                self.report(ref.origin, f"{what}: unknown source '{ref.value}'"
                            f"{suggest(ref.value, self.source_ids)}; define it under 'sources:'")
        topic = rec.topic
        if not rec.node.has("topic"):
            topic = deck_topic  # None, and already reported, when the deck's topic is wrong
            if not topic_given:
                self.report(rec.node.origin, f"{what} needs 'topic' (or give the deck a "
                            "default 'topic')")
        if rec.id is not None:
            if rec.id in self.fact_ids:
                self.report(rec.node.value_at("id"), f"fact id '{rec.id}' is used twice (first "
                            f"at {self.fact_ids[rec.id]}); fact ids must be unique across all decks")
                return None
            self.fact_ids[rec.id] = rec.node.value_at("id")
        questions: dict[str, Question] = {}
        question_recs: dict[str, QuestionRecord] = {}
        for q_rec in rec.questions or ():
            question = _question(q_rec)
            if question is not None and question.id not in questions:
                questions[question.id] = question
                question_recs[question.id] = q_rec
        if rec.templates is not None:
            templates = tuple(t.value for t in rec.templates)
        else:
            templates = applicable_templates(
                default_templates(defaults, topic), date=rec.date, when=rec.when,
                event=rec.event, has_questions=bool(questions),
                has_false=enough_false(rec.false_statements))
        if rec.id is None or rec.statement is None or rec.explanation is None or topic is None:
            return None
        self.records[rec.id] = (rec, question_recs)
        return Fact(
            id=rec.id, deck=deck_id, statement=rec.statement, topic=topic,
            sources=tuple(self.sources[r.value][0] for r in rec.sources or ()
                          if r.value in self.sources),
            explanation=rec.explanation, date=rec.date, when=rec.when, event=rec.event,
            tags=rec.tags or (), note=rec.note, templates=templates, decade=rec.era,
            questions=tuple(questions.values()), origin=rec.node.origin, series=rec.series,
            sequence=rec.sequence,
            not_before=rec.not_before if isinstance(rec.not_before, HistDate) else None,
            not_after=rec.not_after if isinstance(rec.not_after, HistDate) else None,
            day_matters=bool(rec.day_matters),
            event_short=rec.event_short, when_short=rec.when_short,
            false_statements=tuple(
                FalseStatement(f.text, f.why, f.node.origin) for f in rec.false_statements or ()
                if f.text is not None and f.why is not None),
        )

    def _check_candidates(self, decks: list[Deck]) -> None:
        """A named choice question needs three distractor candidates across the loaded decks."""
        pools = distractor_pools(decks)
        for deck in decks:
            for fact in deck.facts:
                if "choice" not in fact.templates:
                    continue
                for q in fact.questions:
                    if q.base_kind in NUMERIC_KINDS:
                        continue
                    year = fact.date.year if fact.date is not None else None
                    usable = candidate_count(q, pools, year)
                    if usable >= MIN_DISTRACTORS:
                        continue
                    fix = ("list at least 3 'distractors'" if q.base_kind == "text" else
                           f"add values to 'pools: {q.kind}:' or to the question's 'distractors'")
                    q_rec = self.records[fact.id][1][q.id]
                    self.report(q_rec.node.value_at("kind"), f"fact '{fact.id}', question "
                                f"'{q.id}': answer kind '{q.kind}' has {usable} distractor "
                                f"candidate{'s' if usable != 1 else ''} across the loaded decks "
                                f"that fit{'s' if usable == 1 else ''} the question, "
                                f"need {MIN_DISTRACTORS}; {fix}")

    def _check_series(self, decks: list[Deck]) -> None:
        """A headline of one member of a series (annual summits, yearly resolutions) must say
        which member it is, or it is true of the others' years too."""
        members: dict[str, list[Fact]] = {}
        for deck in decks:
            for fact in deck.facts:
                if fact.series is not None and fact.event:
                    members.setdefault(fact.series, []).append(fact)
        for series, facts in members.items():
            for fact in facts:
                problem = series_problem(fact, [f for f in facts if f is not fact])
                if problem is not None:
                    rec = self.records[fact.id][0]
                    self.report(rec.node.value_at("event"), f"fact '{fact.id}' (series "
                                f"'{series}'): its event '{fact.event}' {problem}; name what "
                                "sets it apart (a number, 'first', a place or a person)")

    def _check_which_happened(self, decks: list[Deck]) -> list[Deck]:
        """'Which of these happened in 1971?' needs three events it may offer: of the same
        period, of another series, at least two years away (rules.EventIndex). A fact that asks
        for the template by name gets an error; otherwise the template is quietly left out.
        (A fact without an event has been told that it needs one.)"""
        facts = [fact for deck in decks for fact in deck.facts]
        index = EventIndex(facts, decks[0].periods if decks else ())
        result = []
        for deck in decks:
            kept = []
            for fact in deck.facts:
                if "which-happened" in fact.templates and is_event(fact) and fact.date is not None:
                    others = index.count(fact)
                    if others < MIN_DISTRACTORS:
                        rec = self.records[fact.id][0]
                        if rec.templates is not None:
                            self.report(rec.node.value_at("event"), f"fact '{fact.id}': "
                                        f"'which-happened' needs events of at least "
                                        f"{MIN_DISTRACTORS} other years of its period in the "
                                        f"loaded decks, found {others}; add facts or drop the "
                                        "template")
                        fact = dataclasses.replace(fact, templates=tuple(
                            n for n in fact.templates if n != "which-happened"))
                kept.append(fact)
            result.append(dataclasses.replace(deck, facts=tuple(kept)))
        return result


def _question(rec: QuestionRecord) -> Question | None:
    """The model question, or None when a part it cannot do without is missing or wrong."""
    value = rec.answer_value()
    if rec.id is None or rec.ask is None or rec.kind is None or value is None:
        return None
    answer, number = value
    return Question(
        id=rec.id, ask=rec.ask, answer=answer, kind=rec.kind, accept=rec.accept or (),
        distractors=tuple(d.value for d in rec.distractors or ()), unit=rec.unit,
        number=number, origin=rec.node.origin, years=rec.years, bounds=rec.bounds,
        step=rec.step if rec.step is not None and rec.step > 0 else None,
        ask_short=rec.ask_short,
    )

"""Reading histquiz packages back the way Anki does: import into a real collection, render cards,
and pull the shown text out of the card HTML."""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

# What Anki renders instead of a card whose template is broken or whose front is empty.
TEMPLATE_ERRORS = ("template has a problem", "templates/errors", "front of this card is blank",
                   "no field called", "{{", "}}")


@dataclass(frozen=True)
class Counts:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int


@contextlib.contextmanager
def collection(folder: Path) -> Iterator[Collection]:
    """The collection in ``folder``, opened fresh (Anki caches note types per session)."""
    col = Collection(str(folder / "collection.anki2"))
    try:
        yield col
    finally:
        col.close()


def import_apkg(col: Collection, apkg: Path) -> Counts:
    options = ImportAnkiPackageOptions(with_scheduling=False)
    log = col.import_anki_package(
        ImportAnkiPackageRequest(package_path=str(apkg), options=options)).log
    return Counts(len(log.new), len(log.updated), len(log.duplicate), len(log.conflicting),
                  len(log.first_field_match))


def review_one(col: Collection, deck: str) -> int:
    """Answer the first queued card of ``deck`` 'Good', as a learner would; returns its id."""
    from anki.scheduler_pb2 import CardAnswer

    col.decks.select(col.decks.id_for_name(deck))
    queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
    card = col.get_card(queued.card.id)
    card.start_timer()
    answer = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
    col.sched.answer_card(answer)
    return int(card.id)


def item_of(col: Collection, card_id: int) -> str:
    return str(col.get_card(card_id).note()["Item"])


def zip_entries(path: Path) -> list[tuple[str, tuple[int, ...], int]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, i.date_time, i.external_attr >> 16) for i in zf.infolist()]


class Shown(HTMLParser):
    """The text a card shows, by CSS class: ``texts['hq-question']``, the options in order,
    which options carry the 'correct' mark, and ``rows``: the rows of each list by the list's
    class, each row as its text by class ('' for the whole row)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, str] = {}
        self.options: list[str] = []
        self.correct: list[str] = []
        self.rows: dict[str, list[dict[str, str]]] = {}
        self.scripts = 0
        # open elements: (tag, classes, the rows an <li> opened, one per class of its list)
        self._open: list[tuple[str, list[str], list[dict[str, str]]]] = []
        self._li_correct = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" or any(name.startswith("on") for name, _ in attrs):
            self.scripts += 1
        if tag == "br":
            self._data("\n")
            return
        classes = (dict(attrs).get("class") or "").split()
        rows: list[dict[str, str]] = []
        if tag == "li":
            self._li_correct = "hq-correct" in classes
            lists = [c for t, c, _ in self._open if t in ("ol", "ul")]
            for cls in lists[-1] if lists else ():
                rows.append({"": ""})
                self.rows.setdefault(cls, []).append(rows[-1])
        self._open.append((tag, classes, rows))
        for cls in classes:
            self.texts.setdefault(cls, "")
            if cls == "hq-text":
                self.options.append("")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            open_tag, classes, _ = self._open.pop()
            if "hq-text" in classes and self._li_correct:
                self.correct.append(self.options[-1])
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self._data(data)

    def _data(self, data: str) -> None:
        inside = {cls for _, classes, _ in self._open for cls in classes}
        for cls in inside:
            self.texts[cls] += data
        if "hq-text" in inside:
            self.options[-1] += data
        for n, (_, _, rows) in enumerate(self._open):
            within = {cls for _, classes, _ in self._open[n + 1:] for cls in classes}
            for row in rows:
                row[""] += data
                for cls in within:
                    row[cls] = row.get(cls, "") + data

    def table(self, list_class: str, *classes: str) -> list[tuple[str, ...]]:
        """The rows of the lists of class ``list_class``, as the texts of ``classes`` in each."""
        return [tuple(row.get(cls, "") for cls in classes)
                for row in self.rows.get(list_class, [])]

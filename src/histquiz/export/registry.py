"""The one list of output formats, and the contract every format keeps.

A format is a name, the file name ending a build gives it after the deck id, and a module with
``render(items, ctx) -> Rendered``: the bytes of each file it writes (the main file first, then
its companions, such as a worksheet's answer key) and what they hold, with every item it left
out and why. Rendering never touches the disk; ``write_format`` hands all the files to the one
atomic writer. ``build``, ``export``, ``anki`` and ``worksheet`` all go through here.

The modules are named, not imported: this file is read by ``histquiz --help``, and genanki and
reportlab are imported only when a format that needs them renders.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..atomic import check_targets, refuse_inputs, write_files
from ..errors import UsageError
from ..model import Deck, Item


@dataclass(frozen=True)
class ExportOptions:
    """Settings of the formats; each format reads what it has a use for.

    ``title``: the quiz's name where a format has room for one (Kahoot's title cell, the
    worksheet's heading); None for the deck's own title when the items come from one deck.
    ``tolerance``: years either side still accepted for a typed year (Moodle XML, GIFT).
    ``time_limit``: seconds per Kahoot question. ``type_in``: Anki date cards ask for a typed
    answer. ``count``, ``versions``, ``points``, ``paper``, ``answer_key``, ``timeline``: the
    worksheet's (``count`` questions chosen by the seed; None for all).
    """

    title: str | None = None
    tolerance: int = 0
    time_limit: int = 20
    type_in: bool = False
    count: int | None = None
    versions: int = 1
    points: int = 1
    paper: str = "a4"
    answer_key: str = "separate"
    timeline: bool = False


@dataclass(frozen=True)
class Context:
    """What a format needs besides the items, resolved once per command.

    ``decks`` are all the loaded decks (Anki describes its decks from them; a worksheet names
    them); ``seed`` drives every shuffle a format makes; ``build_time`` is stamped into the
    files; ``reproducible`` says that it came from SOURCE_DATE_EPOCH, so the output must
    depend on the inputs alone. ``topics`` and ``tags`` are the filters, for a subtitle.
    ``previous`` is the file the output replaces, if any (Anki compares with it). ``inputs``
    are the deck files read, which no output may overwrite.
    """

    decks: Sequence[Deck]
    seed: int
    build_time: int
    reproducible: bool = False
    options: ExportOptions = field(default_factory=ExportOptions)
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    previous: Path | None = None
    inputs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """An item a format left out. ``by_design`` marks items the format never takes (a typed
    answer in Kahoot), as against items that would fit but for their length or option count."""

    item_id: str
    reason: str
    by_design: bool = False


@dataclass(frozen=True)
class Rendered:
    """What a format made: the bytes of each file (the main one first, then its companions),
    how many items (questions, notes) they hold, the items left out, one note per file for the
    build's table (``"412 cards"``), and the format's own figures for its command to print."""

    files: tuple[bytes, ...]
    count: int
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    details: object = None

    def note(self, index: int) -> str:
        return self.notes[index] if index < len(self.notes) else ""


Render = Callable[[Sequence[Item], Context], Rendered]


@dataclass(frozen=True)
class Format:
    """An output format. ``suffix`` ends a build's file name after the deck id; ``companions``
    are the other files it may write, as (text put before the main file's extension, label).
    ``group`` is ``anki``, ``worksheet`` or ``classroom`` (what ``histquiz export`` writes);
    ``text`` formats can go to standard output."""

    name: str
    suffix: str
    module: str
    group: str
    text: bool = False
    companions: tuple[tuple[str, str], ...] = ()

    def renderer(self) -> Render:
        render: Render = importlib.import_module(self.module).render
        return render

    def paths(self, target: Path) -> tuple[Path, ...]:
        """The main file and its companions: ``w.pdf`` → ``w.pdf``, ``w-answers.pdf``."""
        return (target, *(target.with_name(f"{target.stem}{infix}{target.suffix}")
                          for infix, _ in self.companions))

    def labels(self) -> tuple[str, ...]:
        return (self.name, *(label for _, label in self.companions))


# The formats, in the order a build writes them.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("anki", ".apkg", "histquiz.export.anki.writer", "anki"),
    Format("worksheet", "-worksheet.pdf", "histquiz.export.worksheet.pdf", "worksheet",
           companions=(("-answers", "answer key"),)),
    Format("moodle-xml", "-moodle.xml", "histquiz.export.classroom.moodle", "classroom", text=True),
    Format("gift", "-gift.txt", "histquiz.export.classroom.gift", "classroom", text=True),
    Format("kahoot", "-kahoot.xlsx", "histquiz.export.classroom.kahoot", "classroom"),
    Format("quizlet", "-quizlet.txt", "histquiz.export.classroom.quizlet", "classroom", text=True),
    Format("json", "-items.json", "histquiz.export.classroom.jsonout", "classroom", text=True),
)}


def names(group: str | None = None) -> list[str]:
    """The format names, sorted (those of one group when given)."""
    return sorted(n for n, f in FORMATS.items() if group is None or f.group == group)


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise UsageError(f"unknown format '{name}'; known: {', '.join(names())}") from None


def render_format(name: str, items: Sequence[Item], ctx: Context) -> Rendered:
    """The files of one format, in memory."""
    return get_format(name).renderer()(items, ctx)


def write_format(name: str, items: Sequence[Item], ctx: Context,
                 target: Path) -> tuple[Rendered, tuple[Path, ...]]:
    """Render one format and write its files at ``target`` (and its companions), all renamed
    into place together; returns what was rendered and the paths written."""
    fmt = get_format(name)
    target = Path(target)
    check_targets(fmt.paths(target))
    refuse_inputs(fmt.paths(target), ctx.inputs)
    previous = target if target.is_file() else None
    rendered = fmt.renderer()(items, replace(ctx, previous=previous))
    paths = fmt.paths(target)[: len(rendered.files)]
    write_files(list(zip(paths, rendered.files, strict=True)))
    return rendered, paths


def single_deck_title(decks: Sequence[Deck], items: Sequence[Item]) -> str | None:
    """The title of the one deck the items come from; None when they come from several."""
    used = {i.deck for i in items}
    titles = [d.title for d in decks if d.id in used]
    return titles[0] if len(titles) == 1 else None


@dataclass(frozen=True)
class LeftOut:
    """An item left out of a file: where (the file, or a format's name), by which format, why."""

    where: str
    fmt: str
    skipped: Skipped


def left_out_report(entries: Sequence[LeftOut]) -> tuple[list[str], list[str]]:
    """The one report of items left out, as (lines to show, warning lines). Items a format
    never takes are counted by format and reason; each one that did not fit a format's limits
    is named in a warning, with the reason."""
    designed: dict[tuple[str, str], int] = {}
    misfits: list[str] = []
    for entry in entries:
        skip = entry.skipped
        if skip.by_design:
            designed[(entry.fmt, skip.reason)] = designed.get((entry.fmt, skip.reason), 0) + 1
        else:
            misfits.append(f"  {entry.where}: {skip.item_id}: {skip.reason}")
    shown: list[str] = []
    if designed:
        shown.append("left out by design:")
        shown += [f"  {fmt}: {count} item{'s' * (count != 1)} with {reason}"
                  for (fmt, reason), count in designed.items()]
    warnings: list[str] = []
    if misfits:
        many = len(misfits) != 1
        warnings.append(f"histquiz: warning: {len(misfits)} item{'s' * many} did not fit a "
                        f"format's limits and {'were' if many else 'was'} left out:")
        warnings += misfits
    return shown, warnings

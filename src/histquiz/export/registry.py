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

import contextlib
import functools
import glob
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from ..atomic import check_targets, refuse_inputs
from ..errors import UsageError
from ..load.rules import ITEM_KINDS
from ..model import Deck, Item

if TYPE_CHECKING:
    from .worksheet.layout import Student


@dataclass(frozen=True)
class ExportOptions:
    """Settings of the formats; each format reads what it has a use for.

    ``title``: the quiz's name where a format has room for one (Kahoot's title cell, the
    worksheet's heading); None for the deck's own title when the items come from one deck.
    ``tolerance``: years either side still accepted for a typed year (Moodle XML, GIFT).
    ``time_limit``: seconds per Kahoot question. ``type_in``: Anki date cards ask for a typed
    answer. ``moodle_ordering``: Moodle XML writes order items as Moodle's Ordering question
    (standard since Moodle 4.4); False writes them as a matching question of events to
    places (1st, 2nd, …) for a Moodle without it. ``count``, ``versions``, ``points``,
    ``paper``, ``answer_key``, ``timeline``: the worksheet's (``count`` questions chosen by
    the seed; None for all).
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
    moodle_ordering: bool = True
    scan: bool = False  # the worksheet's sheets to be scanned: see export/worksheet/layout.py
    id_digits: int = 6
    copies: int = 0
    roster: tuple[Student, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a format needs besides the items, resolved once per command.

    ``decks`` are all the loaded decks (Anki describes its decks from them; a worksheet names
    them); ``seed`` drives every shuffle a format makes; ``build_time`` is stamped into the
    files; ``reproducible`` says that it came from SOURCE_DATE_EPOCH, so the output must
    depend on the inputs alone. ``topics`` and ``tags`` are the filters, for a subtitle.
    ``previous`` is the file the output replaces, if any (Anki compares with it). ``inputs``
    are the deck files read, which no output may overwrite. ``items_key`` names the items
    being written when the cache holds exactly them under it (a build sets it for each deck's
    items): a format that depends on nothing else than the items, the decks, the seed and the
    options (``Format.timeless``) is then rendered once and read back from the cache by the
    next run that writes the same, and Anki keeps its notes there.
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
    items_key: str | None = None

    def cache_key(self, what: str) -> str | None:
        """The cache key of ``what`` a format makes of these items with these options (None
        when the items have no key): everything it may depend on but the build time and the
        file it replaces."""
        if self.items_key is None:
            return None
        return repr((what, self.items_key, self.seed, self.options, self.topics, self.tags))


@dataclass(frozen=True)
class Skipped:
    """An item a format left out. ``reason`` names the kind of problem in the same words for
    every item it applies to (the summary counts items by it); ``detail`` is this item's own
    particulars for the full list (how long its question is, which field to shorten).
    ``by_design`` marks items the format never takes (a typed answer in Kahoot), as against
    items that would fit but for their length or option count."""

    item_id: str
    reason: str
    by_design: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Caveat:
    """An item a format wrote, but with less than histquiz meant: GIFT cannot say that a
    question's dates must stay in order. Counted in the summary, like the items left out."""

    item_id: str
    reason: str


@dataclass(frozen=True)
class Rendered:
    """What a format made: the bytes of each file (the main one first, then its companions, or
    the numbered parts of a format that splits), how many items (questions, notes) they hold
    (``counts``: per file, where they differ), the items left out and those kept with a caveat,
    one note per file for the build's table (``"412 cards"``), and the format's own figures for
    its command to print."""

    files: tuple[bytes, ...]
    count: int
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    details: object = None
    caveats: tuple[Caveat, ...] = ()
    counts: tuple[int, ...] = ()
    # files beyond the format's companions, as (ending after the target's stem, bytes): a
    # scan worksheet's FILE-layout.json
    extra: tuple[tuple[str, bytes], ...] = ()

    def note(self, index: int) -> str:
        return self.notes[index] if index < len(self.notes) else ""

    def count_of(self, index: int) -> int:
        """How many items file ``index`` holds."""
        return self.counts[index] if index < len(self.counts) else self.count


Render = Callable[[Sequence[Item], Context], Rendered]


@dataclass(frozen=True)
class Format:
    """An output format. ``suffix`` ends a build's file name after the deck id; ``companions``
    are the other files it may write, as (text put before the main file's extension, label).
    ``group`` is ``anki``, ``worksheet`` or ``classroom`` (what ``histquiz export`` writes);
    ``text`` formats can go to standard output. A format with ``per_file`` holds at most that
    many items in a file and writes several numbered files when it has more
    (``k-kahoot-1.xlsx``, ``k-kahoot-2.xlsx``). A ``timeless`` format's files depend on the
    items, the decks, the seed and the options alone (not on the build time, nor on the file
    they replace), so they can be kept in the cache. ``limits`` says that its module can tell,
    without writing anything, which items it would leave out (``left_out(items, ctx)``).
    ``reveals``: it reads the relation of which item gives which away (to order or pick the
    items, or to write it out).
    ``kinds`` are the item kinds it holds; ``reasons`` say, in its own words, why it leaves out
    each kind it does not, for the build's summary."""

    name: str
    suffix: str
    module: str
    group: str
    text: bool = False
    companions: tuple[tuple[str, str], ...] = ()
    per_file: int | None = None
    timeless: bool = False
    limits: bool = False
    reveals: bool = False
    kinds: tuple[str, ...] = ("choice", "date")  # the item kinds it can hold
    reasons: tuple[tuple[str, str], ...] = ()  # (kind, why it is left out) for kinds it lacks

    def renderer(self) -> Render:
        render: Render = importlib.import_module(self.module).render
        if set(ITEM_KINDS) <= set(self.kinds):
            return render
        return functools.partial(_held, self, render)

    def paths(self, target: Path) -> tuple[Path, ...]:
        """The main file and its companions: ``w.pdf`` → ``w.pdf``, ``w-answers.pdf``."""
        return (target, *(target.with_name(f"{target.stem}{infix}{target.suffix}")
                          for infix, _ in self.companions))

    def part_paths(self, target: Path, parts: int) -> tuple[Path, ...]:
        """The numbered files of a format that splits: ``k.xlsx`` → ``k-1.xlsx``, ``k-2.xlsx``."""
        return tuple(target.with_name(f"{target.stem}-{n}{target.suffix}")
                     for n in range(1, parts + 1))

    def most_files(self, items: int) -> int:
        """How many numbered parts ``items`` items could need (0: the format never splits)."""
        if self.per_file is None:
            return 0
        return max(1, -(-items // self.per_file))

    def written_paths(self, target: Path, files: int) -> tuple[Path, ...]:
        """The paths of ``files`` rendered files: the main file and its companions, or, for a
        format that split its items over several files, the numbered parts."""
        if self.per_file is not None and files > 1:
            return self.part_paths(target, files)
        return self.paths(target)[:files]

    def recogniser(self) -> Callable[[Path], bool] | None:
        """What tells a file of this format that histquiz wrote from anybody else's (the
        module's ``made_here``), if the format can tell: see ``owned``."""
        made_here: Callable[[Path], bool] | None = getattr(
            importlib.import_module(self.module), "made_here", None)
        return made_here

    def reason_for(self, kind: str) -> str:
        """Why the format leaves out items of a kind it does not hold."""
        return dict(self.reasons).get(kind, f"it cannot hold {kind} items")

    def labels(self, files: int = 1) -> tuple[str, ...]:
        """What each of ``files`` rendered files is, for the build's table."""
        if self.per_file is not None and files > 1:
            return (self.name,) * files
        return (self.name, *(label for _, label in self.companions))


# What the formats' reasons for leaving out order and match items start with, so that the
# summary reads "kahoot: 12 items left out by design: events to put in order; Kahoot's …".
ORDER = "events to put in order"
MATCH = "events to match to their years"
KAHOOT = "Kahoot's spreadsheet holds only multiple choice"
QUIZLET = "a Quizlet card is one term and its definition"


def _held(fmt: Format, render: Render, items: Sequence[Item], ctx: Context) -> Rendered:
    """Render the items of the kinds ``fmt`` holds; the others are left out by design."""
    kept = [i for i in items if i.kind in fmt.kinds]
    out = [Skipped(i.id, fmt.reason_for(i.kind), by_design=True)
           for i in items if i.kind not in fmt.kinds]
    rendered = render(kept, ctx)
    return replace(rendered, skipped=(*rendered.skipped, *out)) if out else rendered


# The formats, in the order a build writes them.
FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("anki", ".apkg", "histquiz.export.anki.writer", "anki", reveals=True,
           kinds=("choice", "date", "order", "match")),
    Format("worksheet", "-worksheet.pdf", "histquiz.export.worksheet.pdf", "worksheet",
           companions=(("-answers", "answer key"),), reveals=True,
           kinds=("choice", "date", "order", "match")),
    Format("moodle-xml", "-moodle.xml", "histquiz.export.classroom.moodle", "classroom",
           timeless=True, text=True,
           kinds=ITEM_KINDS),
    Format("gift", "-gift.txt", "histquiz.export.classroom.gift", "classroom",
           timeless=True, text=True,
           kinds=("choice", "date", "match"),
           reasons=(("order", f"{ORDER}; GIFT has no ordering question (Moodle XML has)"),)),
    Format("kahoot", "-kahoot.xlsx", "histquiz.export.classroom.kahoot", "classroom",
           timeless=True, per_file=100, limits=True,
           reasons=(("order", f"{ORDER}; {KAHOOT}"), ("match", f"{MATCH}; {KAHOOT}"))),
    Format("qti", "-qti.zip", "histquiz.export.classroom.qti", "classroom",
           timeless=True, kinds=("choice", "date", "match"),
           reasons=(("order", f"{ORDER}; QTI 1.2, as Canvas reads it, has no ordering question "
                              "(Moodle XML has)"),)),
    Format("quizlet", "-quizlet.txt", "histquiz.export.classroom.quizlet", "classroom",
           timeless=True, text=True,
           reasons=(("order", f"{ORDER}; {QUIZLET}"), ("match", f"{MATCH}; {QUIZLET}"))),
    Format("json", "-items.json", "histquiz.export.classroom.jsonout", "classroom",
           timeless=True, text=True, reveals=True,
           kinds=ITEM_KINDS),
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


def write_format(name: str, items: Sequence[Item], ctx: Context, target: Path,
                 record: bool = True) -> tuple[Rendered, tuple[Path, ...]]:
    """Render one format and write its files at ``target`` (and its companions), all renamed
    into place together; returns what was rendered and the paths written. A file in the way
    that histquiz did not write is left as it is and the format refused (``owned``); the files
    written are added to their folder's record, unless ``record`` is false (a build records
    all its files at the end, in one process)."""
    fmt = get_format(name)
    target = Path(target)
    check_targets(fmt.paths(target))
    refuse_inputs(fmt.paths(target), ctx.inputs)
    from ..owned import refuse_foreign, write_owned

    refuse_foreign(fmt.paths(target), fmt.recogniser())
    previous = target if target.is_file() else None
    from ..cache import rendered as cached

    # a timeless format's files are kept whole when the items have a key (see ``kept_key``)
    rendered = cached(kept_key(name, ctx) if fmt.timeless else None,
                      functools.partial(fmt.renderer(), items, replace(ctx, previous=previous)))
    paths = fmt.written_paths(target, len(rendered.files))
    files = list(zip(paths, rendered.files, strict=True))
    files += [(target.with_name(f"{target.stem}{ending}"), data) for ending, data in rendered.extra]
    write_owned(files, fmt.recogniser(), record)  # checks the numbered parts and extras too
    written = tuple(path for path, _ in files)
    if fmt.per_file is not None:
        _remove_stale_parts(fmt, target, written)
    return rendered, written


# What the formats that depend on the build time keep in the cache (see ``kept_key``): the
# notes of an Anki package and their order, the questions a worksheet asks.
_PART_KEPT = {"anki": "anki notes", "worksheet": "worksheet pick"}


def kept_key(name: str, ctx: Context) -> str | None:
    """The key under which the cache keeps what format ``name`` makes of ``ctx``'s items: the
    whole rendering of a timeless format, else the part of its work that does not depend on
    the build time (``_PART_KEPT``); None when the items have no key."""
    fmt = get_format(name)
    if fmt.timeless:
        return ctx.cache_key(f"format {name}")
    return ctx.cache_key(_PART_KEPT[name]) if name in _PART_KEPT else None


def _remove_stale_parts(fmt: Format, target: Path, written: Sequence[Path]) -> None:
    """Remove the files an earlier run of a splitting format left at ``target`` that this one
    did not replace (the single file when it now writes parts, parts beyond those written, or
    the parts when it now writes one file): a teacher would import a stale part by mistake.
    Only a regular file that the format's module recognises as its own (``made_here``) goes."""
    made_here = fmt.recogniser()
    if made_here is None:
        return
    prefix = f"{target.stem}-"
    candidates = [target, *(p for p in target.parent.glob(f"{glob.escape(prefix)}*{target.suffix}")
                            if p.stem[len(prefix):].isdigit())]
    for path in candidates:
        if path in written or path.is_symlink() or not path.is_file():
            continue
        if made_here(path):
            with contextlib.suppress(OSError):
                path.unlink()


def where_written(paths: Sequence[Path]) -> str:
    """How the report names the files of one format: the file, or its numbered parts as
    ``k-kahoot-1.xlsx … k-kahoot-3.xlsx``."""
    if len(paths) == 1:
        return str(paths[0])
    return f"{paths[0]} … {paths[-1].name}"


def limit_problems(items: Sequence[Item], ctx: Context) -> list[LeftOut]:
    """Every item that a format with limits would leave out for its length or its options
    (not those it leaves out by design), without writing anything: what ``validate`` warns of."""
    found: list[LeftOut] = []
    for fmt in FORMATS.values():
        if not fmt.limits:
            continue
        check: Callable[[Sequence[Item], Context], Sequence[Skipped]] = (
            importlib.import_module(fmt.module).left_out)
        found += [LeftOut(fmt.name, fmt.name, s) for s in check(items, ctx) if not s.by_design]
    return found


def single_deck_title(decks: Sequence[Deck], items: Sequence[Item]) -> str | None:
    """The title of the one deck the items come from; None when they come from several."""
    used = {i.deck for i in items}
    titles = [d.title for d in decks if d.id in used]
    return titles[0] if len(titles) == 1 else None


class LeftOut(NamedTuple):
    """An item left out of a file, or kept in it with a caveat: where (the file, or a
    format's name), by which format, and why. (A tuple: a big deck's build makes one for each
    of tens of thousands of items.)"""

    where: str
    fmt: str
    skipped: Skipped | Caveat


def report_entries(where: str, fmt: str, rendered: Rendered) -> list[LeftOut]:
    """What one format's files left out or kept with a caveat, as entries of the report."""
    found: list[Skipped | Caveat] = [*rendered.skipped, *rendered.caveats]
    return [LeftOut(where, fmt, s) for s in found]


@dataclass(frozen=True)
class LeftOutReport:
    """The report of items left out: ``summary``, one line per format and reason with its
    count, for everyone; ``warnings``, the same for items that did not fit a format's limits
    (the author can fix those), for standard error; ``entries``, what it counts, and from them
    ``listing``, every item with its reason and particulars, for ``--verbose``."""

    summary: list[str]
    warnings: list[str]
    entries: Sequence[LeftOut]

    @property
    def listing(self) -> list[str]:
        """A line per entry, made when asked (a big deck's build leaves out tens of thousands
        of items, and only ``--verbose`` lists them)."""
        return [_listed(entry) for entry in self.entries]


def _listed(entry: LeftOut) -> str:
    skip = entry.skipped
    if isinstance(skip, Caveat):
        return f"{entry.where}: {skip.item_id}: kept, but {skip.reason}"
    particulars = f" ({skip.detail})" if skip.detail else ""
    return f"{entry.where}: {skip.item_id}: left out: {skip.reason}{particulars}"


def left_out_report(entries: Sequence[LeftOut]) -> LeftOutReport:
    """The one report of what the formats left out, counted by format and reason."""
    designed: dict[tuple[str, str], int] = {}
    caveats: dict[tuple[str, str], int] = {}
    misfits: dict[tuple[str, str], int] = {}
    for entry in entries:
        skip = entry.skipped
        key = (entry.fmt, skip.reason)
        if isinstance(skip, Caveat):
            caveats[key] = caveats.get(key, 0) + 1
            continue
        counts = designed if skip.by_design else misfits
        counts[key] = counts.get(key, 0) + 1
    summary = [f"{fmt}: {_items(count)} left out by design: {reason}"
               for (fmt, reason), count in designed.items()]
    summary += [f"{fmt}: {_items(count)} kept, but {reason}"
                for (fmt, reason), count in caveats.items()]
    warnings = [f"histquiz: warning: {fmt}: {_items(count)} left out: {reason}"
                for (fmt, reason), count in misfits.items()]
    return LeftOutReport(summary, warnings, entries)


def _items(count: int) -> str:
    return f"{count} item{'s' * (count != 1)}"

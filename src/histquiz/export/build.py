"""Build every artefact of every deck into one folder: the orchestration behind ``histquiz build``.

For each deck and each format of the registry, the deck's items go through the same
``write_format`` that the single commands use, so a deck's files are exactly those that
``histquiz export --deck D`` (or ``anki``, ``worksheet``) writes with the same seed. Temporary
files that an earlier, killed build left for the files about to be written are removed first.

A format that cannot be written (a character the worksheet font lacks, a full disk) does not
stop the others: every file that can be written is, and every failure is reported at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from ..atomic import make_folder, remove_stale_temporaries
from ..errors import HistquizError, UsageError
from ..forked import jobs, run
from ..model import Deck, Item
from ..textnorm import gc_paused
from ..textui import plural, size, table
from .registry import (
    FORMATS,
    Context,
    LeftOut,
    Rendered,
    get_format,
    kept_key,
    report_entries,
    where_written,
    write_format,
)


class Progress(Protocol):
    def start(self, label: str) -> None: ...
    def advance(self, lines: Sequence[str] = ()) -> None: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Written:
    """A file written: its path, what it is (a format or a companion's label), how many items
    it holds, and a note for the table."""

    path: Path
    label: str
    count: int
    note: str = ""


@dataclass(frozen=True)
class Failed:
    """A file that could not be written: its path, its format and the one-line reason."""

    path: Path
    fmt: str
    reason: str


@dataclass
class BuildReport:
    written: list[Written] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # decks without items: nothing written
    stale: list[Path] = field(default_factory=list)  # temporary files of a killed build, removed


def file_names(deck_id: str, formats: Sequence[str], items: int = 0) -> list[str]:
    """Every file name a build may write for a deck of ``items`` items: companions included,
    and the numbered parts of a format that splits."""
    names = []
    for name in formats:
        fmt = get_format(name)
        target = Path(f"{deck_id}{fmt.suffix}")
        names += [p.name for p in fmt.paths(target)]
        names += [p.name for p in fmt.part_paths(target, fmt.most_files(items))]
    return names


def build(decks: Sequence[Deck], items: Sequence[Item], formats: Sequence[str] | None,
          out: Path, ctx: Context, progress: Progress | None = None) -> BuildReport:
    """Write each format's files for each deck's items into ``out`` (created if missing).
    ``ctx`` holds the seed and build time; each deck's title is the title of its files."""
    chosen = list(dict.fromkeys(formats or FORMATS))
    for name in chosen:
        get_format(name)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: this is a file, not a folder")
    make_folder(out)
    report = BuildReport()
    items_of: dict[str, Sequence[Item]]
    if len(decks) == 1:  # read lazily, if they came so from the cache: see below
        items_of = {decks[0].id: items}
    else:
        lists: dict[str, list[Item]] = {deck.id: [] for deck in decks}
        for item in items:
            lists[item.deck].append(item)
        items_of = dict(lists)
    report.stale = remove_stale_temporaries(
        out, [n for deck in decks for n in file_names(deck.id, chosen, len(items_of[deck.id]))])
    report.empty = [d.id for d in decks if not items_of[d.id]]
    plan = [(deck, name) for deck in decks if items_of[deck.id] for name in chosen]
    from ..cache import adopt, folder, holds, key_of

    # Each deck's files are titled by it. What names its items in the cache, when it holds
    # them: the formats whose files depend on them alone, the Anki notes and the relation of
    # which item gives which away are then read back from it by the next build of unchanged
    # decks.
    key = key_of(items)
    contexts: dict[str, Context] = {}
    for deck in decks:
        items_key = None if key is None else f"{key} deck {deck.id}"
        if items_key is not None:
            adopt(items_of[deck.id], items_key)
        contexts[deck.id] = replace(ctx, options=replace(ctx.options, title=deck.title),
                                    items_key=items_key)
    processes = jobs() if len(items) >= FORK_FROM else 1
    caching = folder() is not None
    costs = []
    for deck, name in plan:
        keep = kept_key(name, contexts[deck.id])
        if holds(keep):
            cost = _KEPT_COST.get(name, 1)
        else:  # made, and then stored in the cache if it is on
            cost = _COST.get(name, 10) + (_STORE_COST.get(name, 0) if caching and keep else 0)
        costs.append(cost * len(items_of[deck.id]))
    # The formats that read the relation of which item gives which away all run in this
    # process, which makes (or opens) each deck's relation once, when the first of them needs
    # it: the other process starts on the other formats at once instead of waiting for it.
    revealing = [i for i, (_, name) in enumerate(plan) if FORMATS[name].reveals]
    relations = {plan[i][0].id for i in revealing}
    head = sum(_REVEALS_COST * len(items_of[d]) for d in relations
               if not holds(key_of(items_of[d]), "reveals"))
    groups = _share(costs, processes, first=revealing, head=head)
    done: dict[int, _Done] = {}

    def write_group(group: list[int]) -> list[tuple[int, _Done]]:
        # only the first group runs in this process, and shows its progress as it goes
        shown = progress if group is groups[0] else None
        return [(i, _write_one(*plan[i], items_of, out, contexts, shown)) for i in group]

    try:
        for part in run(write_group, groups, processes):
            for i, result in part:
                done[i] = result
                if progress is not None and i not in groups[0]:
                    progress.start(result.target.name)
                    progress.advance(result.lines)
    finally:
        if progress is not None:
            progress.close()
    with gc_paused():  # a big deck's entries are tens of thousands of objects, all kept
        for i in range(len(plan)):  # reported in the plan's order, wherever each was written
            report.written += done[i].files
            for where, fmt, rendered in done[i].left_out:
                report.left_out += report_entries(where, fmt, rendered)
            report.failed += done[i].failed
    from ..owned import remember

    remember([w.path for w in report.written])  # here, once: not by each process as it writes
    return report


# Below this many items a build writes in one process: forking would cost more than it saves.
FORK_FROM = 5000
# How long each format takes per item, relative to one another (in units of about 7 µs,
# measured on a 10,000-fact deck in one process), and when the cache keeps its work: to share
# the work out.
_COST = {"anki": 12, "qti": 9, "moodle-xml": 6, "json": 6, "gift": 4, "kahoot": 4,
         "worksheet": 1, "quizlet": 1}
_KEPT_COST = {"anki": 7}  # the others' files are only copied, or a worksheet laid out: 1
# What storing a format's work in the cache adds, the first time (pickling and writing some
# 400 MB for that deck): Anki's notes and receipt, the worksheet's pick, the rendered files.
_STORE_COST = {"anki": 2, "json": 1, "gift": 1, "moodle-xml": 1, "worksheet": 1}
_REVEALS_COST = 4  # making the relation of which item gives which away, per item


@dataclass
class _Done:
    """What writing one format of one deck gave: the files, or the failure, and the report."""

    target: Path
    files: list[Written] = field(default_factory=list)
    # (where, format, what it rendered, of which only what it left out): the report's entries
    # are made by the process that reports, not sent from a child one by one
    left_out: list[tuple[str, str, Rendered]] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _write_one(deck: Deck, name: str, items_of: dict[str, Sequence[Item]], out: Path,
               contexts: dict[str, Context], progress: Progress | None) -> _Done:
    fmt = FORMATS[name]
    target = out / f"{deck.id}{fmt.suffix}"
    if progress is not None:
        progress.start(target.name)
    deck_ctx = contexts[deck.id]
    done = _Done(target)
    try:
        rendered, paths = write_format(name, items_of[deck.id], deck_ctx, target, record=False)
    except HistquizError as exc:
        done.failed.append(Failed(target, name, str(exc)))
        done.lines.append(f"failed {target}")
    else:
        for n, (path, label) in enumerate(zip(paths, fmt.labels(len(paths)), strict=False)):
            note = rendered.note(n)
            if n == 0 and rendered.skipped:
                note = ", ".join(x for x in (note, f"{len(rendered.skipped)} left out") if x)
            done.files.append(Written(path, label, rendered.count_of(n), note))
        if rendered.skipped or rendered.caveats:
            done.left_out.append((where_written(paths), name,
                                  Rendered((), 0, rendered.skipped, caveats=rendered.caveats)))
        done.lines += [f"wrote {w.path} ({plural(w.count, 'item')})" for w in done.files]
    if progress is not None:
        progress.advance(done.lines)
    return done


def _share(costs: Sequence[int], processes: int, first: Sequence[int] = (),
           head: int = 0) -> list[list[int]]:
    """The tasks (by index) in ``processes`` groups of about equal cost: the tasks ``first``
    in the first group, which has ``head`` to do besides; then the others, the costliest
    placed first, each into the group with least so far. The first group is never empty."""
    groups: list[list[int]] = [[] for _ in range(max(1, processes))]
    load = [0] * len(groups)
    groups[0] += first
    load[0] += head + sum(costs[i] for i in first)
    for i in sorted(set(range(len(costs))) - set(first), key=lambda i: (-costs[i], i)):
        g = min(range(len(groups)), key=lambda g: (load[g], g))
        groups[g].append(i)
        load[g] += costs[i]
    return [sorted(g) for g in groups if g] or [[]]


def table_lines(written: Sequence[Written]) -> list[str]:
    """The files written, with what each holds, and where they are."""
    if not written:
        return ["nothing written"]
    rows = [("file", "format", "items", "size", "")]
    for w in written:
        bytes_ = w.path.stat().st_size if w.path.exists() else 0
        rows.append((str(w.path), w.label, str(w.count), size(bytes_), w.note))
    folders = sorted({str(w.path.parent) for w in written})
    return [*table(rows, "llrrl"), f"{plural(len(written), 'file')} in {', '.join(folders)}"]

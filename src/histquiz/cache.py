"""A compiled cache of loaded decks and generated items, so that a second run on unchanged decks
reads neither YAML nor generates anything.

What is cached, and when it is used:

- *Decks*, keyed on the exact bytes of every deck file (and its path, which the messages and
  origins name), the program's version and a fingerprint of its own source files. Only a load
  that succeeded is stored: a deck with a problem is read again every time and reports it again,
  so the cache can never turn a deck error into a silent success.
- *Items*, keyed on the decks' key and everything that changes items: the seed, the selection
  and the number of options.

An entry is a file holding a magic line, a digest of its payload and the payload (a pickle of
what was built); it is written beside its target and renamed into place. Reading checks the
magic, the digest and the key stored inside; anything unexpected (a truncated file, garbage,
a file of another version) is ignored and the entry rebuilt from the decks.

Items and their revealing relation are stored as *records* instead (see ``_Records``): a small
index, then the values pickled in runs of ``_RUN``, each run with its own digest, so that
``histquiz items --count 1`` on a big deck reads the index and one run, and never the decks.
A run that fails its digest when it is read has the whole sequence built again from the decks
(the same values: items depend on the decks and options only), and the entry rewritten.

The cache lives in the user's cache folder; ``HISTQUIZ_CACHE`` names another folder, or
``off`` turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import re
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, TypeVar, cast, overload

from .version import __version__

if TYPE_CHECKING:
    from .generate.reveal import Reveals
    from .model import Deck, Item
    from .selection import Selection

ENV = "HISTQUIZ_CACHE"
_OFF = {"off", "0", "no", "false", "none"}
_MAGIC = b"histquiz-cache 1\n"
_DIGEST = 32
_KEEP = 24  # entries kept per kind; the oldest are removed beyond that

# Rendered files are big (a 10,000-fact deck's classroom files are some 250 MB): more of them
# are kept, and no more than this many bytes in all. An Anki package's receipt is asked for by
# the next build of it: one for each package of a few builds of many decks.
_KEPT: dict[str, tuple[int, int | None]] = {"rendered": (200, 512 * 1024 * 1024),
                                           "receipt": (64, None)}

_RECORDS_MAGIC = b"histquiz-records 2\n"
_RUN = 64  # values per pickled run of a records entry: an item's fact's siblings share one

T = TypeVar("T")

# the decks lists this process loaded, with their keys (kept alive, so ``is`` is sound)
_LOADED: list[tuple[list[Deck], str]] = []
# likewise the items generated through the cache (lists, or records read lazily)
_GENERATED: list[tuple[Sequence[Item], str]] = []


def folder() -> Path | None:
    """Where the cache lives, or None when it is turned off."""
    setting = os.environ.get(ENV)
    if setting is not None:
        if setting.strip().lower() in _OFF or not setting.strip():
            return None
        return Path(setting)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("histquiz", appauthor=False))


def _code_fingerprint() -> bytes:
    """The version and the size and modification time of every source file of histquiz, so that
    an edited checkout never reads entries built by other code."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    root = os.path.dirname(os.path.abspath(__file__))
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
            elif entry.name.endswith(".py"):
                stat = entry.stat()
                digest.update(f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def _decks_key(files: Sequence[str]) -> str | None:
    """The key of loading exactly these files, or None if one cannot be read (the loader will
    say why)."""
    digest = hashlib.blake2b(_code_fingerprint(), digest_size=32)
    known = _Digests.read()
    for path in files:
        found = known.digest(path)
        if found is None:
            return None
        size, content = found
        digest.update(os.fsencode(path) + b"\0" + size.to_bytes(8, "big") + content)
    known.save()
    return digest.hexdigest()


class _Digests:
    """The content digest of each deck file read before, with what ``stat`` said of the file
    then: a file whose size, times, inode and device are unchanged is not read again, as git
    trusts its index. Only a file last modified well before its digest was taken is trusted
    this way (``_SETTLED``): a change within the clock's resolution of the digest could keep
    every one of those the same. (Setting a file's times back changes its status-change time,
    which no program can set.)"""

    _SETTLED = 2_000_000_000  # ns
    _KEEP = 1000  # files remembered, the most recently read

    def __init__(self, where: Path | None, entries: dict[str, tuple[tuple[int, ...], int, bytes]]) -> None:
        self.where = where
        self.entries = entries
        self.changed = False

    @classmethod
    def read(cls) -> _Digests:
        where = folder()
        if where is None:
            return cls(None, {})
        target = where / "digests.cache"
        found = _read(target, "digests")
        return cls(target, found if isinstance(found, dict) else {})

    def digest(self, path: str) -> tuple[int, bytes] | None:
        """(size, blake2b digest) of the file's bytes, or None if it cannot be read."""
        from .load.files import read_file  # refuses FIFOs and devices without blocking on them

        real = os.path.realpath(path)
        try:
            st = os.stat(real)
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        except OSError:
            stamp = None
        entry = self.entries.get(real)
        if stamp is not None and entry is not None and entry[0] == stamp \
                and st.st_mtime_ns + self._SETTLED < entry[1]:
            return stamp[0], entry[2]
        taken = time.time_ns()
        data, _problems = read_file(path)
        if data is None:
            return None
        content = hashlib.blake2b(data, digest_size=32).digest()
        if stamp is not None and stamp[0] == len(data):
            self.entries[real] = (stamp, taken, content)
            self.changed = True
        return len(data), content

    def save(self) -> None:
        if self.where is not None and self.changed:
            kept = sorted(self.entries.items(), key=lambda e: e[1][1])[-self._KEEP:]
            _write(self.where, "digests", dict(kept))


def _read(path: Path, key: str) -> Any:
    """The payload stored at ``path`` for ``key``, or None when missing, damaged or stale."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(data) < head or not data.startswith(_MAGIC):
        return None
    body = memoryview(data)[head:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != data[len(_MAGIC):head]:
        return None
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        stored_key, value = pickle.loads(body)
    except Exception:  # a damaged entry is rebuilt, whatever unpickling made of it
        return None
    finally:
        if was_enabled:
            gc.enable()
    return value if stored_key == key else None


def _write(path: Path, key: str, value: Any, most: int | None = None) -> None:
    """Store ``value`` for ``key``, atomically; a cache that cannot be written is skipped, and
    so is a value of over ``most`` bytes."""
    body = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    if most is not None and len(body) > most:
        return
    _store(path, [_MAGIC, hashlib.blake2b(body, digest_size=_DIGEST).digest(), body])


def _store(path: Path, data: bytes | Sequence[bytes]) -> None:
    """Write an entry beside its target and rename it into place, then drop the oldest of its
    kind; a cache that cannot be written is skipped."""
    from . import atomic
    from .errors import HistquizError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_file(path, data, durable=False)  # a torn entry fails its digest
    except (OSError, HistquizError):
        return
    _prune(path.parent, path.name.split("-", 1)[0])


def _prune(where: Path, kind: str) -> None:
    """Remove the oldest entries of ``kind`` (by when they were last written or used) beyond
    the number kept, and, for rendered files, beyond the bytes kept. Only files named as
    ``_named`` names them are looked at: ``HISTQUIZ_CACHE`` may name a folder that holds
    other files too."""
    keep, most = _KEPT.get(kind, (_KEEP, None))
    ours = re.compile(rf"{re.escape(kind)}-[0-9a-f]{{40}}\.cache")
    with contextlib.suppress(OSError):
        stats = [(p, p.stat()) for p in where.iterdir()
                 if ours.fullmatch(p.name) and p.is_file() and not p.is_symlink()]
        stats.sort(key=lambda e: e[1].st_mtime_ns, reverse=True)
        total = 0
        for n, (old, st) in enumerate(stats):
            total += st.st_size
            if n >= keep or (most is not None and total > most and n > 0):
                with contextlib.suppress(OSError):
                    old.unlink()


class _Damaged(Exception):
    """A records entry that cannot be used."""


class _Records(Sequence[T], Generic[T]):
    """A sequence read lazily from a records entry: the index when opened, a run of values when
    one of them is first asked for (and kept). Should a run turn out damaged, ``rebuild`` makes
    the whole sequence again, which is then served instead."""

    def __init__(self, path: Path, key: str, rebuild: Callable[[], Sequence[T]]) -> None:
        self._path = path
        self._rebuild = rebuild
        self._instead: Sequence[T] | None = None
        self._names: list[str] | None = None
        self._runs: dict[int, list[T]] = {}
        try:
            with path.open("rb") as file:
                self._open(file, key)
        except _Damaged:
            raise
        except Exception as exc:  # a missing file, or any surprise in a damaged index
            raise _Damaged from exc

    def _open(self, file: BinaryIO, key: str) -> None:
        head = file.read(len(_RECORDS_MAGIC) + 8 + _DIGEST)
        if len(head) < len(_RECORDS_MAGIC) + 8 + _DIGEST or not head.startswith(_RECORDS_MAGIC):
            raise _Damaged
        size = int.from_bytes(head[len(_RECORDS_MAGIC):len(_RECORDS_MAGIC) + 8], "big")
        index = file.read(size)
        if (len(index) != size
                or hashlib.blake2b(index, digest_size=_DIGEST).digest() != head[-_DIGEST:]):
            raise _Damaged
        stored_key, self._len, offsets, self._digests, self._named = pickle.loads(index)
        if stored_key != key:
            raise _Damaged
        self._offsets = array("Q")
        self._offsets.frombytes(offsets)
        self._base = len(head) + size
        runs = -(-self._len // _RUN)
        total = file.seek(0, os.SEEK_END) - self._base
        names_size = self._named[0] if self._named is not None else 0
        if len(self._offsets) != runs + 1 or len(self._digests) != 8 * runs \
                or self._offsets[-1] + names_size != total:
            raise _Damaged  # a truncated or padded file

    @property
    def names(self) -> list[str] | None:
        """The values' names, when the entry holds them (after the runs, read when first asked
        for: ``items --count 1`` has no use for a big bank's ids), else None; None too when
        they turn out damaged."""
        if self._names is None and self._named is not None:
            size, digest = self._named
            try:
                with self._path.open("rb") as file:
                    file.seek(self._base + self._offsets[-1])
                    data = file.read(size)
                if len(data) == size and hashlib.blake2b(data, digest_size=8).digest() == digest:
                    found = _loads(data)
                    if isinstance(found, list) and len(found) == self._len:
                        self._names = found
            except Exception:  # whatever a damaged (or since replaced) file makes of reading it
                pass
            self._named = None if self._names is None else self._named
        return self._names

    def __len__(self) -> int:
        return self._len if self._instead is None else len(self._instead)

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[T]: ...

    def __getitem__(self, i: int | slice) -> T | Sequence[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if self._instead is not None:
            return self._instead[i]
        n = i + self._len if i < 0 else i
        if not 0 <= n < self._len:
            raise IndexError(i)
        run = self._runs.get(n // _RUN)
        if run is None:
            run = self._read_runs(n // _RUN, n // _RUN + 1)
            if run is None:
                return self[n]  # rebuilt: served from the new sequence
        return run[n % _RUN]

    def __iter__(self) -> Iterator[T]:
        if self._instead is None and len(self._runs) < len(self._offsets) - 1:
            self._read_runs(0, len(self._offsets) - 1)  # one read of the whole file
        for i in range(len(self)):
            yield self[i]

    def _read_runs(self, first: int, end: int) -> list[T] | None:
        """Read runs ``first`` to ``end`` (excluded); the first of them, or None when one was
        damaged and the sequence has been rebuilt instead."""
        offsets = self._offsets
        try:
            with self._path.open("rb") as file:
                file.seek(self._base + offsets[first])
                data = memoryview(file.read(offsets[end] - offsets[first]))
            for r in range(first, end):
                if r in self._runs:
                    continue
                chunk = data[offsets[r] - offsets[first]:offsets[r + 1] - offsets[first]]
                if hashlib.blake2b(chunk, digest_size=8).digest() != self._digests[8 * r:8 * r + 8]:
                    raise _Damaged
                run = _loads(chunk)
                if not isinstance(run, list) or len(run) != min(_RUN, self._len - r * _RUN):
                    raise _Damaged
                self._runs[r] = run
        except Exception:  # whatever a damaged (or since replaced) file makes of reading it
            self._instead = self._rebuild()
            self._runs.clear()
            return None
        return self._runs[first]


def _loads(data: bytes | memoryview) -> Any:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def _write_records(path: Path, key: str, values: Sequence[Any],
                   names: list[str] | None = None) -> None:
    """Store ``values`` for ``key`` as a records entry, atomically (skipped if it cannot be),
    and their ``names`` after them, if given (the items' ids: see ``ids_of``)."""
    runs = [pickle.dumps(list(values[i:i + _RUN]), protocol=pickle.HIGHEST_PROTOCOL)
            for i in range(0, len(values), _RUN)]
    offsets = array("Q", [0])
    for run in runs:
        offsets.append(offsets[-1] + len(run))
    digests = b"".join(hashlib.blake2b(run, digest_size=8).digest() for run in runs)
    tail = b"" if names is None else pickle.dumps(names, protocol=pickle.HIGHEST_PROTOCOL)
    named = None if names is None else (len(tail), hashlib.blake2b(tail, digest_size=8).digest())
    index = pickle.dumps((key, len(values), offsets.tobytes(), digests, named),
                         protocol=pickle.HIGHEST_PROTOCOL)
    _store(path, [_RECORDS_MAGIC, len(index).to_bytes(8, "big"),
                  hashlib.blake2b(index, digest_size=_DIGEST).digest(), index, *runs, tail])


def _open_records(path: Path, key: str, rebuild: Callable[[], Sequence[T]]) -> _Records[T] | None:
    try:
        return _Records(path, key, rebuild)
    except _Damaged:
        return None


def load_decks(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[Deck]:
    """``histquiz.load.load_decks``, through the cache."""
    return _load(paths, _key_of(paths))


def _key_of(paths: Sequence[str | os.PathLike[str]] | None) -> str | None:
    """The decks' key, or None when the cache is off or the files cannot all be found."""
    from .load.files import find_deck_files

    if folder() is None:
        return None
    files, problems = find_deck_files(paths)
    return _decks_key(files) if not problems else None


def _load(paths: Sequence[str | os.PathLike[str]] | None, key: str | None) -> list[Deck]:
    from .load.loader import load_decks as load_uncached

    where = folder()
    if where is None or key is None:
        loaded = load_uncached(paths)
        _settle()
        return loaded
    done = next((d for d, k in _LOADED if k == key), None)
    if done is not None:
        return done
    target = where / f"decks-{key[:40]}.cache"
    found = _read(target, key)
    if isinstance(found, list):
        decks = cast("list[Deck]", found)
    else:
        decks = load_uncached(paths)  # a DeckError goes up from here, and nothing is stored
        _write(target, key, decks)
    _LOADED.append((decks, key))
    _settle()
    return decks


def _settle() -> None:
    """Move everything loaded so far out of the collector's sight: the decks live until the
    process ends, and later collections need not walk them again (``load_decks`` does the same
    for the decks it reads; this also covers decks read from the cache)."""
    gc.freeze()


def _items_key(decks_key: str, seed: int, selection: Selection | None, n_options: int) -> str:
    from .selection import Selection

    options = repr((decks_key, seed, n_options, selection or Selection())).encode()
    return hashlib.blake2b(options, digest_size=32).hexdigest()


def generate(decks: list[Deck], seed: int, selection: Selection | None = None,
             n_options: int = 4) -> list[Item]:
    """``histquiz.generate``, through the cache when ``decks`` came from ``load_decks`` above."""
    stored = generated(decks, seed, selection, n_options)
    if isinstance(stored, list):
        return stored
    items = list(stored)
    key = key_of(stored)
    if key is not None:
        adopt(items, key)
    return items


def generated(decks: list[Deck], seed: int, selection: Selection | None = None,
              n_options: int = 4) -> Sequence[Item]:
    """``generate``, but read lazily from the cache when it holds the items: only the items
    asked for are read (a build that finds every file of a deck in the cache reads few)."""
    from .generate import generate as generate_uncached

    where = folder()
    decks_key = next((k for d, k in _LOADED if d is decks), None)
    if where is None or decks_key is None:
        return generate_uncached(decks, seed, selection, n_options)
    items, key = _stored_items(where, decks_key, lambda: decks, seed, selection, n_options)
    _GENERATED.append((items, key))
    return items


def items_for(paths: Sequence[str | os.PathLike[str]] | None, seed: int,
              selection: Selection | None = None, n_options: int = 4) -> Sequence[Item]:
    """The items of the decks at ``paths``: read lazily from the cache when it holds them, so
    that neither the decks nor the items not asked for are read; else loaded and generated
    (and stored). A deck error goes up as from ``load_decks``."""
    where = folder()
    decks_key = _key_of(paths)
    if where is None or decks_key is None:
        return generate(_load(paths, decks_key), seed, selection, n_options)
    items, key = _stored_items(where, decks_key, lambda: _load(paths, decks_key), seed,
                               selection, n_options)
    _GENERATED.append((items, key))
    return items


def _stored_items(where: Path, decks_key: str, decks: Callable[[], list[Deck]], seed: int,
                  selection: Selection | None, n_options: int) -> tuple[Sequence[Item], str]:
    """The items entry for these decks and options, read lazily (made from ``decks()`` and
    stored when missing or damaged), and its key."""
    key = _items_key(decks_key, seed, selection, n_options)
    target = where / f"items-{key[:40]}.cache"

    def make() -> list[Item]:
        from .generate import generate as generate_uncached

        made = generate_uncached(decks(), seed, selection, n_options)
        _write_records(target, f"items {key}", made, [item.id for item in made])
        return made

    stored: Sequence[Item] | None = _open_records(target, f"items {key}", make)
    return (make() if stored is None else stored), key


def of_decks(paths: Sequence[str | os.PathLike[str]] | None, name: str,
             compute: Callable[[list[Deck]], T]) -> T:
    """``compute`` of the decks at ``paths`` (a small summary, such as the years they cover),
    stored under ``name`` beside them, so that a run that reads its items from the cache need
    not read the decks for it either."""
    where = folder()
    decks_key = _key_of(paths)
    if where is None or decks_key is None:
        return compute(_load(paths, decks_key))
    key = f"{name} {decks_key}"
    target = _named(where, "summary", key)
    found = _read(target, key)
    if isinstance(found, tuple) and len(found) == 1:
        return cast("T", found[0])
    value = compute(_load(paths, decks_key))
    _write(target, key, (value,))
    return value


def reveals(items: Sequence[Item]) -> Reveals:
    """``histquiz.generate.reveal.reveals``, through the cache when ``items`` came from
    ``generate`` or ``items_for`` above (the relation depends on the items only); read lazily,
    so a sample of one never reads it."""
    from .generate.reveal import Reveals
    from .generate.reveal import reveals as reveals_uncached

    where = folder()
    key = key_of(items)
    if where is None or key is None:
        return Reveals(items, _Deferred(lambda: reveals_uncached(items).gives, len(items)))
    # a deck's own items (see ``adopt``) have a key of their own beginning with all the items'
    target = _named(where, "reveals", key)

    def make() -> Sequence[AbstractSet[int]]:
        relation = reveals_uncached(items)
        _write_records(target, f"reveals {key}", relation.gives)
        return relation.gives

    gives: Sequence[AbstractSet[int]] | None = _open_records(target, f"reveals {key}", make)
    if gives is None or len(gives) != len(items):
        gives = _Deferred(make, len(items))  # made (and stored) when first asked
    return Reveals(items, gives)


class _Deferred(Sequence[T], Generic[T]):
    """A sequence of known length made by ``make`` when one of its values is first asked for:
    a sample of one item never asks the relation anything, and so never makes it."""

    def __init__(self, make: Callable[[], Sequence[T]], length: int) -> None:
        self._make: Callable[[], Sequence[T]] | None = make
        self._made: Sequence[T] = ()
        self._len = length

    def _values(self) -> Sequence[T]:
        if self._make is not None:
            self._made, self._make = self._make(), None
        return self._made

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...
    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._values()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._values())


def key_of(items: Sequence[Item]) -> str | None:
    """The key under which the cache holds exactly ``items`` (a sequence that ``generate`` or
    ``items_for`` above returned), or None."""
    return next((k for i, k in _GENERATED if i is items), None)


def ids_of(items: Sequence[Item]) -> Sequence[str]:
    """The ids of ``items``, in order: from the index when they are read lazily from the cache
    (so that a quiz can plan a session without reading the whole bank)."""
    if isinstance(items, _Records) and items.names is not None and items._instead is None:
        return items.names
    return [item.id for item in items]


def adopt(items: Sequence[Item], key: str) -> None:
    """Let ``items`` (made from items the cache holds, as a build takes each deck's own) be
    known by ``key``, which must name exactly them: ``reveals`` of them is then kept too."""
    _GENERATED.append((items, key))


def rendered(key: str | None, make: Callable[[], T]) -> T:
    """``make()``, stored under ``key`` and read back by the next run that asks for the same key,
    for what a format makes of items that the cache holds: ``key`` must name everything the
    value depends on (the items' key, the format, its options). ``make()`` alone when ``key`` is
    None or the cache is off. A value read back renews its entry, so that the files of the
    decks in use are the last to be dropped."""
    where = folder()
    if where is None or key is None:
        return make()
    target = _named(where, "rendered", key)
    found = _read(target, key)
    if isinstance(found, tuple) and len(found) == 1:
        with contextlib.suppress(OSError):
            os.utime(target)
        return cast("T", found[0])
    value = make()
    _, most = _KEPT["rendered"]
    _write(target, key, (value,), None if most is None else most // 2)
    return value


def holds(key: str | None, kind: str = "rendered") -> bool:
    """Whether ``rendered`` (or ``reveals``, with ``kind="reveals"`` and the items' key) has a
    value stored under ``key`` (not yet checked), so that a build can tell what will be quick."""
    where = folder()
    return where is not None and key is not None and _named(where, kind, key).is_file()


def recall(kind: str, key: str) -> Any:
    """What ``remember`` stored under ``kind`` and ``key``, or None (also when the cache is off,
    or the entry is damaged)."""
    where = folder()
    if where is None:
        return None
    found = _read(_named(where, kind, key), f"{kind} {key}")
    return found[0] if isinstance(found, tuple) and len(found) == 1 else None


def remember(kind: str, key: str, value: Any) -> None:
    """Store ``value`` under ``kind`` and ``key`` (a digest of what it describes, so that it can
    only be found for exactly that), when the cache is on."""
    where = folder()
    if where is not None:
        _write(_named(where, kind, key), f"{kind} {key}", (value,))


def _named(where: Path, kind: str, key: str) -> Path:
    """The entry of ``kind`` for ``key``, named by a digest of the key."""
    return where / f"{kind}-{hashlib.blake2b(key.encode(), digest_size=20).hexdigest()}.cache"

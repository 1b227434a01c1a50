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
a file of another version) is ignored and the entry rebuilt from the decks. The cache lives in
the user's cache folder; ``HISTQUIZ_CACHE`` names another folder, or ``off`` turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .version import __version__

if TYPE_CHECKING:
    from .generate import Selection
    from .generate.reveal import Reveals
    from .model import Deck, Item

ENV = "HISTQUIZ_CACHE"
_OFF = {"off", "0", "no", "false", "none"}
_MAGIC = b"histquiz-cache 1\n"
_DIGEST = 32
_KEEP = 24  # entries kept per kind; the oldest are removed beyond that

# the decks lists this process loaded, with their keys (kept alive, so ``is`` is sound)
_LOADED: list[tuple[list[Deck], str]] = []
# likewise the items lists generated through the cache
_GENERATED: list[tuple[list[Item], str]] = []


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
    from .load.yaml import read_file  # refuses FIFOs and devices without blocking on them

    digest = hashlib.blake2b(_code_fingerprint(), digest_size=32)
    for path in files:
        data, _problems = read_file(path)
        if data is None:
            return None
        digest.update(os.fsencode(path) + b"\0" + len(data).to_bytes(8, "big"))
        digest.update(hashlib.blake2b(data, digest_size=32).digest())
    return digest.hexdigest()


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


def _write(path: Path, key: str, value: Any) -> None:
    """Store ``value`` for ``key``, atomically; a cache that cannot be written is skipped."""
    from . import atomic
    from .errors import HistquizError

    body = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    data = _MAGIC + hashlib.blake2b(body, digest_size=_DIGEST).digest() + body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic.write_file(path, data)
    except (OSError, HistquizError):
        return
    _prune(path.parent, path.name.split("-", 1)[0])


def _prune(where: Path, kind: str) -> None:
    with contextlib.suppress(OSError):
        entries = sorted(where.glob(f"{kind}-*.cache"), key=lambda p: p.stat().st_mtime_ns)
        for old in entries[:-_KEEP]:
            old.unlink()


def load_decks(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[Deck]:
    """``histquiz.load.load_decks``, through the cache."""
    from .load.loader import find_deck_files
    from .load.loader import load_decks as load_uncached

    where = folder()
    files, problems = find_deck_files(paths)
    key = _decks_key(files) if where is not None and not problems else None
    if where is None or key is None:
        loaded = load_uncached(paths)
        _settle()
        return loaded
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
    process ends, and later collections need not walk them again."""
    gc.collect(0)
    gc.freeze()


def generate(decks: list[Deck], seed: int, selection: Selection | None = None,
             n_options: int = 4) -> list[Item]:
    """``histquiz.generate``, through the cache when ``decks`` came from ``load_decks`` above."""
    from .generate import Selection
    from .generate import generate as generate_uncached

    where = folder()
    decks_key = next((k for d, k in _LOADED if d is decks), None)
    if where is None or decks_key is None:
        return generate_uncached(decks, seed, selection, n_options)
    chosen = selection or Selection()
    options = repr((decks_key, seed, n_options, chosen)).encode()
    key = hashlib.blake2b(options, digest_size=32).hexdigest()
    target = where / f"items-{key[:40]}.cache"
    found = _read(target, key)
    if isinstance(found, list):
        items = cast("list[Item]", found)
    else:
        items = generate_uncached(decks, seed, chosen, n_options)
        _write(target, key, items)
    _GENERATED.append((items, key))
    return items


def reveals(items: list[Item]) -> Reveals:
    """``histquiz.generate.reveal.reveals``, through the cache when ``items`` came from
    ``generate`` above (the relation depends on the items only)."""
    from .generate.reveal import Reveals
    from .generate.reveal import reveals as reveals_uncached

    where = folder()
    key = next((k for i, k in _GENERATED if i is items), None)
    if where is None or key is None:
        return reveals_uncached(items)
    target = where / f"reveals-{key[:40]}.cache"
    gives = _read(target, key)
    if isinstance(gives, tuple) and len(gives) == len(items):
        return Reveals(tuple(items), gives)
    relation = reveals_uncached(items)
    _write(target, key, relation.gives)
    return relation

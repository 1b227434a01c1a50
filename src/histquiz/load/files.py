"""Finding and reading deck files, without reading YAML: what the cache needs to know whether
the decks changed, and what the loader reads them with."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..model import Origin

MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a deck: where it was written and what to do about it."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"

    def sort_key(self) -> tuple[str, int, int]:
        return (self.origin.path, self.origin.line, self.origin.col)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_file(path: str) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one deck file (at most MAX_FILE_BYTES + 1 of them), or None and the problem.

    Only a regular file is read. The file is opened without blocking and checked before a
    byte is read, so a FIFO or a device named like a deck (``/dev/zero``) is refused instead of
    hanging or filling memory. Everything that reads deck files goes through here."""
    start = Origin(path, 1, 1)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        if os.path.islink(path):
            return None, [Problem(start, "is a symbolic link to a file that does not exist; "
                                  "fix or remove the link")]
        return None, [Problem(start, "no such file")]
    except IsADirectoryError:
        return None, [Problem(start, "is a folder, not a YAML file")]
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, [Problem(start, "is a symbolic link that leads back to itself (a link "
                                  "loop); fix or remove the link")]
        return None, [Problem(start, f"cannot read the file: {exc.strerror or exc}")]
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            os.close(fd)
            return None, [Problem(start, "is a folder, not a YAML file")]
        if not stat.S_ISREG(mode):
            os.close(fd)
            return None, [Problem(start, f"is {_kind(mode)}, not a deck file; give a .yaml file")]
        with os.fdopen(fd, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1), []
    except OSError as exc:
        return None, [Problem(start, f"cannot read the file: {exc.strerror or exc}")]


def builtin_decks_dir() -> Path:
    """The decks shipped in the wheel, or the checkout's decks/ when running from source."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "decks"
    if packaged.is_dir():
        return packaged
    return here.parents[1] / "decks"


def find_deck_files(paths: Sequence[str | os.PathLike[str]] | None) -> tuple[list[str], list[Problem]]:
    """Expand folders into their .yaml/.yml files (sorted). Returns (files, problems).

    Every name ending in .yaml or .yml is taken, whatever it is: reading it then says what is
    wrong with one that is not a regular file (a folder, a FIFO, a link to nowhere), rather
    than leaving it out without a word."""
    if not paths:
        paths = [builtin_decks_dir()]
    files: list[str] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            try:
                found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
            except OSError as exc:
                problems.append(Problem(Origin(str(path), 1, 1), "cannot list the folder: "
                                        f"{exc.strerror or exc}"))
                continue
            if not found:
                problems.append(Problem(Origin(str(path), 1, 1),
                                        "this folder holds no .yaml deck files"))
            files.extend(str(p) for p in found)
        elif path.exists() or path.is_symlink() or not str(raw).strip():
            files.append(str(path))
        else:
            problems.append(Problem(Origin(str(path), 1, 1), "no such file or folder"))
    unique: dict[str, str] = {}
    for f in files:
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values()), problems

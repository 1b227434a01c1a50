"""Which files in the way of an output histquiz may replace: only those it wrote itself.

Before an output is written, every file already at one of its paths is looked at. It is
replaced only when histquiz wrote it:

- the folder's record (``.histquiz-files``, which histquiz keeps beside what it writes) lists
  it, and it is unchanged since (same size, modification time and inode); or
- its format recognises it as its own by its content (``made_here`` in the format's module: a
  GIFT file's first line, a PDF's Creator, the note types inside an Anki package). This finds
  the files written before the folder had a record, or after the record was deleted.

Anything else is left exactly as it is and the output is refused with one line that says what
to do: a teacher's own file that happens to bear an output's name, a symbolic link, a file
histquiz wrote but that was since edited into something its format no longer recognises (a
Quizlet file, which has no room for a mark of its own, is recognised by the record alone).

The record is a small JSON file; one that histquiz cannot read as its own is never replaced,
and then nothing is recorded in that folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .atomic import write_file, write_files
from .errors import ExportError

RECORD = ".histquiz-files"
_MARK = "histquiz written files"
_MOST = 1_000_000  # bytes: a record bigger than this is not histquiz's

Recognise = Callable[[Path], bool]


def refuse_foreign(paths: Iterable[Path], recognise: Recognise | None) -> None:
    """Raise ``ExportError`` for the first path where a file stands that histquiz did not
    write (see the module's text); a missing path is fine."""
    records: dict[Path, dict[str, list[int]] | None] = {}
    for path in paths:
        path = Path(path)
        try:
            info = os.lstat(path)
        except OSError:
            continue  # nothing there (or nothing this user can see): writing will tell
        if stat.S_ISDIR(info.st_mode):
            continue  # check_targets says that a folder is in the way
        folder = path.parent
        if folder not in records:
            records[folder] = _read(folder)
        seen = (records[folder] or {}).get(path.name)
        if stat.S_ISREG(info.st_mode):
            if seen == _stamp(info) or (recognise is not None and recognise(path)):
                continue
            what = ("this file was changed since histquiz wrote it" if seen is not None else
                    "a file that histquiz did not write is there")
        else:
            what = "a link or special file that histquiz did not make is there"
        raise ExportError(f"{path}: {what}, so it was left as it is; move it away or rename "
                          "it, or choose another output name or folder")


def write_owned(files: Sequence[tuple[Path, bytes]], recognise: Recognise | None,
                record: bool = True) -> None:
    """Write each (path, bytes) as ``atomic.write_files`` does, unless a file histquiz did
    not write is in the way of one of them (then nothing is written); then add them to their
    folders' records, unless ``record`` is false."""
    paths = [Path(path) for path, _ in files]
    refuse_foreign(paths, recognise)
    write_files(files)
    if record:
        remember(paths)


def remember(paths: Iterable[Path]) -> None:
    """Add the files just written at ``paths`` to their folders' records. Best effort: a
    record that cannot be written leaves the outputs as they are (they are then known by
    their content alone)."""
    by_folder: dict[Path, list[Path]] = {}
    for path in paths:
        by_folder.setdefault(Path(path).parent, []).append(Path(path))
    for folder, written in by_folder.items():
        known = _read(folder)
        if known is None:
            continue
        for name in list(known):  # entries of files since removed go
            if not os.path.lexists(folder / name):
                del known[name]
        for path in written:
            with contextlib.suppress(OSError):
                known[path.name] = _stamp(os.lstat(path))
        entries = ",\n".join(f" {json.dumps(name, ensure_ascii=False)}: {json.dumps(stamp)}"
                              for name, stamp in sorted(known.items()))
        data = f'{{"format": "{_MARK}", "files": {{\n{entries}\n}}}}\n'
        with contextlib.suppress(ExportError):
            write_file(folder / RECORD, data.encode("utf-8"))


def _stamp(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _read(folder: Path) -> dict[str, list[int]] | None:
    """The folder's record: {} when it has none, None when a file is there that is not one."""
    path = folder / RECORD
    try:
        info = os.lstat(path)
    except OSError:
        return {}
    if not stat.S_ISREG(info.st_mode) or info.st_size > _MOST:
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != _MARK:
        return None
    files = data.get("files")
    if not isinstance(files, dict):
        return None
    return {name: stamp for name, stamp in files.items()
            if isinstance(name, str) and "/" not in name and isinstance(stamp, list)
            and len(stamp) == 3 and all(type(n) is int for n in stamp)}


def head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of the file at ``path`` (b"" if it cannot be read): what most
    formats recognise their own files by."""
    try:
        with open(path, "rb") as file:
            return file.read(size)
    except OSError:
        return b""


def zip_member_holds(path: Path, member: Callable[[str], bool], *texts: bytes,
                     most: int = 500_000_000) -> bool:
    """Is the file at ``path`` a zip archive with a member (the first name for which ``member``
    is true) whose bytes hold one of ``texts``? False for anything unreadable or too big."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            name = next((n for n in archive.namelist() if member(n)), None)
            if name is None:
                return False
            info = archive.getinfo(name)
            if info.file_size > most:
                return False
            data = archive.read(info)
            return any(text in data for text in texts)
    except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, NotImplementedError):
        return False

"""Write outputs beside their targets and rename them into place, so a killed run leaves either
the old file or the new one, never half of one.

Every file histquiz writes goes through ``write_files``. The temporary file sits in the
target's folder (a rename across file systems would not be atomic) under a name only this
program makes, ``.NAME.histquiz-PID-RANDOM.part``: a later build can then tell its own leftovers
from anybody else's ``.part`` files, and a running writer's from a dead one's. Each temporary
file is flushed to disk before the rename, so a power cut cannot leave a renamed but empty file.
A format that writes several files (a worksheet and its answer key) writes every temporary
file first and renames them only when all are complete.

Every ``OSError`` becomes one ``ExportError`` line naming the path and what to do. A target
that is read-only (no write permission) is refused rather than replaced; a writable one that
is replaced keeps its permissions (a private 0600 file stays private), and a new one gets 0644.
A target that is one of the deck files being read is refused too (``refuse_inputs``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .errors import ExportError

# .NAME.histquiz-PID-RANDOM.part: NAME is the target's file name, PID the writer's process id.
_TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.histquiz-(?P<pid>[1-9]\d*)-[0-9a-f]{8}\.part$")


def temp_name(target_name: str, pid: int | None = None) -> str:
    """The name of a temporary file for ``target_name`` written by process ``pid``."""
    return f".{target_name}.histquiz-{pid or os.getpid()}-{secrets.token_hex(4)}.part"


def parse_temp_name(name: str) -> tuple[str, int] | None:
    """(target name, writer pid) of one of our temporary files; None for any other name."""
    m = _TEMP_NAME.match(name)
    return (m.group("name"), int(m.group("pid"))) if m else None


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_temporaries(folder: Path, targets: Iterable[str]) -> list[Path]:
    """Delete the temporary files that dead histquiz writers left for the files named in
    ``targets`` (the files about to be written into ``folder``). Anything else stays: another
    program's ``.part`` files, temporaries of other files, and those of a writer still running."""
    wanted = set(targets)
    removed = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        parsed = parse_temp_name(path.name)
        if parsed is None or parsed[0] not in wanted or process_alive(parsed[1]):
            continue
        with contextlib.suppress(FileNotFoundError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return removed


def scratch_folder_name(prefix: str) -> re.Pattern[str]:
    """The names ``scratch_folder`` gives: PREFIX, the writer's pid, a dash, random letters."""
    return re.compile(rf"^{re.escape(prefix)}(?P<pid>[1-9]\d*)-[a-z0-9_]+$")


def remove_dead_scratch(base: Path, prefix: str) -> list[Path]:
    """Remove the scratch folders under ``base`` that a killed histquiz left: named by
    ``scratch_folder`` with ``prefix``, owned by this user, and whose writer is no longer
    running. Anything else stays, another user's folders and a running writer's included."""
    pattern = scratch_folder_name(prefix)
    removed = []
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    for path in entries:
        m = pattern.match(path.name)
        if m is None or process_alive(int(m.group("pid"))):
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A private temporary folder, ``PREFIX<pid>-<random>`` in the system's temporary folder,
    removed afterwards. A process killed while using one cannot remove it, so the folders of
    dead writers with the same prefix are removed first."""
    base = Path(tempfile.gettempdir())
    remove_dead_scratch(base, prefix)
    path = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=base))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _why(exc: OSError, target: Path, folder: Path) -> str:
    """One line: what went wrong with ``target`` and what to do about it."""
    code = exc.errno
    if code == errno.EISDIR or target.is_dir():
        return f"{target}: this is a folder; give a file name instead"
    if code == errno.ENOENT and not folder.is_dir():
        return f"{target}: the folder {folder} does not exist; create it first"
    if code == errno.ENOTDIR:
        return f"{target}: {folder} is not a folder; give a path inside a folder"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{target}: cannot write in {folder} ({exc.strerror}); choose a folder you can write to"
    if code in (errno.ENOSPC, errno.EDQUOT):
        return f"{target}: the disk is full ({exc.strerror}); free some space and try again"
    return f"{target}: cannot write the file: {exc.strerror or exc}"


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def check_targets(targets: Iterable[Path]) -> None:
    """Refuse at once a target that could never be written (a folder, a missing folder), so
    that nothing is rendered in vain."""
    for target in targets:
        _check_target(Path(target))


def _check_target(target: Path) -> None:
    folder = _folder(target)
    if target.is_dir():
        raise ExportError(f"{target}: this is a folder; give a file name instead")
    if not folder.exists():
        raise ExportError(f"{target}: the folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise ExportError(f"{target}: {folder} is not a folder; give a path inside a folder")
    if _read_only(target):
        raise ExportError(f"{target}: the file is read-only, so it was left as it is; make it "
                          "writable (chmod u+w) or choose another name")


def _read_only(target: Path) -> bool:
    """An existing file without write permission: for its owner's mode bits (which even root
    should respect here: a read-only output says "keep me") or for this user."""
    try:
        info = os.stat(target)
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    return not info.st_mode & 0o222 or not os.access(target, os.W_OK)


def _mode_for(target: Path) -> int:
    """The permissions of the file ``target`` replaces, or 0644 for a new file."""
    try:
        info = os.stat(target)
    except OSError:
        return 0o644
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else 0o644


def refuse_inputs(targets: Iterable[Path], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to write over a file that is being read (a deck file given with --decks)."""
    sources = [Path(p) for p in inputs]
    for target in targets:
        for source in sources:
            try:
                same = os.path.samefile(target, source)
            except OSError:
                continue
            if same:
                raise ExportError(f"{target}: this is one of the deck files being read; writing "
                                  "there would replace the deck; choose another output name")


def make_folder(folder: Path) -> None:
    """Create ``folder`` and its parents if missing; an OSError is one line."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ExportError(f"{folder}: this is a file, not a folder") from None
    except OSError as exc:
        blocked = next((p for p in [folder, *folder.parents] if p.exists()), folder)
        if exc.errno == errno.ENOTDIR:
            raise ExportError(f"{folder}: {blocked} is a file, not a folder") from None
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise ExportError(f"{folder}: cannot create the folder in {blocked} "
                              f"({exc.strerror}); choose a folder you can write to") from None
        raise ExportError(f"{folder}: cannot create the folder: {exc.strerror or exc}") from None


def _write_all(fd: int, data: bytes | Sequence[bytes]) -> None:
    for chunk in [data] if isinstance(data, bytes) else data:
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view):]


def _write_temp(target: Path, data: bytes | Sequence[bytes], durable: bool = True) -> Path:
    """Write ``data`` (bytes, or pieces of it) to a new temporary file beside ``target``,
    flushed to disk unless not ``durable``."""
    folder = _folder(target)
    while True:
        tmp = folder / temp_name(target.name)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ExportError(_why(exc, target, folder)) from None
        break
    try:
        try:
            os.fchmod(fd, _mode_for(target))  # the replaced file's mode, or 0644 whatever the umask
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise ExportError(_why(exc, target, folder)) from None
        raise
    return tmp


def _commit(temps: Sequence[tuple[Path, Path]]) -> None:
    """Rename every (temporary, target) pair into place, in order."""
    for tmp, target in temps:
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise ExportError(_why(exc, target, _folder(target))) from None


def write_files(files: Sequence[tuple[Path, bytes | Sequence[bytes]]],
                durable: bool = True) -> None:
    """Write each (target, bytes or pieces of them) beside its target, then rename them all
    into place.

    Nothing is renamed until every temporary file is complete; on any error (or Ctrl-C) the
    temporary files are removed and the targets keep their old content. A file that need not
    survive a crash (a cache entry, which is checked by its digest when read) is not
    ``durable``: it is renamed into place without waiting for the disk.
    """
    check_targets(target for target, _ in files)
    temps: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            temps.append((_write_temp(Path(target), data, durable), Path(target)))
        _commit(temps)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def write_file(target: str | os.PathLike[str], data: bytes | Sequence[bytes],
               durable: bool = True) -> None:
    """Write one file atomically (see ``write_files``)."""
    write_files([(Path(target), data)], durable)

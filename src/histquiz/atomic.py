"""Write an output beside its target and rename it into place, so a killed run leaves either
the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import ExportError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it over the target."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{target}: the folder {folder} does not exist; create it first")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part",
                                   dir=folder)
    except OSError as exc:
        raise ExportError(f"{target}: cannot write in {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def write_atomic(target: str | os.PathLike[str], write: Callable[[Path], None]) -> None:
    with atomic_path(target) as tmp:
        write(tmp)


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8", newline="\n")

    write_atomic(target, write)


_TEMP_NAME = re.compile(r"^\..+\.(\d+)\.[^.]+\.part$")


def writer_pid(name: str) -> int | None:
    """The process id in a temporary file's name, if it is one of ours."""
    m = _TEMP_NAME.match(name)
    return int(m.group(1)) if m else None


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The one deterministic zip writer, shared by the Anki package and the Kahoot spreadsheet.

A zip entry carries a modification time, the system that made it and Unix permissions; written
with fixed values and in a fixed order, the same contents always give the same bytes.
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from collections.abc import Iterable, Sequence

ZIP_EPOCH = 315532800  # 1980-01-01, the earliest time a zip entry can hold
UNIX, MSDOS = 3, 0  # values of an entry's "made by" system


def zip_time(timestamp: int) -> tuple[int, int, int, int, int, int]:
    """A Unix time as a zip entry's (year, month, day, hour, minute, second), in UTC."""
    y, mo, d, h, mi, s = time.gmtime(max(timestamp, ZIP_EPOCH))[:6]
    return (y, mo, d, h, mi, s)


def zip_bytes(entries: Iterable[tuple[str, bytes | Sequence[bytes]]], *,
              timestamp: int = ZIP_EPOCH, system: int = MSDOS, level: int | None = None) -> bytes:
    """A zip archive of ``entries`` (name, data) in the given order, each deflated (at zlib
    ``level``, the default when None), dated ``timestamp``, with mode 0644. An entry's data
    may come in pieces, deflated one after the other: the entry is as if they were joined
    (a big entry is then never held whole)."""
    when = zip_time(timestamp)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = system
            info.external_attr = 0o644 << 16
            pieces = [data] if isinstance(data, bytes) else data
            # as ``writestr`` does: the size first (which decides on ZIP64), and the level
            info.file_size = sum(len(piece) for piece in pieces)
            if sys.version_info >= (3, 13):
                info.compress_level = level
            else:  # the attribute that ``writestr`` sets before 3.13
                info._compresslevel = level  # type: ignore[attr-defined]
            with archive.open(info, "w") as entry:
                for piece in pieces:
                    entry.write(piece)
    return buffer.getvalue()

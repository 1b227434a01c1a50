"""Build timestamps: SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now."""

from __future__ import annotations

import os
import time

from .errors import UsageError

EARLIEST = 315532800  # 1980-01-01 00:00:00 UTC: zip files cannot hold an earlier time
LATEST = 4354819198  # 2107-12-31 23:59:58 UTC: nor a later one (the .apkg and .xlsx are zips)


def build_time() -> int:
    """Seconds since the epoch to stamp into outputs."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return int(time.time())
    try:
        value = int(raw) if len(raw) <= 20 else None
    except ValueError:
        value = None
    if value is None:
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{raw[:40]}'")
    if not EARLIEST <= value <= LATEST:
        raise UsageError(f"SOURCE_DATE_EPOCH must be between {EARLIEST} (1 January 1980) and "
                         f"{LATEST} (31 December 2107), the times a zip file can hold; not {value}")
    return value


def is_reproducible() -> bool:
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())

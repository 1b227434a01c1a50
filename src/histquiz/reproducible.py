"""Build timestamps: SOURCE_DATE_EPOCH when set (reproducible builds), otherwise now."""

from __future__ import annotations

import os
import time

from .errors import UsageError


def build_time() -> int:
    """Seconds since the epoch to stamp into outputs."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return int(time.time())
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not '{raw}'") from None
    if value < 315532800:  # zip files cannot hold times before 1980
        raise UsageError("SOURCE_DATE_EPOCH must be 315532800 (1 January 1980) or later")
    return value


def is_reproducible() -> bool:
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())

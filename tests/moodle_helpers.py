"""Moodle's own question importers, run with php: what a teacher's Moodle reads from a GIFT or
Moodle XML file, checked by Moodle's code rather than by our reading of its documentation.

The importer lives beside the checkout, in ``<repo root>/../shared/moodle-import/`` (Moodle 4.1's
question/format files with a few stand-ins for Moodle core); tests that need it skip, saying
why, when it or php (with its xml and mbstring extensions) is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
IMPORTER = REPO.parent / "shared" / "moodle-import" / "import.php"
_PHP_CHECK = 'exit(extension_loaded("xml") && extension_loaded("mbstring") ? 0 : 1);'


def moodle_importer() -> tuple[str, Path]:
    """The php binary and Moodle's import script, or skip the test with the reason."""
    if not IMPORTER.is_file():
        pytest.skip(f"Moodle's importer is not beside the checkout ({IMPORTER.relative_to(REPO.parent)})")
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed (apt-get install php-cli php-xml php-mbstring)")
    if subprocess.run([php, "-r", _PHP_CHECK], capture_output=True).returncode != 0:
        pytest.skip("php lacks the xml or mbstring extension (apt-get install php-xml php-mbstring)")
    return php, IMPORTER


def moodle_read(fmt: str, path: Path) -> list[dict[str, Any]]:
    """The questions Moodle builds from the file (``fmt``: ``gift`` or ``xml``), categories left
    out; fails on any import error Moodle reports."""
    php, importer = moodle_importer()
    done = subprocess.run([php, str(importer), fmt, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == [], result["errors"][:5]
    assert not result["echoed"].strip(), result["echoed"][:500]
    return [q for q in result["questions"] if q["qtype"] != "category"]


def answer_text(answer: Any) -> str:
    """An answer as Moodle holds it: a string (GIFT short answers) or {text, format}."""
    return str(answer["text"] if isinstance(answer, dict) else answer)

"""Moodle's own question importers, run with php: what a teacher's Moodle reads from a GIFT or
Moodle XML file, checked by Moodle's code rather than by our reading of its documentation.

The importer lives beside the checkout, in ``<repo root>/../shared/moodle-import/`` (Moodle 4.1's
question/format files, the Ordering question type's questiontype.php, and a few stand-ins for
Moodle core); tests that need it skip, saying why, when it or php (with its xml and mbstring
extensions) is missing.

The shared files are used as they are, through ``moodle_import.php`` here rather than the
shared ``import.php``: it installs the Ordering question type as Moodle 4.4 and later have it,
so that Moodle's XML importer hands ``<question type="ordering">`` to the plugin's
``import_from_xml`` (and its GIFT importer offers every question to the plugin first), and it
reports what matching and ordering questions hold. Moodle is run from a copy of the shared
``moodle/`` folder in a temporary folder, to which the plugin's question class is added
(``moodle_ordering_question.php``); nothing beside the checkout is changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "moodle-import"
IMPORTER = SHARED / "import.php"
HERE = Path(__file__).resolve().parent
RUNNER = HERE / "moodle_import.php"
ORDERING_QUESTION = HERE / "moodle_ordering_question.php"
ORDERING = SHARED / "moodle" / "question" / "type" / "ordering" / "questiontype.php"
_PHP_CHECK = 'exit(extension_loaded("xml") && extension_loaded("mbstring") ? 0 : 1);'


def moodle_importer() -> tuple[str, Path]:
    """The php binary and Moodle's import script, or skip the test with the reason."""
    if not IMPORTER.is_file():
        pytest.skip(f"Moodle's importer is not beside the checkout ({IMPORTER.relative_to(REPO.parent)})")
    if not ORDERING.is_file():
        pytest.skip(f"Moodle's importer beside the checkout lacks the Ordering question type "
                    f"({ORDERING.relative_to(REPO.parent)})")
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed (apt-get install php-cli php-xml php-mbstring)")
    if subprocess.run([php, "-r", _PHP_CHECK], capture_output=True).returncode != 0:
        pytest.skip("php lacks the xml or mbstring extension (apt-get install php-xml php-mbstring)")
    return php, IMPORTER


def moodle_tree(folder: Path) -> Path:
    """Moodle's files for the importer: a copy of the shared ones, with the Ordering plugin's
    question class where the plugin looks for it."""
    tree = folder / "moodle"
    shutil.copytree(SHARED / "moodle", tree)
    shutil.copyfile(ORDERING_QUESTION, tree / "question" / "type" / "ordering" / "question.php")
    return tree


def moodle_read(fmt: str, path: Path) -> list[dict[str, Any]]:
    """The questions Moodle builds from the file (``fmt``: ``gift`` or ``xml``), categories left
    out; fails on any import error Moodle reports."""
    php, _ = moodle_importer()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "MOODLE_DIR": str(moodle_tree(Path(folder)))}
        done = subprocess.run([php, str(RUNNER), str(SHARED), fmt, str(path)], capture_output=True,
                              text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["errors"] == [], result["errors"][:5]
    assert not result["echoed"].strip(), result["echoed"][:500]
    return [q for q in result["questions"] if q["qtype"] != "category"]


def answer_text(answer: Any) -> str:
    """An answer as Moodle holds it: a string (GIFT short answers) or {text, format}."""
    return str(answer["text"] if isinstance(answer, dict) else answer)

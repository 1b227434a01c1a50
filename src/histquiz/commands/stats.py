"""Show your quiz progress: mastery by topic, reviews due this week, recent sessions.

Reads the progress store only (the same one `histquiz quiz` writes), so it works offline and
with any decks.

example:
  histquiz stats
  histquiz stats --db class.sqlite3
"""

from __future__ import annotations

import argparse
import sys

from .quiz import add_db_option, clock_from_env


def configure(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from ..quiz.stats import report
    from ..quiz.store import Store, StoreError, resolve_path

    path, _create = resolve_path(args.db)
    if not path.exists():
        raise StoreError(f"no progress store at {path} yet; answer some questions with "
                         "'histquiz quiz' first")
    fancy = True
    try:
        "█·—".encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        fancy = False
    with Store.open(path) as store:
        for line in report(store, clock_from_env()(), fancy=fancy):
            print(line)
    return 0

"""Show your quiz progress: results and memory by topic, reviews due this week, recent sessions.

Reads the progress store only (the same one `histquiz quiz` writes), so it works offline and
with any decks. It never writes the store and leaves nothing beside it, so it also works on a
read-only copy. What each number means is in the README's section on the terminal quiz.

example:
  histquiz stats
  histquiz stats --db class.sqlite3
"""

from __future__ import annotations

import argparse
import shutil
import sys

from .common import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from ..quiz.play import clock_from_env
    from ..quiz.stats import report
    from ..quiz.store import Store, resolve_path
    from ..textui import can_show, say

    path, _create = resolve_path(args.db)
    fancy = can_show(sys.stdout, "█·—")
    width = shutil.get_terminal_size((80, 24)).columns - 1 if sys.stdout.isatty() else 79
    with Store.open(path, readonly=True) as store:
        for line in report(store, clock_from_env()(), fancy=fancy, width=max(40, width)):
            say(line)
    return 0

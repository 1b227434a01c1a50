"""List the questions students flagged as wrong or unclear, for whoever maintains the decks.

A student flags the question on screen with f during `histquiz quiz` and says what is wrong in
a few words. Each flag is kept in the progress store with the item id (deck/fact/template, the
same id `histquiz items` shows), the time, the question and answer as they were shown, and the
comment. This command only reads the store.

example:
  histquiz flags
  histquiz flags --db class.sqlite3
"""

from __future__ import annotations

import argparse

from .common import add_db_option


def configure(parser: argparse.ArgumentParser) -> None:
    add_db_option(parser)


def run(args: argparse.Namespace) -> int:
    from ..quiz.screen import clean
    from ..quiz.store import Store, resolve_path
    from ..textui import say

    path, _create = resolve_path(args.db)
    with Store.open(path, readonly=True) as store:
        flags = store.flags()
    if not flags:
        say(f"No flags in {path}. Students flag a question with f during 'histquiz quiz'.")
        return 0
    say(f"{len(flags)} flag{'s' * (len(flags) != 1)} in {path}, oldest first:")
    for flag in flags:
        say("")
        say(f"{flag.at.astimezone():%Y-%m-%d %H:%M}  {clean(flag.item_id)}")
        for n, line in enumerate(flag.question.splitlines()):
            say(f"  {'question: ' if n == 0 else '          '}{clean(line)}")
        say(f"  answer:   {clean(flag.answer)}")
        say(f"  comment:  {clean(flag.comment)}")
    return 0

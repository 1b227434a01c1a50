"""The command line: parse arguments, call the library, print. The one place where errors
become exit codes: a HistquizError prints its message and exits 1, never a traceback.

``--debug`` (or ``HISTQUIZ_DEBUG=1``) prints the traceback behind an error as well, and any
other exception, a bug in histquiz, gets one line that says how to see its traceback.

Every message is one line of visible text: whatever it quotes (a value from a deck, a file
name) has its control characters and line breaks escaped (``textui.safe``), and standard
output and error write what their encoding can show instead of failing on it."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING

from .commands import COMMANDS
from .errors import DeckError, HistquizError
from .textui import safe, safe_lines, use_fallback

if TYPE_CHECKING:
    from _typeshed import SupportsWrite


class _Parser(argparse.ArgumentParser):
    """argparse, but what it prints (usage, help, errors quoting an argument) is made safe."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        super()._print_message(safe_lines(message) if message else message, file)


def _command(name: str) -> ModuleType:
    return importlib.import_module(f"histquiz.commands.{COMMANDS[name]}")


def _summary(name: str) -> str:
    """A command's one-line summary, the first line of its module's docstring, read from the
    source so that the top-level --help imports no command (and none of what they import)."""
    source = os.path.join(os.path.dirname(__file__), "commands", f"{COMMANDS[name]}.py")
    try:
        with open(source, encoding="utf-8") as handle:
            first = handle.readline().strip()
    except OSError:
        first = ""
    if first.startswith('"""') and len(first) > 3:
        return first[3:].removesuffix('"""').strip()
    doc = (_command(name).__doc__ or "").strip()
    return doc.splitlines()[0] if doc else name


def _chosen(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is one), if any."""
    for word in argv:
        if word == "--":
            return None
        if word in COMMANDS:
            return word
        if not word.startswith("-"):
            return None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only``, just that command's options are configured (its module
    is the only one imported), which is all a run needs."""
    parser = _Parser(
        prog="histquiz",
        description="Learn the history of India's relations with the Soviet Union and Russia, "
        "1947–2025: quizzes in the terminal, Anki decks and printable worksheets.",
        epilog="Run 'histquiz COMMAND --help' for a command's options and an example.",
    )
    from .version import __version__

    parser.add_argument("--version", action="version", version=f"histquiz {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback behind an error (or set HISTQUIZ_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        if only is not None and name != only:
            sub.add_parser(name, help=_summary(name))
            continue
        module = _command(name)
        doc = (module.__doc__ or "").strip()
        summary = doc.splitlines()[0] if doc else name
        child = sub.add_parser(
            name, help=summary, description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.configure(child)
        child.set_defaults(_run=module.run)
    return parser


def _debugging(args: argparse.Namespace) -> bool:
    return bool(args.debug) or os.environ.get("HISTQUIZ_DEBUG", "").strip() not in ("", "0")


def _say(line: str) -> None:
    print(safe(line), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    use_fallback(sys.stdout)
    use_fallback(sys.stderr)
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_chosen(words) or "")
    args = parser.parse_args(words)
    try:
        result: int = args._run(args)
        return result
    except DeckError as exc:
        for line in exc.problems:
            _say(line)
        count = len(exc.problems)
        _say(f"histquiz: {count} problem{'s' * (count != 1)} found")
        _traceback(args)
        return 1
    except HistquizError as exc:
        _say(f"histquiz: error: {exc}")
        _traceback(args)
        return 1
    except KeyboardInterrupt:
        print("\nhistquiz: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `| head`) went away; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: say so in one line, the traceback on request
        if _debugging(args):
            raise
        _say(f"histquiz: internal error: {type(exc).__name__}: {exc} (this is a bug in histquiz; "
             "run again with --debug or HISTQUIZ_DEBUG=1 to see where it happened)")
        return 1


def _traceback(args: argparse.Namespace) -> None:
    if _debugging(args):
        traceback.print_exc(file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())

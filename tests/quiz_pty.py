"""Running histquiz in a pseudo-terminal and reading what the terminal would show.

The program's bytes go through pyte, a terminal emulator, so tests assert on the screen (what
a student sees at 80x24 or 40x12), not on raw output. pyte does not re-flow lines when the
terminal is resized, as tmux and most desktop terminals do, and that re-flow is what breaks a
careless redraw; ``ReflowScreen`` adds it. Waiting is on what the screen shows, with a deadline
only as a guard: no sleeps.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pexpect
import pyte
from pyte import modes

# How long to wait for a screen before failing (a guard, not a timing: a run against code that
# never draws what is awaited can lower it).
TIMEOUT = float(os.environ.get("HISTQUIZ_PTY_TIMEOUT", "30"))

# The key lines that end a question screen and a feedback page (the intro's hint reads "then
# Enter to answer", without the comma).
QUESTION_KEYS = ", then Enter"
FEEDBACK_KEYS = "Enter: next"


class ReflowScreen(pyte.Screen):  # type: ignore[misc]
    """A pyte screen that remembers which rows ran on into the next (soft wraps) and, on a
    resize, joins them into their logical lines and wraps those again at the new width,
    keeping the cursor at the same place in the text."""

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self.wrapped: set[int] = set()

    def draw(self, data: str) -> None:
        for char in data:
            if self.cursor.x == self.columns and modes.DECAWM in self.mode:
                self.wrapped.add(self.cursor.y)
            super().draw(char)

    def index(self) -> None:
        top, bottom = self.margins or (0, self.lines - 1)
        if self.cursor.y == bottom:
            self.wrapped = {r - 1 for r in self.wrapped if top < r <= bottom} | {
                r for r in self.wrapped if r < top or r > bottom}
        super().index()

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        if how in (0, 2):
            self.wrapped.discard(self.cursor.y)
        super().erase_in_line(how, private)

    def erase_in_display(self, how: int = 0, *args: object, **kwargs: object) -> None:
        y = self.cursor.y
        if how == 0:
            self.wrapped = {r for r in self.wrapped if r < y}
        elif how == 1:
            self.wrapped = {r for r in self.wrapped if r > y}
        else:
            self.wrapped.clear()
        super().erase_in_display(how, *args, **kwargs)

    def row_text(self, y: int) -> str:
        row = self.buffer[y]
        return "".join(row[x].data for x in range(self.columns))

    def reflow(self, lines: int, columns: int) -> None:
        logical: list[str] = []
        cursor = (0, 0)
        current = ""
        for y in range(self.lines):
            text = self.row_text(y)
            if y == self.cursor.y:
                cursor = (len(logical), len(current) + self.cursor.x)
            if y in self.wrapped:
                current += text
            else:
                logical.append(current + text.rstrip())
                current = ""
        if current:
            logical.append(current)
        while len(logical) > cursor[0] + 1 and not logical[-1]:
            logical.pop()
        rows: list[str] = []
        wrapped: set[int] = set()
        at = (0, 0)
        for n, text in enumerate(logical):
            chunks = [text[i:i + columns] for i in range(0, len(text), columns)] or [""]
            for k, chunk in enumerate(chunks):
                if n == cursor[0]:
                    offset = cursor[1]
                    if offset // columns == k or (k == len(chunks) - 1 and offset // columns > k):
                        at = (len(rows), min(offset - k * columns, columns))
                if k < len(chunks) - 1:
                    wrapped.add(len(rows))
                rows.append(chunk)
        drop = max(0, at[0] - (lines - 1))  # what no longer fits above goes to the scrollback
        rows = rows[drop:drop + lines]
        super().resize(lines, columns)
        self.buffer.clear()
        for y, text in enumerate(rows):
            for x, char in enumerate(text):
                self.buffer[y][x] = self.default_char._replace(data=char)
        self.wrapped = {r - drop for r in wrapped if 0 <= r - drop < lines}
        self.cursor.y, self.cursor.x = at[0] - drop, at[1]


def environment(**extra: str) -> dict[str, str]:
    """The child's environment: no CPR stall, UTC, no colour unless asked, and the size only
    from the pty (COLUMNS and LINES would override it)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("NO_COLOR", "HISTQUIZ_HOME", "COLUMNS", "LINES")}
    env.update(PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", TZ="UTC", NO_COLOR="1")
    env.update(extra)
    return {k: v for k, v in env.items() if v}


def unprivileged() -> list[str]:
    """A prefix that runs a command without root's power to write read-only files, or [] when
    not root. A root test process can only show a read-only store by dropping it."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ["<no setpriv>"]
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


class Terminal:
    """histquiz in a pseudo-terminal of ``rows`` x ``columns``, its screen rendered by pyte."""

    def __init__(self, args: Sequence[str], *, rows: int = 24, columns: int = 80,
                 env: dict[str, str] | None = None, prefix: Sequence[str] = (),
                 shell: str | None = None) -> None:
        self.screen = ReflowScreen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)
        if shell is not None:
            program, argv = "/bin/sh", ["-c", shell]
        else:
            command = [*prefix, sys.executable, "-m", "histquiz", *args]
            program, argv = command[0], command[1:]
        self.child = pexpect.spawn(program, argv, env=env or environment(),
                                   dimensions=(rows, columns), timeout=30)
        self.child.delaybeforesend = None
        self.ended = False

    # --- reading ------------------------------------------------------------------------------

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines())

    def flat(self) -> str:
        """The screen's words in one line, for matching text that wrapped."""
        return " ".join(self.text().split())

    def logical(self) -> list[str]:
        """The screen's lines as the program wrote them: rows the terminal wrapped, joined."""
        out, current = [], ""
        for y in range(self.screen.lines):
            current += self.screen.row_text(y) if y in self.screen.wrapped else (
                self.screen.row_text(y).rstrip())
            if y not in self.screen.wrapped:
                out.append(current)
                current = ""
        return out

    def _feed(self, timeout: float) -> None:
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.ended = True
            return
        self.stream.feed(data)

    def wait(self, want: str | Callable[[Terminal], bool], timeout: float = TIMEOUT) -> str:
        """Wait until the screen shows ``want`` (text, found even when wrapped, or a test)."""
        deadline = time.monotonic() + timeout
        while True:
            if want(self) if callable(want) else (want in self.text() or
                                                   " ".join(want.split()) in self.flat()):
                return self.text()
            left = deadline - time.monotonic()
            if left <= 0 or self.ended:
                raise AssertionError(f"the screen never showed {want!r}; it shows:\n{self.text()}")
            self._feed(min(left, 1.0))

    def key_line(self) -> str:
        """The last three rows on the screen, as one line: a screen's key line (which the quiz
        draws after everything above it, over two or three rows on a narrow terminal)."""
        rows = [row for row in self.lines() if row.strip()]
        return " ".join(" ".join(rows[-3:]).split())

    def wait_keys(self, keys: str, timeout: float = TIMEOUT) -> str:
        """Wait until the last line holds ``keys`` (QUESTION_KEYS, FEEDBACK_KEYS): then the
        screen that ends with it is drawn whole. (Waiting for text alone can be met too soon:
        the intro's key hint also says "q stop", and a screen arrives in several reads.)"""
        return self.wait(lambda t: keys in t.key_line(), timeout)

    def gone(self, text: str) -> Callable[[Terminal], bool]:
        return lambda term: text not in term.text()

    # --- typing ---------------------------------------------------------------------------------

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def resize(self, rows: int, columns: int) -> None:
        """As a terminal window being resized: the screen re-flows, then the program is told."""
        self.screen.reflow(rows, columns)
        self.child.setwinsize(rows, columns)

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Wait for the program to end; its exit status (128 + signal when killed)."""
        deadline = time.monotonic() + timeout
        while not self.ended:
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not end; the screen shows:\n{self.text()}")
            self._feed(1.0)
        self.child.close()
        assert "Traceback" not in self.text()
        if self.child.exitstatus is not None:
            return int(self.child.exitstatus)
        return 128 + int(self.child.signalstatus or 0)

    def full_rows(self) -> list[str]:
        """Rows filled to the last column: where the terminal itself would have wrapped."""
        return [line for line in self.lines() if len(line) >= self.screen.columns]


def deck_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

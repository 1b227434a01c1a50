"""The quiz at a terminal: full-page prompt_toolkit screens when there is a terminal, plain
numbered lines when input is piped. Both draw what screen.py lays out, and only read keys:
grading, undo and flags happen in the session.

At a terminal each question starts on a clean screen; the page is laid out again for the
terminal's size at every draw, so a resize re-wraps it (and redraws from the top: terminals
that re-flow old lines would otherwise leave pieces of the old page above the new one). After
an answer the feedback waits for Enter, as Anki's answer side does, and pages when it is taller
than the screen so that the verdict never scrolls away.

Colour is used for the verdict, the header and hints; it is off when NO_COLOR is set, TERM is
dumb or the output is not a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..textui import can_show
from .screen import (
    PAUSE_KEYS,
    STYLES,
    Line,
    clean,
    feedback_lines,
    help_lines,
    key_line,
    letters,
    more_marker,
    para,
    plain_glyphs,
    question_lines,
    summary_lines,
    window,
    wrap,
)
from .session import (
    DONT_KNOW,
    Answer,
    Command,
    Flag,
    Outcome,
    Prompt,
    Reply,
    Summary,
    option_letter,
    typed_command,
)

if TYPE_CHECKING:
    from prompt_toolkit.formatted_text import StyleAndTextTuples

CLEAR = "\x1b[H\x1b[2J"
BACK = "h, Esc or Enter: back"
PLAIN_KEYS = ("Type a letter, the option's text, letters in order or a date, then Enter; or ? "
              "(I don't know), u (undo), f (flag), h (help) or q (stop).")
FLAG_PROMPT = ("Flag this question as wrong or unclear: say what is wrong in a few words "
               "(Enter saves, Esc cancels).")


def colour_wanted(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def fancy_output(stream: TextIO) -> bool:
    """Whether the stream can encode the typographic characters the screens use."""
    return can_show(stream, "✓✗·–█↑↓›“”")


def text_width() -> int:
    """Columns to wrap printed lines to: the terminal's, less one so a full line never
    makes the terminal wrap by itself."""
    columns = shutil.get_terminal_size((80, 24)).columns
    return max(20, columns - 1)


class Paint:
    """ANSI styling that turns into plain text when colour is off."""

    def __init__(self, enabled: bool, fancy: bool = True) -> None:
        self.enabled = enabled
        self.fancy = fancy

    def line(self, style: str, text: str) -> str:
        if not self.fancy:
            text = plain_glyphs(text)
        code = STYLES.get(style, ("", ""))[1]
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and code and text else text


class PlainUI:
    """Numbered questions on plain lines, for piped input or a terminal without its features.
    The same words as at a terminal; commands are typed as words (q, u, f, h, ?)."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.paint = Paint(False, fancy_output(self.stdout))
        self.echoed = self.stdin.isatty()

    def show(self, lines: Sequence[Line]) -> None:
        for style, text in lines:
            self.stdout.write(self.paint.line(style, text) + "\n")
        self.stdout.flush()

    def say(self, *texts: str) -> None:
        width = text_width()
        self.show([line for text in texts for line in para("", text, width)])

    def intro(self, texts: Sequence[str]) -> None:
        self.say(*texts, PLAIN_KEYS)

    def clear(self) -> None:
        """Plain lines are never cleared: the transcript stays whole."""

    def _read(self, prompt: str) -> str:
        self.stdout.write(self.paint.line("", prompt))
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            raise EOFError
        text = line.rstrip("\r\n")
        if not self.echoed:  # piped input: show it, so the transcript reads as a dialogue
            self.stdout.write(clean(text) + "\n")
        return text

    def ask(self, prompt: Prompt) -> Answer:
        item = prompt.item
        width = text_width()
        if prompt.hint:  # asked again: the question is just above
            self.show(para("hint", prompt.hint, width, "  "))
        else:
            lines, _focus = question_lines(prompt, width)
            self.show([("", ""), *lines[:-1]] if lines[-1] == ("", "") else [("", ""), *lines])
        how = {
            "choice": f"A letter, {letters(item)}, or the option's text",
            "order": f"The letters {letters(item)}, earliest event first",
            "match": f"A letter, {letters(item)}, for each event in turn",
        }.get(item.kind, "A date")
        self.show(para("dim", f"{how}; ? if you don't know, h for help.", width))
        while True:
            reply = self._read("Your answer: ")
            command = typed_command(reply)
            if command is Command.HELP:
                self.show(help_lines(width, item))
                continue
            if command is Command.FLAG:
                comment = self._read("What is wrong or unclear? ").strip()
                if comment:
                    return Flag(comment)
                continue
            return command if command is not None else reply

    def tell(self, outcome: Outcome) -> Reply:
        lines, _verdict = feedback_lines(outcome, text_width())
        self.show(lines)
        return None

    def show_summary(self, summary: Summary, *, exam: bool, stopped: bool) -> None:
        self.show(summary_lines(summary, text_width(), exam=exam, stopped=stopped))

    def offer_retry(self, count: int) -> bool:
        noun = "question" if count == 1 else "questions"
        try:
            reply = self._read(f"\nTry the {count} missed {noun} again? [y/N] ")
        except EOFError:
            return False
        return reply.strip().lower() in ("y", "yes")


def share_default_key_bindings() -> None:
    """Build prompt_toolkit's default key bindings once per process, not once per screen.

    Every prompt_toolkit Application loads its defaults afresh (some 600 bindings, vi and emacs),
    about 17 ms of the pause before each question. The defaults hold no state of their own
    (their handlers act on the running app), so one set can serve every screen in turn.
    """
    import functools

    from prompt_toolkit.application import application

    loader = getattr(application, "load_key_bindings", None)
    if loader is not None and not hasattr(loader, "cache_info"):
        application.load_key_bindings = functools.cache(loader)  # type: ignore[attr-defined]


def fit(prompt: Prompt, width: int, rows: int, banner: Sequence[str], pointer: int | None,
        keys: str, scroll: dict[str, int | None] | None = None) -> tuple[list[Line], list[Line]]:
    """A question screen cut to ``rows``: the intro only when everything fits with it, and
    the key line saying when options are out of view. ``scroll``, for a screen scrolled with
    ↑↓: its "offset" (None until the student scrolls; until then the focus decides) is
    applied, and the offset shown ("at") and the furthest one ("last") are set."""
    lines, focus = question_lines(prompt, width, pointer, banner)
    below = para("keys", keys, width)
    if banner and len(lines) + len(below) > rows:
        lines, focus = question_lines(prompt, width, pointer)
    if len(lines) + len(below) > rows and lines[-1] == ("", ""):
        lines.pop()  # the space above the key line, when space is short
        focus = [(start, min(end, len(lines) - 1)) for start, end in focus]
    if len(lines) + len(below) > rows:
        below = para("keys", "↓ more · " + keys, width)
    room = rows - len(below)
    shown, offset = window(lines, room, focus, None if scroll is None else scroll["offset"])
    if scroll is not None:
        scroll["at"], scroll["last"] = offset, max(0, len(lines) - max(1, room))
    return shown, para("keys", more_marker(offset, len(shown), len(lines)) + keys, width)


class TerminalUI:
    """Full-page screens drawn with prompt_toolkit: the question, the feedback, a flag's comment
    and the retry offer. ``terminal``: prompt_toolkit ``input`` and ``output`` for tests."""

    def __init__(self, stdout: TextIO | None = None, **terminal: Any) -> None:
        share_default_key_bindings()
        self.stdout = stdout or sys.stdout
        self.paint = Paint(colour_wanted(self.stdout), fancy_output(self.stdout))
        self.terminal = terminal
        self.banner: list[str] = []
        self._asked: Prompt | None = None  # the last question, whose header the feedback repeats

    # --- printing outside the screens -------------------------------------------------------

    def show(self, lines: Sequence[Line]) -> None:
        for style, text in lines:
            self.stdout.write(self.paint.line(style, text) + "\n")
        self.stdout.flush()

    def say(self, *texts: str) -> None:
        width = text_width()
        self.show([line for text in texts for line in para("", text, width)])

    def intro(self, texts: Sequence[str]) -> None:
        """Lines shown above the first question (each question starts on a clean screen),
        with the one line of keys."""
        self.banner = [*texts, key_line(None)]

    def clear(self) -> None:
        self.stdout.write(CLEAR)
        self.stdout.flush()

    def show_summary(self, summary: Summary, *, exam: bool, stopped: bool) -> None:
        self.clear()
        lines = summary_lines(summary, text_width(), exam=exam, stopped=stopped)
        self.show(lines[1:] if lines and lines[0] == ("", "") else lines)

    # --- the screens ---------------------------------------------------------------------------

    def _text(self, lines: Sequence[Line]) -> StyleAndTextTuples:
        """prompt_toolkit fragments for lines."""
        fragments: StyleAndTextTuples = []
        colour = self.paint.enabled
        for n, (style, text) in enumerate(lines):
            if n:
                fragments.append(("", "\n"))
            look = STYLES.get(style, ("", ""))[0]
            if not colour:
                look = " ".join(w for w in look.split() if not w.startswith(("fg:", "bg:")))
            fragments.append((look, text if self.paint.fancy else plain_glyphs(text)))
        return fragments

    def _run(self, compose: Callable[[int, int], tuple[list[Line], list[Line]]],
             bindings: Any, *, entry: Any = None, label: str = "Your answer: ",
             clear: bool = True) -> Any:
        """Run one screen. ``compose(width, rows)`` lays out the lines above the input line
        and those below it (the key line); ``entry`` is the input Buffer, if any."""
        from prompt_toolkit.application import Application
        from prompt_toolkit.layout import HSplit, Layout, Window
        from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
        from prompt_toolkit.layout.processors import BeforeInput

        class Page(Application[Any]):
            def _on_resize(self) -> None:
                if clear:  # redraw the page from the top of a clean screen
                    self.renderer.clear()
                    self._redraw()
                else:
                    super()._on_resize()

        made: list[tuple[list[Line], list[Line]]] = []

        def layout() -> tuple[list[Line], list[Line]]:
            # laid out once per draw, for the size of the terminal at that moment
            if not made:
                size = app.output.get_size()
                made.append(compose(max(20, size.columns - 1), max(3, size.rows)))
            return made[0]

        def text_window(text: Callable[[], StyleAndTextTuples]) -> Window:
            return Window(FormattedTextControl(text), always_hide_cursor=True,
                          dont_extend_height=True)

        if entry is None:
            parts: list[Any] = [text_window(lambda: self._text(layout()[0] + layout()[1]))]
        else:
            parts = [text_window(lambda: self._text(layout()[0])),
                     Window(BufferControl(entry, input_processors=[BeforeInput(label, "bold")]),
                            height=1,
                            dont_extend_height=True),
                     text_window(lambda: self._text(layout()[1]))]
        app: Application[Any] = Page(
            layout=Layout(HSplit(parts), focused_element=parts[1] if entry is not None else None),
            key_bindings=bindings, full_screen=False, mouse_support=False, erase_when_done=False,
            before_render=lambda _app: made.clear(), **self.terminal,
        )
        if clear:
            app.output.write_raw(CLEAR)
        return app.run()

    @staticmethod
    def _keys() -> Any:
        from prompt_toolkit.key_binding import KeyBindings

        kb = KeyBindings()
        for key in ("c-c", "<sigint>"):  # the key, and the signal (kill -INT)
            kb.add(key, eager=True)(lambda e: e.app.exit(exception=KeyboardInterrupt))
        return kb

    def ask(self, prompt: Prompt) -> Answer:
        item = prompt.item
        self._asked = prompt
        if self.banner and not self._banner_fits(prompt):
            banner, self.banner = self.banner, []
            def intro(width: int) -> list[Line]:
                return [line for text in banner for line in para("", text, width)]

            if self._page(intro, "Enter: start · q stop", start=True) is Command.STOP:
                return Command.STOP
        pointer = [0]  # kept while the help or a flag's comment is on screen
        while True:
            reply = self._choice(prompt, pointer) if item.kind == "choice" else self._typed(prompt)
            if reply is Command.HELP:
                if self._page(lambda width: help_lines(width, item), BACK) is Command.STOP:
                    return Command.STOP
                continue
            if reply is Command.FLAG:
                comment = self.ask_flag(prompt.header, item.question)
                if comment:
                    return Flag(comment)
                continue
            return reply  # type: ignore[no-any-return]

    def _banner_fits(self, prompt: Prompt) -> bool:
        from prompt_toolkit.application.current import get_app_session

        size = (self.terminal["output"] if "output" in self.terminal
                else get_app_session().output).get_size()
        width = max(20, size.columns - 1)
        lines, _focus = question_lines(prompt, width, 0, self.banner)
        below = para("keys", key_line(prompt.item), width)
        return len(lines) + len(below) + (prompt.item.kind != "choice") <= size.rows

    def _page(self, lines_for: Callable[[int], list[Line]], keys: str, *,
              start: bool = False) -> Any:
        """A page of text (the intro, the keys), scrolled with ↑↓ when the screen is short.
        Returns Command.NEXT, or Command.STOP for q (on the intro page only)."""
        state = {"offset": 0, "last": 0}

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            lines = lines_for(width)
            below = para("keys", keys, width)
            if len(lines) + len(below) > rows:
                below = para("keys", "↓ more · " + keys, width)
            room = rows - len(below)
            shown, state["offset"] = window(lines, room, offset=state["offset"])
            state["last"] = max(0, len(lines) - room)
            return shown, para("keys", more_marker(state["offset"], len(shown), len(lines))
                               + keys, width)

        def scroll(step: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                state["offset"] = max(0, min(state["offset"] + step, state["last"]))
            return handler

        kb = self._keys()
        kb.add("down")(scroll(1))
        kb.add("up")(scroll(-1))
        kb.add("pagedown")(scroll(10))
        kb.add("pageup")(scroll(-10))
        for key in ("enter", " ") if start else ("enter", "h", "escape", " "):
            kb.add(key, eager=key == "escape")(lambda e: e.app.exit(result=Command.NEXT))
        if start:
            for key in ("q", "escape", "c-d"):
                kb.add(key, eager=True)(lambda e: e.app.exit(result=Command.STOP))
        return self._run(compose, kb)

    def _choice(self, prompt: Prompt, pointer: list[int]) -> Any:
        item = prompt.item
        state: dict[str, Any] = {"notice": None}
        banner, self.banner = self.banner, []

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            shown = prompt
            if state["notice"]:
                shown = Prompt(prompt.item, prompt.number, prompt.total, prompt.label,
                               prompt.hint, state["notice"])
            return fit(shown, width, rows, banner, pointer[0], key_line(item))

        kb = self._keys()

        def point(index: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                pointer[0], state["notice"] = index, None
            return handler

        def move(step: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                pointer[0] = (pointer[0] + step) % len(item.options)
                state["notice"] = None
            return handler

        def leave(value: Any) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                event.app.exit(result=value)
            return handler

        for i in range(len(item.options)):
            for key in {option_letter(i).lower(), option_letter(i)}:
                kb.add(key)(point(i))
        kb.add("up")(move(-1))
        kb.add("down")(move(1))
        kb.add("enter")(lambda e: e.app.exit(result=pointer[0]))
        kb.add("?")(leave(DONT_KNOW))
        taken = {option_letter(i).lower() for i in range(len(item.options))}
        for key, command in (("u", Command.UNDO), ("f", Command.FLAG), ("q", Command.STOP),
                             ("h", Command.HELP)):
            if key not in taken:
                kb.add(key)(leave(command))
        kb.add("escape", eager=True)(leave(Command.STOP))
        kb.add("c-d")(leave(Command.STOP))

        def _other(event: Any) -> None:
            # digits are never positions: with options 4, 6, 8 and 10, "4" must not mean D
            state["notice"] = (f"Press a letter, {letters(item)}, or use ↑↓; then Enter. "
                               "h shows every key.")

        kb.add("<any>")(_other)
        return self._run(compose, kb)

    def _typed(self, prompt: Prompt) -> Any:
        """A question answered on a line of its own: a date, or letters (order, match). ↑↓
        scroll a question taller than the screen, the answer line staying in place."""
        from prompt_toolkit.buffer import Buffer

        item = prompt.item
        banner, self.banner = self.banner, []
        entry = Buffer(multiline=False)
        scroll: dict[str, int | None] = {"offset": None, "at": 0, "last": 0}

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            return fit(prompt, width, rows - 1, banner, None, key_line(item), scroll)

        kb = self._keys()

        def move(step: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                at = scroll["offset"] if scroll["offset"] is not None else scroll["at"] or 0
                scroll["offset"] = max(0, min(at + step, scroll["last"] or 0))
            return handler

        for key, step in (("up", -1), ("down", 1), ("pageup", -10), ("pagedown", 10)):
            kb.add(key)(move(step))

        def _enter(event: Any) -> None:
            text = entry.text.strip()
            command = typed_command(text)
            if command is not None:
                event.app.exit(result=command)
            elif text:
                event.app.exit(result=text)

        kb.add("enter", eager=True)(_enter)

        def _escape(event: Any) -> None:
            # Esc clears what was typed; it is never a prefix here, so "Esc 9" cannot become a
            # repeat count that turns the digit into spaces
            entry.reset()

        kb.add("escape", eager=True)(_escape)
        kb.add("c-d", eager=True)(lambda e: e.app.exit(result=Command.STOP))
        return self._run(compose, kb, entry=entry)

    def tell(self, outcome: Outcome) -> Reply:
        state: dict[str, Any] = {"offset": 0, "more": False, "last": 0}
        header = self._header_for(outcome)

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            lines, verdict = feedback_lines(outcome, width, header=header)
            keys = PAUSE_KEYS
            room = rows - len(para("keys", keys, width))
            if len(lines) > room:
                room = rows - len(para("keys", "↓ more · " + keys, width))
            shown, state["offset"] = window(lines, room, [(verdict, verdict)], state["offset"])
            state["last"] = max(0, len(lines) - room)
            state["more"] = state["offset"] < state["last"]
            marker = more_marker(state["offset"], len(shown), len(lines))
            return shown, para("keys", marker + keys, width)

        kb = self._keys()

        def scroll(step: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                state["offset"] = max(0, min(state["offset"] + step, state["last"]))
            return handler

        def leave(value: Any) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                event.app.exit(result=value)
            return handler

        kb.add("enter")(leave(Command.NEXT))

        def _space(event: Any) -> None:
            if state["more"]:
                state["offset"] = min(state["offset"] + 5, state["last"])
            else:
                event.app.exit(result=Command.NEXT)

        kb.add(" ")(_space)
        kb.add("down")(scroll(1))
        kb.add("up")(scroll(-1))
        kb.add("pagedown")(scroll(10))
        kb.add("pageup")(scroll(-10))
        for key, command in (("u", Command.UNDO), ("f", Command.FLAG), ("q", Command.STOP),
                             ("h", Command.HELP), ("c-d", Command.STOP)):
            kb.add(key)(leave(command))
        kb.add("escape", eager=True)(leave(Command.STOP))

        while True:
            reply = self._run(compose, kb)
            if reply is Command.HELP:
                if self._page(lambda width: help_lines(width, outcome.item), BACK) is Command.STOP:
                    return Command.STOP
                continue
            if reply is Command.FLAG:
                comment = self.ask_flag(header, outcome.item.question)
                if comment:
                    return Flag(comment)
                continue
            return reply  # type: ignore[no-any-return]

    def _header_for(self, outcome: Outcome) -> str:
        asked = self._asked
        return asked.header if asked is not None and asked.item.id == outcome.item.id else ""

    def ask_flag(self, header: str, question: str) -> str | None:
        """A comment on the question on screen; None when cancelled."""
        from prompt_toolkit.buffer import Buffer

        entry = Buffer(multiline=False)

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            lines = para("header", header, width) if header else []
            lines += para("question", question, width)
            lines += [("", ""), *para("", FLAG_PROMPT, width)]
            below = para("keys", "Enter saves · Esc cancels", width)
            return window(lines, rows - 1 - len(below), [(len(lines) - 1, len(lines) - 1)])[0], below

        kb = self._keys()
        kb.add("enter", eager=True)(lambda e: e.app.exit(result=entry.text.strip() or None))
        kb.add("escape", eager=True)(lambda e: e.app.exit(result=None))
        kb.add("c-d", eager=True)(lambda e: e.app.exit(result=None))
        result = self._run(compose, kb, entry=entry, label="Comment: ")
        return str(result) if result else None

    def offer_retry(self, count: int) -> bool:
        noun = "question" if count == 1 else "questions"
        question = f"Try the {count} missed {noun} again? Enter or y: yes · n or q: no"

        def compose(width: int, rows: int) -> tuple[list[Line], list[Line]]:
            return [("", ""), *para("question", question, width)], []

        kb = self._keys()
        for key in ("y", "Y", "enter"):
            kb.add(key)(lambda e: e.app.exit(result=True))
        for key in ("n", "N", "q", "escape", "c-d"):
            kb.add(key, eager=True)(lambda e: e.app.exit(result=False))
        return bool(self._run(compose, kb, clear=False))


UI = PlainUI | TerminalUI


def choose_ui(stdin: TextIO | None = None, stdout: TextIO | None = None) -> UI:
    """Full-page screens at a terminal; plain lines when either end is not one."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if stdin.isatty() and stdout.isatty() and os.environ.get("TERM") != "dumb":
        return TerminalUI(stdout)
    return PlainUI(stdin, stdout)


def no_terminal_note(stream: TextIO) -> str:
    """The note for piped input, wrapped to the terminal the note goes to."""
    text = ("histquiz: no terminal, so the questions come as plain lines: answer each with a "
            "letter, the option's text, letters in order or a date; q stops, ? means I don't "
            "know.")
    width = text_width() if stream.isatty() else 10_000
    return "\n".join(wrap(text, width))


__all__ = ["UI", "Paint", "PlainUI", "TerminalUI", "choose_ui", "no_terminal_note"]

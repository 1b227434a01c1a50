"""The quiz at a terminal: questionary prompts when there is a terminal, plain numbered lines
when input is piped. Both show the same feedback, summary and retry offer.

Colour is used for the verdict only (green right, yellow close, red wrong) and the header;
it is off when NO_COLOR is set, TERM is dumb or the output is not a terminal.
"""

from __future__ import annotations

import os
import shutil
import sys
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

from ..dates import Precision, Verdict
from ..model import Item
from .session import DONT_KNOW, Answer, Outcome, Prompt, Summary, topic_title

_DATE_FORMS = {
    Precision.YEAR: "a year, e.g. 1971",
    Precision.MONTH: "a month and year, e.g. Aug 1971",
    Precision.DAY: "a full date, e.g. 9 August 1971",
}


def colour_wanted(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


class Paint:
    """ANSI styling that turns into plain text when colour is off."""

    def __init__(self, enabled: bool, encoding: str | None = None) -> None:
        self.enabled = enabled
        try:
            "✓✗·–█".encode(encoding or "utf-8")
            self.fancy = True
        except (UnicodeEncodeError, LookupError):
            self.fancy = False

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def green(self, text: str) -> str:
        return self._wrap("32", text)

    def yellow(self, text: str) -> str:
        return self._wrap("33", text)

    def red(self, text: str) -> str:
        return self._wrap("31", text)

    def cyan(self, text: str) -> str:
        return self._wrap("36", text)

    def glyph(self, fancy: str, plain: str) -> str:
        return fancy if self.fancy else plain

    def text(self, text: str) -> str:
        """Text safe for this output: typographic characters it cannot show become ASCII."""
        if self.fancy:
            return text
        return text.replace("·", "-").replace("–", "-").replace("—", "-").replace("█", "#")


def width() -> int:
    return max(40, min(shutil.get_terminal_size((88, 24)).columns, 88))


def wrap(text: str, indent: str = "  ") -> list[str]:
    # never break inside a word or at its hyphens: URLs and names must stay whole
    return textwrap.wrap(text, width() - len(indent), initial_indent=indent,
                         subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False) or [indent.rstrip()]


def option_label(index: int) -> str:
    return chr(ord("A") + index)


def answer_text(item: Item) -> str:
    if item.kind == "choice" and item.answer_index is not None:
        return f"{option_label(item.answer_index)}) {item.answer}"
    return item.answer


def date_instruction(item: Item) -> str:
    form = _DATE_FORMS[item.answer_date.precision] if item.answer_date else "a date"
    return f"(type {form}; ? if you don't know)"


def feedback_lines(outcome: Outcome, paint: Paint) -> list[str]:
    item = outcome.item
    if outcome.verdict is Verdict.EXACT:
        head = paint.green(f"{paint.glyph('✓', '+')} Right.")
        if item.kind == "date":
            head += f" {item.answer}."
    elif outcome.verdict is Verdict.NEAR:
        head = paint.yellow(f"~ {outcome.message}") + f" The answer is {answer_text(item)}."
    else:
        said = outcome.message if item.kind == "date" and outcome.given != DONT_KNOW else (
            "Wrong." if outcome.given != DONT_KNOW else "Not answered.")
        head = paint.red(f"{paint.glyph('✗', 'x')} {said}") + f" The answer is {answer_text(item)}."
    lines = [paint.text(head)]
    # the fact itself first: explanations are written to follow it
    lines += [paint.bold(paint.text(line)) for line in wrap(item.statement)]
    lines += [paint.text(line) for line in wrap(item.explanation)]
    if item.note:
        lines += [paint.text(line) for line in wrap(f"Note: {item.note}")]
    for source in item.sources:
        lines += [paint.dim(paint.text(line)) for line in wrap(f"Source: {source.citation()}")]
    return lines


def summary_lines(summary: Summary, paint: Paint, *, exam: bool) -> list[str]:
    minutes, seconds = divmod(round(summary.seconds), 60)
    took = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    score = f"{summary.right} of {summary.asked} right"
    if summary.asked:
        score += f" ({round(100 * summary.right / summary.asked)}%)"
    if summary.close:
        score += f", {summary.close} close"
    days = f"{summary.streak} day{'s' * (summary.streak != 1)}"
    lines = ["", paint.bold("Exam result" if exam else "Session summary"),
             f"  Score:  {score}", f"  Time:   {took}", f"  Streak: {days} in a row"]
    if summary.weakest:
        weak = " · ".join(f"{topic_title(t)} {round(100 * rate)}%" for t, rate, _ in summary.weakest)
        lines.append(f"  Weakest topics: {weak}")
    if exam and summary.missed:
        lines += ["", paint.bold("Missed")]
        for n, o in enumerate(summary.missed, start=1):
            number = f"  {n}. "
            lines += [number + line[len(number):] if i == 0 else line
                      for i, line in enumerate(wrap(o.item.question, " " * len(number)))]
            mark = "close" if o.verdict is Verdict.NEAR else "wrong"
            lines += wrap(f"you: {o.given} ({mark}) · answer: {answer_text(o.item)}",
                          " " * len(number))
    return [paint.text(line) for line in lines]


class PlainUI:
    """Numbered questions on plain lines, for piped input or a terminal questionary cannot use."""

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.paint = Paint(False, getattr(self.stdout, "encoding", None))
        self.echoed = self.stdin.isatty()

    def say(self, *lines: str) -> None:
        for line in lines:
            self.stdout.write(self.paint.text(line) + "\n")
        self.stdout.flush()

    def _read(self, prompt: str) -> str:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            raise EOFError
        text = line.rstrip("\r\n")
        if not self.echoed:  # piped input: show it, so the transcript reads as a dialogue
            self.stdout.write(text + "\n")
        return text

    def ask(self, prompt: Prompt) -> Answer:
        item = prompt.item
        if prompt.hint:
            self.say(f"  {prompt.hint}")
        else:
            self.say("", prompt.header, *wrap(item.question, ""))
            for i, option in enumerate(item.options):
                self.say(f"  {option_label(i)}) {option}")
        if item.kind == "choice":
            letters = f"A–{option_label(len(item.options) - 1)}"
            return self._read(f"Your answer ({letters}, or ? if you don't know): ")
        return self._read(f"Your answer {date_instruction(item)}: ")

    def tell(self, outcome: Outcome) -> None:
        self.say(*feedback_lines(outcome, self.paint))

    def offer_retry(self, count: int) -> bool:
        noun = "question" if count == 1 else "questions"
        try:
            reply = self._read(f"\nTry the {count} missed {noun} again? [y/N] ")
        except EOFError:
            return False
        return reply.strip().lower() in ("y", "yes")


def share_default_key_bindings() -> None:
    """Build prompt_toolkit's default key bindings once per process, not once per prompt.

    Every prompt_toolkit Application loads its defaults afresh (some 600 bindings, vi and emacs),
    and a questionary select makes three Applications: about 17 ms of the pause before each
    question. The defaults hold no state of their own (their handlers act on the running app),
    so one set can serve every prompt in turn; with it a select is ready in about 3 ms.
    """
    import functools

    from prompt_toolkit.application import application

    loader = getattr(application, "load_key_bindings", None)
    if loader is not None and not hasattr(loader, "cache_info"):
        application.load_key_bindings = functools.cache(loader)  # type: ignore[attr-defined]


class QuestionaryUI:
    """Arrow-key select lists and a text prompt for dates, via questionary."""

    def __init__(self, stdout: TextIO | None = None) -> None:
        share_default_key_bindings()
        self.stdout = stdout or sys.stdout
        self.paint = Paint(colour_wanted(self.stdout), getattr(self.stdout, "encoding", None))

    def say(self, *lines: str) -> None:
        for line in lines:
            self.stdout.write(self.paint.text(line) + "\n")
        self.stdout.flush()

    def ask(self, prompt: Prompt) -> Answer:
        item = prompt.item
        if prompt.hint:
            # Asked again (the input could not be read as a date): the hint sits right under
            # the answer it is about, and the question stays on screen above.
            self.say(*(self.paint.yellow(line) for line in wrap(prompt.hint)))
        else:
            self.say("", self.paint.cyan(prompt.header))
            # The question is printed, wrapped at word boundaries, above a short prompt: a
            # long question inside the prompt would be broken mid-word by the terminal.
            self.say(*(self.paint.bold(line) for line in wrap(item.question, "")))
        if item.kind == "choice":
            return self._select(item)
        return self._text(item)

    def select_question(self, item: Item, **terminal: Any) -> Any:
        """The questionary select for a choice item (``terminal``: prompt_toolkit's input and
        output, for tests and the benchmark)."""
        import questionary
        from prompt_toolkit.key_binding import KeyBindings
        from questionary.prompts.common import InquirerControl

        choices = [questionary.Choice(title=f"{option_label(i)}) {o}", value=i)
                   for i, o in enumerate(item.options)]
        last = len(item.options)
        question = questionary.select(
            "Your answer", choices=choices,
            instruction=self.paint.text(f"(↑↓, A–{option_label(last - 1)} or 1–{last}; Enter)"),
            **terminal,
        )
        app = question.application
        bindings = app.key_bindings
        assert isinstance(bindings, KeyBindings)
        control = next(w.content for w in app.layout.find_all_windows()
                       if isinstance(w.content, InquirerControl))

        def pointer_to(index: int) -> Callable[[Any], None]:
            def handler(event: Any) -> None:
                control.pointed_at = index
            return handler

        # A letter or a number moves the pointer to that option; Enter confirms, so a slip of
        # the finger is never an answer.
        for i in range(last):
            for key in {option_label(i).lower(), option_label(i), str(i + 1)}:
                bindings.add(key, eager=True)(pointer_to(i))
        return question

    def text_question(self, item: Item, **terminal: Any) -> Any:
        """The questionary text prompt for a date item."""
        import questionary

        return questionary.text(self.paint.text(f"Your answer {date_instruction(item)}"),
                                **terminal)

    def _select(self, item: Item) -> Answer:
        index = self.select_question(item).unsafe_ask()
        return None if index is None else int(index)

    def _text(self, item: Item) -> Answer:
        # Unreadable or too vague dates come back to the session, which asks again with a
        # hint printed under the answer; a validator's message would show at the bottom of
        # the screen, far from where the student is looking.
        while True:
            reply = self.text_question(item).unsafe_ask()
            if reply is None:
                return None
            if str(reply).strip():
                return str(reply)

    def tell(self, outcome: Outcome) -> None:
        self.say(*feedback_lines(outcome, self.paint))

    def offer_retry(self, count: int) -> bool:
        import questionary

        noun = "question" if count == 1 else "questions"
        self.say("")
        reply = questionary.confirm(f"Try the {count} missed {noun} again?",
                                    default=True).unsafe_ask()
        return bool(reply)


UI = PlainUI | QuestionaryUI


def choose_ui(stdin: TextIO | None = None, stdout: TextIO | None = None) -> UI:
    """questionary at a terminal; plain lines when either end is not one."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if stdin.isatty() and stdout.isatty() and os.environ.get("TERM") != "dumb":
        return QuestionaryUI(stdout)
    return PlainUI(stdin, stdout)


__all__ = ["UI", "PlainUI", "QuestionaryUI", "choose_ui", "feedback_lines", "summary_lines"]

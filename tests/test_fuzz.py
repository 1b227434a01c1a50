"""Fuzzing the built-in decks: whatever a mutated deck holds, every command answers with exit 0
or 1 and one line per problem, never a traceback, and nothing in its output that a terminal
would act on; and a deck that `validate` passes works with every other command.

Each example takes one built-in deck (with the shared sources), applies a few mutations (a
character inserted, text cut, a line repeated or moved, a value replaced by something awkward)
and runs the commands in this process. The run is bounded to a few seconds and derandomised,
so the suite stays fast and repeatable; HISTQUIZ_FUZZ_EXAMPLES=500 explores further by hand,
with fresh random examples each time.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from histquiz.cli import main

DECKS = Path(__file__).resolve().parents[1] / "decks"
DECK_FILES = sorted(p.name for p in DECKS.glob("*.yaml") if p.name != "sources.yaml")
EXAMPLES = int(os.environ.get("HISTQUIZ_FUZZ_EXAMPLES", "12"))
BY_HAND = "HISTQUIZ_FUZZ_EXAMPLES" in os.environ

# What a terminal acts on: C0 controls but the line feed, DEL, C1, line separators, bidi.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
PROBLEMS = re.compile(r"^histquiz: (\d+) problems? found$")

# Characters and values that have broken decks, YAML or terminals before.
AWKWARD_CHARS = ["\x1b", "\x07", "\x00", "\x85", "\x9b", "\t", "\r", "\n", "\u2028", "\u202e",
                 "\ufdd0", "\uffff", '"', "'", ":", "#", "&", "*", "|", ">", "{", "[", "-",
                 "%", "@", "`", "!", "\\", "é", "Ж", "–", "\U0001f600"]
AWKWARD_VALUES = [".inf", ".nan", "1e340", "0.001", "1e300", "-5", "0", "No", "yes", "~", "null",
                  "10:30", "1.10", "2021-03-04", "1971-02-30", "1971/1960", "[a, b]", "{a: b}",
                  "*nowhere", "&anchor x", '"\\e[2J clear"', '"\\x9b5m"', '"a\\nb"', '"\\ud800"',
                  "'unclosed", '"unclosed', "x" * 400, "<b>bold</b> & AT&T", "C#", "C++", "|",
                  ">-", "!!binary aGk=", "? complex", "- item"]


# The fields whose values reach the printed output or messages, for mutations aimed at them.
FIELDS = ["id", "title", "topic", "ask", "answer", "kind", "event", "when", "date", "unit",
          "statement", "explanation", "tags", "distractors", "accept", "sources", "templates"]
# What may follow a deck file's name: file names reach every message.
NAME_TAILS = ["", "", "\x1b[2J", "\n", "\r", " x", "\x9b"]


@dataclass(frozen=True)
class Mutation:
    kind: str
    where: float  # a position in the text, as a fraction of its length
    extra: str = ""
    size: int = 1


mutations = st.one_of(
    st.builds(Mutation, st.just("insert"), st.floats(0, 1), st.sampled_from(AWKWARD_CHARS)),
    st.builds(Mutation, st.just("cut"), st.floats(0, 1), st.just(""), st.integers(1, 80)),
    st.builds(Mutation, st.just("repeat-line"), st.floats(0, 1)),
    st.builds(Mutation, st.just("swap-lines"), st.floats(0, 1), st.just(""), st.integers(1, 6)),
    st.builds(Mutation, st.just("value"), st.floats(0, 1), st.sampled_from(AWKWARD_VALUES)),
    st.builds(Mutation, st.just("indent"), st.floats(0, 1), st.sampled_from([" ", "  ", "\t"])),
    st.builds(Mutation, st.just("field"), st.floats(0, 1),
              st.tuples(st.sampled_from(FIELDS), st.sampled_from(AWKWARD_VALUES)).map("\0".join)),
)


def mutate(text: str, mutation: Mutation) -> str:
    at = int(mutation.where * len(text))
    lines = text.split("\n")
    n = min(int(mutation.where * len(lines)), len(lines) - 1)
    if mutation.kind == "insert":
        return text[:at] + mutation.extra + text[at:]
    if mutation.kind == "cut":
        return text[:at] + text[at + mutation.size:]
    if mutation.kind == "repeat-line":
        return "\n".join([*lines[: n + 1], lines[n], *lines[n + 1:]])
    if mutation.kind == "swap-lines":
        m = min(n + mutation.size, len(lines) - 1)
        lines[n], lines[m] = lines[m], lines[n]
        return "\n".join(lines)
    if mutation.kind == "value":
        # the value of the nearest "key: value" line at or after the position
        for i in [*range(n, len(lines)), *range(n)]:
            key, sep, _ = lines[i].partition(": ")
            if sep and key.strip():
                lines[i] = f"{key}: {mutation.extra}"
                break
        return "\n".join(lines)
    if mutation.kind == "field":
        # the value of one of the lines that give this field
        key, value = mutation.extra.split("\0")
        found = [i for i, line in enumerate(lines)
                 if re.match(rf"^\s*(- )?{key}:", line)]
        if found:
            i = found[min(int(mutation.where * len(found)), len(found) - 1)]
            lines[i] = lines[i][: lines[i].index(f"{key}:")] + f"{key}: {value}"
        return "\n".join(lines)
    lines[n] = mutation.extra + lines[n]  # indent
    return "\n".join(lines)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


def run(*args: str) -> Ran:
    """The CLI in this process, its output captured as bytes (as a pipe would see them)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="")
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    finally:
        sys.stdout, sys.stderr = saved
        out.flush()
        err.flush()
    return Ran(code, out.buffer.getvalue().decode("utf-8"),  # type: ignore[attr-defined]
               err.buffer.getvalue().decode("utf-8"))  # type: ignore[attr-defined]


def check_contract(ran: Ran, what: str) -> None:
    assert ran.code in (0, 1), (what, ran.code, ran.err[-500:])
    assert "Traceback" not in ran.err and "internal error" not in ran.err, (what, ran.err[-800:])
    for line in [*ran.out.split("\n"), *ran.err.split("\n")]:
        assert not RAW.search(line), (what, line)
    lines = [line for line in ran.err.split("\n") if line]
    if ran.code == 1:
        last = lines[-1]
        summary = PROBLEMS.match(last)
        if summary:  # one line per problem, then the count
            problems = [line for line in lines[:-1] if ": warning: " not in line]
            assert len(problems) == int(summary.group(1)), (what, lines)
        else:
            assert last.startswith("histquiz: error: "), (what, lines)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not BY_HAND, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(DECK_FILES), st.lists(mutations, min_size=1, max_size=4),
       st.sampled_from(NAME_TAILS))
def test_mutated_decks_never_break_the_contract(name: str, changes: list[Mutation],
                                                tail: str) -> None:
    text = (DECKS / name).read_text(encoding="utf-8")
    for change in changes:
        text = mutate(text, change)
    with tempfile.TemporaryDirectory(prefix="histquiz-fuzz-") as tmp:
        folder = Path(tmp)
        (folder / "sources.yaml").write_bytes((DECKS / "sources.yaml").read_bytes())
        path = folder / name.replace(".yaml", f"{tail}.yaml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        decks = ["--decks", str(folder)]
        checked = run("validate", *decks)
        check_contract(checked, "validate")
        runs = {
            "items": run("items", *decks, "--seed", "3"),
            "export json": run("export", "--format", "json", "-o", "-", *decks),
            "decks": run("decks", *decks),
        }
        for what, ran in runs.items():
            check_contract(ran, what)
            if checked.code == 0:
                assert ran.code == 0, (what, ran.err[-800:])


def test_the_mutations_reach_every_kind_of_problem() -> None:
    """The mutations are not all caught by one rule: they reach the YAML reader, the spec and
    the checks across files, and some mutated decks still pass."""
    text = (DECKS / DECK_FILES[0]).read_text(encoding="utf-8")
    assert mutate(text, Mutation("insert", 0.5, "\x1b")) != text
    assert "\n\n" not in mutate("a\nb", Mutation("repeat-line", 0.0))
    assert mutate("a: 1\nb: 2", Mutation("value", 0.6, ".inf")) == "a: 1\nb: .inf"
    assert mutate("a: 1\nb: 2", Mutation("swap-lines", 0.0, "", 1)) == "b: 2\na: 1"
    assert mutate("  - id: a\n    ask: b", Mutation("field", 0.9, "ask\0.inf")) == (
        "  - id: a\n    ask: .inf")

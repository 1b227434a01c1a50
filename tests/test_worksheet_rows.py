"""Order and match questions on worksheets, read back with pdftotext as a teacher would read
the printout: each version's rows and boxes, its key, and the key's order checked against the
dates of the facts themselves (never against the item's own key alone); the parts and their
instructions; the cap on order and match questions in a mixed sheet; sheets to be scanned,
which leave them out; long and awkward event texts; reproducible bytes."""

from __future__ import annotations

import json
import random
import re
import subprocess
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from test_worksheet import (
    EventDate,
    PrintedVersion,
    build,
    check_worksheet,
    event_dates,
    lone_headings,
    norm,
    parse_keys,
    parse_versions,
    pdf_pages,
)

from histquiz import Deck, ExportError, Item, generate, load_decks
from histquiz.cli import main
from histquiz.export.worksheet.pdf import write_worksheet
from histquiz.export.worksheet.plan import WorksheetOptions, pick, pick_questions
from histquiz.generate.reveal import reveals

LONG_EVENT = ("A <b>joint</b> commission & its “AT&T-style” working groups, Хрущёв’s idea, meet "
              "for the first time in Moscow to plan ten years of trade")
LONG_STATEMENT = ("The joint commission met in Moscow in March 1958 and agreed, after three weeks "
                  "of talks between both planning ministries, on a ten-year programme of trade "
                  "in machinery, steel and tea, to be settled in rupees, with a review every two "
                  "years & a standing <i>secretariat</i> in each capital.")

# (id, date, event, when): invented facts, two years apart, so that every four of them can
# make one order or match question (they lie within thirty years, each in a year of its own).
FACTS = [
    ("f1950", "1950-03", "A trade office opens in Bombay", "did the trade office open in Bombay"),
    ("f1952", "1952-06-14", "The first film week is held in Delhi", "was the first film week held in Delhi"),
    ("f1954", "1954-09", "A steel plant is agreed for Bhilai", "was the Bhilai steel plant agreed"),
    ("f1956", "1956", "A ballet company tours five Indian cities", "did the ballet company tour India"),
    ("f1958", "1958-03-02", LONG_EVENT, "did the joint commission first meet"),
    ("f1960", "1960-11", "A cosmonaut school admits its first Indian pupils",
     "did the cosmonaut school admit its first Indian pupils"),
    ("f1962", "1962-10-20/1962-11-21", "A border war is fought in the mountains",
     "was the border war fought"),
    ("f1964", "1964-05", "A pharmaceutical works opens at Rishikesh", "did the Rishikesh works open"),
    ("f1966", "1966-01-10", "A peace declaration is signed at Tashkent",
     "was the Tashkent declaration signed"),
    ("f1968", "1968-07", "A shipyard order for four frigates is placed",
     "was the frigate order placed"),
    ("f1970", "1970-02-11", "A rupee trade plan for the decade is signed",
     "was the decade's rupee trade plan signed"),
    ("f1972", "1972-08", "A satellite launch is agreed", "was the satellite launch agreed"),
    ("f1974", "1974-12-01", "A heavy-water plant is handed over", "was the heavy-water plant handed over"),
    ("f1976", "1976-06", "A film festival opens in Tashkent", "did the Tashkent film festival open"),
]
TEMPLATES = "[date-recall, date-choice, which-happened, choice, true-statement, first, order, match]"


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rows_deck_yaml() -> str:
    lines = [
        "deck:", "  id: rows", "  title: Order & <match> test deck",
        "  description: Invented facts for order and match questions.",
        "sources:", "  src:", "    title: Invented notes", "    publisher: Test Press", "    date: 2001",
        "pools:", "  person.rows: [Anna Petrova, Ravi Menon, Oleg Sokolov, Meera Iyer, Pavel Orlov]",
        "templates:", f"  default: {TEMPLATES}", "facts:",
    ]
    for n, (fid, date, event, when) in enumerate(FACTS):
        statement = LONG_STATEMENT if fid == "f1958" else f"{event}."
        lines += [f"  - id: {fid}", f"    statement: {_q(statement)}", f"    event: {_q(event)}",
                  f"    when: {_q(when)}", f"    date: {date}", "    topic: ties",
                  "    sources: [src]", "    explanation: Invented for the tests & <not> real."]
        if n % 3 == 0 or fid == "f1958":
            lines += ["    false_statements:",
                      f"      - text: {_q(f'{event} a decade later.')}",
                      "        why: It was a decade earlier.",
                      f"      - text: {_q(f'{event} in secret.')}",
                      "        why: It was announced.",
                      f"      - text: {_q(f'{event} a decade later, in secret.')}",
                      "        why: It was announced, a decade earlier."]
        if n % 4 == 0:
            person = ["Anna Petrova", "Ravi Menon", "Oleg Sokolov", "Meera Iyer"][n // 4]
            lines += ["    questions:", "      - id: who", f"        ask: {_q(f'Who led it in {fid[1:]}?')}",
                      f"        answer: {person}", "        kind: person.rows"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def deck_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rows") / "rows.yaml"
    path.write_text(rows_deck_yaml(), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def decks(deck_path: Path) -> list[Deck]:
    return load_decks([deck_path])


def raw_pages(path: Path) -> list[str]:
    """The text in drawing order (pdftotext -raw): a key's table, cell after cell."""
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")


def raw_keys(path: Path) -> dict[str, str]:
    """Each version's answer key as one line of text, in drawing order, without the running
    header, the footer and the repeated table heading."""
    keys: dict[str, list[str]] = {}
    letter = None
    for page in raw_pages(path):
        lines = [line for line in page.splitlines() if line.strip()]
        found = [re.search(r"Answer key · version ([A-Z])$", line) for line in lines]
        letters = [f.group(1) for f in found if f]
        if letters:
            letter = letters[-1]
        if letter is None:
            continue
        body = [line for line in lines if not re.search(r"Answer key · version [A-Z]$", line)
                and not re.fullmatch(r"Page \d+ of \d+", line.strip())
                and line.strip() != "No. Answer Answer text Points"]
        keys.setdefault(letter, []).extend(body)
    return {k: norm(" ".join(v)) for k, v in keys.items()}


def check_chronology(printed: dict[str, PrintedVersion], key_text: dict[str, str],
                     kinds: dict[int, str], truth: dict[str, EventDate], letter: str) -> int:
    """The lines under each order question's key list its events earliest first, each with its
    fact's date, and under each match question each row's letter and year; returns how many
    questions were checked."""
    checked = 0
    text = key_text[letter]
    for q in printed[letter].questions:
        kind = kinds.get(q.number)
        if kind == "order":
            rows = q.options
            earliest = sorted(rows, key=lambda r: truth[norm(r[1])].key)
            head = (f"Boxes {', '.join(f'{label} {earliest.index((label, t)) + 1}' for label, t in rows)}"
                    f"; earliest first: {', '.join(label for label, _ in earliest)}")
            lines = " ".join(f"{label} {truth[norm(t)].shown} {norm(t)}" for label, t in earliest)
        elif kind == "match":
            years = {year: label for label, year in q.targets}
            letters = [years[str(truth[norm(t)].year)] for _, t in q.rows]
            head = "Boxes " + ", ".join(f"{n} {x}" for (n, _), x in zip(q.rows, letters, strict=True))
            lines = " ".join(f"{n} {x} {truth[norm(t)].year} {norm(t)}"
                             for (n, t), x in zip(q.rows, letters, strict=True))
        else:
            continue
        assert f"{q.number}. " in text
        assert norm(f"{head} {lines}") in text, (letter, q.number, head, lines)
        checked += 1
    return checked


def kinds_by_number(printed: PrintedVersion, items: Sequence[Item]) -> dict[int, str]:
    """The kind of each printed question, found by its stem and its options or events."""
    index = {(norm(i.question), frozenset(norm(o) for o in i.options)): i.kind for i in items}
    return {q.number: index[(norm(q.stem), q.texts)] for q in printed.questions}


# --- the tests -----------------------------------------------------------------------------


def test_order_and_match_keys_follow_each_versions_rows_and_the_dates(decks: list[Deck],
                                                                      tmp_path: Path) -> None:
    items = [i for i in generate(decks, 5) if i.kind in ("order", "match")]
    chosen = pick_questions(items, 8, random.Random(5))
    assert Counter(i.kind for i in chosen) == {"order": 4, "match": 4}, "no cap on these alone"
    sheet, key = build(chosen, tmp_path / "rows.pdf", versions=3, seed=5, points=2)
    assert key is not None
    printed = check_worksheet(chosen, sheet, key, 3, points=2, decks=decks)
    truth = event_dates(decks)
    key_text = raw_keys(key)
    layouts: dict[str, list[tuple[str, ...]]] = {}
    for letter, version in printed.items():
        kinds = kinds_by_number(version, chosen)
        assert check_chronology(printed, key_text, kinds, truth, letter) == 8
        for q in version.questions:
            texts = q.options if kinds[q.number] == "order" else q.rows
            layouts.setdefault(letter, []).append(tuple(norm(t) for _, t in texts))
            assert q.points == 2 and not q.fields
    # each version prints the rows of the same question in its own order, and its key follows
    firsts = {letter: {frozenset(r): r for r in rows} for letter, rows in layouts.items()}
    moved = sum(firsts["A"][k] != firsts[other][k] for other in "BC" for k in firsts["A"])
    assert moved > 0, "the versions should shuffle the event rows"


def test_parts_follow_in_order_each_with_its_instruction(decks: list[Deck], tmp_path: Path) -> None:
    every = generate(decks, 2)
    sheets = (pick_questions(every, 30, random.Random(seed)) for seed in range(40))
    items = next(s for s in sheets if {i.kind for i in s} == {"choice", "date", "order", "match"})
    sheet, key = build(items, tmp_path / "mixed.pdf", versions=2, seed=2)
    printed = check_worksheet(items, sheet, key, 2, decks=decks)
    pages = pdf_pages(sheet)
    for letter, version in printed.items():
        lines = [norm(line) for i in version.pages for line in pages[i].splitlines() if line.strip()]
        headings = [(n, line) for n, line in enumerate(lines) if re.match(r"Part \d+: ", line)]
        counts = Counter(i.kind for i in items)
        assert [re.sub(r" \(.*", "", line) for _, line in headings] == [
            "Part 1: Multiple choice", "Part 2: Dates", "Part 3: Order", "Part 4: Matching"]
        assert headings[2][1].endswith(f"({counts['order']} questions, {counts['order']} points)")
        hints = [lines[n + 1] for n, _ in headings]
        assert hints[2] == ("Put each set of events in order: write 1 for the earliest, 2 for the "
                            "next, and so on, in the boxes.")
        assert hints[3] == "Write the letter of the matching year in each box."
        kinds = kinds_by_number(version, items)
        order = [kinds[q.number] for q in version.questions]
        assert order == sorted(order, key=["choice", "date", "order", "match"].index), letter
        first = norm(pages[version.pages[0]])
        assert "Order: write 1 in the box of the earliest event" in first
        assert "Matching: write in each event's box the letter of its year" in first


def test_first_and_true_statement_print_as_choices_with_the_right_key(decks: list[Deck],
                                                                       tmp_path: Path) -> None:
    items = [i for i in generate(decks, 3) if i.template in ("first", "true-statement")]
    chosen = pick_questions(items, None, random.Random(3))
    assert {i.template for i in chosen} == {"first", "true-statement"}
    assert any(i.answer == LONG_STATEMENT for i in chosen), "the long statement should be asked"
    sheet, key = build(chosen, tmp_path / "choice.pdf", versions=2, seed=3)
    assert key is not None
    printed = check_worksheet(chosen, sheet, key, 2, decks=decks)
    truth = event_dates(decks)
    keys = parse_keys(pdf_pages(key))
    text = norm("\n".join(pdf_pages(sheet)))
    assert norm(LONG_STATEMENT) in text  # wrapped over lines, but whole and literal
    firsts = 0
    for letter, version in printed.items():
        for q, row in zip(version.questions, keys[letter], strict=False):
            if norm(q.stem) != "Which came first?":
                continue
            shown = dict(q.options)
            assert len(shown) == 2
            earlier = min(shown, key=lambda x: truth[norm(shown[x])].key)
            assert row.letter == earlier, (letter, q.number)
            firsts += 1
    assert firsts >= 4


def test_a_mixed_sheet_holds_a_tenth_of_each_capped_kind(decks: list[Deck]) -> None:
    items = generate(decks, 1)
    kinds = Counter(i.kind for i in items)
    assert kinds["order"] >= 10 and kinds["match"] >= 10
    seen = 0
    for seed in range(6):
        for count in (10, 15):  # (a sheet of this deck holds 16 to 22)
            chosen = pick(items, count, random.Random(seed))
            got = Counter(i.kind for i in chosen.items)
            tenth = max(1, count // 10)
            assert got["order"] <= tenth and got["match"] <= tenth, (seed, count)
            assert len(chosen.items) == count
        every = pick(items, None, random.Random(seed)).items  # as many as fit: a tenth of them
        got = Counter(i.kind for i in every)
        tenth = max(1, len(every) // 10)
        assert got["order"] <= tenth and got["match"] <= tenth, seed
        seen += got["order"] + got["match"]
    assert seen  # the full sheets hold some (as many as keep clear of the date questions)
    # the cap does bite: without it, a sheet of 20 would hold more of them
    alone = [i for i in items if i.kind in ("order", "match")]
    assert Counter(i.kind for i in pick_questions(alone, 20, random.Random(0)))["order"] > 2


def test_cli_cap_and_the_short_sheet_message(deck_path: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.pdf"
    assert main(["worksheet", "--decks", str(deck_path), "--count", "20", "--seed", "4",
                 "-o", str(out)]) == 0
    capsys.readouterr()
    stems = Counter(norm(q.stem) for q in parse_versions(pdf_pages(out))["A"].questions)
    # at most the cap (a tenth of 20), fewer where the events' date questions are on the sheet
    assert 1 <= stems["Put these events in order, earliest first."] <= 2
    assert 1 <= stems["Match each event to its year."] <= 2
    assert main(["worksheet", "--decks", str(deck_path), "--kind", "order,date", "--count", "40",
                 "-o", str(tmp_path / "short.pdf")]) == 0
    err = capsys.readouterr().err
    assert "questions fit: a sheet that mixes kinds holds at most 4 order and 4 match" in err
    assert main(["worksheet", "--decks", str(deck_path), "--kind", "order,match", "--count", "12",
                 "-o", str(tmp_path / "rows.pdf")]) == 0
    assert "wrote " in capsys.readouterr().out
    assert len(parse_versions(pdf_pages(tmp_path / "rows.pdf"))["A"].questions) == 12


def test_sheets_to_scan_leave_order_and_match_out(deck_path: Path, decks: list[Deck],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "scan.pdf"
    assert main(["worksheet", "--decks", str(deck_path), "--count", "12", "--scan", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    rows = sum(i.kind in ("order", "match") for i in generate(decks, 0))
    assert (f"worksheet: {rows} items left out by design: the scanner reads only bubbles, and "
            "the boxes of order and match questions are marked by hand") in said
    layout = json.loads((tmp_path / "scan-layout.json").read_text(encoding="utf-8"))
    kinds = {q["kind"] for v in layout["versions"].values() for q in v["questions"]}
    assert kinds and kinds <= {"choice", "date"}
    assert "Part 3" not in "\n".join(pdf_pages(out))
    # nothing left to print is one line, and the library refuses to draw unreadable boxes
    assert main(["worksheet", "--decks", str(deck_path), "--kind", "order", "--scan",
                 "-o", str(tmp_path / "none.pdf")]) == 1
    err = capsys.readouterr().err
    assert "cannot hold order or match questions" in err and len(err.strip().splitlines()) == 1
    order = next(i for i in generate(decks, 0) if i.kind == "order")
    with pytest.raises(ExportError, match="the scanner cannot mark"):
        write_worksheet([order], tmp_path / "x.pdf", WorksheetOptions(scan=True))


def test_long_and_awkward_events_wrap_and_print_literally(decks: list[Deck], tmp_path: Path) -> None:
    items = [i for i in generate(decks, 7) if i.kind in ("order", "match") and LONG_EVENT in i.options]
    assert {i.kind for i in items} == {"order", "match"}
    sheet, key = build(items, tmp_path / "long.pdf", versions=2, seed=7)
    assert key is not None
    printed = check_worksheet(items, sheet, key, 2, decks=decks)
    for version in printed.values():
        for q in version.questions:
            texts = [norm(t) for _, t in (q.options or q.rows)]
            assert norm(LONG_EVENT) in texts  # wrapped under its own row, whole
    for path in (sheet, key):
        text = norm("\n".join(pdf_pages(path)))
        assert norm(LONG_EVENT) in text or path == key
        assert "&amp;" not in text and "&lt;" not in text and "<b>joint</b>" in text
        assert not overlapping_words(path), overlapping_words(path)[:3]
    assert norm(LONG_EVENT) in raw_keys(key)["A"]


def overlapping_words(path: Path) -> list[tuple[int, str, str]]:
    """Words whose boxes overlap on a page (pdftotext -bbox): text drawn over text."""
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    found = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        words = sorted((float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page))
        for i, (x0, y0, x1, y1, w) in enumerate(words):
            for u0, v0, u1, v1, other in words[i + 1:]:
                if u0 >= x1:
                    break
                dx, dy = min(x1, u1) - max(x0, u0), min(y1, v1) - max(y0, v0)
                if dx > 1 and dy > 2:
                    found.append((number, w, other))
    return found


def test_no_part_heading_is_left_at_the_foot_of_a_page(decks: list[Deck], tmp_path: Path) -> None:
    items = generate(decks, 0)
    for seed, count, paper in [(1, 14, "a4"), (2, 17, "letter"), (3, 21, "a4"), (4, 26, "letter"),
                               (5, 33, "a4")]:
        chosen = pick_questions(items, count, random.Random(seed))
        sheet, _ = build(chosen, tmp_path / f"h{seed}.pdf", seed=seed, paper=paper,
                         answer_key="none")
        assert not lone_headings(pdf_pages(sheet)), seed


def test_reproducible_bytes(deck_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    made = []
    for name, seed in (("a", "6"), ("b", "6"), ("c", "7")):
        out = tmp_path / f"{name}.pdf"
        assert main(["worksheet", "--decks", str(deck_path), "--count", "24", "--versions", "3",
                     "--seed", seed, "-o", str(out)]) == 0
        made.append((out.read_bytes(), (tmp_path / f"{name}-answers.pdf").read_bytes()))
    capsys.readouterr()
    assert made[0] == made[1]
    assert made[0][0] != made[2][0] and made[0][1] != made[2][1]


def test_an_inconsistent_order_item_is_a_clear_error(decks: list[Deck], tmp_path: Path) -> None:
    order = next(i for i in generate(decks, 0) if i.kind == "order")
    broken = replace(order, key=(0, 0, 1, 2))
    with pytest.raises(ExportError, match=rf"item '{order.id}': its order does not list each event once"):
        write_worksheet([broken], tmp_path / "x.pdf", WorksheetOptions())
    match = next(i for i in generate(decks, 0) if i.kind == "match")
    with pytest.raises(ExportError, match="not every event is matched to one of its years"):
        write_worksheet([replace(match, key=(0, 1, 2, 9))], tmp_path / "y.pdf", WorksheetOptions())
    assert not list(tmp_path.glob("*.pdf"))


def test_order_and_match_never_share_a_sheet_with_a_date_question_of_their_events(
        decks: list[Deck]) -> None:
    """An order or match item shows, once marked, the date order or the years of its events
    (a match question prints the years even before): the date questions of those events must
    not share its sheet. Checked on the relation a worksheet picks by."""
    items = generate(decks, 0)
    relation = reveals(items)
    by_event = {norm(f.event or ""): f.id for d in decks for f in d.facts}
    dated = ("date-recall", "date-choice", "which-happened")
    missing = []
    for a, item in enumerate(items):
        if item.kind not in ("order", "match"):
            continue
        facts = {by_event[norm(o)] for o in item.options}
        missing += [(item.id, other.id) for b, other in enumerate(items)
                    if other.template in dated and other.fact in facts and not relation.clash(a, b)]
    assert not missing, missing[:5]

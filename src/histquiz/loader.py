"""YAML decks → validated, frozen Decks. Every problem in every file is found in one run.

Each problem is one line, ``path:line:col: message``, and says what to fix. Checks that need
all the files at once (fact ids used twice, unknown sources, too few distractor candidates)
run after every file has been read.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .dates import DateSpan, When, parse_iso, years_of
from .errors import DeckError
from .load.rules import TEMPLATE_NEEDS, TEMPLATE_ORDER
from .model import BASE_KINDS, NUMERIC_KINDS, Deck, Fact, Origin, Question, Source
from .textnorm import format_number, gc_paused, normalize
from .yamlio import Map, Seq, empty_seq, load_file

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.\-]*$")
KIND = re.compile(r"^[a-z]+(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?$")
MIN_DISTRACTORS = 3  # four options by default: the answer and three distractors

TOP_KEYS = ("deck", "sources", "pools", "templates", "facts")
DECK_KEYS = ("id", "title", "description", "topic")
SOURCE_KEYS = ("title", "author", "publisher", "date", "url", "locator")
FACT_KEYS = (
    "id", "statement", "event", "when", "date", "era", "topic", "tags", "sources",
    "explanation", "note", "templates", "questions",
)  # fmt: skip
QUESTION_KEYS = ("id", "ask", "answer", "kind", "accept", "distractors", "unit")


def builtin_decks_dir() -> Path:
    """The decks shipped in the wheel, or the checkout's decks/ when running from source."""
    packaged = Path(__file__).resolve().parent / "decks"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "decks"


def find_deck_files(paths: Sequence[str | os.PathLike[str]] | None) -> tuple[list[str], list[str]]:
    """Expand folders into their .yaml/.yml files (sorted). Returns (files, problems)."""
    if not paths:
        paths = [builtin_decks_dir()]
    files: list[str] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
            )
            if not found:
                problems.append(f"{path}:1:1: this folder holds no .yaml deck files")
            files.extend(str(p) for p in found)
        elif path.exists() or not str(raw).strip():
            files.append(str(path))
        else:
            problems.append(f"{path}:1:1: no such file or folder")
    unique: dict[str, str] = {}
    for f in files:
        unique.setdefault(os.path.realpath(f), f)
    return list(unique.values()), problems


def load_decks(paths: Sequence[str | os.PathLike[str]] | None = None) -> list[Deck]:
    """Load and validate decks from files or folders (the built-in decks by default).

    Raises DeckError listing every problem found, each as ``path:line:col: message``.
    """
    with gc_paused():
        return _load(paths)


def _load(paths: Sequence[str | os.PathLike[str]] | None) -> list[Deck]:
    files, problems = find_deck_files(paths)
    state = _State()
    for path in files:
        raw, file_problems = load_file(path)
        problems.extend(file_problems)
        if file_problems:
            continue
        _read_file(path, raw, state)
    problems.extend(state.problems)
    problems.extend(_link(state))
    if problems:
        raise DeckError(_sorted_problems(problems))
    return _build(state)


def _sorted_problems(problems: list[str]) -> list[str]:
    def key(line: str) -> tuple[str, int, int]:
        m = re.match(r"^(.*?):(\d+):(\d+): ", line)
        return (m.group(1), int(m.group(2)), int(m.group(3))) if m else (line, 0, 0)

    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=key)


# --- state gathered from every file --------------------------------------------------------


@dataclass
class _RawFact:
    data: dict[str, Any]
    origin: Origin
    source_refs: list[tuple[str, Origin]]
    questions: list[tuple[dict[str, Any], Origin, Map]]
    explicit_templates: bool
    entry: Map


@dataclass
class _RawDeck:
    id: str
    title: str
    description: str
    path: str
    facts: list[_RawFact] = field(default_factory=list)
    pools: dict[str, list[str]] = field(default_factory=dict)
    source_ids: list[str] = field(default_factory=list)


@dataclass
class _State:
    problems: list[str] = field(default_factory=list)
    decks: list[_RawDeck] = field(default_factory=list)
    sources: dict[str, tuple[Source, Origin]] = field(default_factory=dict)
    fact_origins: dict[str, Origin] = field(default_factory=dict)
    deck_origins: dict[str, Origin] = field(default_factory=dict)

    def add(self, origin: Origin, message: str) -> None:
        self.problems.append(f"{origin}: {message}")


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{match[0]}'?" if match else ""


def _check_keys(state: _State, data: Map, allowed: Sequence[str], what: str) -> None:
    for key in data:
        if key not in allowed:
            state.add(data.key_at(key), f"unknown key '{key}' in {what}{_suggest(key, allowed)}"
                      + ("" if _suggest(key, allowed) else f" (allowed: {', '.join(allowed)})"))


def _text(state: _State, data: Map, key: str, what: str, required: bool = True) -> str | None:
    if key not in data or data[key] is None:
        if required:
            state.add(data.origin, f"{what} needs '{key}'")
        return None
    value = data[key]
    if isinstance(value, (Map, Seq, bool)):
        state.add(data.value_at(key), f"{what}: '{key}' must be text")
        return None
    text = " ".join(str(value).split()) if key not in ("explanation", "note") else str(value).strip()
    if not text:
        if required:
            state.add(data.value_at(key), f"{what}: '{key}' is empty")
        return None
    return text


def _slug(state: _State, data: Map, key: str, what: str) -> str | None:
    value = _text(state, data, key, what)
    if value is not None and not SLUG.match(value):
        state.add(data.value_at(key), f"{what}: {key} '{value}' must be lowercase letters, digits "
                  "and single hyphens (e.g. 'treaty-1971')")
        return None
    return value


def _list(state: _State, data: Map, key: str, what: str) -> Seq | None:
    if key not in data or data[key] is None:
        return None
    value = data[key]
    if not isinstance(value, Seq):
        state.add(data.value_at(key), f"{what}: '{key}' must be a list, e.g. [a, b]")
        return None
    return value


def _date(state: _State, data: Map, key: str, what: str) -> When | None:
    if key not in data or data[key] is None:
        return None
    raw = data[key]
    if isinstance(raw, (Map, Seq, bool)):
        state.add(data.value_at(key), f"{what}: date must be YYYY, YYYY-MM, YYYY-MM-DD or START/END")
        return None
    try:
        return parse_iso(str(raw))
    except ValueError as exc:
        state.add(data.value_at(key), f"{what}: {exc}")
        return None


# --- one file ------------------------------------------------------------------------------


def _read_file(path: str, raw: Any, state: _State) -> None:
    if raw is None:
        state.add(Origin(path, 1, 1), "the file is empty; a deck needs 'deck:' and 'facts:'")
        return
    if not isinstance(raw, Map):
        where = getattr(raw, "origin", Origin(path, 1, 1))
        state.add(where, "the top level must be a mapping with 'deck:', 'sources:' and 'facts:'")
        return
    _check_keys(state, raw, TOP_KEYS, "the file")
    _read_sources(raw, state)
    deck: _RawDeck | None = None
    if "deck" in raw:
        deck = _read_deck(path, raw, state)
    elif "facts" in raw:
        state.add(raw.key_at("facts"), "facts need a 'deck:' section with id, title and description")
    elif "sources" not in raw and "pools" not in raw:
        state.add(raw.origin, "nothing to load: expected 'deck:' and 'facts:' (or a 'sources:' "
                  "library)")
    pools = _read_pools(raw, state)
    if deck is None:
        if pools:
            holder = _RawDeck(id="", title="", description="", path=path, pools=pools)
            state.decks.append(holder)
        return
    deck.pools = pools
    templates = _read_template_defaults(raw, state)
    facts = _list(state, raw, "facts", "the deck")
    if facts is None:
        state.add(raw.origin, f"deck '{deck.id}' needs 'facts:', a list of facts")
        facts = Seq()
    elif not facts:
        state.add(raw.value_at("facts"), f"deck '{deck.id}' has no facts")
    default_topic = raw["deck"].get("topic") if isinstance(raw["deck"], Map) else None
    for index, entry in enumerate(facts):
        origin = facts.at(index)
        if not isinstance(entry, Map):
            state.add(origin, "each fact must be a mapping with id, statement, topic, sources, ...")
            continue
        fact = _read_fact(entry, deck, state, templates, default_topic)
        if fact is not None:
            deck.facts.append(fact)
    state.decks.append(deck)


def _read_deck(path: str, raw: Map, state: _State) -> _RawDeck | None:
    section = raw["deck"]
    if not isinstance(section, Map):
        state.add(raw.value_at("deck"), "'deck:' must be a mapping with id, title and description")
        return None
    _check_keys(state, section, DECK_KEYS, "'deck'")
    deck_id = _slug(state, section, "id", "the deck")
    title = _text(state, section, "title", "the deck")
    description = _text(state, section, "description", "the deck")
    if "topic" in section and section["topic"] is not None:
        _slug(state, section, "topic", "the deck")
    if deck_id is None:
        return None
    if deck_id in state.deck_origins:
        first = state.deck_origins[deck_id]
        state.add(section.value_at("id"), f"deck id '{deck_id}' is used twice (first at {first}); "
                  "give each deck its own id")
    state.deck_origins[deck_id] = section.value_at("id")
    return _RawDeck(deck_id, title or deck_id, description or "", path)


def _read_sources(raw: Map, state: _State) -> None:
    if "sources" not in raw or raw["sources"] is None:
        return
    section = raw["sources"]
    if not isinstance(section, Map):
        state.add(raw.value_at("sources"), "'sources:' must map source ids to their details")
        return
    for source_id, entry in section.items():
        where = section.key_at(source_id)
        if not SLUG.match(source_id):
            state.add(where, f"source id '{source_id}' must be lowercase letters, digits and hyphens")
            continue
        if not isinstance(entry, Map):
            state.add(section.value_at(source_id), f"source '{source_id}' needs title, author or "
                      "publisher, and date")
            continue
        what = f"source '{source_id}'"
        _check_keys(state, entry, SOURCE_KEYS, what)
        title = _text(state, entry, "title", what)
        author = _text(state, entry, "author", what, required=False)
        publisher = _text(state, entry, "publisher", what, required=False)
        if author is None and publisher is None:
            state.add(entry.origin, f"{what} needs an 'author' or a 'publisher'")
        if "date" not in entry:
            state.add(entry.origin, f"{what} needs 'date' (YYYY, YYYY-MM or YYYY-MM-DD)")
        when = _date(state, entry, "date", what)
        if isinstance(when, DateSpan):
            state.add(entry.value_at("date"), f"{what}: a source's date is one date, not a span")
            when = None
        url = _text(state, entry, "url", what, required=False)
        locator = _text(state, entry, "locator", what, required=False)
        if title is None or when is None or (author is None and publisher is None):
            continue
        source = Source(source_id, title, author, publisher, when, url, locator)
        if source_id in state.sources:
            existing, first = state.sources[source_id]
            if existing != source:
                state.add(where, f"source id '{source_id}' is defined differently at {first}; "
                          "use another id or make the two the same")
            continue
        state.sources[source_id] = (source, where)


def _read_pools(raw: Map, state: _State) -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {}
    if "pools" not in raw or raw["pools"] is None:
        return pools
    section = raw["pools"]
    if not isinstance(section, Map):
        state.add(raw.value_at("pools"), "'pools:' must map answer kinds to lists of values")
        return pools
    for kind, values in section.items():
        if not _check_kind(state, kind, section.key_at(kind)):
            continue
        if kind.split(".")[0] in NUMERIC_KINDS:
            state.add(section.key_at(kind), f"pool '{kind}': numeric kinds need no pool; "
                      "their distractors are generated")
            continue
        if not isinstance(values, Seq):
            state.add(section.value_at(kind), f"pool '{kind}' must be a list of values")
            continue
        texts = []
        for i, value in enumerate(values):
            if isinstance(value, (Map, Seq)) or value is None:
                state.add(values.at(i), f"pool '{kind}': each value must be text")
                continue
            texts.append(" ".join(str(value).split()))
        pools.setdefault(kind, []).extend(texts)
    return pools


def _check_kind(state: _State, kind: str, where: Origin) -> bool:
    if not KIND.match(kind) or kind.split(".")[0] not in BASE_KINDS:
        base = kind.split(".")[0]
        state.add(where, f"unknown answer kind '{kind}'{_suggest(base, BASE_KINDS)} (kinds: "
                  f"{', '.join(BASE_KINDS)}, optionally with a .group such as person.soviet)")
        return False
    return True


def _read_template_defaults(raw: Map, state: _State) -> dict[str, tuple[str, ...]]:
    result: dict[str, tuple[str, ...]] = {}
    if "templates" not in raw or raw["templates"] is None:
        return result
    section = raw["templates"]
    if not isinstance(section, Map):
        state.add(raw.value_at("templates"), "'templates:' must map 'default' or a topic to a "
                  "list of templates")
        return result
    for topic in section:
        seq = _list(state, section, topic, f"templates for '{topic}'")
        if seq is None:
            if section[topic] is not None:
                continue
            seq = empty_seq(section.value_at(topic))
        result[topic] = _template_names(state, seq, f"templates for '{topic}'")
    return result


def _template_names(state: _State, seq: Seq, what: str) -> tuple[str, ...]:
    names = []
    for i, name in enumerate(seq):
        if not isinstance(name, str) or name not in TEMPLATE_NEEDS:
            state.add(seq.at(i), f"{what}: unknown template '{name}'"
                      f"{_suggest(str(name), TEMPLATE_NEEDS)} (templates: "
                      f"{', '.join(TEMPLATE_ORDER)})")
            continue
        names.append(name)
    return tuple(names)


def _read_fact(
    entry: Map,
    deck: _RawDeck,
    state: _State,
    defaults: dict[str, tuple[str, ...]],
    default_topic: Any,
) -> _RawFact | None:
    fact_id = _slug(state, entry, "id", "a fact")
    what = f"fact '{fact_id}'" if fact_id else "a fact"
    _check_keys(state, entry, FACT_KEYS, what)
    data: dict[str, Any] = {"id": fact_id}
    for key in ("statement", "explanation"):
        data[key] = _text(state, entry, key, what)
    for key in ("event", "when", "note"):
        data[key] = _text(state, entry, key, what, required=False)
    if "topic" in entry:
        data["topic"] = _slug(state, entry, "topic", what)
    elif isinstance(default_topic, str):
        data["topic"] = default_topic
    else:
        state.add(entry.origin, f"{what} needs 'topic' (or give the deck a default 'topic')")
        data["topic"] = None
    data["date"] = _date(state, entry, "date", what)
    data["era"] = _era(state, entry, data["date"], what)
    _check_date_free(state, entry, data, what)

    tags = _list(state, entry, "tags", what) or Seq()
    clean_tags = []
    for i, tag in enumerate(tags):
        if not isinstance(tag, str) or not TAG.match(tag):
            state.add(tags.at(i), f"{what}: tag '{tag}' must be one word without spaces "
                      "(letters, digits, '-', '_', '::')")
            continue
        if tag.startswith(("era::", "topic::")):
            state.add(tags.at(i), f"{what}: tag '{tag}' is added automatically; remove it")
            continue
        clean_tags.append(tag)
    data["tags"] = tuple(clean_tags)

    refs: list[tuple[str, Origin]] = []
    sources = _list(state, entry, "sources", what)
    if not sources:
        where = entry.value_at("sources") if "sources" in entry else entry.origin
        state.add(where, f"{what} needs 'sources', a list of at least one source id")
    else:
        for i, ref in enumerate(sources):
            refs.append((str(ref), sources.at(i)))

    questions: list[tuple[dict[str, Any], Origin, Map]] = []
    seq = _list(state, entry, "questions", what) or Seq()
    seen_questions: dict[str, Origin] = {}
    for i, q in enumerate(seq):
        if not isinstance(q, Map):
            state.add(seq.at(i), f"{what}: each question must be a mapping with id, ask, answer, kind")
            continue
        parsed = _read_question(q, what, state)
        if parsed is None:
            continue
        if parsed["id"] in seen_questions:
            state.add(q.value_at("id"), f"{what}: question id '{parsed['id']}' is used twice "
                      f"(first at line {seen_questions[parsed['id']].line})")
            continue
        seen_questions[parsed["id"]] = q.origin
        questions.append((parsed, q.origin, q))

    explicit = "templates" in entry
    if explicit:
        names_seq = _list(state, entry, "templates", what) or Seq()
        names = _template_names(state, names_seq, what)
        for i, name in enumerate(names_seq):
            need = TEMPLATE_NEEDS.get(str(name))
            if need == "questions" and not questions:
                state.add(names_seq.at(i), f"{what}: template '{name}' needs 'questions'")
            elif need is not None and need != "questions" and not data.get(need):
                state.add(names_seq.at(i), f"{what}: template '{name}' needs '{need}'")
            elif need in ("when", "event") and data.get("date") is None:
                state.add(names_seq.at(i), f"{what}: template '{name}' needs 'date'")
    else:
        topic = data.get("topic")
        chosen = defaults.get(topic or "", defaults.get("default", TEMPLATE_ORDER))
        names = tuple(
            n for n in chosen
            if (TEMPLATE_NEEDS[n] == "questions" and questions)
            or (TEMPLATE_NEEDS[n] != "questions" and data.get(TEMPLATE_NEEDS[n])
                and data.get("date") is not None)
        )
    data["templates"] = names

    if fact_id is not None:
        if fact_id in state.fact_origins:
            first = state.fact_origins[fact_id]
            state.add(entry.value_at("id"), f"fact id '{fact_id}' is used twice (first at "
                      f"{first}); fact ids must be unique across all decks")
            return None
        state.fact_origins[fact_id] = entry.value_at("id")
    if any(data.get(k) is None for k in ("id", "statement", "explanation", "topic")):
        return None
    return _RawFact(data, entry.origin, refs, questions, explicit, entry)


ERA = re.compile(r"^\d{3}0s$")


def _era(state: _State, entry: Map, when: When | None, what: str) -> str | None:
    """An undated fact names its decade (``era: 1950s``) so it is still tagged with an era."""
    raw = entry.get("era")
    if raw is None:
        return None
    if "date" in entry:
        state.add(entry.key_at("era"), f"{what}: 'era' comes from the date; remove 'era'")
        return None
    if not ERA.match(str(raw)):
        state.add(entry.value_at("era"), f"{what}: era '{raw}' must be a decade such as 1970s")
        return None
    return str(raw)


def _check_date_free(state: _State, entry: Map, data: dict[str, Any], what: str) -> None:
    """A stem that names the year gives the answer away: 'when' and 'event' must not."""
    when = data.get("date")
    if when is None:
        return
    for key in ("when", "event"):
        text = data.get(key)
        if not text:
            continue
        for year in years_of(when):
            if re.search(rf"(?<!\d){year}(?!\d)", text):
                state.add(entry.value_at(key), f"{what}: '{key}' mentions {year}, which gives "
                          "the date away; leave the date out of it")
                break


def _read_question(q: Map, fact_what: str, state: _State) -> dict[str, Any] | None:
    qid = _slug(state, q, "id", f"{fact_what}: a question")
    what = f"{fact_what}, question '{qid}'" if qid else f"{fact_what}: a question"
    _check_keys(state, q, QUESTION_KEYS, what)
    ask = _text(state, q, "ask", what)
    kind = _text(state, q, "kind", what)
    unit = _text(state, q, "unit", what, required=False)
    if kind is not None and not _check_kind(state, kind, q.value_at("kind")):
        kind = None
    if "answer" not in q or q["answer"] is None:
        state.add(q.origin, f"{what} needs 'answer'")
        return None
    raw_answer = q["answer"]
    if isinstance(raw_answer, (Map, Seq)):
        state.add(q.value_at("answer"), f"{what}: 'answer' must be one value")
        return None
    base = kind.split(".")[0] if kind else None
    number: float | None = None
    if base in NUMERIC_KINDS:
        if isinstance(raw_answer, bool) or not isinstance(raw_answer, (int, float)):
            state.add(q.value_at("answer"), f"{what}: a {base} answer must be a number, e.g. 36")
            return None
        number = float(raw_answer)
        if number <= 0:
            state.add(q.value_at("answer"), f"{what}: a {base} answer must be above zero")
            return None
        answer = format_number(number, base, unit)
    else:
        answer = " ".join(str(raw_answer).split())
        if unit is not None:
            state.add(q.value_at("unit"), f"{what}: 'unit' is only for number answers")
    accept_seq = _list(state, q, "accept", what) or Seq()
    distractor_seq = _list(state, q, "distractors", what) or Seq()
    accept = tuple(" ".join(str(v).split()) for v in accept_seq)
    distractors = []
    correct = {normalize(answer), *(normalize(a) for a in accept)}
    if base in NUMERIC_KINDS and distractor_seq:
        state.add(q.value_at("distractors"), f"{what}: {base} distractors are generated; remove "
                  "'distractors'")
        distractor_seq = Seq()
    for i, d in enumerate(distractor_seq):
        text = " ".join(str(d).split())
        if normalize(text) in correct:
            state.add(distractor_seq.at(i), f"{what}: distractor '{text}' is also a correct answer")
            continue
        distractors.append(text)
    if (ask is not None and base not in NUMERIC_KINDS and len(normalize(answer)) > 2
            and re.search(rf"\b{re.escape(normalize(answer))}\b", normalize(ask))):
            state.add(q.value_at("ask"), f"{what}: the question contains its own answer "
                  f"'{answer}'; reword it")
    if qid is None or ask is None or kind is None:
        return None
    return {
        "id": qid, "ask": ask, "answer": answer, "kind": kind, "accept": accept,
        "distractors": tuple(distractors), "unit": unit, "number": number,
    }  # fmt: skip


# --- across files --------------------------------------------------------------------------


def _link(state: _State) -> list[str]:
    problems = _check_sources_and_candidates(state)
    problems.extend(_check_reverse_options(state))
    return problems


def _check_reverse_options(state: _State) -> list[str]:
    """'Which of these happened in 1971?' needs three events of other years. A fact that asks
    for the template by name gets an error; otherwise the template is quietly left out."""
    problems: list[str] = []
    per_year: dict[int, int] = {}
    total = 0
    for deck in state.decks:
        for fact in deck.facts:
            if fact.data.get("event") and fact.data.get("date") is not None:
                total += 1
                for year in years_of(fact.data["date"]):
                    per_year[year] = per_year.get(year, 0) + 1
    for deck in state.decks:
        for fact in deck.facts:
            names = fact.data["templates"]
            if "which-happened" not in names or fact.data.get("date") is None:
                continue
            others = total - sum(per_year.get(y, 0) for y in years_of(fact.data["date"]))
            if others >= MIN_DISTRACTORS:
                continue
            if fact.explicit_templates:
                problems.append(
                    f"{fact.entry.value_at('event')}: fact '{fact.data['id']}': 'which-happened' "
                    f"needs events of at least {MIN_DISTRACTORS} other years in the loaded decks, "
                    f"found {others}; add facts or drop the template"
                )
            fact.data["templates"] = tuple(n for n in names if n != "which-happened")
    return problems


def _check_sources_and_candidates(state: _State) -> list[str]:
    problems: list[str] = []
    source_ids = list(state.sources)
    candidates: dict[str, set[str]] = {}
    for deck in state.decks:
        for kind, values in deck.pools.items():
            candidates.setdefault(kind, set()).update(normalize(v) for v in values)
        for fact in deck.facts:
            for ref, where in fact.source_refs:
                if ref not in state.sources:
                    problems.append(f"{where}: fact '{fact.data['id']}': unknown source '{ref}'"
                                    f"{_suggest(ref, source_ids)}; define it under 'sources:'")
            for q, _, _ in fact.questions:
                if q["kind"].split(".")[0] not in (*NUMERIC_KINDS, "text"):
                    candidates.setdefault(q["kind"], set()).add(normalize(q["answer"]))
    for deck in state.decks:
        for fact in deck.facts:
            if "choice" not in fact.data["templates"]:
                continue
            for q, _, qmap in fact.questions:
                base = q["kind"].split(".")[0]
                if base in NUMERIC_KINDS:
                    continue
                correct = {normalize(q["answer"]), *(normalize(a) for a in q["accept"])}
                pool = set() if base == "text" else candidates.get(q["kind"], set())
                # counted without copying the pool, which may hold every answer of its kind
                own = {normalize(d) for d in q["distractors"]} - correct - pool
                usable = len(pool) - len(correct & pool) + len(own)
                if usable < MIN_DISTRACTORS:
                    fix = ("list at least 3 'distractors'" if base == "text" else
                           f"add values to 'pools: {q['kind']}:' or to the question's 'distractors'")
                    problems.append(
                        f"{qmap.value_at('kind')}: fact '{fact.data['id']}', question '{q['id']}': "
                        f"answer kind '{q['kind']}' has {usable} distractor candidate"
                        f"{'s' if usable != 1 else ''} across the loaded decks, "
                        f"need {MIN_DISTRACTORS}; {fix}"
                    )
    return problems


def _build(state: _State) -> list[Deck]:
    decks = []
    for raw in state.decks:
        if not raw.id:
            continue
        facts = []
        used_sources: dict[str, Source] = {}
        for rf in raw.facts:
            d = rf.data
            sources = tuple(state.sources[ref][0] for ref, _ in rf.source_refs)
            for s in sources:
                used_sources.setdefault(s.id, s)
            questions = tuple(
                Question(
                    id=q["id"], ask=q["ask"], answer=q["answer"], kind=q["kind"],
                    accept=q["accept"], distractors=q["distractors"], unit=q["unit"],
                    number=q["number"], origin=origin,
                )
                for q, origin, _ in rf.questions
            )
            facts.append(Fact(
                id=d["id"], deck=raw.id, statement=d["statement"], topic=d["topic"],
                sources=sources, explanation=d["explanation"], date=d["date"], when=d["when"],
                event=d["event"], tags=d["tags"], note=d["note"], templates=d["templates"],
                decade=d["era"],
                questions=questions, origin=rf.origin,
            ))
        pools = {k: tuple(v) for k, v in raw.pools.items()}
        decks.append(Deck(raw.id, raw.title, raw.description, tuple(facts), raw.path,
                          tuple(used_sources.values()), pools))
    # library files (sources or pools only) contribute pools to the first deck's neighbours
    extra_pools: dict[str, list[str]] = {}
    for raw in state.decks:
        if not raw.id:
            for k, v in raw.pools.items():
                extra_pools.setdefault(k, []).extend(v)
    if extra_pools and decks:
        first = decks[0]
        merged = {k: tuple(v) for k, v in first.pools.items()}
        for k, v in extra_pools.items():
            merged[k] = merged.get(k, ()) + tuple(v)
        decks[0] = Deck(first.id, first.title, first.description, first.facts, first.path,
                        first.sources, merged)
    return decks


"""The loader finds every problem, each as one exact path:line:col: message line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from synth import write_deck

import histquiz.load.files
import histquiz.load.yaml
from histquiz import DeckError, load_decks

BAD = Path(__file__).parent / "data" / "bad"
GOOD = Path(__file__).parent / "data" / "good"
SRC = Path(__file__).resolve().parents[1] / "src"
DECK_HEAD = ("deck: {id: d, title: D, description: x}\n"
             "sources: {s: {title: T, author: A, date: 2000}}\nfacts:\n")


def problems_of(*paths: Path | str) -> list[str]:
    with pytest.raises(DeckError) as info:
        load_decks(list(paths))
    return info.value.problems


KINDS = ("kinds: person, place, country, organisation, document, equipment, number, "
         "percentage, year, text, optionally with a .group such as person.soviet")
SLUG_RULE = "lowercase letters, digits and single hyphens (e.g. 'treaty-1971')"
TEMPLATES = ("templates: date-recall, date-choice, which-happened, choice, true-statement, "
             "first, order, match")

# Every file (or folder of files) under tests/data/bad/ and the exact lines it must give. A line
# is "LINE:COL: message" after the file's path; for a folder, "FILE:LINE:COL: message" after the
# folder's path. {path} stands for the file or folder.
BAD_DECKS = [
    # --- the file and its YAML
    pytest.param("empty.yaml", ["1:1: the file is empty; a deck needs 'deck:' and 'facts:'"],
                 id="empty"),
    pytest.param("binary.bin.yaml", ["1:1: this is a binary file, not YAML text"], id="binary"),
    pytest.param("latin1.yaml", ["2:10: not valid UTF-8 text (byte 0xe9); save the file as UTF-8"],
                 id="not-utf8"),
    pytest.param("control-character.yaml",
                 ["2:8: malformed YAML: control characters are not allowed (U+0007); remove the "
                  "character"], id="control-character"),
    pytest.param("malformed.yaml", ["4:6: malformed YAML: did not find expected ',' or ']'"],
                 id="malformed"),
    pytest.param("bomb.yaml", ["6:14: YAML aliases make the document expand to more than 1,001,368 "
                               "values and characters (an alias bomb?); write the values out"],
                 id="alias-bomb"),
    pytest.param("recursive-alias.yaml", ["1:8: a YAML alias refers to the value that contains "
                                          "it; write the values out"], id="recursive-alias"),
    pytest.param("nested-too-deep.yaml", ["16:108: values are nested more than 100 deep"],
                 id="depth-limit"),
    pytest.param("duplicate-key.yaml",
                 ["16:5: key 'statement' is given twice (first at line 12); keep one"],
                 id="duplicate-key"),
    pytest.param("complex-key.yaml", ["16:7: a key must be a plain word, not a list or mapping"],
                 id="key-not-a-word"),
    pytest.param("merge-not-mapping.yaml", ["16:5: '<<' merges only mappings"],
                 id="merge-not-a-mapping"),
    pytest.param("not-mapping.yaml", ["1:1: the top level must be a mapping with 'deck:', "
                                      "'sources:' and 'facts:'"], id="not-a-mapping"),
    pytest.param("unknown-top-key.yaml",
                 ["16:1: unknown key 'templtes' in the file; did you mean 'templates'?"],
                 id="unknown-top-key"),
    pytest.param("facts-without-deck.yaml",
                 ["6:1: facts need a 'deck:' section with id, title and description"],
                 id="facts-without-deck"),
    pytest.param("nothing-to-load.yaml", ["1:1: nothing to load: expected 'deck:' and 'facts:' (or "
                                          "a 'sources:' library)"], id="nothing-to-load"),
    # --- the deck
    pytest.param("deck-not-mapping.yaml",
                 ["1:7: 'deck:' must be a mapping with id, title and description"],
                 id="deck-not-a-mapping"),
    pytest.param("deck-unknown-key.yaml",
                 ["2:3: the deck needs 'title'",
                  "3:3: unknown key 'name' in 'deck'; did you mean 'title'?"], id="deck-unknown-key"),
    pytest.param("deck-missing-description.yaml", ["2:3: the deck needs 'description'"],
                 id="deck-needs-description"),
    pytest.param("deck-bad-id.yaml", [f"2:7: the deck: id 'Bad Deck' must be {SLUG_RULE}"],
                 id="deck-id-not-a-slug"),
    pytest.param("deck-bad-topic.yaml", [f"5:10: the deck: topic 'Foreign Policy' must be "
                                         f"{SLUG_RULE}"], id="deck-topic-not-a-slug"),
    pytest.param("topic-title-unused.yaml",
                 ["7:5: the deck: 'topic_titles' names topic 'diplomcy', which no fact of the deck "
                  "has; did you mean 'diplomacy'?"], id="topic-title-unused"),
    pytest.param("topic-titled-twice",
                 ["b.yaml:7:5: the deck: topic 'diplomacy' is titled 'Diplomacy' here but "
                  "'Treaties and talks' in deck 'a' (at {path}/a.yaml:7:5), which shares the Anki "
                  "deck 'Shared'; give it one title"], id="topic-titled-twice"),
    pytest.param("deck-id-twice", ["b.yaml:2:7: deck id 'bad' is used twice (first at "
                                   "{path}/a.yaml:2:7); give each deck its own id"],
                 id="deck-id-twice"),
    pytest.param("deck-without-facts.yaml", ["1:1: deck 'bad' needs 'facts:', a list of facts"],
                 id="deck-without-facts"),
    pytest.param("no-facts.yaml", ["10:8: deck 'bad' has no facts"], id="no-facts"),
    pytest.param("facts-not-list.yaml", ["11:3: the deck: 'facts' must be a list, e.g. [a, b]"],
                 id="facts-not-a-list"),
    pytest.param("fact-not-mapping.yaml", ["16:5: each fact must be a mapping with id, statement, "
                                           "topic, sources, ..."], id="fact-not-a-mapping"),
    # --- values that do not fit their field
    pytest.param("text-not-text.yaml", ["12:16: fact 'f1': 'statement' must be text"],
                 id="text-not-text"),
    pytest.param("text-empty.yaml", ["13:18: fact 'f1': 'explanation' is empty"], id="text-empty"),
    pytest.param("list-not-list.yaml", ["16:11: fact 'f1': 'tags' must be a list, e.g. [a, b]"],
                 id="list-not-a-list"),
    pytest.param("list-item-not-text.yaml", ["16:20: fact 'f1': each tag must be text"],
                 id="list-item-not-text"),
    pytest.param("list-item-empty.yaml", ["16:20: fact 'f1': an empty tag; remove it or fill it in"],
                 id="list-item-empty"),
    # --- facts
    pytest.param("fact-missing-id.yaml", ["11:5: a fact needs 'id'"], id="fact-needs-id"),
    pytest.param("fact-bad-id.yaml", [f"11:9: a fact: id 'F_1' must be {SLUG_RULE}"],
                 id="fact-id-not-a-slug"),
    pytest.param("fact-missing-statement.yaml", ["11:5: fact 'f1' needs 'statement'"],
                 id="fact-needs-statement"),
    pytest.param("unknown-key.yaml", ["16:5: unknown key 'dat' in fact 'f1'; did you mean 'date'?"],
                 id="unknown-key"),
    pytest.param("fact-unknown-key-hint.yaml",
                 ["16:5: unknown key 'year' in fact 'f1'; did you mean 'date'?"],
                 id="unknown-key-hint"),
    pytest.param("fact-missing-topic.yaml",
                 ["11:5: fact 'f1' needs 'topic' (or give the deck a default 'topic')"],
                 id="fact-needs-topic"),
    pytest.param("fact-bad-topic.yaml", [f"14:12: fact 'f1': topic 'Foreign Policy' must be "
                                         f"{SLUG_RULE}"], id="fact-topic-not-a-slug"),
    pytest.param("duplicate-id.yaml",
                 ["16:9: fact id 'f1' is used twice (first at {path}:11:9); fact ids must be "
                  "unique across all decks"], id="duplicate-id"),
    pytest.param("bad-date.yaml",
                 ["16:11: fact 'f1': date '1971-02-30' is impossible: February 1971 has 28 "
                  "days, not 30"], id="impossible-date"),
    pytest.param("date-unreadable.yaml", ["16:11: fact 'f1': date '9 August 1971' is not YYYY, "
                                          "YYYY-MM, YYYY-MM-DD or a span START/END"],
                 id="date-unreadable"),
    pytest.param("date-not-scalar.yaml",
                 ["16:11: fact 'f1': date must be YYYY, YYYY-MM, YYYY-MM-DD or START/END"],
                 id="date-not-a-scalar"),
    pytest.param("date-span-backwards.yaml",
                 ["16:11: fact 'f1': the span ends (1971-01) before it starts (1971-12)"],
                 id="span-backwards"),
    pytest.param("era-with-date.yaml", ["17:5: fact 'f1': 'era' comes from the date; remove 'era'"],
                 id="era-with-date"),
    pytest.param("false-statement-repeats.yaml",
                 ["19:15: fact 'f1': false statement 'The summit met in belgrade.' repeats the "
                  "fact's statement; remove it or reword it",
                  "21:15: fact 'f1': false statement 'The summit met in Cairo!' repeats another "
                  "false statement; remove it or reword it",
                  "23:9: fact 'f1': a false statement needs 'why'"],
                 id="false-statement-repeats"),
    pytest.param("era-not-decade.yaml",
                 ["16:10: fact 'f1': era 'fifties' must be a decade such as 1970s"],
                 id="era-not-a-decade"),
    pytest.param("stem-gives-date.yaml",
                 ["17:11: fact 'f1': 'when' mentions 1971, which gives the date away; leave the "
                  "date out of it",
                  "18:12: fact 'f1': 'event' mentions 1971, which gives the date away; leave the "
                  "date out of it"], id="stem-gives-date"),
    # --- short forms, for outputs with length limits
    pytest.param("short-form-without-full.yaml",
                 ["17:18: fact 'f1': 'event_short' is a short form of 'event'; give 'event' too",
                  "18:17: fact 'f1': 'when_short' is a short form of 'when'; give 'when' too"],
                 id="short-form-without-full"),
    pytest.param("short-form-not-shorter.yaml",
                 ["18:18: fact 'f1': 'event_short' is not shorter than 'event' (20 characters, "
                  "against 18); shorten it or remove it",
                  "20:17: fact 'f1': 'when_short' is not shorter than 'when' (21 characters, "
                  "against 21); shorten it or remove it"], id="short-form-not-shorter"),
    pytest.param("short-form-gives-date.yaml",
                 ["18:18: fact 'f1': 'event_short' mentions 1971, which gives the date away; "
                  "leave the date out of it",
                  "20:17: fact 'f1': 'when_short' mentions 1971, which gives the date away; "
                  "leave the date out of it"], id="short-form-gives-date"),
    pytest.param("ask-short-not-shorter.yaml",
                 ["20:20: fact 'f1', question 'years': 'ask_short' is not shorter than 'ask' (58 "
                  "characters, against 36); shorten it or remove it"], id="ask-short-not-shorter"),
    pytest.param("ask-short-contains-answer.yaml",
                 ["20:20: fact 'f1', question 'who': 'ask_short' contains its own answer "
                  "'Andrei Gromyko'; reword it"], id="ask-short-contains-answer"),
    pytest.param("tag-not-a-word.yaml", ["16:12: fact 'f1': tag 'two words' must be one word "
                                         "without spaces (letters, digits, '-', '_', '::')"],
                 id="tag-not-a-word"),
    pytest.param("tag-automatic.yaml",
                 ["16:12: fact 'f1': tag 'era::1970s' is added automatically; remove it"],
                 id="tag-automatic"),
    pytest.param("missing-source.yaml",
                 ["11:5: fact 'f1' needs 'sources', a list of at least one source id"],
                 id="missing-source"),
    pytest.param("sources-empty.yaml",
                 ["15:14: fact 'f1' needs 'sources', a list of at least one source id"],
                 id="sources-empty"),
    pytest.param("unknown-source.yaml",
                 ["15:15: fact 'f1': unknown source 's2'; define it under 'sources:'"],
                 id="unknown-source"),
    # --- sources
    pytest.param("sources-not-mapping.yaml",
                 ["5:10: 'sources:' must map source ids to their details",
                  "11:15: fact 'f1': unknown source 's1'; define it under 'sources:'"],
                 id="sources-not-a-mapping"),
    pytest.param("source-bad-id.yaml", [f"6:3: source id 'S_1' must be {SLUG_RULE}"],
                 id="source-id-not-a-slug"),
    pytest.param("source-not-mapping.yaml",
                 ["6:7: source 's1' needs title, author or publisher, and date"],
                 id="source-not-a-mapping"),
    pytest.param("source-unknown-key.yaml",
                 ["10:5: unknown key 'link' in source 's1'; did you mean 'url'?"],
                 id="source-unknown-key"),
    pytest.param("source-missing-title.yaml", ["7:5: source 's1' needs 'title'"],
                 id="source-needs-title"),
    pytest.param("source-without-author.yaml",
                 ["7:5: source 's1' needs an 'author' or a 'publisher'"], id="source-needs-author"),
    pytest.param("source-missing-date.yaml",
                 ["7:5: source 's1' needs 'date' (YYYY, YYYY-MM or YYYY-MM-DD)"],
                 id="source-needs-date"),
    pytest.param("source-date-span.yaml",
                 ["9:11: source 's1': a source's date is one date, not a span"],
                 id="source-date-span"),
    pytest.param("source-defined-twice",
                 ["b.yaml:6:3: source id 's1' is defined differently at {path}/a.yaml:6:3; use "
                  "another id or make the two the same"], id="source-defined-twice"),
    # --- pools
    pytest.param("pools-not-mapping.yaml",
                 ["16:8: 'pools:' must map answer kinds to lists of values"],
                 id="pools-not-a-mapping"),
    pytest.param("pool-unknown-kind.yaml",
                 [f"17:3: unknown answer kind 'persn.soviet'; did you mean 'person'? ({KINDS})"],
                 id="pool-unknown-kind"),
    pytest.param("pool-numeric.yaml", ["17:3: pool 'number': numeric kinds need no pool; their "
                                       "distractors are generated"], id="pool-numeric"),
    pytest.param("pool-not-list.yaml", ["17:18: pool 'person.soviet' must be a list of values"],
                 id="pool-not-a-list"),
    pytest.param("pool-value-not-text.yaml",
                 ["17:29: pool 'person.soviet': each value must be text"], id="pool-value-not-text"),
    # --- templates
    pytest.param("templates-not-mapping.yaml",
                 ["16:12: 'templates:' must map 'default' or a topic to a list of templates"],
                 id="templates-not-a-mapping"),
    pytest.param("templates-topic-not-list.yaml",
                 ["17:12: templates for 'default': 'default' must be a list, e.g. [a, b]"],
                 id="templates-not-a-list"),
    pytest.param("template-unknown.yaml",
                 [f"17:13: templates for 'default': unknown template 'date-recal'; did you mean "
                  f"'date-recall'? ({TEMPLATES})"], id="template-unknown"),
    pytest.param("template-needs-questions.yaml",
                 ["16:17: fact 'f1': template 'choice' needs 'questions'"],
                 id="template-needs-questions"),
    pytest.param("template-needs-field.yaml",
                 ["17:17: fact 'f1': template 'date-recall' needs 'when'",
                  "17:30: fact 'f1': template 'which-happened' needs 'event'"],
                 id="template-needs-field"),
    pytest.param("template-needs-three-false.yaml",
                 ["16:17: fact 'f1': template 'true-statement' needs 'false_statements' (at least 3)"],
                 id="template-needs-three-false-statements"),
    pytest.param("template-needs-date.yaml", ["17:17: fact 'f1': template 'date-recall' needs 'date'"],
                 id="template-needs-date"),
    pytest.param("which-happened-few-years.yaml",
                 ["17:12: fact 'f1': 'which-happened' needs events of at least 3 other years of "
                  "its period in the loaded decks, found 1; add facts or drop the template"],
                 id="which-happened-needs-other-years"),
    # --- questions
    pytest.param("question-not-mapping.yaml",
                 ["17:9: fact 'f1': each question must be a mapping with id, ask, answer, kind"],
                 id="question-not-a-mapping"),
    pytest.param("question-unknown-key-hint.yaml",
                 ["17:9: fact 'f1', question 'who' needs 'ask'",
                  "18:9: unknown key 'question' in fact 'f1', question 'who'; did you mean 'ask'?"],
                 id="question-unknown-key"),
    pytest.param("question-missing-id.yaml", ["17:9: fact 'f1': a question needs 'id'"],
                 id="question-needs-id"),
    pytest.param("question-missing-answer.yaml", ["17:9: fact 'f1', question 'who' needs 'answer'"],
                 id="question-needs-answer"),
    pytest.param("question-id-twice.yaml",
                 ["22:13: fact 'f1': question id 'who' is used twice (first at line 17)"],
                 id="question-id-twice"),
    pytest.param("answer-not-one-value.yaml",
                 ["19:17: fact 'f1', question 'who': 'answer' must be one value"],
                 id="answer-not-one-value"),
    pytest.param("kind-unknown.yaml",
                 [f"20:15: unknown answer kind 'persn'; did you mean 'person'? ({KINDS})"],
                 id="kind-unknown"),
    pytest.param("number-answer-not-number.yaml",
                 ["17:47: fact 'f1', question 'a': a number answer must be a number, e.g. 36",
                  "18:48: fact 'f1', question 'b': a number answer must be a number, e.g. 36",
                  "19:48: fact 'f1', question 'c': a number answer must be a finite number, e.g. 36"],
                 id="number-answer-not-a-number"),
    pytest.param("number-answer-not-positive.yaml",
                 ["17:47: fact 'f1', question 'a': a number answer must be above zero"],
                 id="number-answer-not-positive"),
    pytest.param("unit-for-named-answer.yaml",
                 ["21:15: fact 'f1', question 'who': 'unit' is only for number answers"],
                 id="unit-for-named-answer"),
    pytest.param("number-distractors.yaml",
                 ["21:22: fact 'f1', question 'a': number distractors are generated; remove "
                  "'distractors'"], id="number-distractors"),
    pytest.param("distractor-is-correct.yaml",
                 ["22:29: fact 'f1', question 'who': distractor 'some body' is also a correct "
                  "answer"], id="distractor-is-correct"),
    pytest.param("question-contains-answer.yaml",
                 ["18:14: fact 'f1', question 'who': the question contains its own answer "
                  "'Somebody'; reword it"], id="question-contains-answer"),
    pytest.param("too-few-candidates.yaml",
                 ["20:15: fact 'f1', question 'who': answer kind 'person.rare' has 1 "
                  "distractor candidate across the loaded decks that fits the question, need 3; "
                  "add values to 'pools: person.rare:' or to the question's 'distractors'"],
                 id="too-few-candidates"),
    pytest.param("too-few-text-distractors.yaml",
                 ["20:15: fact 'f1', question 'who': answer kind 'text' has 2 distractor "
                  "candidates across the loaded decks that fit the question, need 3; list at "
                  "least 3 'distractors'"],
                 id="too-few-text-distractors"),
    # --- item quality: periods, pools with years, bounds, date bounds, series, distractors
    pytest.param("period-no-ends.yaml",
                 ["12:5: period 'old-times' needs a 'start', an 'end' or both"],
                 id="period-needs-an-end"),
    pytest.param("period-ends-before-start.yaml",
                 ["14:10: period 'later' ends before it starts"], id="period-ends-before-start"),
    pytest.param("periods-overlap.yaml",
                 ["14:3: period 'second' overlaps period 'first'; give each an end and a later "
                  "start"], id="periods-overlap"),
    pytest.param("pool-value-mapping-incomplete.yaml",
                 ["12:43: pool 'person.leader': unknown key 'office' in a pool value (allowed: "
                  "value, years)",
                  "13:7: pool 'person.leader': a pool value written as a mapping needs 'value' "
                  "and 'years'"], id="pool-value-mapping"),
    pytest.param("years-bad.yaml",
                 ["22:16: fact 'f1', question 'who': 'years' ends (1964) before it starts (1982)",
                  "28:16: fact 'f1', question 'how': 'years' must be years such as 1964-1982, "
                  "1999- (still), -1950 (until) or 1955",
                  "33:16: fact 'f1', question 'count': 'years' is for named answers (people, "
                  "places, organisations ...), not number answers"], id="years"),
    pytest.param("bounds-bad.yaml",
                 ["21:17: fact 'f1', question 'a': the answer 120 lies outside its bounds [0, 100]",
                  "26:17: fact 'f1', question 'b': 'bounds' must be [lowest, highest], e.g. "
                  "[0, 193]",
                  "31:17: fact 'f1', question 'c': 'bounds': the lowest value must come first "
                  "and be below the highest",
                  "37:17: fact 'f1', question 'd': 'bounds' is only for number answers"],
                 id="bounds"),
    pytest.param("step-bad.yaml",
                 ["21:15: fact 'f1', question 'a': the answer 125 is not a multiple of its step 10",
                  "26:15: fact 'f1', question 'b': 'step' must be above zero"], id="step"),
    pytest.param("date-bounds-bad.yaml",
                 ["17:16: fact 'f1': the fact's own date comes after 'not_after'",
                  "24:17: fact 'f2': the fact's own date comes before 'not_before'",
                  "32:16: fact 'f3': 'not_after' comes before 'not_before'",
                  "39:5: fact 'f4': 'not_after' needs a 'date'",
                  "40:5: fact 'f4': 'day_matters' needs a 'date'"], id="date-bounds"),
    pytest.param("day-matters-not-a-flag.yaml",
                 ["17:18: fact 'f1': 'day_matters' must be true or false"], id="day-matters-flag"),
    pytest.param("series-headline-alike.yaml",
                 ["17:12: fact 'f1' (series 'trade-agreements'): its event 'India and the USSR "
                  "sign a trade agreement' reads like that of fact 'f2' ('India and the USSR sign "
                  "a trade agreement settled in rupees'); name what sets it apart (a number, "
                  "'first', a place or a person)",
                  "33:12: fact 'f3' (series 'afghanistan-resolutions'): its event 'The Assembly "
                  "calls for foreign troops to leave Afghanistan' names no number or ordinal; "
                  "name what sets it apart (a number, 'first', a place or a person)"],
                 id="series-headline"),
    pytest.param("distractor-named-in-stem.yaml",
                 ["21:23: fact 'f1', question 'who': distractor 'Burma' is named in the "
                  "question; choose another",
                  "26:23: fact 'f1', question 'plane': distractor 'MiG-29' is a variant of a "
                  "correct answer; choose another"], id="distractor-in-stem-or-variant"),
    # --- what a deck could do to a terminal or an output, and what gives an answer away
    pytest.param("control-in-text.yaml",
                 ["12:16: the text holds U+001B (a control character) at its character 11; "
                  "remove it",
                  "16:12: the text holds U+009B (a control character) at its character 9; "
                  "remove it",
                  "17:11: the text holds U+FDD0 (a Unicode noncharacter) at its character 28; "
                  "remove it",
                  "20:14: the text holds U+202E (a bidirectional override, which changes how "
                  "the text reads) at its character 12; remove it"], id="control-in-text"),
    pytest.param("text-too-long.yaml",
                 ["13:18: fact 'f1': 'explanation' is 2,079 characters long, over the limit of "
                  "2,000; shorten it",
                  "18:14: fact 'f1', question 'who': 'ask' is 378 characters long, over the "
                  "limit of 300; shorten it",
                  "21:29: fact 'f1', question 'who': a distractor is 198 characters long, over "
                  "the limit of 150; shorten it"], id="text-too-long"),
    pytest.param("number-precision.yaml",
                 ["17:47: fact 'f1', question 'share': the answer 0.001 has 3 decimal places, "
                  "but options show at most 2, so it would read as 0%; round it or give it in a "
                  "smaller unit",
                  "18:43: fact 'f1', question 'sum': the answer 1e300 is too large for number "
                  "options (the limit is 1,000,000,000,000); give it in a larger unit, e.g. "
                  "with 'unit: billion'",
                  "19:44: fact 'f1', question 'huge': a number answer must be a finite number, "
                  "e.g. 36",
                  "20:48: fact 'f1', question 'nan': a number answer must be a finite number, "
                  "e.g. 36"], id="number-precision-and-size"),
    pytest.param("number-in-question.yaml",
                 ["17:25: fact 'f1', question 'term': the question contains its own answer 20; "
                  "reword it",
                  "18:26: fact 'f1', question 'tanks': the question contains its own answer "
                  "1,200; reword it"], id="number-in-question"),
    pytest.param("accepted-in-question.yaml",
                 ["18:14: fact 'f1', question 'who': the question contains 'Kosygin', which it "
                  "accepts as an answer; reword it"], id="accepted-in-question"),
    pytest.param("month-in-when.yaml",
                 ["17:11: fact 'f1': 'when' names the month, August, which the question asks "
                  "for; leave the month out of it"], id="month-in-when"),
    # --- messages that say what to fix
    pytest.param("tab-indentation.yaml",
                 ["18:1: tabs are not allowed in YAML indentation; use spaces"],
                 id="tab-indentation"),
    pytest.param("utf16.yaml", ["1:1: this file is saved as UTF-16 text; save it as UTF-8"],
                 id="utf16"),
    pytest.param("unclosed-quote.yaml",
                 ['12:16: malformed YAML: the quote " that opens here is never closed; add the '
                  'closing "'], id="unclosed-quote"),
    pytest.param("runaway-quote.yaml",
                 ["12:16: malformed YAML: the text in 'quotes' that opens here runs on to line "
                  "18, where YAML fails (did not find expected key); is a closing ' missing, or "
                  "a ' inside it that should be doubled?"], id="runaway-quote"),
    # --- several rules at once: every problem in one run, in file order
    pytest.param("three-problems.yaml",
                 ["16:11: fact 'f1': date '1971-02-30' is impossible: February 1971 has 28 "
                  "days, not 30",
                  "22:5: unknown key 'tpoic' in fact 'f2'; did you mean 'topic'?",
                  "23:9: fact id 'f1' is used twice (first at {path}:11:9); fact ids must be "
                  "unique across all decks"], id="all-problems-at-once"),
]


@pytest.mark.parametrize(("name", "expected"), BAD_DECKS)
def test_each_rule_reports_exact_line(name: str, expected: list[str]) -> None:
    path = BAD / name
    joint = "/" if path.is_dir() else ":"
    assert problems_of(path) == [f"{path}{joint}" + e.format(path=path) for e in expected]


def test_every_broken_deck_has_its_test() -> None:
    tested = {p.values[0] for p in BAD_DECKS}
    assert tested == {p.name for p in BAD.iterdir()}


def test_missing_file() -> None:
    assert problems_of("no/such/deck.yaml") == ["no/such/deck.yaml:1:1: no such file or folder"]


def test_duplicate_fact_id_across_files(tmp_path: Path) -> None:
    text = (BAD / "unknown-source.yaml").read_text().replace("[s2]", "[s1]")
    first = tmp_path / "a.yaml"
    first.write_text(text)
    second = tmp_path / "b.yaml"
    second.write_text(text.replace("id: bad", "id: other").replace("s1:", "s9:").replace("[s1]", "[s9]"))
    (line,) = problems_of(first, second)
    assert line == (f"{second}:11:9: fact id 'f1' is used twice (first at {first}:11:9); "
                    "fact ids must be unique across all decks")


def test_good_deck_loads_with_positions(mini_decks: list) -> None:
    (deck,) = mini_decks
    assert deck.id == "mini"
    fact = deck.facts[0]
    assert fact.origin is not None and fact.origin.line > 1
    assert fact.all_tags[:2] == ("topic::diplomacy", "era::1970s")
    assert {s.id for s in deck.sources} == {"ref-a", "ref-b"}


def test_source_library_file_is_shared(tmp_path: Path) -> None:
    lib = tmp_path / "sources.yaml"
    lib.write_text("sources:\n  s1:\n    title: T\n    author: A\n    date: 2001-01-01\n")
    deck = tmp_path / "deck.yaml"
    deck.write_text("deck: {id: d, title: D, description: x}\nfacts:\n"
                    "  - {id: f, statement: S., explanation: E., topic: t, sources: [s1]}\n")
    (loaded,) = load_decks([tmp_path])
    assert loaded.facts[0].sources[0].title == "T"


def test_which_happened_is_quietly_left_out_without_other_years(tmp_path: Path) -> None:
    # the same three facts as which-happened-few-years.yaml, none asking for the template by name
    text = (BAD / "which-happened-few-years.yaml").read_text(encoding="utf-8")
    path = tmp_path / "quiet.yaml"
    path.write_text(text.replace("    templates: [which-happened]\n", ""), encoding="utf-8")
    (deck,) = load_decks([path])
    # no 'when', no questions, no other years: only the templates over events, which the
    # generator leaves out where it finds no events to set beside the fact's
    assert [f.templates for f in deck.facts] == [("first", "order", "match")] * 3


def test_undated_fact_takes_its_era(tmp_path: Path) -> None:
    path = tmp_path / "era.yaml"
    path.write_text(DECK_HEAD + "  - {id: a, statement: S., explanation: E., topic: t, sources: [s], "
                    "era: 1950s}\n", encoding="utf-8")
    (deck,) = load_decks([path])
    assert deck.facts[0].all_tags == ("topic::t", "era::1950s")


def test_empty_folder(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}:1:1: this folder holds no .yaml deck files"]


def test_file_larger_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = BAD / "unknown-source.yaml"
    for module in (histquiz.load.files, histquiz.load.yaml):  # the reader, and the check
        monkeypatch.setattr(module, "MAX_FILE_BYTES", path.stat().st_size - 1)
    assert problems_of(path) == [f"{path}:1:1: file is larger than 0 MiB"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "gone.yaml", "no such file", id="no-such-file"),
        pytest.param(lambda d: d, "is a folder, not a YAML file", id="folder"),
        pytest.param(lambda d: d / "file.yaml" / "inside.yaml", "cannot read the file: Not a directory",
                     id="unreadable"),
    ],
)
def test_reading_a_file_never_raises(tmp_path: Path, make: Callable[[Path], Path],
                                     message: str) -> None:
    (tmp_path / "file.yaml").write_text("deck: {}\n", encoding="utf-8")
    path = str(make(tmp_path))
    tree, problems = histquiz.load.yaml.load_file(path)
    assert tree is None
    assert [str(p) for p in problems] == [f"{path}:1:1: {message}"]


def test_deck_with_a_bad_id_still_has_its_facts_checked(tmp_path: Path) -> None:
    text = (BAD / "deck-bad-id.yaml").read_text(encoding="utf-8") + "    date: 1971-02-30\n"
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:2:7: the deck: id 'Bad Deck' must be {SLUG_RULE}",
        f"{path}:16:11: fact 'f1': date '1971-02-30' is impossible: February 1971 has 28 days, not 30",
    ]


def test_yaml_words_stay_as_written(tmp_path: Path) -> None:
    """YAML 1.1 would read No as False, 10:30 as 630 and 1.10 as 1.1; a deck means the text."""
    path = tmp_path / "words.yaml"
    path.write_text(DECK_HEAD + """\
  - id: vote
    statement: The vote was No, at 10:30, on draft 1.10.
    explanation: On, off.
    topic: t
    sources: [s]
    event: 10:30
    questions:
      - {id: vote, ask: How did India vote?, answer: No, kind: text, distractors: [Yes, On, Off]}
      - {id: draft, ask: Which draft?, answer: 1.10, kind: document.draft, accept: [0x1F]}
      - {id: share, ask: What share?, answer: '2.50', kind: percentage}
pools:
  document.draft: [1.1, 1.20, NO, null text]
""", encoding="utf-8")
    (deck,) = load_decks([path])
    fact = deck.facts[0]
    assert fact.event == "10:30"
    vote, draft, share = fact.questions
    assert (vote.answer, vote.distractors) == ("No", ("Yes", "On", "Off"))
    assert (draft.answer, draft.accept) == ("1.10", ("0x1F",))
    assert (share.answer, share.number) == ("2.5%", 2.5)
    assert [v.value for v in deck.pools["document.draft"]] == ["1.1", "1.20", "NO", "null text"]


def test_merge_keys_merge_and_explicit_keys_win(tmp_path: Path) -> None:
    path = tmp_path / "merge.yaml"
    path.write_text("""\
deck: {id: d, title: D, description: x}
sources:
  s: &press {title: T, publisher: Press, date: 2000}
  s2:
    <<: *press
    title: T2
facts:
  - &base {id: a, statement: S., explanation: E., topic: t, sources: [s]}
  - <<: [{id: ignored, note: N.}, *base]
    id: b
    sources: [s2]
""", encoding="utf-8")
    (deck,) = load_decks([path])
    a, b = deck.facts
    assert (a.id, a.note) == ("a", None)
    assert (b.id, b.statement, b.note) == ("b", "S.", "N.")
    assert b.origin is not None and b.origin.line == 9
    assert [(s.id, s.title, s.publisher) for s in b.sources] == [("s2", "T2", "Press")]


def test_short_forms_and_anki_names_reach_the_model(tmp_path: Path) -> None:
    deck = tmp_path / "d.yaml"
    deck.write_text(
        "deck: {id: d, title: D, description: x, anki_deck: My school, "
        "topic_titles: {cold-war: The Cold War}}\n"
        "sources: {s: {title: T, author: A, date: 2000}}\nfacts:\n"
        "  - id: f\n    statement: S.\n    explanation: E.\n    topic: cold-war\n    sources: [s]\n"
        "    date: 1971-08-09\n    event: A long headline of what happened that day\n"
        "    event_short: A short headline\n    when: was the long thing done in New Delhi\n"
        "    when_short: was it done\n    questions:\n      - id: q\n"
        "        ask: Which long question is asked here, at some length?\n"
        "        ask_short: Which question?\n        answer: This one\n        kind: text\n"
        "        distractors: [a, b, c]\n", encoding="utf-8")
    [loaded] = load_decks([deck])
    fact = loaded.facts[0]
    assert (fact.event_short, fact.when_short) == ("A short headline", "was it done")
    assert fact.questions[0].ask_short == "Which question?"
    assert (loaded.anki_root, loaded.topic_titles) == ("My school", {"cold-war": "The Cold War"})
# --- files that are not deck files: refused with a line, never a hang or a silent skip -------


def fifo(folder: Path) -> Path:
    path = folder / "pipe.yaml"
    os.mkfifo(path)
    return path


NOT_FILES = [
    pytest.param(fifo, "is a named pipe (FIFO), not a deck file; give a .yaml file", id="fifo"),
    pytest.param(lambda d: Path("/dev/null"), "is a device, not a deck file; give a .yaml file",
                 id="device"),
    pytest.param(lambda d: (d / "x.yaml").mkdir() or d / "x.yaml", "is a folder, not a YAML file",
                 id="folder-named-yaml"),
    pytest.param(lambda d: (d / "gone.yaml").symlink_to(d / "nowhere.yaml") or d / "gone.yaml",
                 "is a symbolic link to a file that does not exist; fix or remove the link",
                 id="dangling-link"),
    pytest.param(lambda d: (d / "loop.yaml").symlink_to(d / "loop.yaml") or d / "loop.yaml",
                 "is a symbolic link that leads back to itself (a link loop); fix or remove the "
                 "link", id="link-loop"),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize(("make", "message"), NOT_FILES)
def test_what_is_not_a_file_is_refused_given_or_found(tmp_path: Path, make: Callable[[Path], Path],
                                                      message: str) -> None:
    """Given by name, or found in a folder of decks, each gets its one line: a FIFO used to
    block forever, and the others were skipped without a word. (A folder given by name is
    read as a folder of decks.)"""
    given = make(tmp_path)
    if not given.is_dir():
        assert problems_of(given) == [f"{given}:1:1: {message}"]
    if given.parent == tmp_path:
        (tmp_path / "good.yaml").write_text((GOOD / "mini.yaml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
        assert problems_of(tmp_path) == [f"{given}:1:1: {message}"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("device", ["fifo", "/dev/zero"])
def test_the_cache_never_reads_a_fifo_or_a_device(tmp_path: Path, device: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """With the compiled cache on (as it is for users), its key read every deck file whole:
    a FIFO blocked and /dev/zero filled memory before the loader could refuse them."""
    import histquiz.cache

    monkeypatch.setenv("HISTQUIZ_CACHE", str(tmp_path / "cache"))
    path = fifo(tmp_path) if device == "fifo" else tmp_path / "zero.yaml"
    if device != "fifo":
        path.symlink_to(device)
    with pytest.raises(DeckError) as info:
        histquiz.cache.load_decks([path])
    kind = "a named pipe (FIFO)" if device == "fifo" else "a device"
    assert info.value.problems == [f"{path}:1:1: is {kind}, not a deck file; give a .yaml file"]


# --- what one file may expand to ------------------------------------------------------------


def test_one_long_string_repeated_through_aliases_is_refused_at_once(tmp_path: Path) -> None:
    """340 KB that reused one 100 KB string 60,000 times took 110 s and 5.9 GB, then loaded."""
    path = tmp_path / "aliases.yaml"
    big = "x" * 100_000
    path.write_text("deck: {id: d, title: T, description: D}\npools:\n  text.big: "
                    f"[&s \"{big}\", " + ", ".join(["*s"] * 60_000) + "]\n", encoding="utf-8")
    (line,) = problems_of(path)
    assert "YAML aliases make the document expand to more than" in line and "alias bomb" in line
    assert line.startswith(f"{path}:3:")


def test_aliases_within_the_allowance_still_load(tmp_path: Path) -> None:
    path = tmp_path / "shared.yaml"
    people = ", ".join(f"Person {i}" for i in range(40))
    path.write_text(DECK_HEAD.replace("facts:\n", f"pools:\n  person.a: &people [{people}]\n"
                                      "  person.b: *people\n  person.c: *people\nfacts:\n")
                    + "  - {id: a, statement: S., explanation: E., topic: t, sources: [s]}\n",
                    encoding="utf-8")
    (deck,) = load_decks([path])
    assert len(deck.pools["person.c"]) == 40


def test_a_file_of_too_many_values_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(histquiz.load.yaml, "MAX_VALUES", 1000)
    path = tmp_path / "many.yaml"
    path.write_text("pools:\n  person.x: [" + "a, " * 2000 + "a]\n", encoding="utf-8")
    (line,) = problems_of(path)
    assert line.endswith("the file holds more than 1,000 values; split it into several deck files")


def test_a_10k_fact_deck_loads_in_well_under_a_gigabyte(tmp_path: Path) -> None:
    """Measured in a fresh process: the peak resident size of loading a 10,000-fact deck,
    above what the process had before."""
    resource = pytest.importorskip("resource")
    del resource
    path = write_deck(tmp_path, 10_000, seed=4, deck_id="tenk", awkward=True)
    code = ("import resource, sys; from histquiz import load_decks; "
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
            "load_decks([sys.argv[1]]); "
            "print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                            text=True, check=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    before, peak = (int(n) * 1024 for n in result.stdout.split())  # ru_maxrss is in KiB
    # About 21 times the file's 5.6 MiB; PyYAML's own node tree made it 41 times (233 MiB).
    assert peak - before < 30 * path.stat().st_size, (before, peak)
    assert peak < 1024**3


# --- every problem in one run ----------------------------------------------------------------


def test_a_broken_deck_section_hides_no_problem_of_its_facts(tmp_path: Path) -> None:
    """An invalid deck id used to take its file's facts out of the checks across files."""
    for head, first in (("deck:\n  id: Bad Deck\n  title: T\n  description: D\n",
                         f"2:7: the deck: id 'Bad Deck' must be {SLUG_RULE}"),
                        ("deck: [not, a, mapping]\n",
                         "1:7: 'deck:' must be a mapping with id, title and description")):
        path = tmp_path / "d.yaml"
        path.write_text(head + "sources: {s: {title: T, author: A, date: 2000}}\nfacts:\n"
                        "  - {id: f, statement: S., explanation: E., topic: t, sources: [s],\n"
                        "     questions: [{id: q, ask: Who?, answer: X, kind: text, "
                        "distractors: [Y]}]}\n", encoding="utf-8")
        line = head.count("\n") + 4
        col = path.read_text(encoding="utf-8").splitlines()[line - 1].index("text") + 1
        assert problems_of(path) == [
            f"{path}:{first}",
            f"{path}:{line}:{col}: fact 'f', question 'q': answer kind 'text' has 1 distractor "
            "candidate across the loaded decks that fits the question, need 3; list at least 3 "
            "'distractors'",
        ]


def test_a_span_over_many_years_counts_once_for_which_happened(tmp_path: Path) -> None:
    """1979/1989 was counted once for each year it touches, so the loader saw -7 other events
    and quietly dropped the fact's "Which of these began in 1979?"."""
    path = tmp_path / "span.yaml"
    path.write_text(DECK_HEAD + """\
  - {id: a, statement: S., explanation: E., topic: t, sources: [s], date: 1979-12-24/1989-02-15,
     event: The Soviet war in Afghanistan is fought, templates: [which-happened]}
  - {id: b, statement: S., explanation: E., topic: t, sources: [s], event: A treaty is signed, date: 1971}
  - {id: c, statement: S., explanation: E., topic: t, sources: [s], event: A war is fought, date: 1965}
  - {id: d, statement: S., explanation: E., topic: t, sources: [s], event: An accord is reached, date: 1993}
  - {id: e, statement: S., explanation: E., topic: t, sources: [s], event: A summit is held, date: 1986}
""", encoding="utf-8")
    (deck,) = load_decks([path])
    assert "which-happened" in deck.facts[0].templates


def test_answers_that_differ_only_in_symbols_are_different(tmp_path: Path) -> None:
    path = tmp_path / "symbols.yaml"
    path.write_text(DECK_HEAD + """\
  - id: f
    statement: S.
    explanation: E.
    topic: t
    sources: [s]
    questions:
      - {id: q, ask: Which language?, answer: 'C#', kind: text, distractors: ['C++', 'F#', Java]}
""", encoding="utf-8")
    (deck,) = load_decks([path])
    assert deck.facts[0].questions[0].distractors == ("C++", "F#", "Java")


def test_one_problem_does_not_hide_or_invent_another(tmp_path: Path) -> None:
    """A source with an impossible date also gave 'unknown source' on every fact citing it, and
    a bad topic hid an unknown source: each problem is reported once, and only the real ones."""
    path = tmp_path / "d.yaml"
    path.write_text("""\
deck: {id: d, title: D, description: x}
sources:
  s1: {title: T, author: A, date: 1971-13}
facts:
  - {id: a, statement: S., explanation: E., topic: Cold War, sources: [s1, s9]}
  - {id: b, statement: S., explanation: E., topic: t, sources: [s1]}
""", encoding="utf-8")
    assert problems_of(path) == [
        f"{path}:3:35: source 's1': date '1971-13' is impossible: there is no month 13",
        f"{path}:5:52: fact 'a': topic 'Cold War' must be {SLUG_RULE}",
        f"{path}:5:76: fact 'a': unknown source 's9'; define it under 'sources:'",
    ]

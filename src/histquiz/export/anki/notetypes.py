"""The histquiz Anki note types: fixed ids, fields, card templates and the card CSS.

Anki knows a note type by its id, not its name. Adding, removing, renaming or reordering a field
or a card template is a *migration*: the importer then sees a different note type, adds a copy
named "… +" and counts every existing note as conflicting instead of updating it. So:

- never change a ``model_id`` or a ``key`` (the key is part of every note's GUID);
- the CSS, the wording inside the templates and a note type's display name may change freely:
  a rebuild updates them in place;
- a change to ``fields`` or to the list of ``templates`` needs a new ``model_id`` and a new
  ``key``, a line in the changelog telling learners that the next import adds new notes, and
  a way for them to find the old ones (search ``note:"histquiz · …"``).

The cards need no JavaScript and no media: AnkiDroid keeps no script state between the two
sides of a card, so options are shuffled when the deck is built, never in the card.
"""

from __future__ import annotations

from dataclasses import dataclass

# What every histquiz note type's name starts with: a package is known as histquiz's by it.
NOTE_TYPE_PREFIX = "histquiz · "


@dataclass(frozen=True)
class NoteType:
    key: str  # stable: part of every note's GUID; never change it
    model_id: int  # stable: Anki's identity of the note type; never change it
    name: str  # shown to the learner; may be reworded
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (card name, front, back)


# What every back ends with: the fact, why, the caveat, where it comes from, and the item id
# (so a learner can report a card precisely).
_DETAILS = """\
{{#Fact}}<div class="hq-fact">{{Fact}}</div>{{/Fact}}
{{#Explanation}}<div class="hq-explanation">{{Explanation}}</div>{{/Explanation}}
{{#Note}}<div class="hq-note">{{Note}}</div>{{/Note}}
{{#Sources}}<div class="hq-sources">{{Sources}}</div>{{/Sources}}
<div class="hq-item">{{Item}}</div>"""

CHOICE_FIELDS = (
    "Question", "Options", "Marked options", "Answer", "Fact", "Explanation", "Note", "Date",
    "Sources", "Item",
)  # fmt: skip

DATE_FIELDS = (
    "Question", "Date", "Format", "Date prompt", "Event", "Fact", "Explanation", "Note",
    "Sources", "Item",
)  # fmt: skip

_CHOICE_FRONT = """\
<div class="hq hq-choice">
<div class="hq-question">{{Question}}</div>
{{Options}}
</div>"""

_CHOICE_BACK = (
    """\
<div class="hq hq-choice">
<div class="hq-question">{{Question}}</div>
{{Marked options}}
<hr id="answer">
<div class="hq-answer">{{Answer}}</div>
{{#Date}}<div class="hq-when"><span class="hq-label">When</span> {{Date}}</div>{{/Date}}
"""
    + _DETAILS
    + "\n</div>"
)

_RECALL_FRONT = """\
<div class="hq hq-date">
<div class="hq-question">{{Question}}</div>
</div>"""

_RECALL_BACK = (
    """\
<div class="hq hq-date">
<div class="hq-question">{{Question}}</div>
<hr id="answer">
<div class="hq-answer hq-date-answer">{{Date}}</div>
"""
    + _DETAILS
    + "\n</div>"
)

_TYPED_FRONT = """\
<div class="hq hq-date">
<div class="hq-question">{{Question}}</div>
<div class="hq-format">{{Format}}</div>
{{type:Date}}
</div>"""

_TYPED_BACK = (
    """\
<div class="hq hq-date">
<div class="hq-question">{{Question}}</div>
<hr id="answer">
{{type:Date}}
<div class="hq-answer hq-date-answer">{{Date}}</div>
"""
    + _DETAILS
    + "\n</div>"
)

# Generated only when "Date prompt" is filled: facts dated to the day, with an event.
_REVERSE_FRONT = """\
{{#Date prompt}}<div class="hq hq-reverse">
<div class="hq-question">{{Date prompt}}</div>
</div>{{/Date prompt}}"""

_REVERSE_BACK = (
    """\
{{#Date prompt}}<div class="hq hq-reverse">
<div class="hq-question">{{Date prompt}}</div>
<hr id="answer">
<div class="hq-answer">{{Event}}</div>
"""
    + _DETAILS
    + "\n</div>{{/Date prompt}}"
)

# The events come first in the new note types: Anki calls notes duplicates when their first
# field is the same, and every order (match) note asks the same question.
ORDER_FIELDS = (
    "Events", "Question", "Answer", "Chronology", "Fact", "Explanation", "Note", "Sources",
    "Item",
)  # fmt: skip

MATCH_FIELDS = (
    "Events", "Question", "Targets", "Answer", "Pairs", "Fact", "Explanation", "Note", "Sources",
    "Item",
)  # fmt: skip

_ORDER_FRONT = """\
<div class="hq hq-order">
<div class="hq-question">{{Question}}</div>
{{Events}}
</div>"""

_ORDER_BACK = (
    """\
<div class="hq hq-order">
<div class="hq-question">{{Question}}</div>
<hr id="answer">
<div class="hq-answer">{{Answer}}</div>
{{Chronology}}
"""
    + _DETAILS
    + "\n</div>"
)

_MATCH_FRONT = """\
<div class="hq hq-match">
<div class="hq-question">{{Question}}</div>
{{Events}}
{{Targets}}
</div>"""

_MATCH_BACK = (
    """\
<div class="hq hq-match">
<div class="hq-question">{{Question}}</div>
<hr id="answer">
<div class="hq-answer">{{Answer}}</div>
{{Pairs}}
"""
    + _DETAILS
    + "\n</div>"
)

MULTIPLE_CHOICE = NoteType(
    key="choice",
    model_id=1_847_305_221,
    name=NOTE_TYPE_PREFIX + "Multiple choice",
    fields=CHOICE_FIELDS,
    templates=(("Multiple choice", _CHOICE_FRONT, _CHOICE_BACK),),
)

DATE_RECALL = NoteType(
    key="date",
    model_id=1_847_305_222,
    name=NOTE_TYPE_PREFIX + "Date recall",
    fields=DATE_FIELDS,
    templates=(
        ("Date recall", _RECALL_FRONT, _RECALL_BACK),
        ("Date → event", _REVERSE_FRONT, _REVERSE_BACK),
    ),
)

DATE_TYPED = NoteType(
    key="date-typed",
    model_id=1_847_305_223,
    name=NOTE_TYPE_PREFIX + "Date recall (typed)",
    fields=DATE_FIELDS,
    templates=(
        ("Date recall (typed)", _TYPED_FRONT, _TYPED_BACK),
        ("Date → event", _REVERSE_FRONT, _REVERSE_BACK),
    ),
)

ORDER = NoteType(
    key="order",
    model_id=1_847_305_224,
    name=NOTE_TYPE_PREFIX + "Put in order",
    fields=ORDER_FIELDS,
    templates=(("Put in order", _ORDER_FRONT, _ORDER_BACK),),
)

MATCH = NoteType(
    key="match",
    model_id=1_847_305_225,
    name=NOTE_TYPE_PREFIX + "Match",
    fields=MATCH_FIELDS,
    templates=(("Match", _MATCH_FRONT, _MATCH_BACK),),
)

NOTE_TYPES = (MULTIPLE_CHOICE, DATE_RECALL, DATE_TYPED, ORDER, MATCH)

# Anki's default card style (font, size, centred, black on white), then the histquiz parts.
# Colours are variables so that night mode (.nightMode on the desktop and AnkiMobile,
# .night_mode on AnkiDroid) switches all of them at once. Long words and links wrap on phones.
CSS = """\
.card {
  font-family: arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: center;
  color: black;
  background-color: white;
  --hq-muted: #555;
  --hq-faint: #888;
  --hq-border: #c8c8c8;
  --hq-right: #1b5e20;
  --hq-right-bg: #e3f2e4;
  --hq-link: #0b57d0;
}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {
  color: #e8e8e8;
  background-color: #2f2f31;
  --hq-muted: #b8b8b8;
  --hq-faint: #8c8c8c;
  --hq-border: #5a5a5e;
  --hq-right: #a5d6a7;
  --hq-right-bg: #21402a;
  --hq-link: #8ab4f8;
}
.hq {
  max-width: 36em;
  margin: 0 auto;
  text-align: left;
  word-wrap: break-word;
  overflow-wrap: break-word;
  overflow-wrap: anywhere;
  hyphens: auto;
}
.hq-question { font-weight: bold; text-align: center; margin: 0.2em 0 0.7em; }
.hq-options { list-style: none; margin: 0.4em 0; padding: 0; }
.hq-options li {
  position: relative;
  border: 1px solid var(--hq-border);
  border-radius: 8px;
  margin: 0.35em 0;
  padding: 0.35em 2em 0.35em 2.4em;
}
.hq-letter { position: absolute; left: 0.7em; font-weight: bold; }
.hq-options li.hq-correct {
  border: 2px solid var(--hq-right);
  background-color: var(--hq-right-bg);
  font-weight: bold;
}
.hq-options li.hq-other { color: var(--hq-muted); }
.hq-option-note {
  display: block;
  font-size: 0.8em;
  font-weight: normal;
  font-style: italic;
  color: var(--hq-muted);
}
.hq-timeline .hq-date, .hq-pair {
  display: block;
  font-size: 0.8em;
  font-weight: bold;
  color: var(--hq-right);
}
.hq-targets { list-style: none; margin: 0.6em 0; padding: 0; text-align: center; }
.hq-targets li {
  display: inline-block;
  border: 1px solid var(--hq-border);
  border-radius: 8px;
  margin: 0.2em;
  padding: 0.15em 0.6em;
}
.hq-targets .hq-letter { position: static; margin-right: 0.3em; }
.hq-sequence, .hq-letter-answer, .hq-pair-letter { font-weight: bold; }
.hq-mark { position: absolute; right: 0.7em; color: var(--hq-right); }
.hq-answer { font-size: 1.15em; font-weight: bold; text-align: center; margin: 0.3em 0 0.6em; }
.hq-date-answer { font-size: 1.35em; }
.hq-also { font-size: 0.8em; font-weight: normal; text-align: left; margin-top: 0.4em; }
.hq-also ul { margin: 0.2em 0; padding-left: 1.2em; }
.hq-format { font-size: 0.8em; color: var(--hq-muted); text-align: center; margin-bottom: 0.4em; }
.hq-when, .hq-fact, .hq-explanation, .hq-note { margin: 0.5em 0; }
.hq-fact { border-left: 3px solid var(--hq-right); padding-left: 0.6em; }
.hq-label {
  font-size: 0.75em;
  font-weight: bold;
  text-transform: uppercase;
  letter-spacing: 0.05em;
  color: var(--hq-muted);
}
.hq-note { font-style: italic; color: var(--hq-muted); }
.hq-sources { font-size: 0.75em; color: var(--hq-muted); margin-top: 1em; }
.hq-sources ul { margin: 0.2em 0; padding-left: 1.2em; }
.hq-sources a { color: var(--hq-link); }
.hq-item { font-size: 0.6em; color: var(--hq-faint); text-align: right; margin-top: 1em; }
hr#answer { border: 0; border-top: 1px solid var(--hq-border); margin: 0.8em 0; }
#typeans { width: 100%; box-sizing: border-box; font-size: 1em; padding: 0.3em; }
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .hq-options li { padding-right: 1.6em; }
}
"""

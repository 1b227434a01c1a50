"""Template names and what each needs from a fact; light enough for the loader to import."""

from __future__ import annotations

TEMPLATE_ORDER = ("date-recall", "date-choice", "which-happened", "choice")

# The fact field a template cannot work without.
TEMPLATE_NEEDS = {
    "date-recall": "when",
    "date-choice": "when",
    "which-happened": "event",
    "choice": "questions",
}

# The item kind each template makes: "date" items take a typed date, "choice" items options.
TEMPLATE_KINDS = {
    "date-recall": "date",
    "date-choice": "choice",
    "which-happened": "choice",
    "choice": "choice",
}

ITEM_KINDS = ("choice", "date")

"""Anki packages (.apkg): ``writer`` turns items into a package, ``notetypes`` holds the note
types' fixed ids, fields, templates and CSS, ``html`` makes deck text safe for Anki fields.
genanki is imported only when a package is written."""

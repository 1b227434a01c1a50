"""JSON: the items exactly as histquiz sees them, for other tools (``Item.to_json`` each), and
for each the ids of the items in the same file that it gives away (``reveals``)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

from ...model import Item, Source, source_json
from ..registry import Context, Rendered


def render_json(items: Sequence[Item]) -> str:
    from ...cache import reveals  # stored beside the items when they came from the cache

    relation = reveals(items)
    # one item a line: json's C encoder (an indent would make it use the pure-Python one, five
    # times slower on a big deck), and still a file to read or diff item by item; one encoder
    # for them all (``json.dumps`` with an option makes a new one for every call)
    encode = json.JSONEncoder(ensure_ascii=False).encode

    @functools.lru_cache(maxsize=4096)  # a source is cited by many items: encoded once
    def source(s: Source) -> str:
        return encode(source_json(s))

    rows = []
    for index, item in enumerate(items):
        # the text ``encode(item.to_json() + {"reveals": …})`` gives, its sources written in
        # between the fields before them and those after (each part an object of at least one
        # field, written with the encoder's own separators)
        before, after = item.json_parts()
        after["reveals"] = relation.ids_given_by(index)
        rows.append(f'{encode(before)[:-1]}, "sources": [{", ".join(map(source, item.sources))}], '
                    f"{encode(after)[1:]}")
    return "[\n" + ",\n".join(rows) + "\n]\n"


def render(items: Sequence[Item], ctx: Context) -> Rendered:
    return Rendered((render_json(items).encode("utf-8"),), len(items))


def made_here(path: Path) -> bool:
    """Is the file at ``path`` an items file that histquiz wrote (a list of items, each with
    the fields histquiz gives them in its order)?"""
    from ...owned import head

    start = head(path, 4096)
    return start.startswith(b'[\n{"id": "') and b'", "kind": "' in start and b'"template": ' in start

"""Exporters: every output format, listed once in ``registry`` and rendered through it.

``registry`` names each format (its file suffix, its module, what it may write) and holds the
contract: ``render(items, ctx) -> Rendered``, the bytes of each file plus what was left out.
``build`` writes every format of every deck; ``zipped`` is the deterministic zip writer the
.apkg and the .xlsx share. The formats live in ``anki/``, ``worksheet/`` and ``classroom/``;
their modules are imported only when they render, so this package costs ``--help`` nothing.
"""

"""Print the JSON Schema of the deck format, for editors and other tools.

The schema is made from the same field spec that validates decks, so the two always agree.
Put a modeline at the top of a deck for live validation in editors that use the YAML
language server:  # yaml-language-server: $schema=deck.schema.json

example:
  histquiz schema > deck.schema.json
"""

from __future__ import annotations

import argparse
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    from ..load.spec import schema_text

    sys.stdout.write(schema_text())
    return 0

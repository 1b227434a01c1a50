"""Print the JSON Schema of the deck format, for editors and other tools.

Put a modeline at the top of a deck for live validation in editors that use the YAML
language server:  # yaml-language-server: $schema=deck.schema.json

example:
  histquiz schema > deck.schema.json
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources


def configure(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    text = resources.files("histquiz").joinpath("schema/deck.schema.json").read_text("utf-8")
    sys.stdout.write(text)
    return 0

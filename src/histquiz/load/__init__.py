"""Loading decks: YAML files → validated, frozen ``Deck`` objects."""

"""``python -m histquiz``."""

from .cli import main

raise SystemExit(main())

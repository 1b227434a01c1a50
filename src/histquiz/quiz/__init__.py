"""The terminal quiz: session logic (session.py), the progress store (store.py), the terminal
UI (terminal.py) and the statistics page (stats.py)."""

"""The version of histquiz, in a module of its own so that anything may name it without
importing the package's public API (and with it the loader and yaml)."""

__version__ = "0.1.0"

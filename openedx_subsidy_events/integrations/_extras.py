"""Importing the library an extra installs, with one sentence naming the extra when it is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..exceptions import MissingExtra

__all__ = ["require"]


def require(library: str, *, extra: str, module: str) -> ModuleType:
    """Import ``library`` for ``module``; :class:`MissingExtra` naming ``extra`` if it is not installed."""
    try:
        return importlib.import_module(library)
    except ImportError:
        raise MissingExtra(module, extra, library.partition(".")[0]) from None

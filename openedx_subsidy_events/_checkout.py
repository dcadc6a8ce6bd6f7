"""Whether a command runs in a checkout of this package: then it checks the checkout's own files.

A checkout is recognised by ``schemas/SHA256SUMS``, the manifest ``subsidy-events generate`` keeps.
A folder merely named ``schemas`` or ``contracts`` (a service's OpenAPI files, its Pact contracts) is
not one, so the commands keep using the schemas and contracts installed with the package there.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["checkout_folder", "folder_option"]

_MANIFEST = Path("schemas", "SHA256SUMS")


def checkout_folder(name: str) -> Path | None:
    """``./<name>`` when the working folder is a checkout of this package and has it, else ``None``."""
    folder = Path(name)
    return folder if _MANIFEST.is_file() and folder.is_dir() else None


def folder_option(value: str | None, name: str) -> Path | None:
    """A folder option of the command line: the folder given, else ``./<name>`` in a checkout, else ``None``.

    ``None`` means the folder installed with the package (each caller's ``default_root``).
    """
    return Path(value) if value is not None else checkout_folder(name)

"""Where contracts are: the folder installed with the package, and its ``<consumer>/<event_type>.yaml`` files.

Kept apart from the loader (YAML, JSON Schema) so that finding the files costs no import: the
linter asks which event types have a contract before it reads any.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from .._files import folder_problem
from ..exceptions import ContractError

__all__ = ["check_root", "consumer_folders", "default_root", "is_contract_file", "iter_contract_files"]


def default_root() -> Path:
    """The folder of contracts this installation carries (the wheel's, else the checkout's ``contracts/``).

    .. versionadded:: 0.1.0
    """
    packaged = resources.files("openedx_subsidy_events") / "_data" / "contracts"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "contracts"


def check_root(root: Path) -> None:
    """A :class:`ContractError` unless ``root`` is a folder (a wrong path must not verify zero contracts)."""
    problem = folder_problem(root)
    if problem is not None:
        raise ContractError(str(root), problem)


def is_contract_file(path: Path) -> bool:
    return path.name.endswith(".yaml") and path.is_file()


def consumer_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def iter_contract_files(root: Path) -> Iterator[Path]:
    """``<root>/<consumer>/<event_type>.yaml`` files, sorted; :class:`ContractError` if ``root`` is not a folder.

    .. versionadded:: 0.1.0
    """
    check_root(root)
    for folder in consumer_folders(root):
        yield from sorted(p for p in folder.iterdir() if is_contract_file(p))

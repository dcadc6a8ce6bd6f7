"""``MINOR_NOT_APPEND_ONLY``: a new version may only append fields, so the older encoding is a prefix.

Without a registry a consumer reads a newer version's bytes with the newest schema it knows and
skips what follows (:meth:`~openedx_subsidy_events.EventDefinition.deserialize` with
``accept_newer``). That is exact when the older schema's encoding of a record is a prefix of the
newer one's: the old fields in place, in order, with identical wire types, new fields only after
them. The last old field may itself be a record that grows the same way (the event envelope's one
field is the payload record). That an appended field needs a default (so that a newer reader
reads older bytes) is ``FIELD_ADDED_WITHOUT_DEFAULT``'s to say; together they allow exactly the
optional fields appended at the end that the package's minors may add.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._graph import identity
from ._schema import Node

__all__ = ["iter_prefix_problems"]

Problem = tuple[str, str, str | None, str]
"""``(dotted path, new pointer, old pointer, sentence)``."""


def iter_prefix_problems(old: Node, new: Node, path: str = "") -> Iterator[Problem]:
    """Why ``old``'s encoding is not a prefix of ``new``'s, one problem per field, or nothing."""
    if old.kind != "record" or new.kind != "record":
        if identity(old) != identity(new):
            yield path, new.pointer, old.pointer, "changes the type, so no older encoding is a prefix of the new one"
        return
    for index, before in enumerate(old.fields):
        here = f"{path}.{before.name}" if path else before.name
        if index >= len(new.fields):
            yield here, new.pointer, before.pointer, f"removes the field {before.name!r}"
            return
        after = new.fields[index]
        if after.name != before.name:
            yield here, after.pointer, before.pointer, (
                f"puts {after.name!r} where {before.name!r} was (field {index}): fields may only be added "
                "after every earlier one"
            )
            return
        if identity(after.type) == identity(before.type):
            continue
        last = index == len(old.fields) - 1
        if last and before.type.kind == "record" and after.type.kind == "record":
            yield from iter_prefix_problems(before.type, after.type, here)
        else:
            yield here, after.pointer, before.pointer, f"changes the wire type of {before.name!r}"
            return

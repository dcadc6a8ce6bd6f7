"""``MINOR_NOT_APPEND_ONLY``: a new version may only append optional fields, so the older encoding is a prefix.

Without a registry a consumer reads a newer version's bytes with the newest schema it knows and
skips what follows (:meth:`~openedx_subsidy_events.EventDefinition.deserialize` with
``accept_newer``). That is exact when the older schema's encoding of a record is a prefix of the
newer one's: the old fields in place, in order, each with the same type in Avro's Parsing Canonical
Form (names, fields, symbols, items, values, sizes, branches; docs, aliases, defaults and logical
types are not part of the bytes), and new fields only after them. The last old field may itself be
a record that grows the same way (the event envelope's one field is the payload record). Each
appended field is optional (``["null", T]`` with default ``null``): a newer consumer reading older
bytes then sees "absent", never a value nobody wrote.

Linear in the schemas, without recursion: the walk goes down the chain of last fields in a loop,
and types are compared through :class:`WireTypes`, which reads each named type once.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from ._graph import iter_nodes
from ._node import Field, Node

__all__ = ["WireTypes", "iter_prefix_problems"]

Problem = tuple[str, str, str | None, str]
"""``(dotted path, new pointer, old pointer, sentence)``."""

_OPTIONAL = '(["null", T] with default null)'


class WireTypes:
    """Whether a type of the old schema and one of the new are the same in Parsing Canonical Form.

    The canonical form writes a named type in full where it first occurs and by its full name after,
    so two types have the same form exactly when their unnamed structure is the same, naming the
    same named types, and each named type they reach is defined the same way in both schemas. Each
    named type's definition is written once per schema (its fields' unnamed structure, with the
    named types they use by full name); the names whose definitions differ, and the names that reach
    one of those, are found once, so comparing many fields costs no more than reading the schemas.
    """

    def __init__(self, old: Node, new: Node) -> None:
        old_defs, old_uses = _definitions(old)
        new_defs, new_uses = _definitions(new)
        changed = {name for name in old_defs.keys() | new_defs.keys() if old_defs.get(name) != new_defs.get(name)}
        users: dict[str, set[str]] = {}
        for uses in (old_uses, new_uses):
            for name, used in uses.items():
                for target in used:
                    users.setdefault(target, set()).add(name)
        pending = list(changed)
        while pending:  # a named type that uses a changed one is changed too (recursive types included)
            for user in users.get(pending.pop(), ()):
                if user not in changed:
                    changed.add(user)
                    pending.append(user)
        self.changed = frozenset(changed)

    def same(self, old: Node, new: Node) -> bool:
        """Whether ``old`` (from the old schema) and ``new`` (from the new one) write the same bytes."""
        old_text, old_names = _shape(old)
        new_text, _ = _shape(new)
        return old_text == new_text and not (old_names & self.changed)


def _definitions(root: Node) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Each named type's definition as text, and the named types it uses, by full name."""
    texts: dict[str, str] = {}
    uses: dict[str, frozenset[str]] = {}
    for node in iter_nodes(root):
        if not node.named:
            continue
        if node.kind == "record":
            parts = []
            used: set[str] = set()
            for field in node.fields:
                text, names = _shape(field.type)
                parts.append(f"{field.name!r}:{text}")
                used |= names
            texts[node.fullname] = f"record {node.fullname!r} {{{','.join(parts)}}}"
            uses[node.fullname] = frozenset(used)
        elif node.kind == "enum":
            texts[node.fullname] = f"enum {node.fullname!r} {node.symbols!r}"
        else:
            texts[node.fullname] = f"fixed {node.fullname!r} {node.size}"
    return texts, uses


def _shape(root: Node) -> tuple[str, frozenset[str]]:
    """A type's unnamed structure as text, named types by full name, and the named types it names."""
    parts: list[str] = []
    names: set[str] = set()
    stack: list[Node | str] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            parts.append(item)
        elif item.named:
            parts.append(repr(item.fullname))
            names.add(item.fullname)
        elif item.kind in ("array", "map"):
            parts.append(f"{item.kind}<")
            stack += [">", item.items]
        elif item.kind == "union":
            parts.append("[")
            stack.append("]")
            for branch in reversed(item.branches):
                stack += [branch, ","]
        else:
            parts.append(item.kind)
    return "".join(parts), frozenset(names)


def iter_prefix_problems(old: Node, new: Node) -> Iterator[Problem]:
    """Why ``old``'s encoding is not a prefix of ``new``'s, one problem per field, or nothing.

    A field inserted, removed or moved shifts every field after it, so the first one is reported
    and the rest of that record is not; each existing field whose wire type changed is reported,
    and each appended field that is not optional.
    """
    wire = WireTypes(old, new)
    path = ""
    while True:
        if old.kind != "record" or new.kind != "record":
            if not wire.same(old, new):
                yield (
                    path,
                    new.pointer,
                    old.pointer,
                    f"changes the type{_change(old, new)}, so no older encoding is a prefix of the new one.",
                )
            return
        grown = yield from _record_problems(old, new, path, wire)
        if grown is None:
            return
        old, new, path = grown


def _record_problems(
    old: Node, new: Node, path: str, wire: WireTypes
) -> Generator[Problem, None, tuple[Node, Node, str] | None]:
    """One record's problems; returns the last field's two records, to compare next, when both are records."""
    grown: tuple[Node, Node, str] | None = None
    for index, before in enumerate(old.fields):
        after = new.fields[index] if index < len(new.fields) else None
        if after is None or after.name != before.name:
            yield _misplaced(old, new, index, path)
            return None
        here = _join(path, before.name)
        if index == len(old.fields) - 1 and before.type.kind == "record" and after.type.kind == "record":
            grown = (before.type, after.type, here)  # the last field may grow at its own end
        elif not wire.same(before.type, after.type):
            yield (
                here,
                after.pointer,
                before.pointer,
                f"changes the wire type of {before.name!r}{_change(before.type, after.type)}.",
            )
    for added in new.fields[len(old.fields) :]:
        if not _optional(added):
            yield (
                _join(path, added.name),
                added.pointer,
                old.pointer,
                f"appends the field {added.name!r}, which is not optional {_OPTIONAL}.",
            )
    return grown


def _misplaced(old: Node, new: Node, index: int, path: str) -> Problem:
    """The first field out of place in ``new`` (inserted, removed, renamed or moved), at ``index``."""
    before = old.fields[index]
    after = new.fields[index] if index < len(new.fields) else None
    if after is None or (before.name not in new.by_name and after.name in old.by_name):
        return _join(path, before.name), new.pointer, before.pointer, f"removes the field {before.name!r}."
    if after.name not in old.by_name and before.name not in new.by_name:
        return (
            _join(path, before.name),
            after.pointer,
            before.pointer,
            f"replaces the field {before.name!r} with {after.name!r} (field {index}): a rename is a removal "
            "and an insertion.",
        )
    if after.name not in old.by_name:
        return (
            _join(path, after.name),
            after.pointer,
            before.pointer,
            f"inserts the field {after.name!r} before {before.name!r} (field {index}): new fields may only "
            "follow every earlier one.",
        )
    moved: Field = old.by_name[after.name]
    return (
        _join(path, after.name),
        after.pointer,
        moved.pointer,
        f"moves the field {after.name!r} from field {moved.index} to field {index}, before {before.name!r}: "
        "earlier fields keep their order.",
    )


def _optional(field: Field) -> bool:
    """Whether ``field`` is ``["null", ...]`` with default null."""
    kind = field.type
    return (
        kind.kind == "union"
        and bool(kind.branches)
        and kind.branches[0].kind == "null"
        and (field.has_default and field.default is None)
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _change(old: Node, new: Node) -> str:
    """`` from int to long``, or, for a named type that kept its name, that its definition differs."""
    first, second = _label(old), _label(new)
    return f" from {first} to {second}" if first != second else f" ({first} is defined differently)"


def _label(node: Node) -> str:
    """A short name of a type for a sentence: ``long``, ``org.example.Thing``, ``[null, string]``."""
    if node.named:
        return node.fullname
    if node.kind == "union":
        names = [b.fullname if b.named else b.kind for b in node.branches[:4]]
        return "[" + ", ".join(names) + (", ...]" if len(node.branches) > 4 else "]")
    if node.kind in ("array", "map"):
        return f"{node.kind} of {node.items.fullname if node.items.named else node.items.kind}"
    return node.kind

"""Our own walk of the Avro 1.12 "Schema Resolution" rules over one reader and one writer schema.

The walk yields raw hits (a rule id, the place in each schema, a sentence); :mod:`._check` turns
them into findings. Why not ``avro.compatibility``: it ignores relative aliases and logical types,
loses locations inside unions, and says yes/no where we need every place that breaks and why.

Identical sub-schemas (equal fingerprints) are skipped at once, which is what makes checking a long
history of mostly unchanged versions cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ._graph import PROMOTIONS
from ._logical import TIME_FAMILY, decimal_shape, effective
from ._model import Direction
from ._node import Field, Node, node_name

__all__ = ["PROMOTIONS", "Hit", "Path", "matches", "path_text", "resolve"]


_LOSSY = {
    ("int", "float"): (
        "floats hold integers exactly only up to 2**24",
        "Use double (it holds every int exactly) or long, or accept the rounding knowingly.",
    ),
    ("long", "float"): (
        "floats hold integers exactly only up to 2**24",
        "Keep long (or use a decimal), or accept the rounding knowingly.",
    ),
    ("long", "double"): (
        "doubles hold integers exactly only up to 2**53",
        "Keep long (or use a decimal), or accept the rounding knowingly.",
    ),
    ("bytes", "string"): (
        "bytes that are not UTF-8 cannot become a string",
        "Keep bytes, or make sure every writer puts only UTF-8 text in the field.",
    ),
}
"""(writer, reader) promotions that can change values: why, and the hint for that pair."""

Path = tuple[object, str] | None
"""A field path as a linked list (parent, segment): building it costs nothing until printed."""

Hit = tuple[str, Path, str | None, str | None, Node | Field | None, Node | Field | None, str, str | None]
"""(rule, path, reader pointer, writer pointer, reader place, writer place, sentence, hint or ``None``).

The hint is ``None`` when the rule's own fix says it; a hit whose fix depends on the types gives its own."""


def path_text(path: Path) -> str:
    """``a.b[]`` from the linked path."""
    parts: list[str] = []
    while path is not None:
        parent, segment = path
        parts.append(segment)
        path = parent  # type: ignore[assignment]
    text = ""
    for segment in reversed(parts):
        text += segment if segment.startswith("[") or segment.startswith("{") or not text else "." + segment
    return text


def name_matches(reader: Node, writer: Node) -> bool:
    """Named types match by unqualified name, or by a reader alias naming the writer's full name."""
    return reader.name == writer.name or writer.fullname in reader.aliases


def matches(reader: Node, writer: Node) -> bool:
    """The specification's shallow "match" that picks a reader union's branch for a writer type."""
    rk, wk = reader.kind, writer.kind
    if rk == wk:
        if rk in ("record", "enum"):
            return name_matches(reader, writer)
        if rk == "fixed":
            return reader.size == writer.size and name_matches(reader, writer)
        return True
    return (wk, rk) in PROMOTIONS


_LISTED_BRANCHES = 8
"""A message names this many of a union's branches, so a union of thousands cannot flood a line."""


class _BranchIndex:
    """A reader union's branches by what :func:`matches` compares, so the first match is found without a scan.

    The specification picks the *first* branch that matches. Unnamed branches are keyed by kind
    (their first index); named ones by every name that could match them (their name, their aliases
    resolved and as written), and a named writer's candidates are checked with :func:`matches` in
    order, so the rule itself stays in one place.
    """

    def __init__(self, branches: Sequence[Node]) -> None:
        self.branches = branches
        self.unnamed: dict[str, int] = {}
        self.named: dict[tuple[str, str], list[int]] = {}
        for index, branch in enumerate(branches):
            if branch.named:
                for name in {branch.name, *branch.aliases, *branch.raw_aliases}:
                    self.named.setdefault((branch.kind, name), []).append(index)
            else:
                self.unnamed.setdefault(branch.kind, index)

    def first_match(self, writer: Node) -> Node | None:
        """The first branch that :func:`matches` ``writer``, as a scan in order would find it."""
        if writer.named:
            keys = {(writer.kind, writer.name), (writer.kind, writer.fullname)}
            candidates = sorted({index for key in keys for index in self.named.get(key, ())})
            return next((self.branches[i] for i in candidates if matches(self.branches[i], writer)), None)
        kinds = [writer.kind] + [rk for (wk, rk) in PROMOTIONS if wk == writer.kind]
        found = [self.unnamed[kind] for kind in kinds if kind in self.unnamed]
        return self.branches[min(found)] if found else None


class _Walk:
    """One reader/writer walk; ``emit`` is called only for rules in ``enabled``."""

    def __init__(self, direction: Direction, enabled: frozenset[str], emit: Callable[[Hit], None]) -> None:
        self.backward = direction is Direction.BACKWARD
        self.reader_is = "new" if self.backward else "old"
        self.writer_is = "old" if self.backward else "new"
        self.enabled = enabled
        self.emit = emit
        self.seen: set[tuple[int, int]] = set()
        self._indexes: dict[int, _BranchIndex] = {}

    def index(self, union: Node) -> _BranchIndex:
        """The branch index of a reader union, built once per walk."""
        found = self._indexes.get(id(union))
        if found is None:
            found = self._indexes[id(union)] = _BranchIndex(union.branches)
        return found

    def hit(
        self,
        rule: str,
        path: Path,
        reader: Node | Field | None,
        writer: Node | Field | None,
        text: str,
        hint: str | None = None,
    ) -> None:
        if rule in self.enabled:
            rp = reader.pointer if reader is not None else None
            wp = writer.pointer if writer is not None else None
            self.emit((rule, path, rp, wp, reader, writer, text, hint))

    def walk(self, reader: Node, writer: Node, path: Path) -> None:
        if reader.fp is not None and reader.fp == writer.fp:
            return
        rk, wk = reader.kind, writer.kind
        if wk == "union":
            self.from_union(reader, writer, path)
        elif rk == "union":
            branch = self.index(reader).first_match(writer)
            if branch is None:
                self.type_changed(reader, writer, path)
            else:
                self.branch(reader, branch, writer, path)
        elif rk == wk:
            if rk == "record":
                self.record(reader, writer, path)
            elif rk == "enum":
                self.names(reader, writer, path)
                self.enum(reader, writer, path)
            elif rk == "fixed":
                self.names(reader, writer, path)
                if reader.size != writer.size:
                    self.hit(
                        "FIXED_SIZE_CHANGED",
                        path,
                        reader,
                        writer,
                        f"the {self.reader_is} fixed {reader.fullname} has size {reader.size} and the "
                        f"{self.writer_is} one size {writer.size}.",
                    )
                self.logical(reader, writer, path)
            elif rk == "array":
                self.walk(reader.items, writer.items, (path, "[]"))
            elif rk == "map":
                self.walk(reader.items, writer.items, (path, "{}"))
            else:
                self.logical(reader, writer, path)
        elif (wk, rk) in PROMOTIONS:
            self.promoted(reader, writer, path)
        else:
            self.type_changed(reader, writer, path)

    def promoted(self, reader: Node, writer: Node, path: Path, *, shadowed: bool = False) -> None:
        """The reader's type promotes the writer's; ``shadowed``: a reader union's exact branch comes after it."""
        wk, rk = writer.kind, reader.kind
        reads = f"the {self.reader_is} schema reads the {self.writer_is} {wk} as {rk}"
        hint = self.promoted_hint(wk, rk)
        if shadowed:
            reads = f"the {self.reader_is} union lists {rk} before {wk}, so it reads the {self.writer_is} {wk} as {rk}"
            hint = _shadow_hint(wk, rk)
        self.hit("TYPE_PROMOTED", path, reader, writer, f"{reads}.", hint)
        lossy = _LOSSY.get((wk, rk))
        if lossy:
            self.hit(
                "LOSSY_PROMOTION", path, reader, writer, f"{reads}, and {lossy[0]}.", hint if shadowed else lossy[1]
            )
        self.logical(reader, writer, path)

    def promoted_hint(self, written: str, read: str) -> str:
        """What a promotion of the ``written`` type to the ``read`` one means for the other direction."""
        if (read, written) in PROMOTIONS:
            both = " and ".join(sorted((written, read)))
            return f"Nothing to fix: {both} promote to each other, so both directions read."
        other, mode = ("old", "FORWARD") if self.backward else ("new", "BACKWARD")
        return (
            f"Nothing to fix in this direction; the {other} schema's {written} cannot read {read}: "
            f"TYPE_CHANGED under {mode} or FULL."
        )

    def type_changed(self, reader: Node, writer: Node, path: Path) -> None:
        self.hit(
            "TYPE_CHANGED",
            path,
            reader,
            writer,
            f"the {self.reader_is} schema's {_describe(reader)} cannot read the {self.writer_is} schema's "
            f"{_describe(writer)}.",
        )

    def branch_missing(self, reader: Node, branch: Node, path: Path) -> None:
        if branch.kind == "null":
            rule = "OPTIONAL_TO_REQUIRED"
            text = (
                f"the {self.writer_is} schema may write null here and the {self.reader_is} schema's "
                f"{_describe(reader)} cannot hold it."
            )
        else:
            rule = "UNION_BRANCH_REMOVED" if self.backward else "UNION_BRANCH_ADDED"
            text = (
                f"the {self.writer_is} schema may write {node_name(branch)} here and the {self.reader_is} "
                f"schema's {_describe(reader)} has no branch that matches it."
            )
        self.hit(rule, path, reader, branch, text)

    def from_union(self, reader: Node, writer: Node, path: Path) -> None:
        if reader.kind == "union":
            index = self.index(reader)
            chosen = [index.first_match(wb) for wb in writer.branches]
        else:
            chosen = [reader if matches(reader, wb) else None for wb in writer.branches]
        if writer.branches and all(c is None for c in chosen):
            self.type_changed(reader, writer, path)
            return
        for branch, picked in zip(writer.branches, chosen, strict=True):
            if picked is None:
                self.branch_missing(reader, branch, path)
            elif reader.kind == "union":
                self.branch(reader, picked, branch, path)
            else:
                self.walk(picked, branch, path)

    def branch(self, union: Node, picked: Node, writer: Node, path: Path) -> None:
        """Resolve ``writer`` against ``picked``, the first branch of the reader's ``union`` that matches it."""
        # picked is the first match, so an exact branch of the writer's kind, if the union has one, comes later
        if (writer.kind, picked.kind) in PROMOTIONS and writer.kind in self.index(union).unnamed:
            self.promoted(picked, writer, path, shadowed=True)  # the exact branch comes too late
        else:
            self.walk(picked, writer, path)

    def names(self, reader: Node, writer: Node, path: Path) -> None:
        if not name_matches(reader, writer):
            self.hit(
                "NAME_CHANGED",
                path,
                reader,
                writer,
                f"the {self.reader_is} {reader.kind} {reader.fullname} does not match the {self.writer_is} "
                f"{writer.kind} {writer.fullname}, and its aliases do not name it.",
            )
        elif reader.name != writer.name:
            self.hit(
                "NAME_CHANGED_WITH_ALIAS",
                path,
                reader,
                writer,
                f"the {self.reader_is} {reader.kind} {reader.fullname} lists the {self.writer_is} name "
                f"{writer.fullname} in its aliases.",
            )
        elif reader.fullname != writer.fullname and writer.fullname not in reader.aliases:
            self.hit(
                "NAMESPACE_CHANGED",
                path,
                reader,
                writer,
                f"{_side_names(self.backward, reader, writer)}: same name, another namespace.",
            )

    def record(self, reader: Node, writer: Node, path: Path) -> None:
        key = (id(reader), id(writer))
        if key in self.seen:
            return
        self.seen.add(key)
        self.names(reader, writer, path)
        for field in _changed_fields(reader, writer):
            found = writer.by_name.get(field.name)
            via_alias = False
            if found is None:
                for alias in field.aliases:
                    found = writer.by_name.get(alias)
                    if found is not None:
                        via_alias = True
                        break
            here = (path, field.name)
            if found is not None:
                if via_alias:
                    self.hit(
                        "FIELD_RENAMED_WITH_ALIAS",
                        here,
                        field,
                        found,
                        f"the {self.reader_is} field {field.name!r} reads the {self.writer_is} field "
                        f"{found.name!r} through its aliases.",
                    )
                self.walk(field.type, found.type, here)
            else:
                self.missing(reader, writer, field, here)

    def missing(self, reader: Node, writer: Node, field: Field, here: Path) -> None:
        if field.has_default:
            rule = "FIELD_ADDED_WITH_DEFAULT" if self.backward else "FIELD_REMOVED_WITH_DEFAULT"
            verb = "adds" if self.backward else "removes"
            self.hit(rule, here, field, writer, f"the new schema {verb} the field {field.name!r}, which has a default.")
            return
        renamed = next((f for f in writer.fields if field.name in f.aliases), None)
        if renamed is not None:
            self.hit(
                "FIELD_RENAME_BREAKS_OLD_READERS",
                here,
                field,
                renamed,
                f"the {self.writer_is} field {renamed.name!r} lists {field.name!r} in its aliases, but the "
                f"{self.reader_is} reader does not see writer aliases and {field.name!r} has no default.",
            )
            return
        twin = _twin(reader, writer, field)
        if twin is not None:
            self.hit(
                "FIELD_RENAMED_WITHOUT_ALIAS",
                here,
                field,
                twin,
                f"the field {twin.name!r} of the {self.writer_is} schema seems renamed to {field.name!r} in the "
                f"{self.reader_is} one, without an alias or a default.",
            )
            return
        if self.backward:
            text = f"the new schema adds the field {field.name!r} without a default; it cannot read old data."
            self.hit("FIELD_ADDED_WITHOUT_DEFAULT", here, field, writer, text)
        else:
            text = f"the new schema removes the field {field.name!r}, which has no default in the old schema."
            self.hit("FIELD_REMOVED_WITHOUT_DEFAULT", here, field, writer, text)

    def enum(self, reader: Node, writer: Node, path: Path) -> None:
        symbols = set(reader.symbols)
        missing = [(i, s) for i, s in enumerate(writer.symbols) if s not in symbols]
        if not missing:
            return
        listed = ", ".join(s for _, s in missing)
        if reader.has_default and reader.default in symbols:
            self.hit(
                "ENUM_SYMBOL_READ_AS_DEFAULT",
                path,
                reader,
                writer,
                f"the {self.reader_is} enum {reader.fullname} lacks {listed} and reads it as {reader.default}.",
            )
            return
        rule = "ENUM_SYMBOL_REMOVED" if self.backward else "ENUM_SYMBOL_ADDED"
        verb = "removes" if self.backward else "adds"
        self.emit_enum(
            rule,
            path,
            reader,
            writer,
            missing[0][0],
            f"the new schema {verb} the symbol(s) {listed} {'from' if self.backward else 'to'} the enum "
            f"{reader.fullname}, and the {self.reader_is} one has no default.",
        )

    def emit_enum(self, rule: str, path: Path, reader: Node, writer: Node, index: int, text: str) -> None:
        if rule in self.enabled:
            self.emit(
                (
                    rule,
                    path,
                    reader.pointer + "/symbols",
                    f"{writer.pointer}/symbols/{index}",
                    reader,
                    writer,
                    text,
                    None,
                )
            )

    def logical(self, reader: Node, writer: Node, path: Path) -> None:
        rl, wl = effective(reader), effective(writer)
        if rl == wl:
            if rl == "decimal":
                (rp, rs), (wp, ws) = decimal_shape(reader), decimal_shape(writer)
                if rs != ws:
                    self.hit(
                        "DECIMAL_SCALE_CHANGED",
                        path,
                        reader,
                        writer,
                        f"the {self.writer_is} decimal has scale {ws} and the {self.reader_is} one {rs}.",
                    )
                if rp < wp:
                    self.hit(
                        "DECIMAL_PRECISION_NARROWED",
                        path,
                        reader,
                        writer,
                        f"the {self.reader_is} decimal has precision {rp}, less than the {self.writer_is} one's {wp}.",
                    )
            return
        new, old = (rl, wl) if self.backward else (wl, rl)
        if old is None:
            self.hit("LOGICAL_TYPE_ADDED", path, reader, writer, f"the new schema adds the logical type {new}.")
        elif new is None:
            self.hit("LOGICAL_TYPE_REMOVED", path, reader, writer, f"the new schema drops the logical type {old}.")
        elif old in TIME_FAMILY and new in TIME_FAMILY:
            text = (
                f"values written as {wl} by the {self.writer_is} schema are read as {rl} by the {self.reader_is} one."
            )
            self.hit("TIMESTAMP_UNIT_CHANGED", path, reader, writer, text)
        else:
            text = (
                f"values written as {wl} by the {self.writer_is} schema are read as {rl} by the {self.reader_is} one."
            )
            self.hit("LOGICAL_TYPE_CHANGED", path, reader, writer, text)


def _shadow_hint(written: str, read: str) -> str:
    """The hint for a reader union whose ``read`` branch, listed before ``written``, takes ``written`` values."""
    first = (
        "Keep only one of bytes and string in the union (each one takes the other's values)"
        if (read, written) in PROMOTIONS
        else f"List {written} before {read} in the union"
    )
    return (
        f"{first}: the specification (and fastavro) resolve a value to the first branch that matches it; "
        "Java picks the exact branch."
    )


def _changed_fields(reader: Node, writer: Node) -> list[Field]:
    """The reader's fields that need resolving: not the same name with the same type in the writer."""
    if reader.fp is None and not reader.field_keys:
        return list(reader.fields)
    changed = [reader.key_field[key] for key in reader.field_keys - writer.field_keys]
    changed.extend(reader.open_fields)
    changed.sort(key=_index)
    return changed


def _index(field: Field) -> int:
    return field.index


def _describe(node: Node) -> str:
    if node.kind == "union":
        shown = [node_name(b) for b in node.branches[:_LISTED_BRANCHES]]
        more = len(node.branches) - len(shown)
        return "union [" + ", ".join(shown) + (f", and {more} more" if more else "") + "]"
    if node.named:
        return f"{node.kind} {node.fullname}"
    return node.kind


def _side_names(backward: bool, reader: Node, writer: Node) -> str:
    new, old = (reader, writer) if backward else (writer, reader)
    return f"the {new.kind} {old.fullname} is now {new.fullname}"


def _twin(reader: Node, writer: Node, field: Field) -> Field | None:
    """The writer field at the same position, unknown to the reader, of the same type: a rename."""
    if field.index >= len(writer.fields) or field.type.fp is None:
        return None
    other = writer.fields[field.index]
    if other.name in reader.by_name or any(other.name in f.aliases for f in reader.fields):
        return None
    return other if other.type.fp == field.type.fp else None


def resolve(
    reader: Node, writer: Node, *, direction: Direction, enabled: frozenset[str], emit: Callable[[Hit], None]
) -> None:
    """Walk ``reader`` against ``writer`` and ``emit`` a hit for every enabled rule that applies."""
    _Walk(direction, enabled, emit).walk(reader, writer, None)

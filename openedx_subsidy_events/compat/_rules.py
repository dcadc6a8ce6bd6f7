"""The one table of rules: ids, categories, default severities, and what each one means.

The check functions only name a rule by its id; everything a person reads about a rule (the
``rules`` and ``explain`` commands, ``docs/rules.rst``) is generated from this table, so the
words cannot drift from the code. Ids are stable: a rule may be retired, never renamed.
"""

from __future__ import annotations

import enum

import attrs

from ._model import Severity

__all__ = ["EVENT_TYPE_EXEMPTIONS", "RULES", "Category", "Rule", "get_rule"]


class Category(enum.Enum):
    """What kind of promise a rule protects.

    ``wire``: bytes written with one schema can be read with the other (the Avro specification's
    "Schema Resolution"). ``semantic``: the bytes are read, but values change meaning, or some
    readers, registries or older libraries reject the schema. ``style``: conventions. ``prefix``:
    without a registry (Redis Streams), a reader on an older version reads a newer version's bytes
    with its own schema, as a prefix, and no resolution takes place; it is the one category not in
    the default ``use`` (a project read through a registry may reorder fields freely), and
    ``subsidy-events check`` and ``generate`` run it on this package's events.

    .. versionadded:: 0.1.0
    """

    WIRE = "wire"
    SEMANTIC = "semantic"
    STYLE = "style"
    PREFIX = "prefix"

    def __str__(self) -> str:
        return self.value


@attrs.frozen(kw_only=True)
class Rule:
    """One row of the rule table.

    Attributes:
        id: the stable UPPER_SNAKE id.
        category: wire, semantic, style or prefix.
        severity: the default severity (configuration may change it or turn the rule off).
        purpose: one line: what the rule reports.
        why: why it breaks, and what goes wrong.
        reader: which reader fails (or misreads), in the words of the two directions.
        fix: how to make the change safe.
        directional: whether findings name a reading direction (only reported in the mode's).

    .. versionadded:: 0.1.0

    """

    id: str
    category: Category
    severity: Severity
    purpose: str
    why: str
    reader: str
    fix: str
    directional: bool = True

    def explain(self) -> str:
        """The text ``subsidy-events explain`` prints."""
        return (
            f"{self.id} ({self.category}, default {self.severity})\n"
            f"{self.purpose}\n\n"
            f"Why: {self.why}\n"
            f"Who fails: {self.reader}\n"
            f"Fix: {self.fix}\n"
        )


_NEW_READS_OLD = "BACKWARD: a consumer on the new schema reading data written with the old one"
_OLD_READS_NEW = "FORWARD: a consumer still on the old schema reading data written with the new one"
_BOTH = "both directions"
_NOBODY = "nobody fails to decode; the finding is a note"

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO
WIRE, SEM, STYLE, PREFIX = Category.WIRE, Category.SEMANTIC, Category.STYLE, Category.PREFIX

_TABLE = (
    # --- wire: the Avro 1.12 specification, "Schema Resolution" ---------------------------------
    Rule(
        id="FIELD_ADDED_WITHOUT_DEFAULT",
        category=WIRE,
        severity=E,
        purpose="A field was added without a default.",
        why="The reader's record has a field the writer's lacks; the reader can only fill it from the "
        "field's default, and there is none, so resolution fails.",
        reader=_NEW_READS_OLD,
        fix='Give the new field a default (for an optional field: type ["null", T] with default null).',
    ),
    Rule(
        id="FIELD_ADDED_WITH_DEFAULT",
        category=WIRE,
        severity=N,
        purpose="A field was added with a default.",
        why="Readers of the new schema fill the field from its default when reading old data; old "
        "readers skip it. This is the compatible way to add a field.",
        reader=_NOBODY,
        fix="Nothing to fix.",
    ),
    Rule(
        id="FIELD_REMOVED_WITHOUT_DEFAULT",
        category=WIRE,
        severity=E,
        purpose="A field that had no default was removed.",
        why="Old readers still expect the field; the new writer no longer writes it and the old "
        "schema gives no default to fill it, so resolution fails.",
        reader=_OLD_READS_NEW,
        fix="Keep the field, or first release a version that gives it a default, then remove it; "
        "if no consumer reads the field, register the contracts so the linter can tell.",
    ),
    Rule(
        id="FIELD_REMOVED_WITH_DEFAULT",
        category=WIRE,
        severity=N,
        purpose="A field that had a default was removed.",
        why="Old readers fill the field from its default; the value they see is the default, not "
        "what the producer meant, which is acceptable only if they do not rely on it.",
        reader=_NOBODY,
        fix="Nothing to fix for decoding; check that no consumer relies on the field.",
    ),
    Rule(
        id="FIELD_RENAMED_WITH_ALIAS",
        category=WIRE,
        severity=N,
        purpose="A field was renamed and the new name lists the old one in its aliases.",
        why="The specification lets a reader match a writer's field by one of the reader field's "
        "aliases, so new readers read old data. Aliases belong to the reader only.",
        reader=_NOBODY,
        fix="Nothing to fix for new readers; see FIELD_RENAME_BREAKS_OLD_READERS for old ones.",
    ),
    Rule(
        id="FIELD_RENAME_BREAKS_OLD_READERS",
        category=WIRE,
        severity=E,
        purpose="A field was renamed with an alias, but old readers still look for the old name.",
        why="Aliases are only read from the reader's schema. An old reader does not know the new "
        "field's aliases, finds no field of its old name in new data, and has no default for it.",
        reader=_OLD_READS_NEW,
        fix="Under FORWARD or FULL a rename is a removal plus an addition: give the old field a "
        "default first, or add the new field beside the old one.",
    ),
    Rule(
        id="FIELD_RENAMED_WITHOUT_ALIAS",
        category=WIRE,
        severity=E,
        purpose="A field seems renamed (one field gone, one of the same type in its place) without an alias.",
        why="Fields match by name or by the reader field's aliases only; a renamed field is an "
        "unrelated field to the other schema, and it has no default.",
        reader=_BOTH,
        fix='Add the old name to the new field\'s "aliases" (new readers), and give it a default, '
        "or keep the old name.",
    ),
    Rule(
        id="TYPE_CHANGED",
        category=WIRE,
        severity=E,
        purpose="A type changed to one the reader cannot resolve from the writer's.",
        why="Only identical types and the promotions int->long/float/double, long->float/double, "
        "float->double and string<->bytes resolve; any other change fails for every datum.",
        reader=_BOTH,
        fix="Add a new field of the new type (with a default) and deprecate the old one, or make a "
        "new major version of the event.",
    ),
    Rule(
        id="TYPE_PROMOTED",
        category=WIRE,
        severity=N,
        purpose="A type was widened by one of the promotions the specification allows.",
        why="The reader converts the writer's value (int->long/float/double, long->float/double, "
        "float->double, string<->bytes); the opposite of a widening does not resolve, while string and "
        "bytes promote to each other.",
        reader=_NOBODY,
        fix="Nothing to fix in this direction; the reverse direction is TYPE_CHANGED, except for "
        "string<->bytes, which promote to each other (each finding's hint names the types).",
    ),
    Rule(
        id="OPTIONAL_TO_REQUIRED",
        category=WIRE,
        severity=E,
        purpose="The reader requires a value where the writer may write null.",
        why="The writer's union has a null branch the reader's type lacks; a datum written as null cannot be resolved.",
        reader=_BOTH,
        fix='Keep the type optional (["null", T]) for as long as any writer may write null.',
    ),
    Rule(
        id="UNION_BRANCH_REMOVED",
        category=WIRE,
        severity=E,
        purpose="A union lost a branch that old data may use.",
        why="A datum written with the removed branch matches no branch of the reader's union.",
        reader=_NEW_READS_OLD,
        fix="Keep the branch until no data written with it can be read any more.",
    ),
    Rule(
        id="UNION_BRANCH_ADDED",
        category=WIRE,
        severity=E,
        purpose="A union gained a branch, or a type became a union, and old readers cannot read it.",
        why="A datum written with the new branch matches no branch of the old reader's type.",
        reader=_OLD_READS_NEW,
        fix="Upgrade every consumer before producers write the new branch (use BACKWARD), or add a new field instead.",
    ),
    Rule(
        id="ENUM_SYMBOL_REMOVED",
        category=WIRE,
        severity=E,
        purpose="An enum lost a symbol and has no default.",
        why="A datum written with the removed symbol has no symbol to map to in the reader's enum, "
        'and the reader\'s enum has no "default" to fall back on.',
        reader=_NEW_READS_OLD,
        fix='Keep the symbol, or give the enum a "default" symbol (Avro 1.9+).',
    ),
    Rule(
        id="ENUM_SYMBOL_ADDED",
        category=WIRE,
        severity=E,
        purpose="An enum gained a symbol that old readers without an enum default cannot read.",
        why='The old reader\'s enum lacks the symbol and has no "default" to map it to.',
        reader=_OLD_READS_NEW,
        fix='Give the enum a "default" symbol in a release consumers take first, then add symbols.',
    ),
    Rule(
        id="NAME_CHANGED",
        category=WIRE,
        severity=E,
        purpose="A named type (record, enum, fixed) was renamed without an alias.",
        why="Named types match only when their unqualified names are equal or the reader lists the "
        "writer's full name in its aliases.",
        reader=_BOTH,
        fix='Keep the name, or add the old full name to the new type\'s "aliases" (helps new readers only).',
    ),
    Rule(
        id="NAME_CHANGED_WITH_ALIAS",
        category=WIRE,
        severity=N,
        purpose="A named type was renamed and its aliases name the old type.",
        why="New readers resolve the old name through the alias; old readers know no alias.",
        reader=_NOBODY,
        fix="Nothing to fix for new readers; under FORWARD the rename is NAME_CHANGED.",
    ),
    Rule(
        id="FIXED_SIZE_CHANGED",
        category=WIRE,
        severity=E,
        purpose="A fixed type changed its size.",
        why="Fixed values are written as exactly size bytes without a length; a different size cannot be read.",
        reader=_BOTH,
        fix="Add a new field with the new fixed type and deprecate the old one.",
    ),
    # --- prefix: newer versions read by older readers without a registry (not in the default use) ------
    Rule(
        id="MINOR_NOT_APPEND_ONLY",
        category=PREFIX,
        severity=E,
        purpose="A new version of a versioned subject does more than append optional fields at the end of its record.",
        why="Without a schema registry (Redis Streams) a consumer meets versions newer than it knows and "
        "reads them with the newest schema it has, skipping the bytes that follow. That is exact only "
        "when the older version's encoding is a prefix of the newer one's: every earlier field in its "
        "place, in order, with the same type in Avro's Parsing Canonical Form, and new fields only after "
        "them, each optional so that a newer reader of older bytes sees 'absent', never an invented "
        "value. A promotion is a change too: an old int reader cannot hold a long, and a float is 4 "
        "bytes where a double is 8. An inserted, moved, retyped or removed field makes the older "
        "consumer read the newer bytes into the wrong fields, silently or up to a decoding error. "
        "Docs, aliases, defaults and logical types may change: the bytes do not. Each version of the "
        "package layout <subject>/<n>.avsc is compared with the one before it (the record in the last "
        "field, the event's payload, may grow the same way); a prefix of a prefix is a prefix.",
        reader="FORWARD, without a registry: a consumer on an older version reading a newer version's "
        "bytes as a prefix",
        fix='Put every new field last, as ["null", T] with default null, and leave the earlier ones as '
        "they were; any other change to an existing field is a new major version (a new event type).",
        directional=False,
    ),
    # --- semantic and portability ----------------------------------------------------------------
    Rule(
        id="LOSSY_PROMOTION",
        category=SEM,
        severity=W,
        purpose="A promotion the specification allows can change values.",
        why="long->float/double and int->float round large integers; bytes->string fails or "
        "garbles bytes that are not UTF-8. The bytes resolve; the values may not survive.",
        reader="the reader with the wider type",
        fix="Keep a type that holds every value the writer may write (long rather than float or double, "
        "bytes rather than string), or accept the loss knowingly (each finding's hint names the types).",
    ),
    Rule(
        id="ENUM_SYMBOL_READ_AS_DEFAULT",
        category=SEM,
        severity=W,
        purpose="A symbol the reader lacks will be read as the enum's default.",
        why="Resolution succeeds, but the reader sees the default symbol instead of what was written.",
        reader="the reader whose enum lacks the symbol",
        fix="Make sure readers treat the default as 'unknown'; add the symbol to readers if they need it.",
    ),
    Rule(
        id="LOGICAL_TYPE_CHANGED",
        category=SEM,
        severity=E,
        purpose="A logical type changed (e.g. date to timestamp-millis, or uuid to something else).",
        why="Logical types do not take part in resolution: the reader decodes the same number or "
        "bytes and gives them a different meaning.",
        reader=_BOTH,
        fix="Add a new field with the new logical type; never reinterpret an existing one.",
    ),
    Rule(
        id="TIMESTAMP_UNIT_CHANGED",
        category=SEM,
        severity=E,
        purpose="A timestamp or time changed its unit (millis, micros, nanos) or its local/UTC kind.",
        why="The long is read unchanged and interpreted in the other unit: every instant is off by "
        "a factor of 1000 or more, silently.",
        reader=_BOTH,
        fix="Add a new field in the new unit and deprecate the old one.",
    ),
    Rule(
        id="DECIMAL_SCALE_CHANGED",
        category=SEM,
        severity=E,
        purpose="A decimal changed its scale.",
        why="Decimals are written as unscaled integers; a reader with another scale multiplies every "
        "value by a power of ten, silently.",
        reader=_BOTH,
        fix="Never change a decimal's scale; add a new field.",
    ),
    Rule(
        id="DECIMAL_PRECISION_NARROWED",
        category=SEM,
        severity=E,
        purpose="The reader's decimal has a smaller precision than the writer's.",
        why="Values with more digits than the reader's precision are rejected or truncated by readers "
        "that enforce precision.",
        reader="the reader with the smaller precision",
        fix="Only widen precision, and only once readers have the wider one.",
    ),
    Rule(
        id="LOGICAL_TYPE_ADDED",
        category=SEM,
        severity=W,
        purpose="A logical type was added to an existing type.",
        why="Old data was written without the logical type's constraints (e.g. any string where a "
        "uuid is now expected); readers that convert logical values may reject or misread it.",
        reader=_BOTH,
        fix="Add a new field with the logical type instead.",
        directional=False,
    ),
    Rule(
        id="LOGICAL_TYPE_REMOVED",
        category=SEM,
        severity=W,
        purpose="A logical type was removed from a type.",
        why="Readers that converted values (to datetime, Decimal, UUID) now get raw numbers or bytes.",
        reader=_BOTH,
        fix="Keep the logical type, or add a new field without it.",
        directional=False,
    ),
    Rule(
        id="NAMESPACE_CHANGED",
        category=SEM,
        severity=W,
        purpose="A named type kept its name but changed its namespace.",
        why="Avro 1.10+ matches named types by unqualified name, so it resolves; Avro before 1.10 "
        "and tools that compare full names (registries, code generators) see a different type.",
        reader="readers on Avro before 1.10, and tools that compare full names",
        fix='Keep the namespace, or list the old full name in "aliases".',
        directional=False,
    ),
    Rule(
        id="INVALID_DEFAULT",
        category=SEM,
        severity=E,
        purpose="A default value does not match its field's type.",
        why="Readers fill a missing field from its default; a default of the wrong type makes "
        "strict parsers (Java with default validation, Schema Registry) reject the schema and "
        "others fill a value of the wrong type.",
        reader="every reader that needs the default",
        fix="Write the default in Avro's JSON encoding of the field's type "
        "(a union's default belongs to its first branch).",
        directional=False,
    ),
    Rule(
        id="UNION_DEFAULT_NOT_FIRST_BRANCH",
        category=SEM,
        severity=W,
        purpose="A union field's default matches a branch other than the first.",
        why="Avro before 1.12 requires the default to match the union's first branch; older Java "
        "parsers and Schema Registry versions reject the schema.",
        reader="older Java parsers and Schema Registries",
        fix='Put the default\'s branch first (for optional fields: ["null", T] with default null).',
        directional=False,
    ),
    Rule(
        id="ENUM_DEFAULT_NOT_A_SYMBOL",
        category=SEM,
        severity=E,
        purpose="An enum's default is not one of its symbols.",
        why="The enum default is what a reader maps unknown symbols to; one outside the symbols "
        "cannot be produced, and strict parsers reject the schema.",
        reader="every reader of an unknown symbol",
        fix="Make the default one of the enum's symbols.",
        directional=False,
    ),
    Rule(
        id="RELATIVE_ALIAS",
        category=SEM,
        severity=W,
        purpose="A named type's alias has no namespace while the type has one.",
        why="The specification reads it relative to the type's namespace; some tools (the Python "
        "avro compatibility checker) compare it as written and report a name mismatch.",
        reader="tools that compare aliases as written",
        fix="Write aliases as full names (namespace.Name).",
        directional=False,
    ),
    Rule(
        id="NAME_NOT_PORTABLE",
        category=SEM,
        severity=W,
        purpose="A name or namespace is not a valid Avro name (e.g. it contains '-').",
        why="fastavro accepts it; the Apache parsers (Java, Python) reject the schema.",
        reader="readers using the Apache Avro libraries",
        fix="Use only letters, digits and '_' in names and namespace parts.",
        directional=False,
    ),
    Rule(
        id="FIXED_SIZE_TOO_LARGE",
        category=SEM,
        severity=E,
        purpose="A fixed type's size is larger than 2^31-1 bytes.",
        why='The specification sets no bound, but Java\'s parser reads "size" as a 32-bit int and '
        "rejects the schema, and Java (like most implementations) holds bytes, fixed, arrays and "
        "maps of at most 2^31-1 elements, so no value of the type can be written or read.",
        reader="readers using the Java Avro library reject the schema; every other reader fails on the first value",
        fix="Give the fixed a real size (a few bytes: 16 for a uuid, 12 for a duration), or use bytes.",
        directional=False,
    ),
    Rule(
        id="LOGICAL_TYPE_INVALID",
        category=SEM,
        severity=W,
        purpose="A logical type is malformed (wrong base type, bad precision or scale) and readers ignore it.",
        why="The specification says an invalid logical type is ignored; readers get the base type, "
        "not the logical value the author meant.",
        reader="every reader: it sees the base type",
        fix="Fix the attributes (decimal: 0 <= scale <= precision, precision > 0) or the base type.",
        directional=False,
    ),
    Rule(
        id="RELEASED_FILE_EDITED",
        category=SEM,
        severity=E,
        purpose="A released schema file was edited in place.",
        why="A published version is what producers wrote with; editing it changes the schema readers "
        "decode old bytes with, and every consumer that pinned it disagrees with every new one.",
        reader="every consumer of the edited version",
        fix="Restore the file and publish the change as a new version (a new <n>.avsc).",
        directional=False,
    ),
    Rule(
        id="RELEASED_VERSION_REMOVED",
        category=SEM,
        severity=E,
        purpose="A released schema version disappeared (alone, or with its subject's whole folder).",
        why="Readers need every writer schema that may still be on the wire. In the package layout "
        "<subject>/<n>.avsc every stored version was released, so removing a subject's folder removes "
        "each of them; the consumers whose contracts read the event are named.",
        reader="readers of data written with that version",
        fix="Restore the file (or the folder); released versions are never removed.",
        directional=False,
    ),
    Rule(
        id="SUBJECT_ADDED",
        category=SEM,
        severity=N,
        purpose="A subject is new against the baseline.",
        why="Nothing to compare it with; only its own rules apply.",
        reader=_NOBODY,
        fix="Nothing to fix.",
        directional=False,
    ),
    Rule(
        id="SUBJECT_REMOVED",
        category=SEM,
        severity=W,
        purpose="A subject of the flat layout (<subject>.avsc) in the baseline is gone.",
        why="Consumers may still read data written with it. A flat file is one schema, not a released "
        "version, so this is a warning; it is an error naming them when registered consumers' "
        "contracts read the event. (In the package layout a removed subject is RELEASED_VERSION_REMOVED.)",
        reader="consumers of the removed subject",
        fix="Keep the schema until no data written with it is read.",
        directional=False,
    ),
    # --- style -------------------------------------------------------------------------------------
    Rule(
        id="MISSING_DOC",
        category=STYLE,
        severity=W,
        purpose='A record, enum or field has no "doc".',
        why="The schema is the contract other teams read; a field without a sentence gets misused.",
        reader=_NOBODY,
        fix='Add a one-sentence "doc".',
        directional=False,
    ),
    Rule(
        id="EVENT_TYPE_NAMING",
        category=STYLE,
        severity=W,
        purpose="An event type does not follow OEP-41: org.openedx.<subdomain>.<subject>.<action>.v<N>.",
        why="Open edX tooling splits event types on dots and expects lowercase segments and a major version.",
        reader=_NOBODY,
        fix="Rename the event type (a rename is a new event type, sent beside the old one).",
        directional=False,
    ),
    Rule(
        id="EVENT_TYPE_NAMING_EXEMPT",
        category=STYLE,
        severity=N,
        purpose="An event type breaks OEP-41 naming but is on the recorded exemption list.",
        why="The type was in use before this linter; the exemption is reported so that it stays visible.",
        reader=_NOBODY,
        fix="Nothing to fix; new event types must follow OEP-41.",
        directional=False,
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _TABLE}
"""Every rule, by id, in table order.

.. versionadded:: 0.1.0
"""

EVENT_TYPE_EXEMPTIONS: dict[str, str] = {
    "org.openedx.enterprise.access.coupon-code-request.approved.v1": "ADR event type, used by enterprise-access",
    "org.openedx.enterprise.access.license-request.approved.v1": "ADR event type, used by enterprise-access",
    "org.openedx.ecommerce.coupon-code.assigned.v1": "ADR event type, used by ecommerce",
    "org.openedx.license-manager.license.assigned.v1": "ADR event type, used by license-manager",
}
"""Event types that may break OEP-41 naming, each with the reason; reported as EVENT_TYPE_NAMING_EXEMPT.

The four types of the subsidy-request ADR contain hyphens and a five-part prefix; they were in use
before this linter, and renaming an event type is a breaking change for every consumer.

.. versionadded:: 0.1.0
"""


def get_rule(rule_id: str) -> Rule:
    """The rule with this id (any case); :class:`KeyError` naming the close ids when there is none.

    .. versionadded:: 0.1.0
    """
    try:
        return RULES[rule_id.strip().upper()]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(rule_id.strip().upper(), list(RULES), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise KeyError(f"unknown rule {rule_id!r}{hint}") from None

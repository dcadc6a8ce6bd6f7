"""The values the linter returns: findings, the report that holds them, and the words they use.

Findings are values, not exceptions: checking never stops at the first problem, and a finding
carries everything a formatter needs (rule, severity, direction, both pointers, the dotted field
path, the file position) so that no output format has to re-derive anything.
"""

from __future__ import annotations

import enum
import os.path
from collections.abc import Iterable, Iterator

import attrs

__all__ = ["Direction", "Finding", "Mode", "Report", "Severity"]


class Severity(enum.IntEnum):
    """How much a finding matters; ordered, so ``severity >= Severity.WARNING`` reads naturally.

    .. versionadded:: 0.1.0
    """

    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """The severity named ``text`` (any case); :class:`ValueError` for an unknown name."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}; expected error, warning or info") from None


class Direction(enum.Enum):
    """Which schema reads and which one wrote, for one finding.

    ``BACKWARD``: the new schema reads data written with the old one (consumers upgrade first).
    ``FORWARD``: the old schema reads data written with the new one (producers upgrade first).
    ``NONE``: the finding is about one schema or the files, not about reading across versions.

    .. versionadded:: 0.1.0
    """

    BACKWARD = "BACKWARD"
    FORWARD = "FORWARD"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value


class Mode(enum.Enum):
    """Confluent Schema Registry's compatibility modes, with their exact meaning.

    ``BACKWARD``: the new schema can read data written with the latest earlier version.
    ``FORWARD``: the latest earlier version can read data written with the new schema.
    ``FULL``: both. The ``*_TRANSITIVE`` modes check against every earlier version instead of
    the latest only. ``NONE`` checks no direction (single-schema rules still run).

    .. versionadded:: 0.1.0
    """

    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    def __str__(self) -> str:
        return self.value

    @property
    def directions(self) -> tuple[Direction, ...]:
        """The reading directions this mode requires to work."""
        if self is Mode.NONE:
            return ()
        if self.value.startswith("BACKWARD"):
            return (Direction.BACKWARD,)
        if self.value.startswith("FORWARD"):
            return (Direction.FORWARD,)
        return (Direction.BACKWARD, Direction.FORWARD)

    @property
    def transitive(self) -> bool:
        """Whether a new version is checked against every earlier one, not only the latest."""
        return self.value.endswith("_TRANSITIVE")

    @classmethod
    def parse(cls, text: str) -> Mode:
        """The mode named ``text`` (any case, ``-`` or ``_``); :class:`ValueError` otherwise."""
        try:
            return cls[text.strip().upper().replace("-", "_")]
        except KeyError:
            names = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown mode {text!r}; expected one of {names}") from None


@attrs.frozen(order=False)
class Finding:
    """One problem (or note) at one place, found by one rule.

    Attributes:
        rule: the stable rule id, e.g. ``"FIELD_ADDED_WITHOUT_DEFAULT"``.
        severity: how much it matters, after configuration.
        direction: the reading direction that fails, or :attr:`Direction.NONE`.
        subject: the subject (file stem or folder name) the schemas belong to.
        path: the dotted field path, e.g. ``"license_assignment.course_id"`` (``""`` for the root).
        new_pointer, old_pointer: JSON pointers into the new and the old schema
            (``None`` when the place does not exist on that side).
        message: one sentence saying what changed and who cannot read it.
        hint: how to fix it.
        file, line, column: where in the new schema's file (or the old one's, when the place only
            exists there); ``None`` for schemas given in memory.
        old_file: the file of the old schema the new one was compared with, when read from a file.
        consumers: the registered consumers that read this field, when contracts were given.

    .. versionadded:: 0.1.0

    """

    rule: str
    severity: Severity
    direction: Direction
    subject: str
    path: str
    new_pointer: str | None
    old_pointer: str | None
    message: str
    hint: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    old_file: str | None = None
    consumers: tuple[str, ...] = ()

    @property
    def pointer(self) -> str:
        """The pointer shown first: into the new schema when the place exists there."""
        if self.new_pointer is not None:
            return self.new_pointer
        return self.old_pointer if self.old_pointer is not None else ""

    def sort_key(self) -> tuple[str, int, int, str, str, str, str, str]:
        """Findings sort by file, position, rule and pointers, so output never depends on walk order."""
        return (
            self.file or "",
            self.line or 0,
            self.column or 0,
            self.subject,
            self.rule,
            self.direction.value,
            self.pointer,
            self.old_file or "",
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict with stable keys (the ``json`` format writes these)."""
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "direction": self.direction.value,
            "subject": self.subject,
            "path": self.path,
            "new_pointer": self.new_pointer,
            "old_pointer": self.old_pointer,
            "message": self.message,
            "hint": self.hint,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "old_file": self.old_file,
            "consumers": list(self.consumers),
        }

    @property
    def versus(self) -> str | None:
        """The old file as the text formats name it: its bare name when it is beside ``file``.

        ``None`` when there is no old file or it is ``file`` itself. A transitive mode compares
        a version with each earlier one; this tells their findings apart (``vs 0.avsc``,
        ``vs 1.avsc``, or ``vs origin/main:schemas/thing/1.avsc`` for a baseline's file).

        .. versionadded:: 0.1.0
        """
        if self.old_file is None or self.old_file == self.file:
            return None
        if self.file is not None and os.path.dirname(self.old_file) == os.path.dirname(self.file):
            return os.path.basename(self.old_file)
        return self.old_file

    def __str__(self) -> str:
        where = self.file or f"<{self.subject or 'schema'}>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        path = self.path or "<root>"
        versus = f" vs {self.versus}" if self.versus is not None else ""
        return (
            f"{where}: {self.severity} {self.rule} [{self.direction}{versus}] {path} ({self.pointer}): "
            f"{self.message} hint: {self.hint}"
        )


@attrs.frozen
class Report:
    """Every finding of one check, sorted, with the verdict.

    Attributes:
        findings: sorted by :meth:`Finding.sort_key`, without duplicates.
        subjects: the subjects that were checked, sorted.
        info_shown: whether info findings were computed (``show_info``); when not, the report has
            none and says nothing about safe changes, only about errors and warnings.

    .. versionadded:: 0.1.0

    """

    findings: tuple[Finding, ...]
    subjects: tuple[str, ...] = ()
    info_shown: bool = True

    @classmethod
    def of(cls, findings: Iterable[Finding], subjects: Iterable[str] = (), *, info_shown: bool = True) -> Report:
        """A report of ``findings``, deduplicated and sorted deterministically."""
        unique = {(f.sort_key(), str(f.new_pointer), str(f.old_pointer), f.path, f.message): f for f in findings}
        ordered = tuple(unique[key] for key in sorted(unique))
        return cls(ordered, tuple(sorted(set(subjects))), info_shown)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def at_least(self, severity: Severity) -> tuple[Finding, ...]:
        """The findings of ``severity`` or worse."""
        return tuple(f for f in self.findings if f.severity >= severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The findings of severity error."""
        return self.at_least(Severity.ERROR)

    @property
    def ok(self) -> bool:
        """True when no finding is an error."""
        return not self.errors

    def exit_code(self, fail_on: Severity = Severity.ERROR) -> int:
        """0 when nothing reaches ``fail_on``, else 1 (the command line's convention)."""
        return 1 if self.at_least(fail_on) else 0

    def counts(self) -> dict[str, int]:
        """How many findings of each severity, e.g. ``{"error": 1, "warning": 0, "info": 3}``."""
        return {str(s): sum(1 for f in self.findings if f.severity is s) for s in reversed(Severity)}

"""Putting the walks together: which pairs to compare in which direction, and findings out of hits.

A subject's history is compared as its mode says: every version against the one before it, or
(``*_TRANSITIVE``) against every earlier one. Notes and warnings come only from neighbouring
versions (a far pair would repeat them); errors come from every pair the mode names. The newest
version alone is checked for the single-schema rules.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..exceptions import SchemaError
from ._append_only import iter_prefix_problems
from ._config import PUBLISHED_USE, Config
from ._graph import identity
from ._load import (
    Schema,
    Subject,
    build_subjects,
    gc_paused,
    load_json,
    load_paths,
    locate_error,
    read_baseline,
)
from ._model import Direction, Finding, Mode, Report, Severity
from ._node import Field, Node
from ._position import locate
from ._resolve import Hit, path_text, resolve
from ._rules import RULES
from ._schema import parse
from ._semantic import SingleHit, iter_places, place_hits
from ._style import doc_hits, naming

__all__ = ["SchemaLike", "check", "check_subjects", "iter_findings", "lint_published"]

SchemaLike = Schema | Mapping[str, Any] | Sequence[Any] | str | Path
"""A loaded :class:`Schema`, parsed JSON (a dict, or a list for a union), JSON text, or a file.

.. versionadded:: 0.1.0
"""

Readers = Mapping[str, Sequence[str]]
_REMOVALS = frozenset(
    {"FIELD_REMOVED_WITHOUT_DEFAULT", "FIELD_REMOVED_WITH_DEFAULT", "FIELD_RENAME_BREAKS_OLD_READERS"}
)


def _as_schema(value: SchemaLike, subject: str) -> Schema:
    if isinstance(value, Schema):
        return value
    if isinstance(value, Path):
        subjects = load_paths([value])
        if len(subjects) != 1:
            raise SchemaError(str(value), "holds no schema or several subjects; give one file", rule="UNREADABLE")
        return next(iter(subjects.values())).latest
    if not isinstance(value, str):
        return Schema(subject, parse(value))
    try:
        return Schema(subject, parse(load_json(value)))
    except SchemaError as error:
        locate_error(error, value)  # JSON text: its pointer has a line and column too
        raise


class _Context:
    """What turning hits into findings needs: the subject, its texts, the configuration, readers.

    ``readers`` is the subject's readers, or where to look them up (the readers of every subject,
    by name): then they are looked up only when a finding needs them, so contracts that would be
    read for that (the command line's) are read only when there is something to say about a field.
    """

    def __init__(
        self,
        subject: str,
        texts: Mapping[str, str],
        config: Config,
        readers: Readers | None = None,
        *,
        every_subject: Mapping[str, Readers] | None = None,
    ) -> None:
        self.subject = subject
        self.texts = texts
        self.config = config
        self._readers = readers
        self._every_subject = every_subject
        self.info = config.reports_info
        self.enabled, self.far = _running(config.enabled(), tuple(config.severity.items()), self.info)

    @functools.cached_property
    def readers(self) -> Readers | None:
        """Who reads each field of this subject, when contracts were given."""
        if self._every_subject is not None:
            return self._every_subject.get(self.subject)
        return self._readers

    def finish(self, finding: Finding) -> Finding | None:
        """Apply readers (consumer names, safe removals), hidden info and ``ignore_only``; ``None`` drops it."""
        if self.readers is not None and finding.path:
            consumers = _consumers(self.readers, finding.path)
            if consumers and finding.rule in _REMOVALS:
                # the bytes may still decode (a default fills in), but the consumer loses a field it reads
                names = ", ".join(consumers)
                message = f"{finding.message} Read by: {names}; removing it breaks their contract."
                hint = "Keep the field until those consumers' contracts no longer read it."
                finding = _evolve(finding, consumers=consumers, severity=Severity.ERROR, message=message, hint=hint)
            elif consumers:
                names = ", ".join(consumers)
                finding = _evolve(finding, consumers=consumers, message=f"{finding.message} Read by: {names}.")
            elif finding.rule in _REMOVALS:
                message = f"{finding.message} No registered consumer reads it, so the removal is safe."
                finding = _evolve(finding, severity=Severity.INFO, message=message)
        if finding.severity is Severity.INFO and not self.info:
            return None
        return None if self.config.ignored(finding) else finding

    def placed(self, finding: Finding | None, place: Node | Field | None, pointer: str | None) -> Finding | None:
        """``finding`` with the line and column of ``pointer`` in ``place``'s file, once it is kept.

        Placing means scanning the file's text, so it is done only for the findings reported.
        """
        if finding is None or place is None or place.source is None or pointer is None:
            return finding
        return self._at(finding, self.texts.get(place.source), pointer)

    @staticmethod
    def _at(finding: Finding, text: str | None, pointer: str) -> Finding:
        found = locate(text, pointer) if text is not None and finding.file is not None else None
        return _evolve(finding, line=found[0], column=found[1]) if found is not None else finding

    def from_hit(self, hit: Hit, direction: Direction, new: Schema, old: Schema) -> Finding | None:
        rule_id, path, rp, wp, rplace, wplace, text, hint = hit
        rule = RULES[rule_id]
        backward = direction is Direction.BACKWARD
        new_ptr, old_ptr = (rp, wp) if backward else (wp, rp)
        new_place, old_place = (rplace, wplace) if backward else (wplace, rplace)
        place, pointer = (new_place, new_ptr) if new_ptr is not None else (old_place, old_ptr)
        source = place.source if place is not None and pointer is not None else None
        finding = Finding(
            rule=rule_id,
            severity=self.config.severity_of(rule_id),
            direction=direction if rule.directional else Direction.NONE,
            subject=self.subject,
            path=path_text(path),
            new_pointer=new_ptr,
            old_pointer=old_ptr,
            message=_sentence(text),
            hint=hint or rule.fix,
            file=source or new.file,
            old_file=old.file,
        )
        return self.placed(self.finish(finding), place, pointer)

    def prefix_findings(self, old: Schema, new: Schema) -> Iterator[Finding]:
        """``MINOR_NOT_APPEND_ONLY`` for one version of a versioned subject and the version before it."""
        if "MINOR_NOT_APPEND_ONLY" not in self.enabled:
            return
        rule = RULES["MINOR_NOT_APPEND_ONLY"]
        for path, new_pointer, old_pointer, text in iter_prefix_problems(old.root, new.root):
            finding = Finding(
                rule=rule.id,
                severity=self.config.severity_of(rule.id),
                direction=Direction.NONE,
                subject=self.subject,
                path=path,
                new_pointer=new_pointer,
                old_pointer=old_pointer,
                message=_sentence(f"Version {new.version} {text}"),
                hint=rule.fix,
                file=new.file,
                old_file=old.file,
            )
            finished = self.finish(finding)
            if finished is not None:
                yield self._at(finished, new.text, new_pointer)

    def from_single(self, hit: SingleHit) -> Finding | None:
        rule_id, path, place, text = hit
        finding = Finding(
            rule=rule_id,
            severity=self.config.severity_of(rule_id),
            direction=Direction.NONE,
            subject=self.subject,
            path=path_text(path),
            new_pointer=place.pointer,
            old_pointer=None,
            message=_sentence(text),
            hint=RULES[rule_id].fix,
            file=place.source,
        )
        return self.placed(self.finish(finding), place, place.pointer)

    def note(self, rule_id: str, text: str, schema: Schema | None, *, old: Schema | None = None) -> Finding | None:
        """A finding about a whole file or subject (naming, edited or removed files)."""
        if rule_id not in self.enabled:
            return None
        file = schema.file if schema is not None else (old.file if old is not None else None)
        finding = Finding(
            rule=rule_id,
            severity=self.config.severity_of(rule_id),
            direction=Direction.NONE,
            subject=self.subject,
            path="",
            new_pointer="" if schema is not None else None,
            old_pointer="" if old is not None else None,
            message=_sentence(text),
            hint=RULES[rule_id].fix,
            file=file,
            line=1 if file is not None else None,
            column=1 if file is not None else None,
            old_file=old.file if old is not None else None,
        )
        return self.finish(finding)


@functools.lru_cache(maxsize=64)
def _running(
    enabled: frozenset[str], severities: tuple[tuple[str, Severity], ...], info: bool
) -> tuple[frozenset[str], frozenset[str]]:
    """The rules to run on neighbouring versions, and on far ones (worked out once per configuration).

    Near: the enabled rules, less those that can only give info findings nobody asked for (a
    removal's severity depends on the consumers that read the field, an error when one does, so
    the removal rules run whatever their configured severity). Far pairs of a transitive history
    report errors only: their notes would repeat the near pairs'.
    """
    severity = {**{rule: RULES[rule].severity for rule in enabled}, **dict(severities)}
    near = frozenset(r for r in enabled if info or r in _REMOVALS or severity[r] is not Severity.INFO)
    return near, frozenset(r for r in near if severity[r] is Severity.ERROR)


def _sentence(text: str) -> str:
    """Messages are written in lower case to compose; a sentence starts with a capital."""
    return text[:1].upper() + text[1:] if text[:4] in ("the ", "valu") else text


def _evolve(finding: Finding, **changes: Any) -> Finding:
    return attrs.evolve(finding, **changes)


def _consumers(readers: Readers, path: str) -> tuple[str, ...]:
    """Consumers reading ``path``, a field inside it, or a record that contains it."""
    plain = path.replace("[]", "").replace("{}", "")
    names: set[str] = set()
    for read, consumers in readers.items():
        if read == plain or read.startswith(plain + ".") or plain.startswith(read + "."):
            names.update(consumers)
    return tuple(sorted(names))


def _pairs(count: int, mode: Mode) -> Iterator[tuple[int, int]]:
    for new in range(1, count):
        for old in range(0 if mode.transitive else new - 1, new):
            yield old, new


def iter_history(
    history: Sequence[Schema], *, mode: Mode, context: _Context, checked: Collection[Schema] | None = None
) -> Iterator[Finding]:
    """Findings of one subject's versions (oldest first), lazily.

    ``checked``: the versions compared with their earlier ones (default: every one); the others
    are only what they are compared with (a baseline's versions before a version file).
    """
    enabled, far = context.enabled, context.far
    for old_index, new_index in _pairs(len(history), mode):
        old, new = history[old_index], history[new_index]
        if checked is not None and new not in checked:
            continue
        if not mode.directions or identity(old.root) == identity(new.root):
            continue  # the same schema, named types from other files included: nothing to resolve
        near = old_index == new_index - 1
        if near and old.version is not None and new.version is not None and new.version > old.version:
            yield from context.prefix_findings(old, new)
        rules = enabled if near else far
        for direction in mode.directions:
            hits: list[Hit] = []
            reader, writer = (new, old) if direction is Direction.BACKWARD else (old, new)
            try:
                resolve(reader.root, writer.root, direction=direction, enabled=rules, emit=hits.append)
            except RecursionError:
                raise SchemaError(
                    new.file, "the schemas are nested too deeply to compare", rule="INVALID_SCHEMA"
                ) from None
            for hit in hits:
                finding = context.from_hit(hit, direction, new, old)
                if finding is not None:
                    yield finding
    if history:
        yield from _iter_single(history[-1], context, enabled)


def _iter_single(schema: Schema, context: _Context, enabled: frozenset[str]) -> Iterator[Finding]:
    named = naming(context.subject)
    if named is not None:
        finding = context.note(named[0], named[1], schema)
        if finding is not None:
            yield finding
    docs = "MISSING_DOC" in enabled
    for node, path in iter_places(schema.root):
        for hit in (*place_hits(node, path), *(doc_hits(node, path) if docs else ())):
            if hit[0] in enabled:
                finding = context.from_single(hit)
                if finding is not None:
                    yield finding


def _prepare(
    old: SchemaLike | None,
    new: SchemaLike,
    mode: Mode | str,
    earlier: Sequence[SchemaLike],
    subject: str,
    readers: Readers | None,
    config: Config | None,
    show_info: bool,
) -> tuple[list[Schema], Mode, _Context]:
    """The history to check, the mode, and the context, from :func:`check`'s arguments."""
    mode = Mode.parse(mode) if isinstance(mode, str) else mode
    config = config if config is not None else Config(mode=mode)
    if show_info and not config.show_info:
        config = attrs.evolve(config, show_info=True)
    loaded = [_as_schema(s, subject) for s in (*earlier, *([old] if old is not None else []), new)]
    if not subject:  # the newest schema read from a file names the subject (its stem or folder)
        subject = next((s.subject for s in reversed(loaded) if s.subject), "")
    history = [s if s.subject == subject else attrs.evolve(s, subject=subject) for s in loaded]
    texts = {s.file: s.text for s in history if s.file is not None and s.text is not None}
    return history, mode, _Context(subject, texts, config, readers)


def iter_findings(
    old: SchemaLike | None,
    new: SchemaLike,
    *,
    mode: Mode | str = Mode.FULL_TRANSITIVE,
    earlier: Sequence[SchemaLike] = (),
    subject: str = "",
    readers: Readers | None = None,
    config: Config | None = None,
    show_info: bool = False,
) -> Iterator[Finding]:
    """Every finding of ``new`` against ``old``, lazily, in walk order.

    ``mode`` is a :class:`Mode` or its name (``"BACKWARD"``; :class:`ValueError` for an unknown
    one). ``earlier`` are the versions before ``old``, oldest first (used by the transitive modes).
    ``subject`` defaults to the file stem (or folder name) of the newest schema read from a file.
    ``readers`` maps dotted field paths to the consumers reading them: findings on those paths
    name the consumers; removing a field a consumer reads is an error, one nobody reads a safe note.
    Info findings (safe changes, such as a field added with a default) are computed only with
    ``show_info`` (or ``config.show_info``, or ``config.fail_on`` info); errors and warnings never
    depend on it.

    .. versionadded:: 0.1.0
    """
    history, mode, context = _prepare(old, new, mode, earlier, subject, readers, config, show_info)
    return iter_history(history, mode=mode, context=context)


def check(
    old: SchemaLike | None,
    new: SchemaLike,
    *,
    mode: Mode | str = Mode.FULL_TRANSITIVE,
    earlier: Sequence[SchemaLike] = (),
    subject: str = "",
    readers: Readers | None = None,
    config: Config | None = None,
    show_info: bool = False,
) -> Report:
    """The report of ``new`` against ``old`` (and ``earlier``) in ``mode``; see :func:`iter_findings`.

    .. versionadded:: 0.1.0
    """
    history, mode, context = _prepare(old, new, mode, earlier, subject, readers, config, show_info)
    findings = iter_history(history, mode=mode, context=context)
    return Report.of(findings, [context.subject], info_shown=context.info)


def _number(schema: Schema) -> int:
    """The stored version of a schema of the package layout (-1 for one read otherwise)."""
    return schema.version if schema.version is not None else -1


def _history(
    name: str, current: Subject, base: Subject | None, context: _Context
) -> tuple[list[Schema], list[Finding]]:
    """The versions to compare, and the findings about edited or removed released files.

    A partial subject (PATHs named some of its version files, not its folder) takes the versions
    before its newest named one from the baseline, to compare the named ones with, as if the named
    files were put in the baseline's folder; the versions it did not name are not removed.
    """
    notes: list[Finding | None] = []
    if base is None:
        return list(current.versions), []
    if not current.versioned:
        return [*base.versions, current.latest], []
    if not base.versioned:
        return [base.latest, *current.versions], []
    now = {s.version: s for s in current.versions}
    history = list(current.versions)
    if current.partial:
        newest = _number(current.latest)
        earlier = [s for s in base.versions if s.version not in now and _number(s) < newest]
        history = sorted([*earlier, *history], key=_number)
    for before in base.versions:
        after = now.get(before.version)
        if after is None and not current.partial:
            notes.append(_version_removed(name, before, context, why=""))
        elif after is not None and after.text != before.text:
            notes.append(
                context.note(
                    "RELEASED_FILE_EDITED",
                    f"Version {before.version} of {name} differs from the baseline's {before.file}.",
                    after,
                    old=before,
                )
            )
    return history, [n for n in notes if n is not None]


def _event_consumers(readers: Readers | None) -> tuple[str, ...]:
    """Every consumer that reads some field of the subject's event."""
    return tuple(sorted({name for consumers in (readers or {}).values() for name in consumers}))


def _version_removed(name: str, before: Schema, context: _Context, *, why: str) -> Finding | None:
    """``RELEASED_VERSION_REMOVED`` for ``before``, naming the consumers that read the event."""
    text = f"Version {before.version} of {name} was released and is gone{why}."
    finding = context.note("RELEASED_VERSION_REMOVED", text, None, old=before)
    consumers = _event_consumers(context.readers)
    if finding is None or not consumers:
        return finding
    message = f"{finding.message} Read by: {', '.join(consumers)}."
    return _evolve(finding, consumers=consumers, message=message)


def _subject_removed(name: str, base: Subject, context: _Context) -> list[Finding]:
    """What removing the whole subject ``base`` is.

    In the package layout every version of it was released: each is ``RELEASED_VERSION_REMOVED``,
    an error, as when one version is removed. A file of the flat layout is one schema, not a
    released version: ``SUBJECT_REMOVED``, a warning, or an error naming them when registered
    consumers read the event (as for a field they read).
    """
    if base.versioned:
        removed = [_version_removed(name, before, context, why=" (its folder was removed)") for before in base.versions]
        return [f for f in removed if f is not None]
    finding = context.note(
        "SUBJECT_REMOVED", f"The subject {name} is in the baseline and gone now.", None, old=base.latest
    )
    consumers = _event_consumers(context.readers)
    if finding is None or not consumers:
        return [finding] if finding is not None else []
    names = ", ".join(consumers)
    message = f"{finding.message} Read by: {names}; removing it breaks their contract."
    hint = "Keep the schema until those consumers' contracts no longer read the event."
    return [_evolve(finding, consumers=consumers, severity=Severity.ERROR, message=message, hint=hint)]


def _single_file(subject: Subject) -> bool:
    """Whether ``subject`` was read from one file PATH (a flat file, or one version file)."""
    return len(subject.versions) == 1 and (subject.partial or not subject.versioned)


def check_subjects(
    current: Mapping[str, Subject],
    baseline: Mapping[str, Subject] | None = None,
    *,
    config: Config | None = None,
    readers: Mapping[str, Readers] | None = None,
) -> Report:
    """Every subject's history (and its baseline, matched by name), in each subject's mode.

    One file against one file is one subject, whatever the names. Subjects read only from version
    files (partial) report no baseline subject as removed: files were named, not folders.

    .. versionadded:: 0.1.0
    """
    config = config if config is not None else Config()
    if baseline is not None and len(current) == 1 and len(baseline) == 1:
        ((name, subject),) = current.items()
        ((_, base),) = baseline.items()
        if _single_file(subject) and _single_file(base):  # one file against one file: same subject, one pair
            current = {name: attrs.evolve(subject, versioned=False)}
            baseline = {name: attrs.evolve(base, name=name, versioned=False)}
    removals = not (current and all(subject.named for subject in current.values()))
    with gc_paused():
        findings = subjects_findings(current, baseline, config, readers, removals=removals)
    return Report.of(findings, [*current, *(baseline or {})], info_shown=config.reports_info)


class _Texts(Mapping[str, str]):
    """The texts read now, then the baseline's: the shared maps themselves, as copying them per subject is quadratic."""

    def __init__(self, now: Mapping[str, str], base: Mapping[str, str]) -> None:
        self._now, self._base = now, base

    def __getitem__(self, name: str) -> str:
        text = self._now.get(name)
        return text if text is not None else self._base[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**self._base, **self._now})

    def __len__(self) -> int:
        return len({**self._base, **self._now})


def subjects_findings(
    current: Mapping[str, Subject],
    baseline: Mapping[str, Subject] | None,
    config: Config,
    readers: Mapping[str, Readers] | None,
    *,
    removals: bool,
) -> list[Finding]:
    """The findings of :func:`check_subjects`, unsorted; ``removals``: whether a subject gone from the baseline is.

    It is not when the PATHs named the subjects they hold (their version files or folders): the
    others were not read. Any share of the subjects can be checked on its own, with the same
    ``removals`` as the whole.
    """
    findings: list[Finding] = []
    for name, subject in sorted(current.items()):
        base = baseline.get(name) if baseline is not None else None
        texts = _Texts(subject.texts, base.texts) if base is not None else subject.texts
        context = _Context(name, texts, config, every_subject=readers)
        history, notes = _history(name, subject, base, context)
        findings.extend(notes)
        if baseline is not None and base is None:
            added = context.note("SUBJECT_ADDED", f"The subject {name} is not in the baseline.", subject.latest)
            findings.extend([added] if added else [])
        checked = subject.versions if subject.partial else None
        findings.extend(iter_history(history, mode=config.mode_for(name), context=context, checked=checked))
    if not removals:
        return findings
    for name, base in sorted((baseline or {}).items()):
        if name not in current:
            context = _Context(name, base.texts, config, every_subject=readers)
            findings.extend(_subject_removed(name, base, context))
    return findings


def lint_published(
    root: Path,
    *,
    baseline: str | None = None,
    readers: Mapping[str, Readers] | None = None,
    show_info: bool = False,
) -> Report:
    """The package layout under ``root`` (each subject's whole history, FULL_TRANSITIVE), and against ``baseline``.

    What ``subsidy-events check`` runs over the package's own ``schemas/``: every rule, the
    ``prefix`` category (``MINOR_NOT_APPEND_ONLY``) included, since its events travel on Redis
    Streams too, where no registry resolves a newer minor.

    .. versionadded:: 0.1.0
    """
    current = load_paths([root])
    base = build_subjects(read_baseline(baseline, [root]), like=current) if baseline is not None else None
    config = Config(mode=Mode.FULL_TRANSITIVE, use=PUBLISHED_USE, show_info=show_info)
    return check_subjects(current, base, config=config, readers=readers)

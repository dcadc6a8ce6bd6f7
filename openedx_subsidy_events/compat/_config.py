"""``[tool.subsidy-events]`` in ``pyproject.toml``: the mode, and which rules apply where.

The words are buf's: ``use`` (rule ids or categories to run), ``except`` (ids or categories to
leave out), ``ignore_only`` (``{rule or category: [subject or file glob, ...]}``: where a rule is
silenced). Beside them: ``mode``, ``fail_on``, ``severity`` (``{rule: level}``), ``show_info``
(``true`` to report info findings, which are otherwise not computed) and per-subject modes
under ``[tool.subsidy-events.subjects."<subject>"]``::

    [tool.subsidy-events]
    mode = "FULL_TRANSITIVE"
    except = ["MISSING_DOC"]
    ignore_only = { LOSSY_PROMOTION = ["org.openedx.legacy.*"] }

    [tool.subsidy-events.subjects."org.openedx.example.thing.created.v1"]
    mode = "BACKWARD"

The default ``use`` is every category but ``prefix`` (:data:`DEFAULT_USE`): a newer version read as a
prefix by an older reader is what a bus without a registry needs, and other projects may reorder
fields freely. ``use = ["wire", "semantic", "style", "prefix"]`` (:data:`PUBLISHED_USE`, what
``subsidy-events check`` and ``generate`` run on this package's events) or ``--rule prefix`` turns it on.
"""

from __future__ import annotations

import fnmatch
import functools
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from .._text import pointer_token
from ..exceptions import SchemaError
from ._model import Finding, Mode, Severity
from ._rules import RULES, Category

__all__ = ["DEFAULT_USE", "PUBLISHED_USE", "Config", "load_config"]

_CATEGORIES = {c.value for c in Category}
DEFAULT_USE: tuple[str, ...] = ("wire", "semantic", "style")
"""The categories that run unless ``use`` says otherwise: all but ``prefix``."""
PUBLISHED_USE: tuple[str, ...] = (*DEFAULT_USE, "prefix")
"""What runs on this package's published schemas (``check``, ``generate``): every category."""
_KEYS = {"mode", "fail_on", "use", "except", "ignore_only", "severity", "show_info", "subjects"}
_POINTER = "/tool/subsidy-events"


@functools.lru_cache(maxsize=256)
def _enabled(use: tuple[str, ...], except_: tuple[str, ...]) -> frozenset[str]:
    return _expand(use) - _expand(except_)


def _expand(names: Iterable[str]) -> frozenset[str]:
    """Rule ids from a mix of ids and category names."""
    ids: set[str] = set()
    for name in names:
        if name.lower() in _CATEGORIES:
            ids.update(r.id for r in RULES.values() if r.category.value == name.lower())
        else:
            ids.add(name.upper())
    return frozenset(ids)


def unknown_names(names: Iterable[str]) -> list[str]:
    """The names that are neither a rule id nor a category."""
    return [n for n in names if n.lower() not in _CATEGORIES and n.upper() not in RULES]


@attrs.frozen
class Config:
    """What to check and how strictly; the defaults are the package's policy.

    .. versionadded:: 0.1.0
    """

    mode: Mode = Mode.FULL_TRANSITIVE
    fail_on: Severity = Severity.ERROR
    use: tuple[str, ...] = DEFAULT_USE
    except_: tuple[str, ...] = ()
    ignore_only: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    severity: Mapping[str, Severity] = attrs.field(factory=dict)
    subjects: Mapping[str, Mode] = attrs.field(factory=dict)
    file: str | None = None
    show_info: bool = False

    @property
    def reports_info(self) -> bool:
        """Whether info findings are computed and reported: when asked, or when they decide the verdict.

        An info finding says that a change is safe ("adds a field with a default"); most runs have
        thousands and read none, so they are skipped (with the work of placing them in their file)
        unless ``show_info`` is set or ``fail_on`` is info. Errors and warnings never depend on it.
        """
        return self.show_info or self.fail_on is Severity.INFO

    def enabled(self) -> frozenset[str]:
        """The rule ids that run."""
        return _enabled(tuple(self.use), tuple(self.except_))

    def only(self, rules: Iterable[str]) -> Config:
        """The same configuration, running only ``rules`` (ids or categories), as ``--rule`` asks.

        They replace ``use``, and ``except`` no longer leaves them out: naming a rule on the command
        line is asking for it.
        """
        rules = tuple(rules)
        return attrs.evolve(self, use=rules, except_=tuple(sorted(_expand(self.except_) - _expand(rules))))

    def severity_of(self, rule: str) -> Severity:
        """The configured severity of ``rule``, else its default."""
        return self.severity.get(rule, RULES[rule].severity)

    def mode_for(self, subject: str) -> Mode:
        """The subject's own mode, else the default one."""
        return self.subjects.get(subject, self.mode)

    def ignored(self, finding: Finding) -> bool:
        """Whether an ``ignore_only`` entry silences ``finding`` (by subject or file glob)."""
        for name, places in self.ignore_only.items():
            if finding.rule not in _expand([name]):
                continue
            for glob in places:
                if fnmatch.fnmatchcase(finding.subject, glob) or (
                    finding.file is not None and fnmatch.fnmatchcase(finding.file, glob)
                ):
                    return True
        return False


def _strings(value: Any, where: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SchemaError(path, "must be a list of strings", pointer=where, rule="INVALID_CONFIG")
    bad = unknown_names(value)
    if bad and "ignore_only" not in where:
        raise SchemaError(path, f"unknown rule or category {bad[0]!r}", pointer=where, rule="INVALID_CONFIG")
    return tuple(value)


def _string(value: Any, where: str, path: str) -> str:
    if not isinstance(value, str):
        raise SchemaError(path, f"must be a string, not {_toml_type(value)}", pointer=where, rule="INVALID_CONFIG")
    return value


def _toml_type(value: Any) -> str:
    """The TOML word for the type of ``value``, for messages."""
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string", list: "an array"}
    return "a table" if isinstance(value, dict) else names.get(type(value), "a date or time")


def _parse(table: Mapping[str, Any], path: str) -> Config:
    extra = sorted(set(table) - _KEYS)
    if extra:
        raise SchemaError(
            path, f"unknown key {extra[0]!r}", pointer=f"{_POINTER}/{pointer_token(extra[0])}", rule="INVALID_CONFIG"
        )
    values: dict[str, Any] = {"file": path}
    for key, parse, name in (("mode", Mode.parse, "mode"), ("fail_on", Severity.parse, "fail_on")):
        if key in table:
            where = f"{_POINTER}/{key}"
            text = _string(table[key], where, path)
            try:
                values[name] = parse(text)
            except ValueError as error:
                raise SchemaError(path, str(error), pointer=where, rule="INVALID_CONFIG") from None
    if "show_info" in table:
        show = table["show_info"]
        if not isinstance(show, bool):
            where = f"{_POINTER}/show_info"
            raise SchemaError(path, f"must be a boolean, not {_toml_type(show)}", pointer=where, rule="INVALID_CONFIG")
        values["show_info"] = show
    if "use" in table:
        values["use"] = _strings(table["use"], f"{_POINTER}/use", path)
    if "except" in table:
        values["except_"] = _strings(table["except"], f"{_POINTER}/except", path)
    values["ignore_only"] = _mapping(table.get("ignore_only", {}), "ignore_only", path, _ignore_entry)
    severity = _mapping(table.get("severity", {}), "severity", path, _severity_entry)
    values["severity"] = {name.upper(): level for name, level in severity.items()}  # ids are matched upper-case
    values["subjects"] = _mapping(table.get("subjects", {}), "subjects", path, _subject_entry)
    return Config(**values)


def _mapping(raw: Any, key: str, path: str, entry: Any) -> dict[str, Any]:
    where = f"{_POINTER}/{key}"
    if not isinstance(raw, dict):
        raise SchemaError(path, f"must be a table, not {_toml_type(raw)}", pointer=where, rule="INVALID_CONFIG")
    return {name: entry(value, f"{where}/{pointer_token(name)}", name, path) for name, value in raw.items()}


def _ignore_entry(value: Any, where: str, name: str, path: str) -> tuple[str, ...]:
    if unknown_names([name]):
        raise SchemaError(path, f"unknown rule or category {name!r}", pointer=where, rule="INVALID_CONFIG")
    return _strings(value, where, path)


def _severity_entry(value: Any, where: str, name: str, path: str) -> Severity:
    if name.upper() not in RULES:
        raise SchemaError(path, f"unknown rule {name!r}", pointer=where, rule="INVALID_CONFIG")
    text = _string(value, where, path)
    try:
        return Severity.parse(text)
    except ValueError as error:
        raise SchemaError(path, str(error), pointer=where, rule="INVALID_CONFIG") from None


def _subject_entry(value: Any, where: str, name: str, path: str) -> Mode:
    if not isinstance(value, dict) or set(value) != {"mode"}:
        raise SchemaError(
            path, 'a subject\'s table has a "mode" and nothing else', pointer=where, rule="INVALID_CONFIG"
        )
    text = _string(value["mode"], f"{where}/mode", path)
    try:
        return Mode.parse(text)
    except ValueError as error:
        raise SchemaError(path, str(error), pointer=f"{where}/mode", rule="INVALID_CONFIG") from None


def load_config(path: Path | None = None) -> Config:
    """The configuration in ``path`` (a ``pyproject.toml`` or any TOML file with the same table).

    Without ``path``, ``./pyproject.toml`` is read when it exists; no file or no table means the
    defaults.

    .. versionadded:: 0.1.0
    """
    explicit = path is not None
    path = path if path is not None else Path("pyproject.toml")
    name = str(path)
    try:
        if not path.exists():
            if explicit:
                raise SchemaError(name, "does not exist", rule="INVALID_CONFIG")
            return Config()
        if not path.is_file():
            raise SchemaError(name, "is not a file", rule="INVALID_CONFIG")
        text = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise SchemaError(name, f"cannot be read ({error.strerror or error})", rule="INVALID_CONFIG") from None
    except UnicodeDecodeError as error:
        raise SchemaError(name, f"is not UTF-8 text (byte {error.start})", rule="INVALID_CONFIG") from None
    import tomllib  # only when there is a file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SchemaError(name, f"invalid TOML: {error}", rule="INVALID_CONFIG") from None
    except RecursionError:
        raise SchemaError(name, "the TOML is nested too deeply", rule="INVALID_CONFIG") from None
    except ValueError:  # an integer longer than the interpreter converts
        raise SchemaError(
            name, f"a number has more than {sys.get_int_max_str_digits()} digits", rule="INVALID_CONFIG"
        ) from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise SchemaError(name, f"must be a table, not {_toml_type(tool)}", pointer="/tool", rule="INVALID_CONFIG")
    table = tool.get("subsidy-events")
    if table is None:
        return Config(file=name)
    if not isinstance(table, dict):
        raise SchemaError(name, f"must be a table, not {_toml_type(table)}", pointer=_POINTER, rule="INVALID_CONFIG")
    return _parse(table, name)

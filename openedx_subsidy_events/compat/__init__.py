"""The schema-compatibility linter: whether a new Avro schema is safe for every reader and writer.

Correct to the Avro 1.12 specification ("Schema Resolution"), in Confluent Schema Registry's
modes, with the semantic and portability rules the Avro checkers miss. Findings are values::

    report = check(old_schema, new_schema, mode=Mode.FULL)
    for finding in report.errors:
        print(finding.rule, finding.direction, finding.new_pointer, finding.message)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from ._check import SchemaLike, check, check_subjects, iter_findings, lint_published
    from ._config import Config, load_config
    from ._formats import FORMATS, render
    from ._load import Schema, Subject, load_baseline, load_paths
    from ._model import Direction, Finding, Mode, Report, Severity
    from ._rules import EVENT_TYPE_EXEMPTIONS, RULES, Category, Rule, get_rule

__getattr__, __dir__ = lazy_names(
    __name__,
    {
        "SchemaLike": "._check",
        "check": "._check",
        "check_subjects": "._check",
        "iter_findings": "._check",
        "lint_published": "._check",
        "Config": "._config",
        "load_config": "._config",
        "FORMATS": "._formats",
        "render": "._formats",
        "Schema": "._load",
        "Subject": "._load",
        "load_baseline": "._load",
        "load_paths": "._load",
        "Direction": "._model",
        "Finding": "._model",
        "Mode": "._model",
        "Report": "._model",
        "Severity": "._model",
        "EVENT_TYPE_EXEMPTIONS": "._rules",
        "RULES": "._rules",
        "Category": "._rules",
        "Rule": "._rules",
        "get_rule": "._rules",
    },
)

__all__ = [
    "EVENT_TYPE_EXEMPTIONS",
    "FORMATS",
    "RULES",
    "Category",
    "Config",
    "Direction",
    "Finding",
    "Mode",
    "Report",
    "Rule",
    "Schema",
    "SchemaLike",
    "Severity",
    "Subject",
    "check",
    "check_subjects",
    "get_rule",
    "iter_findings",
    "lint_published",
    "load_baseline",
    "load_config",
    "load_paths",
    "render",
]

"""The schema-compatibility linter: whether a new Avro schema is safe for every reader and writer.

Correct to the Avro 1.12 specification ("Schema Resolution"), in Confluent Schema Registry's
modes, with the semantic and portability rules the Avro checkers miss. Findings are values::

    report = check(old_schema, new_schema, mode=Mode.FULL)
    for finding in report.errors:
        print(finding.rule, finding.direction, finding.new_pointer, finding.message)
"""

from ._check import SchemaLike, check, check_subjects, iter_findings, lint_published
from ._config import Config, load_config
from ._formats import FORMATS, render
from ._load import Schema, Subject, load_baseline, load_paths
from ._model import Direction, Finding, Mode, Report, Severity
from ._rules import EVENT_TYPE_EXEMPTIONS, RULES, Category, Rule, get_rule

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

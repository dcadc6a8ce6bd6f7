"""The five output formats: text, json, github (workflow commands), junit, sarif.

Each takes a report and returns a string; none looks at the clock, the machine or the order of a
dict it did not sort, so the same input always gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import PurePath

from .._text import one_line
from .._version import __version__
from ._model import Finding, Report, Severity
from ._rules import RULES

__all__ = ["FORMATS", "render"]

_INFO_URI = "https://github.com/openedx/openedx-subsidy-events/blob/main/docs/rules.rst"


def _summary(report: Report) -> str:
    counts = report.counts()
    subjects = len(report.subjects)
    problems = f"{counts['error']} error(s), {counts['warning']} warning(s)"
    if not report.info_shown:  # notes were not computed: "0 note(s)" would say there are none
        return f"{problems} in {subjects} subject(s) (--show-info for notes)"
    return f"{problems}, {counts['info']} note(s) in {subjects} subject(s)"


def render_text(report: Report, fail_on: Severity) -> str:
    """One line per finding (``file:line:col: severity RULE [DIRECTION vs OLD] path (pointer): ...``), then a summary.

    ``vs OLD`` names the old file the finding compares with (:attr:`Finding.versus`), when there is one.
    """
    lines = [one_line(str(finding)) for finding in report]  # a name with a line break cannot forge a line
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def render_json(report: Report, fail_on: Severity) -> str:
    """A JSON object: the findings, the counts and the verdict at ``fail_on``.

    ``info_shown`` says whether info findings were computed: when it is false, ``counts.info`` is 0
    because nobody asked for notes, not because there are none.
    """
    document = {
        "tool": "subsidy-events lint",
        "version": __version__,
        "fail_on": str(fail_on),
        "ok": report.exit_code(fail_on) == 0,
        "counts": report.counts(),
        "info_shown": report.info_shown,
        "subjects": list(report.subjects),
        "findings": [finding.to_dict() for finding in report],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def render_github(report: Report, fail_on: Severity) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on its file and line.

    Notes (info) are informational: they are annotated only when they fail the run (``fail_on``
    info); otherwise the summary line counts them and says that they were left out.
    """
    lines = []
    shown = report.at_least(min(fail_on, Severity.WARNING))
    for finding in shown:
        props = []
        if finding.file:
            props.append(f"file={_gh_property(finding.file)}")
            if finding.line is not None:
                props.append(f"line={finding.line}")
                props.append(f"col={finding.column or 1}")
        versus = f" vs {finding.versus}" if finding.versus is not None else ""
        title = f"{finding.rule} [{finding.direction}{versus}] {finding.path or finding.subject}"
        props.append(f"title={_gh_property(title)}")
        body = f"{finding.message} hint: {finding.hint} ({finding.pointer or '/'})"
        lines.append(f"::{_GH_LEVEL[finding.severity]} {','.join(props)}::{_gh_data(body)}")
    hidden = len(report) - len(shown)
    left_out = f" ({hidden} note(s) not annotated; --fail-on info annotates them)" if hidden else ""
    lines.append(_summary(report) + left_out)
    return "\n".join(lines) + "\n"


def render_junit(report: Report, fail_on: Severity) -> str:
    """JUnit XML: a test case per subject, failing with every finding at ``fail_on`` or worse."""
    import xml.etree.ElementTree as ET

    failing = report.at_least(fail_on)
    suites = ET.Element("testsuites", name="subsidy-events lint")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="subsidy-events lint",
        tests=str(len(report.subjects)),
        failures=str(len({f.subject for f in failing})),
        errors="0",
        skipped="0",
    )
    by_subject: dict[str, tuple[list[Finding], list[Finding]]] = {}  # failing and the rest, grouped once
    for finding in report:
        by_subject.setdefault(finding.subject, ([], []))[0 if finding.severity >= fail_on else 1].append(finding)
    for subject in report.subjects:
        case = ET.SubElement(suite, "testcase", classname="subsidy-events.lint", name=subject)
        mine, notes = by_subject.get(subject, ([], []))
        if mine:
            failure = ET.SubElement(case, "failure", type=mine[0].rule, message=f"{len(mine)} finding(s)")
            failure.text = "\n".join(str(f) for f in mine)
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(str(f) for f in notes)
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _sarif_uri(file: str) -> str:
    """``file`` as a URI (RFC 3986): ``file://`` for an absolute path, else a percent-encoded relative reference.

    Every character outside the unreserved set and ``/`` is encoded, so that a ``:`` cannot read as a
    scheme, nor ``%``, ``#`` or ``?`` as URI syntax; a name that is not UTF-8 keeps its bytes.
    """
    import urllib.parse  # here, as the XML library below: only these formats need them

    path = PurePath(file)
    if path.is_absolute():
        return path.as_uri()
    return urllib.parse.quote(path.as_posix(), safe="/", errors="surrogateescape")


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.message} hint: {finding.hint}"},
        "properties": {
            "direction": finding.direction.value,
            "subject": finding.subject,
            "newPointer": finding.new_pointer,
            "oldPointer": finding.old_pointer,
            "oldFile": finding.old_file,
            "consumers": list(finding.consumers),
        },
    }
    if finding.file:
        physical: dict[str, object] = {"artifactLocation": {"uri": _sarif_uri(finding.file)}}
        if finding.line is not None:
            physical["region"] = {"startLine": finding.line, "startColumn": finding.column or 1}
        location: dict[str, object] = {"physicalLocation": physical}
        if finding.path:
            location["logicalLocations"] = [{"fullyQualifiedName": finding.path, "kind": "member"}]
        result["locations"] = [location]
    return result


def render_sarif(report: Report, fail_on: Severity) -> str:
    """SARIF 2.1.0 with the whole rule table as the tool's rules (code scanning reads it)."""
    rules = list(RULES.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver = {
        "name": "subsidy-events lint",
        "version": __version__,
        "informationUri": _INFO_URI,
        "rules": [
            {
                "id": rule.id,
                "name": rule.id.title().replace("_", ""),
                "shortDescription": {"text": rule.purpose},
                "fullDescription": {"text": rule.why},
                "help": {"text": f"Who fails: {rule.reader}. Fix: {rule.fix}"},
                "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                "properties": {"category": rule.category.value},
            }
            for rule in rules
        ],
    }
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": [_sarif_result(f, index) for f in report]}],
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


FORMATS: dict[str, Callable[[Report, Severity], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
    "sarif": render_sarif,
}
"""Every output format by name.

.. versionadded:: 0.1.0
"""


def render(report: Report, format: str = "text", *, fail_on: Severity = Severity.ERROR) -> str:
    """``report`` in ``format``; :class:`KeyError` for an unknown format.

    .. versionadded:: 0.1.0
    """
    return FORMATS[format](report, fail_on)

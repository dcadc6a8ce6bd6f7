"""The Python API: check / iter_findings, modes, findings as values, readers, the published schemas."""

from __future__ import annotations

import json
import types
from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events.avro._store import default_root
from openedx_subsidy_events.compat import (
    EVENT_TYPE_EXEMPTIONS,
    Direction,
    Finding,
    Mode,
    Report,
    Severity,
    check,
    check_subjects,
    iter_findings,
    lint_published,
    load_paths,
)
from openedx_subsidy_events.events import all_events


def record(*fields: dict[str, Any], name: str = "R") -> dict[str, Any]:
    return {"type": "record", "name": name, "doc": "R.", "fields": [dict(f, doc=f"The {f['name']}.") for f in fields]}


A = {"name": "a", "type": "int"}
B = {"name": "b", "type": "string"}
B_DEFAULT = {"name": "b", "type": "string", "default": ""}


def errors(report: Report) -> list[tuple[str, str]]:
    return [(f.rule, f.direction.value) for f in report.errors]


@pytest.mark.parametrize(
    ("mode", "directions", "transitive"),
    [
        (Mode.BACKWARD, (Direction.BACKWARD,), False),
        (Mode.BACKWARD_TRANSITIVE, (Direction.BACKWARD,), True),
        (Mode.FORWARD, (Direction.FORWARD,), False),
        (Mode.FORWARD_TRANSITIVE, (Direction.FORWARD,), True),
        (Mode.FULL, (Direction.BACKWARD, Direction.FORWARD), False),
        (Mode.FULL_TRANSITIVE, (Direction.BACKWARD, Direction.FORWARD), True),
        (Mode.NONE, (), False),
    ],
)
def test_modes_mean_what_confluent_means(mode: Mode, directions: tuple[Direction, ...], transitive: bool) -> None:
    """Each mode names the directions it checks and whether it checks every earlier version."""
    assert mode.directions == directions
    assert mode.transitive is transitive
    assert Mode.parse(mode.value.lower().replace("_", "-")) is mode


def test_added_field_breaks_backward_only() -> None:
    """A field added without a default: new readers cannot read old data; old readers are fine."""
    old, new = record(A), record(A, B)
    assert errors(check(old, new, mode=Mode.BACKWARD)) == [("FIELD_ADDED_WITHOUT_DEFAULT", "BACKWARD")]
    assert errors(check(old, new, mode=Mode.FORWARD)) == []
    assert errors(check(old, new, mode=Mode.FULL)) == [("FIELD_ADDED_WITHOUT_DEFAULT", "BACKWARD")]
    assert errors(check(old, new, mode=Mode.NONE)) == []


def test_transitive_checks_every_earlier_version() -> None:
    """v0 lacks b; v1 adds it with a default; v2 drops the default: only the transitive mode sees v2 vs v0."""
    v0, v1, v2 = record(A), record(A, B_DEFAULT), record(A, B)
    assert errors(check(v1, v2, earlier=[v0], mode=Mode.BACKWARD)) == []
    report = check(v1, v2, earlier=[v0], mode=Mode.BACKWARD_TRANSITIVE)
    assert errors(report) == [("FIELD_ADDED_WITHOUT_DEFAULT", "BACKWARD")]


def test_finding_is_a_value_with_both_pointers() -> None:
    """A finding carries the rule, severity, direction, both pointers, the path, a sentence and a hint."""
    old = record({"name": "inner", "type": record(A, name="Inner")})
    new = record({"name": "inner", "type": record({"name": "a", "type": "string"}, name="Inner")})
    (finding,) = check(old, new, mode=Mode.BACKWARD, subject="s").errors
    assert finding.rule == "TYPE_CHANGED"
    assert finding.severity is Severity.ERROR
    assert finding.direction is Direction.BACKWARD
    assert finding.path == "inner.a"
    assert (finding.new_pointer, finding.old_pointer) == (
        "/fields/0/type/fields/0/type",
        "/fields/0/type/fields/0/type",
    )
    assert finding.message.endswith(".")
    assert finding.hint
    assert str(finding).startswith("<s>: error TYPE_CHANGED [BACKWARD] inner.a (/fields/0/type/fields/0/type): ")
    assert finding.to_dict()["direction"] == "BACKWARD"


def test_paths_through_arrays_maps_and_unions() -> None:
    """Dotted paths mark array items and map values; unions add nothing."""
    old = record({"name": "xs", "type": {"type": "array", "items": {"type": "map", "values": ["null", "int"]}}})
    new = record({"name": "xs", "type": {"type": "array", "items": {"type": "map", "values": ["null", "string"]}}})
    paths = {f.path for f in check(old, new, mode=Mode.FULL).errors}
    assert paths == {"xs[]{}"}


def test_iter_findings_is_lazy() -> None:
    """iter_findings returns a generator: nothing is walked until it is consumed."""
    found = iter_findings(record(A), record(A, B), mode=Mode.BACKWARD)
    assert isinstance(found, types.GeneratorType)
    assert any(f.rule == "FIELD_ADDED_WITHOUT_DEFAULT" for f in found)


def test_report_orders_deterministically() -> None:
    """Reports sort findings and drop duplicates; the verdict follows fail_on."""
    report = check(record(A, B), record({"name": "a", "type": "string"}), mode=Mode.FULL)
    assert list(report) == sorted(report, key=Finding.sort_key)
    assert report.exit_code() == 1
    assert not report.ok
    assert report.counts()["error"] == len(report.errors)


def test_union_takes_the_first_matching_branch() -> None:
    """The reader union's first branch that matches by name is resolved (the spec), not any compatible one."""
    inner = {"type": "record", "name": "A", "namespace": "x", "fields": [{"name": "x", "type": "int"}]}
    first = {"type": "record", "name": "A", "namespace": "y", "fields": [{"name": "z", "type": "int"}]}
    second = {"type": "record", "name": "B", "aliases": ["x.A"], "fields": [{"name": "x", "type": "int"}]}
    old = record({"name": "u", "type": inner})
    new = record({"name": "u", "type": [first, second]})
    assert not check(old, new, mode=Mode.BACKWARD).ok


def test_recursive_record_is_checked_once() -> None:
    """A recursive record is walked once per reader/writer pair (no endless walk)."""
    node = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "v", "type": "int"}, {"name": "next", "type": ["null", "Node"], "default": None}],
    }
    changed = dict(node, fields=[{"name": "v", "type": "long"}, node["fields"][1]])
    report = check(node, changed, mode=Mode.FULL)
    assert errors(report) == [("TYPE_CHANGED", "FORWARD")]


def test_every_promotion() -> None:
    """Exactly the promotions of the spec resolve: int/long to wider numbers, float to double, string to/from bytes."""
    allowed = {
        ("int", "long"), ("int", "float"), ("int", "double"), ("long", "float"), ("long", "double"),
        ("float", "double"), ("string", "bytes"), ("bytes", "string"),
    }  # fmt: skip
    kinds = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
    for writer in kinds:
        for reader in kinds:
            report = check(
                record({"name": "v", "type": writer}), record({"name": "v", "type": reader}), mode=Mode.BACKWARD
            )
            compatible = reader == writer or (writer, reader) in allowed
            assert report.ok is compatible, (writer, reader)


READERS = {"a": ["license-manager"], "inner.x": ["ecommerce", "enterprise-access"]}


def test_readers_name_the_consumers_of_a_break() -> None:
    """With contracts, a breaking finding on a field names the consumers that read it."""
    old = record(A, {"name": "inner", "type": record({"name": "x", "type": "int"}, name="Inner")})
    new = record(A, {"name": "inner", "type": record({"name": "x", "type": "string"}, name="Inner")})
    (finding,) = check(old, new, mode=Mode.BACKWARD, readers=READERS).errors
    assert finding.consumers == ("ecommerce", "enterprise-access")
    assert "Read by: ecommerce, enterprise-access." in finding.message


def test_removing_a_field_nobody_reads_is_safe() -> None:
    """With contracts, removing a field no consumer reads is a note, not an error."""
    old, new = record(A, B), record(A)
    (finding,) = [
        f
        for f in check(old, new, mode=Mode.FULL, readers=READERS, show_info=True)
        if f.rule == "FIELD_REMOVED_WITHOUT_DEFAULT"
    ]
    assert finding.severity is Severity.INFO
    assert "safe" in finding.message
    (finding,) = [f for f in check(old, new, mode=Mode.FULL) if f.rule == "FIELD_REMOVED_WITHOUT_DEFAULT"]
    assert finding.severity is Severity.ERROR


def test_removing_a_field_someone_reads_stays_an_error() -> None:
    """With contracts, removing a field a consumer reads is an error naming it."""
    old, new = record(A, B), record(B)
    (finding,) = check(old, new, mode=Mode.FULL, readers=READERS).errors
    assert (finding.rule, finding.consumers) == ("FIELD_REMOVED_WITHOUT_DEFAULT", ("license-manager",))


def test_removing_an_optional_field_someone_reads_is_an_error() -> None:
    """A removal that decodes fine (the default fills in) still breaks a consumer that reads the field."""
    optional = {"name": "a", "type": ["null", "string"], "default": None}
    old, new = record(optional, B), record(B)
    (finding,) = [f for f in check(old, new, mode=Mode.FULL, show_info=True) if f.rule == "FIELD_REMOVED_WITH_DEFAULT"]
    assert finding.severity is not Severity.ERROR
    (finding,) = check(old, new, mode=Mode.FULL, readers=READERS).errors
    assert (finding.rule, finding.consumers) == ("FIELD_REMOVED_WITH_DEFAULT", ("license-manager",))
    assert "removing it breaks their contract" in finding.message


def test_published_schemas_are_clean() -> None:
    """The package's own schemas pass FULL_TRANSITIVE; the ADR types show as visible exemptions."""
    report = lint_published(default_root(), show_info=True)
    assert report.ok, [str(f) for f in report.errors]
    exempt = {f.subject for f in report if f.rule == "EVENT_TYPE_NAMING_EXEMPT"}
    assert exempt == {d.event_type for d in all_events()} == set(EVENT_TYPE_EXEMPTIONS)


def test_lint_published_against_a_folder_baseline(tmp_path: Path) -> None:
    """lint_published compares with a baseline: an edited released file is an error."""
    import shutil

    root = tmp_path / "schemas"
    shutil.copytree(default_root(), root)
    first = sorted(root.glob("*/0.avsc"))[0]
    baseline = tmp_path / "baseline"
    shutil.copytree(root, baseline)
    first.write_text(first.read_text().replace('"doc": "', '"doc": "Edited. ', 1))
    report = lint_published(root, baseline=str(baseline))
    assert [f.rule for f in report.errors] == ["RELEASED_FILE_EDITED"]


def test_rules_reference_is_generated_from_the_table() -> None:
    """docs/rules.rst is exactly what the rule table generates (regenerate it after editing a rule)."""
    from openedx_subsidy_events.compat._docs import rules_rst

    committed = Path(__file__).resolve().parents[2] / "docs" / "rules.rst"
    assert committed.read_text() == rules_rst()


def test_recursive_record_holding_a_plain_record() -> None:
    """A list node whose value is a plain nested record reads fine, and a change inside is found."""
    item = {"type": "record", "name": "Item", "fields": [{"name": "n", "type": "int"}]}
    node = {
        "type": "record",
        "name": "Node",
        "fields": [{"name": "item", "type": item}, {"name": "next", "type": ["null", "Node"], "default": None}],
    }
    changed = dict(
        node, fields=[{"name": "item", "type": dict(item, fields=[{"name": "n", "type": "string"}])}, node["fields"][1]]
    )
    assert errors(check(node, changed, mode=Mode.BACKWARD)) == [("TYPE_CHANGED", "BACKWARD")]


@pytest.mark.parametrize(
    ("kind", "default", "reason"),
    [
        ("float", 1e39, "out of range for float"),
        ("float", -(10**40), "out of range for float"),
        ("float", 3.4028234663852886e38, None),
        ("double", 10**400, "out of range for double"),
        ("double", float("inf"), "out of range for double"),
        ("double", float("nan"), "NaN is not a JSON number"),
        (["null", "double"], float("nan"), "NaN is not a JSON number"),
        ("double", 1e308, None),
    ],
    ids=["1e39", "-1e40-int", "float-max", "1e400-int", "inf", "nan", "nan-in-union", "1e308"],
)
def test_number_defaults_must_be_representable(kind: Any, default: Any, reason: str | None) -> None:
    """A float or double default must be a JSON number the type can hold; NaN and infinities are not JSON."""
    schema = {"type": "record", "name": "R", "doc": "R.", "fields": [{"name": "x", "type": kind, "doc": "X."}]}
    schema["fields"][0]["default"] = default
    found = [f for f in check(None, schema) if f.rule == "INVALID_DEFAULT"]
    if reason is None:
        assert found == []
    else:
        assert [(f.new_pointer, reason in f.message) for f in found] == [("/fields/0", True)], found


def test_fixed_larger_than_java_reads() -> None:
    """A fixed size beyond 2^31-1 is FIXED_SIZE_TOO_LARGE (an error); 2^31-1 itself is fine."""
    too_large = check(None, {"type": "fixed", "name": "F", "size": 99999999999999999999999999999})
    assert [(f.rule, f.severity, f.new_pointer) for f in too_large] == [("FIXED_SIZE_TOO_LARGE", Severity.ERROR, "")]
    assert not check(None, {"type": "fixed", "name": "F", "size": 2**31 - 1}).findings


def _hints(old: str, new: str, mode: Mode) -> dict[tuple[str, str], str]:
    report = check(record({"name": "v", "type": old}), record({"name": "v", "type": new}), mode=mode, show_info=True)
    return {(f.rule, f.direction.value): f.hint for f in report}


def test_string_and_bytes_promote_both_ways_and_say_so() -> None:
    """string<->bytes resolves in both directions: the hint says so and names no TYPE_CHANGED."""
    for old, new in (("string", "bytes"), ("bytes", "string")):
        hints = _hints(old, new, Mode.FULL)
        assert hints[("TYPE_PROMOTED", "BACKWARD")] == hints[("TYPE_PROMOTED", "FORWARD")]
        assert "promote to each other" in hints[("TYPE_PROMOTED", "BACKWARD")]
        assert "TYPE_CHANGED" not in hints[("TYPE_PROMOTED", "BACKWARD")]


@pytest.mark.parametrize(
    ("old", "new", "mode", "direction", "other"),
    [
        ("int", "long", Mode.BACKWARD, "BACKWARD", "the old schema's int cannot read long: TYPE_CHANGED under FORWARD"),
        ("long", "int", Mode.FORWARD, "FORWARD", "the new schema's int cannot read long: TYPE_CHANGED under BACKWARD"),
    ],
    ids=["widened", "narrowed"],
)
def test_promotion_hint_names_the_direction_that_breaks(
    old: str, new: str, mode: Mode, direction: str, other: str
) -> None:
    """A widening's hint names the reverse direction's break in the words of the finding's own direction."""
    hints = _hints(old, new, mode)
    assert list(hints) == [("TYPE_PROMOTED", direction)]
    assert other in hints[("TYPE_PROMOTED", direction)]


@pytest.mark.parametrize(
    ("old", "new", "says", "not_says"),
    [
        ("bytes", "string", "Keep bytes", "long"),
        ("long", "double", "Keep long", "bytes"),
        ("int", "float", "double", "bytes"),
    ],
)
def test_lossy_promotion_hint_fits_the_types(old: str, new: str, says: str, not_says: str) -> None:
    """LOSSY_PROMOTION's hint is about the types at hand: no long->long advice for bytes->string."""
    hint = _hints(old, new, Mode.BACKWARD)[("LOSSY_PROMOTION", "BACKWARD")]
    assert says in hint
    assert not_says not in hint


def test_mode_may_be_given_by_name() -> None:
    """mode="BACKWARD" (any case) works like Mode.BACKWARD; an unknown name is a ValueError that lists the modes."""
    old, new = record(A), record(A, B)
    assert errors(check(old, new, mode="BACKWARD")) == errors(check(old, new, mode=Mode.BACKWARD))
    assert errors(check(old, new, mode="forward")) == []
    assert list(iter_findings(old, new, mode="none")) == list(iter_findings(old, new, mode=Mode.NONE))
    with pytest.raises(ValueError, match="unknown mode 'SIDEWAYS'; expected one of BACKWARD"):
        check(old, new, mode="SIDEWAYS")


def test_files_name_the_subject(tmp_path: Path) -> None:
    """check(Path, Path) names the subject after the new file's stem, in the report and in every finding."""
    (tmp_path / "old.avsc").write_text(json.dumps(record(A)))
    (tmp_path / "thing.created.avsc").write_text(json.dumps(record(A, B)))
    report = check(tmp_path / "old.avsc", tmp_path / "thing.created.avsc", mode=Mode.BACKWARD)
    assert report.subjects == ("thing.created",)
    assert {f.subject for f in report} == {"thing.created"}
    named = check(tmp_path / "old.avsc", tmp_path / "thing.created.avsc", subject="mine")
    assert {f.subject for f in named} == {"mine"}
    assert check(record(A), record(A, B)).subjects == ("",)


def _union_findings(union: list[str]) -> set[tuple[str, str, str]]:
    """Findings on an unchanged union field ``u`` when another field changes (so that resolution runs)."""
    old = record(A, {"name": "u", "type": union})
    new = record({"name": "a", "type": "long"}, {"name": "u", "type": union})
    return {
        (f.rule, f.direction.value, f.new_pointer or "")
        for f in check(old, new, mode=Mode.FULL, show_info=True)
        if f.path == "u"
    }


def test_a_union_branch_shadowed_by_an_earlier_one_is_reported_even_unchanged() -> None:
    """The first matching branch wins: an unchanged ["null", "string", "bytes"] reads bytes values as string."""
    found = _union_findings(["null", "string", "bytes"])
    assert found == {
        ("TYPE_PROMOTED", "BACKWARD", "/fields/1/type/1"),
        ("TYPE_PROMOTED", "FORWARD", "/fields/1/type/2"),
        ("LOSSY_PROMOTION", "BACKWARD", "/fields/1/type/1"),
        ("LOSSY_PROMOTION", "FORWARD", "/fields/1/type/2"),
    }
    old = record(A, {"name": "u", "type": ["null", "string", "bytes"]})
    lossy = [
        f
        for f in check(old, record(A, B_DEFAULT, {"name": "u", "type": ["null", "string", "bytes"]}), show_info=True)
        if f.path == "u"
    ]
    assert {f.rule for f in lossy} == {"TYPE_PROMOTED", "LOSSY_PROMOTION"}
    assert all(
        "lists string before bytes" in f.message and "Keep only one of bytes and string" in f.hint for f in lossy
    )


@pytest.mark.parametrize(
    ("union", "rules"),
    [
        (["null", "int", "long"], set()),  # the narrower type first: each value finds its own branch
        (["null", "long", "int"], {"TYPE_PROMOTED"}),  # an int is read by the long branch: exact, only noted
        (["null", "float", "long"], {"TYPE_PROMOTED", "LOSSY_PROMOTION"}),  # a long read as float rounds
    ],
)
def test_numeric_union_order(union: list[str], rules: set[str]) -> None:
    """Only a wider branch listed before a narrower one takes its values; the hint says to reorder them."""
    assert {rule for rule, _, _ in _union_findings(union)} == rules
    old, new = (
        record(A, {"name": "u", "type": union}),
        record({"name": "a", "type": "long"}, {"name": "u", "type": union}),
    )
    hints = {f.hint for f in check(old, new, mode=Mode.BACKWARD) if f.path == "u"}
    assert all(h.startswith(f"List {union[2]} before {union[1]} in the union") for h in hints), hints


def _layout(root: Path, files: dict[str, dict[str, Any]]) -> Path:
    for name, schema in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(json.dumps(schema))
    return root


def test_removing_a_subjects_folder_removes_its_released_versions(tmp_path: Path) -> None:
    """Package layout: a subject folder gone is RELEASED_VERSION_REMOVED (error) per version, naming consumers."""
    gone = {"gone/0.avsc": record(A), "gone/1.avsc": record(A, B_DEFAULT)}
    old = load_paths([_layout(tmp_path / "old", {**gone, "kept/0.avsc": record(A)})])
    new = load_paths([_layout(tmp_path / "new", {"kept/0.avsc": record(A)})])
    report = check_subjects(new, old)
    assert [(f.rule, f.severity, f.subject, f.old_file) for f in report] == [
        ("RELEASED_VERSION_REMOVED", Severity.ERROR, "gone", str(tmp_path / "old" / "gone" / name))
        for name in ("0.avsc", "1.avsc")
    ]
    assert not report.ok
    assert "its folder was removed" in report.findings[0].message
    named = check_subjects(new, old, readers={"gone": READERS})
    assert {(f.consumers, f.severity) for f in named} == {
        (("ecommerce", "enterprise-access", "license-manager"), Severity.ERROR)
    }
    assert "Read by: ecommerce, enterprise-access, license-manager." in named.findings[0].message


def test_removing_a_flat_subject_is_a_warning_unless_a_consumer_reads_it(tmp_path: Path) -> None:
    """Flat layout: a <subject>.avsc gone is SUBJECT_REMOVED, a warning; an error naming them if consumers read it."""
    old = load_paths([_layout(tmp_path / "old", {"gone.avsc": record(A), "kept.avsc": record(A)})])
    new = load_paths([_layout(tmp_path / "new", {"kept.avsc": record(A)})])
    (finding,) = check_subjects(new, old)
    assert (finding.rule, finding.severity, finding.consumers) == ("SUBJECT_REMOVED", Severity.WARNING, ())
    (finding,) = check_subjects(new, old, readers={"gone": READERS, "kept": {"a": ["other"]}})
    assert (finding.rule, finding.severity) == ("SUBJECT_REMOVED", Severity.ERROR)
    assert finding.consumers == ("ecommerce", "enterprise-access", "license-manager")
    assert "removing it breaks their contract" in finding.message

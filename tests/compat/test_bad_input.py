"""Bad input is one clear line with the file and the place, and exit 2: never a traceback or a hang."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openedx_subsidy_events.avro._store import MAX_SCHEMA_BYTES
from openedx_subsidy_events.compat import check, load_paths
from openedx_subsidy_events.compat._schema import parse
from openedx_subsidy_events.exceptions import SchemaError

from .conftest import run_cli

GOOD = {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}


def _lint(path: Path) -> tuple[int, str]:
    code, out, err = run_cli(["lint", str(path)])
    assert "Traceback" not in out + err
    return code, err


@pytest.mark.parametrize(
    ("content", "rule", "where"),
    [
        (b'{"type": "record",\n "name": }', "INVALID_JSON", ":2:10"),
        (b'{"type": "record", "name": "R"}', "INVALID_SCHEMA", 'needs a "fields" list'),
        (
            b'{"type": "record", "name": "R", "fields": [{"name": "a", "type": "Nope"}]}',
            "UNKNOWN_NAMED_TYPE",
            ":1:66 (/fields/0/type)",
        ),
        (b'{"type": "record", "name": "R", "fields": [{"name": "a", "type": "R"}]}', "RECURSIVE_SCHEMA", ":1:1: "),
        (
            b'{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}',
            "INVALID_SCHEMA",
            ":1:83 (/fields/1/name)",
        ),
        (b'{"type": "enum", "name": "E", "symbols": ["A", "A"]}', "INVALID_SCHEMA", ":1:42 (/symbols)"),
        (b'["int", "int"]', "INVALID_SCHEMA", "twice"),
        (b'["int", ["string"]]', "INVALID_SCHEMA", ":1:9 (/1)"),
        (b'["null", {"type": ["int", "string"]}]', "INVALID_SCHEMA", ":1:19 (/1/type)"),
        (
            b'{"type": "record", "name": "R", "fields": [\n {"name": "a", "type": ["null", {"type": ["int"]}]}]}',
            "INVALID_SCHEMA",
            ":2:42 (/fields/0/type/1/type): INVALID_SCHEMA: a union cannot contain a union directly",
        ),
        (b'{"type": "fixed", "name": "F", "size": -1}', "INVALID_SCHEMA", "size"),
        (b'{"type": "wat"}', "UNKNOWN_NAMED_TYPE", ":1:10 (/type)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UNREADABLE", "binary"),
        (b"\xff\xfe{}", "UNREADABLE", "UTF-8"),
        (b"[" * 100000, "INVALID_JSON", "nested too deeply"),
        (b'{"type": "array", "items": ' * 300 + b'"int"' + b"}" * 300, "INVALID_SCHEMA", "nested more than"),
    ],
    ids=[
        "invalid-json",
        "invalid-avro",
        "unknown-named-type",
        "recursive-without-end",
        "duplicate-field",
        "duplicate-symbol",
        "duplicate-union-branch",
        "nested-union",
        "nested-union-as-a-type",
        "nested-union-in-a-field",
        "negative-size",
        "unknown-type",
        "binary",
        "not-utf8",
        "deep-json",
        "deep-schema",
    ],
)
def test_bad_file_is_one_line_and_exit_2(tmp_path: Path, content: bytes, rule: str, where: str) -> None:
    """Each kind of bad file gives exit 2 and one stderr line naming the file, the rule and the place."""
    path = tmp_path / "bad.avsc"
    path.write_bytes(content)
    code, err = _lint(path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert str(path) in err, err
    assert rule in err, err
    assert where in err, err


def test_huge_file(tmp_path: Path) -> None:
    """A file over the size limit is refused before it is read."""
    path = tmp_path / "huge.avsc"
    path.write_bytes(b" " * (MAX_SCHEMA_BYTES + 1))
    code, err = _lint(path)
    assert code == 2
    assert "larger than" in err


def test_symlink_out_of_the_tree(tmp_path: Path) -> None:
    """A schema folder may not reach outside itself through a symlink."""
    outside = tmp_path / "outside.avsc"
    outside.write_text(json.dumps(GOOD))
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "thing.avsc").symlink_to(outside)
    code, err = _lint(folder)
    assert code == 2
    assert "symlink out of" in err
    assert "thing.avsc" in err


def test_symlink_inside_the_tree_is_fine(tmp_path: Path) -> None:
    """A symlink to a file inside the folder is read."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "real.avsc").write_text(json.dumps(GOOD))
    (folder / "alias.avsc").symlink_to(folder / "real.avsc")
    assert _lint(folder)[0] == 0


def _folder_with_links(tmp_path: Path, links: dict[str, str]) -> Path:
    folder = tmp_path / "schemas"
    folder.mkdir()
    (folder / "a.avsc").write_text(json.dumps(GOOD))
    (folder / "b.avsc").write_text(json.dumps(GOOD))
    for name, target in links.items():
        (folder / name).symlink_to(target)
    return folder


@pytest.mark.parametrize(
    "links",
    [{"loop": "loop"}, {"loop": "loop2", "loop2": "loop"}, {"gone": "nowhere"}],
    ids=["loop", "loop of two", "dangling"],
)
def test_a_symlink_that_leads_nowhere_beside_valid_schemas_is_skipped(tmp_path: Path, links: dict[str, str]) -> None:
    """A symlink loop or dangling link not named *.avsc is no schema: the valid schemas beside it are linted."""
    code, out, err = run_cli(["lint", str(_folder_with_links(tmp_path, links))])
    assert (code, err) == (0, "")
    assert "in 2 subject(s)" in out


@pytest.mark.parametrize(
    "links",
    [{"loop.avsc": "loop.avsc"}, {"c.avsc": "d.avsc", "d.avsc": "c.avsc"}, {"c.avsc": "nowhere.avsc"}],
    ids=["loop", "loop of two", "dangling"],
)
def test_a_schema_symlink_that_leads_nowhere_is_an_error_naming_it(tmp_path: Path, links: dict[str, str]) -> None:
    """A *.avsc symlink loop is refused as a dangling one is: exit 2, naming the entry, not the folder."""
    folder = _folder_with_links(tmp_path, links)
    code, err = _lint(folder)
    first = sorted(links)[0]
    assert code == 2
    assert err.startswith(f"subsidy-events lint: {folder / first}: UNREADABLE: cannot be read ("), err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_does_not_hang(tmp_path: Path) -> None:
    """A FIFO named like a schema is refused without opening it (opening would block)."""
    folder = tmp_path / "schemas"
    folder.mkdir()
    os.mkfifo(folder / "pipe.avsc")
    code, err = _lint(folder)
    assert code == 2
    assert "not a regular file" in err


def test_ambiguous_named_type(tmp_path: Path) -> None:
    """A name defined differently in two files, used by a third, is an error naming both files."""
    for name, size in (("a", 4), ("b", 8)):
        (tmp_path / f"{name}.avsc").write_text(json.dumps({"type": "fixed", "name": "org.x.H", "size": size}))
    (tmp_path / "c.avsc").write_text(
        json.dumps({"type": "record", "name": "C", "fields": [{"name": "h", "type": "org.x.H"}]})
    )
    code, err = _lint(tmp_path)
    assert code == 2
    assert "AMBIGUOUS_NAMED_TYPE" in err


def test_named_types_across_files(tmp_path: Path) -> None:
    """A schema may use a named type another file of the same PATH defines."""
    address = {
        "type": "record",
        "name": "Address",
        "namespace": "org.x",
        "fields": [{"name": "city", "type": "string"}],
    }
    (tmp_path / "address.avsc").write_text(json.dumps(address))
    person = {"type": "record", "name": "Person", "namespace": "org.x", "fields": [{"name": "home", "type": "Address"}]}
    (tmp_path / "person.avsc").write_text(json.dumps(person))
    subjects = load_paths([tmp_path])
    home = subjects["person"].latest.root.fields[0].type
    assert home.fullname == "org.x.Address"
    assert home.source == str(tmp_path / "address.avsc")


def test_in_memory_errors_are_schema_errors() -> None:
    """The Python API raises SchemaError (a ValueError) for bad schemas given in memory."""
    with pytest.raises(SchemaError, match="INVALID_JSON"):
        check(None, "{nope")
    with pytest.raises(ValueError, match="unknown named type"):
        check(None, {"type": "array", "items": "Missing"})


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_WORDS = st.sampled_from(
    ["record", "enum", "fixed", "array", "map", "int", "string", "null", "R", "E", "a", "b", "org.x.R", "decimal"]
)
_SCHEMAISH = st.recursive(
    _WORDS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.fixed_dictionaries(
            {"type": _WORDS},
            optional={
                "name": _WORDS,
                "namespace": _WORDS,
                "fields": st.lists(
                    st.fixed_dictionaries({"name": _WORDS, "type": inner}, optional={"default": _JSON}), max_size=3
                ),
                "symbols": st.lists(_WORDS, max_size=3),
                "items": inner,
                "values": inner,
                "size": st.integers(-2, 20),
                "default": _JSON,
                "aliases": st.lists(_WORDS, max_size=2),
                "logicalType": _WORDS,
                "precision": st.integers(-1, 40),
                "scale": st.integers(-1, 40),
            },
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_fuzz_random_bytes(data: bytes) -> None:
    """Random bytes as a schema file: SchemaError or a loaded subject, never another exception."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.avsc"
        path.write_bytes(data)
        with contextlib.suppress(SchemaError):
            load_paths([path])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_JSON, _SCHEMAISH), st.one_of(_JSON, _SCHEMAISH))
def test_fuzz_random_json(old: Any, new: Any) -> None:
    """Random JSON and schema-like JSON, checked against each other: SchemaError or a report, nothing else."""
    with contextlib.suppress(SchemaError):
        check(old, new)
    with contextlib.suppress(SchemaError):
        parse(new)


_LONG = b"9" * 5000


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            b'{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long", "default": ' + _LONG + b"}]}",
            ":1:85",
        ),
        (b'{"type": "fixed", "name": "F",\n "size": -' + _LONG + b"}", ":2:10"),
        (b'{"type": "string", "doc": "' + _LONG + b'", "x": ' + _LONG + b"}", ":1:5036"),
    ],
    ids=["default", "size", "after-a-long-string"],
)
def test_number_with_too_many_digits(tmp_path: Path, content: bytes, where: str) -> None:
    """A JSON integer longer than Python converts is INVALID_JSON at its line and column, exit 2."""
    path = tmp_path / "long.avsc"
    path.write_bytes(content)
    code, err = _lint(path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert f"{path}{where}: INVALID_JSON: a number has more than" in err, err


def test_number_with_too_many_digits_in_memory() -> None:
    """JSON text given to the Python API with such a number raises SchemaError, not a bare ValueError."""
    with pytest.raises(SchemaError, match="INVALID_JSON: a number has more than"):
        check(None, '{"type": "fixed", "name": "F", "size": ' + _LONG.decode() + "}")


@pytest.mark.parametrize(
    "document",
    [
        {"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "aliases": ["\ud800"]}]},
        {"type": "fixed", "name": "F", "size": 2, "aliases": ["\ud800"]},
        {"type": "string", "logicalType": "\ud800"},
    ],
    ids=["field-alias", "type-alias", "logical-type"],
)
def test_lone_surrogates(tmp_path: Path, document: Any) -> None:
    """JSON may spell a lone surrogate ("\\ud800"); a schema holding one is checked, not a crash."""
    path = tmp_path / "s.avsc"
    path.write_text(json.dumps(document))  # ensure_ascii: the file holds the escape, as valid JSON
    code, err = _lint(path)
    assert (code, err) == (0, "")


def test_path_that_cannot_be_read(tmp_path: Path) -> None:
    """A PATH or baseline whose name the system refuses (too long) is UNREADABLE, exit 2."""
    long = str(tmp_path / ("a" * 5000))
    for argv in (["lint", long], ["lint", str(tmp_path), "--against", long]):
        code, out, err = run_cli(argv)
        assert code == 2
        assert "Traceback" not in out + err
        assert "UNREADABLE: cannot be read" in err, err


def test_named_types_too_deep_names_the_file(tmp_path: Path) -> None:
    """A chain of 3000 named types, each using the next, is INVALID_SCHEMA naming the file, not <schema>."""
    document = {"type": "record", "name": "Top", "fields": [{"name": "a", "type": "R2999"}]}
    path = tmp_path / "chain.avsc"
    types = tmp_path / "types.avsc"
    path.write_text(json.dumps(document))
    types.write_text(json.dumps(["null", *_flat_chain(3000)]))
    code, err = _lint(tmp_path)
    assert code == 2
    assert err.startswith(f"subsidy-events lint: {tmp_path}/"), err
    assert ".avsc:1:1: INVALID_SCHEMA: named types refer to each other too deeply" in err, err


def _flat_chain(count: int) -> list[Any]:
    """Records R0..R{count-1}, each defined beside the others and using the one before it by name."""
    records = [{"type": "record", "name": "R0", "fields": [{"name": "a", "type": "int"}]}]
    records += [
        {"type": "record", "name": f"R{i}", "fields": [{"name": "a", "type": f"R{i - 1}"}]} for i in range(1, count)
    ]
    return records


def test_in_memory_json_text_errors_have_a_line(tmp_path: Path) -> None:
    """JSON text given to the API: an invalid schema's error has the line and column of its pointer."""
    with pytest.raises(SchemaError) as raised:
        check(None, '{"type": "record", "name": "R",\n "fields": [{"name": "a", "type": "Nope"}]}')
    assert (raised.value.line, raised.value.column, raised.value.pointer) == (2, 35, "/fields/0/type")

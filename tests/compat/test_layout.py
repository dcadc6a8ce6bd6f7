"""What PATH holds: named types shared between files, one subject's folder, and shared types kept in versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from openedx_subsidy_events.compat._graph import identity
from openedx_subsidy_events.compat._schema import SchemaSet

from .conftest import run_cli


def addr(x: str = "int", *extra: dict[str, Any]) -> dict[str, Any]:
    fields = [{"name": "x", "type": x}, *extra]
    return {"type": "record", "name": "Addr", "namespace": "c", "fields": fields}


EV = {"type": "record", "name": "Ev", "namespace": "c", "fields": [{"name": "a", "type": "Addr"}]}
LOOP = {
    "type": "record",
    "name": "Ev",
    "namespace": "c",
    "fields": [{"name": "next", "type": ["null", "Ev"], "default": None}, {"name": "a", "type": "Addr"}],
}


def _write(path: Path, schema: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema) + "\n")
    return path


def _findings(argv: list[str]) -> tuple[int, list[dict[str, Any]]]:
    code, out, err = run_cli([*argv, "--format", "json", "--except", "style"])
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


@pytest.mark.parametrize("ev", [EV, LOOP], ids=["plain", "recursive"])
def test_a_type_changed_in_another_file_is_checked_for_its_users(tmp_path: Path, ev: dict[str, Any]) -> None:
    """ev.avsc is unchanged, but the Addr it uses changed in addr.avsc: ev's readers break at a.x too."""
    _write(tmp_path / "old" / "addr.avsc", addr("int"))
    _write(tmp_path / "old" / "ev.avsc", ev)
    _write(tmp_path / "new" / "addr.avsc", addr("long"))
    _write(tmp_path / "new" / "ev.avsc", ev)
    argv = ["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old"), "--mode", "FORWARD"]
    code, findings = _findings(argv)
    assert code == 1
    assert {(f["subject"], f["rule"], f["path"]) for f in findings} == {
        ("addr", "TYPE_CHANGED", "x"),
        ("ev", "TYPE_CHANGED", "a.x"),
    }
    config = _write(tmp_path / "c.toml", {})
    config.write_text('[tool.subsidy-events.subjects.addr]\nmode = "NONE"\n')
    code, findings = _findings([*argv, "--config", str(config)])
    assert code == 1
    assert [(f["subject"], f["path"]) for f in findings] == [("ev", "a.x")]


@pytest.mark.parametrize("ev", [EV, LOOP], ids=["plain", "recursive"])
def test_unchanged_schemas_read_from_other_files_are_skipped(tmp_path: Path, ev: dict[str, Any]) -> None:
    """Files with other names or layouts but the same resolved schema compare as identical: nothing to report."""
    _write(tmp_path / "old" / "addr.avsc", addr())
    _write(tmp_path / "old" / "ev.avsc", ev)
    _write(tmp_path / "new" / "addr.avsc", addr())
    (tmp_path / "new" / "ev.avsc").write_text(json.dumps(ev, indent=4))  # other text, same schema
    code, findings = _findings(["lint", str(tmp_path / "new"), "--against", str(tmp_path / "old")])
    assert (code, findings) == (0, [])


def _identity(*documents: Any) -> str:
    schemas = SchemaSet()
    for index, document in enumerate(documents):
        schemas.add(document, f"f{index}")
    return identity(schemas.resolve()["f0"])


def test_identity_covers_referenced_and_recursive_types() -> None:
    """Equal for the same resolved graph, different when a type defined in another file differs."""
    assert _identity(LOOP, addr()) == _identity(LOOP, addr())
    assert _identity(LOOP, addr()) != _identity(LOOP, addr("long"))
    assert _identity(EV, addr()) != _identity(EV, addr("long"))
    assert _identity(LOOP, addr()) != _identity(EV, addr())

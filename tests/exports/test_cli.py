"""``subsidy-events export asyncapi``: output, formats, topics, and the drift check of a committed copy."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from openedx_subsidy_events.cli import main
from openedx_subsidy_events.exports import asyncapi_document, dumps_asyncapi


def _run(*argv: str, code: int = 0) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    assert main(list(argv), stdout=stdout, stderr=stderr) == code, stdout.getvalue() + stderr.getvalue()
    return stdout.getvalue(), stderr.getvalue()


def test_asyncapi_goes_to_standard_output_as_yaml_or_json() -> None:
    """Without -o the document is printed; --format json prints the same document as JSON."""
    out, _ = _run("export", "asyncapi")
    assert out == dumps_asyncapi(asyncapi_document())
    out, _ = _run("export", "asyncapi", "--format", "json")
    assert json.loads(out) == yaml.safe_load(dumps_asyncapi(asyncapi_document()))


def test_asyncapi_to_a_file_then_checked(tmp_path: Path) -> None:
    """-o writes the file; --check with it passes, and fails with the command to run once it is edited."""
    target = tmp_path / "out" / "asyncapi.yaml"
    out, _ = _run("export", "asyncapi", "-o", str(target))
    assert out == f"wrote {target}\n"
    assert _run("export", "asyncapi", "-o", str(target), "--check")[0] == f"{target}: up to date\n"
    target.write_text(target.read_text().replace("3.0.0", "3.0.1", 1))
    out, err = _run("export", "asyncapi", "-o", str(target), "--check", code=1)
    assert out == f"{target}: stale\n"
    assert f"run 'subsidy-events export asyncapi -o {target}'" in err
    target.unlink()
    assert _run("export", "asyncapi", "-o", str(target), "--check", code=1)[0] == f"{target}: missing\n"


def test_check_defaults_to_the_committed_copy_in_a_checkout(repo_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a checkout of the package, --check compares docs/asyncapi.yaml."""
    monkeypatch.chdir(repo_root)
    assert _run("export", "asyncapi", "--check")[0] == f"{Path('docs', 'asyncapi.yaml')}: up to date\n"


def test_check_defaults_to_the_installed_copy_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a checkout, --check compares the copy installed with the package."""
    monkeypatch.chdir(tmp_path)
    out, _ = _run("export", "asyncapi", "--check")
    assert "_data" in out
    assert out.endswith("asyncapi.yaml: up to date\n")


def test_a_topic_can_be_named() -> None:
    """--topic EVENT_TYPE=TOPIC puts the event on that channel."""
    event_type = "org.openedx.license-manager.license.assigned.v1"
    out, _ = _run("export", "asyncapi", "--format", "json", "--topic", f"{event_type}=lm-events")
    document = json.loads(out)
    assert document["channels"]["lm-events"]["address"] == "lm-events"
    assert "license-manager-assignments" not in document["channels"]


@pytest.mark.parametrize(
    ("topic", "message"),
    [
        ("no-equals-sign", "is not EVENT_TYPE=TOPIC"),
        ("org.openedx.license-manager.license.assigned.v9=x", "org.openedx.license-manager.license.assigned.v1"),
    ],
)
def test_a_bad_topic_is_a_usage_error(topic: str, message: str) -> None:
    """A malformed --topic, or one naming an unknown event type (with close names), exits 2."""
    _, err = _run("export", "asyncapi", "--topic", topic, code=2)
    assert message in err


def test_other_contracts_change_the_receivers(tmp_path: Path, repo_root: Path) -> None:
    """--contracts names the folder whose consumers get receive operations."""
    (tmp_path / "license-manager").mkdir()
    source = repo_root / "contracts" / "license-manager"
    for path in source.glob("*.yaml"):
        (tmp_path / "license-manager" / path.name).write_bytes(path.read_bytes())
    out, _ = _run("export", "asyncapi", "--format", "json", "--contracts", str(tmp_path))
    receives = [key for key, op in json.loads(out)["operations"].items() if op["action"] == "receive"]
    assert receives == ["license-manager.receive.org.openedx.enterprise.access.license-request.approved.v1"]


def test_every_published_minor_is_a_message(tmp_path: Path, repo_root: Path) -> None:
    """--schemas with a second minor of an event: two messages; its consumers receive both, its producer sends one."""
    import shutil

    schemas = tmp_path / "schemas"
    shutil.copytree(repo_root / "schemas", schemas)
    event_type = "org.openedx.license-manager.license.assigned.v1"
    newer = json.loads((schemas / event_type / "0.avsc").read_text())
    newer["fields"][0]["type"]["fields"].append(
        {"name": "note", "type": ["null", "string"], "default": None, "doc": "A note appended by minor 1."}
    )
    (schemas / event_type / "1.avsc").write_text(json.dumps(newer, indent=2) + "\n")
    out, _ = _run("export", "asyncapi", "--format", "json", "--schemas", str(schemas))
    document = json.loads(out)
    assert f"{event_type}.1" in document["components"]["messages"]
    assert document["components"]["messages"][f"{event_type}.1"]["payload"]["schema"] == newer
    (receive,) = [op for key, op in document["operations"].items() if key.endswith(f"receive.{event_type}")]
    assert [m["$ref"].rpartition("/")[2] for m in receive["messages"]] == [f"{event_type}.0", f"{event_type}.1"]
    (send,) = [op for key, op in document["operations"].items() if key.endswith(f"send.{event_type}")]
    assert [m["$ref"].rpartition("/")[2] for m in send["messages"]] == [f"{event_type}.0"]
    out, _ = _run("export", "jsonschema", "-o", str(tmp_path / "js"), "--schemas", str(schemas))
    assert (tmp_path / "js" / event_type / "1.schema.json").is_file()
    assert (
        "note"
        in json.loads((tmp_path / "js" / event_type / "1.schema.json").read_text())["$defs"]["LicenseAssignmentData"][
            "properties"
        ]
    )

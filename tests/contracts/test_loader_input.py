"""Hostile or misplaced contract input: refused with one located sentence, never a hang or a traceback."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from openedx_subsidy_events import ContractError, SchemaError
from openedx_subsidy_events.contracts import load_contract, load_contracts, parse_contract, verify_all
from openedx_subsidy_events.contracts._cli import report_static
from openedx_subsidy_events.contracts._loader import MAX_DEPTH, iter_stray_files

LICENSE_APPROVED = "org.openedx.enterprise.access.license-request.approved.v1"

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def _error(text: str) -> ContractError:
    with pytest.raises(ContractError) as info:
        parse_contract(text, path="c/lm/x.yaml")
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        pytest.param("a: &a [*a]\n", 1, 4, "may not use YAML anchors (&a)", id="self-alias"),
        pytest.param(LAUGHS, 1, 4, "may not use YAML anchors (&a)", id="billion-laughs"),
        pytest.param("a: 1\nb: *x\n", 2, 4, "may not use YAML aliases (*x)", id="alias"),
        pytest.param("a: " + "[" * 10_000 + "]" * 10_000 + "\n", 1, 3 + MAX_DEPTH, "nested deeper than", id="deep"),
        pytest.param(
            "a: " + "9" * 5000 + "\n",
            1,
            4,
            "the value cannot be read (the number has more than 4300 digits)",
            id="huge-int",
        ),
        pytest.param("a: 1\nb:\n  <<: {c: 1}\n", 3, 3, "may not use YAML merge keys (<<)", id="merge-key"),
        pytest.param(
            "a: 2026-03-02T10:15:00+00:00\n",
            1,
            4,
            "YAML reads the unquoted 2026-03-02T10:15:00+00:00 as a timestamp, not a string: quote it",
            id="timestamp",
        ),
        pytest.param("a: 2026-03-02\n", 1, 4, "the unquoted 2026-03-02 as a timestamp", id="date"),
        pytest.param("2026-03-02: a\n", 1, 1, "the unquoted 2026-03-02 as a timestamp", id="date-key"),
        pytest.param("a: !!binary aGVsbG8=\n", 1, 4, "a !!binary value is not one", id="binary"),
        pytest.param("a: [1, .nan]\n", 1, 8, ".nan is not a JSON number", id="nan"),
        pytest.param("a: -.inf\n", 1, 4, "-.inf is not a JSON number", id="infinity"),
        pytest.param("a: 2026-13-45\n", 1, 4, "the value cannot be read (month must be in 1..12)", id="bad-date"),
        pytest.param("a: b\nc: \x07\n", 2, 4, "the character #x0007 is not allowed", id="control-char"),
    ],
)
def test_hostile_yaml_is_a_located_contract_error(text: str, line: int, column: int, words: str) -> None:
    """Anchors, aliases, deep nesting and unconstructible values are ContractErrors with a position."""
    error = _error(text)
    assert (error.path, error.line, error.column) == ("c/lm/x.yaml", line, column)
    assert words in error.reason
    assert "sys.set_int_max_str_digits" not in error.reason


def test_recursion_error_is_a_contract_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever still recurses too deep ends as a ContractError, not a RecursionError."""
    from openedx_subsidy_events.contracts import _loader

    def boom(*_: object) -> None:
        raise RecursionError

    monkeypatch.setattr(_loader, "_compose", boom)
    assert _error("a: 1\n").reason == "the contract is nested too deeply to be read"


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_root_that_is_not_a_folder(tmp_path: Path, kind: str) -> None:
    """load_contracts, verify_all and report_static refuse a root that is missing or a file."""
    root = tmp_path / "nope"
    if kind == "file":
        root.write_text("x")
    for call in (load_contracts, verify_all, lambda r: report_static(io.StringIO(), r)):
        with pytest.raises(ContractError, match="is not a folder") as info:
            call(root)
        assert info.value.path == str(root)


def test_missing_schemas_folder(contracts_copy: Path, tmp_path: Path) -> None:
    """A schemas folder that does not exist is one SchemaError, not a violation per contract."""
    with pytest.raises(SchemaError, match="no such folder of published schemas") as info:
        verify_all(contracts_copy, schemas_root=tmp_path / "nope")
    assert info.value.path == str(tmp_path / "nope")


def test_stray_files_are_reported(contracts_copy: Path) -> None:
    """Files that look like contracts but would be skipped are errors of verify_all and load_contracts."""
    text = (contracts_copy / "license-manager" / f"{LICENSE_APPROVED}.yaml").read_text()
    strays = [
        contracts_copy / f"{LICENSE_APPROVED}.yaml",
        contracts_copy / "license-manager" / "other.yml",
        contracts_copy / "license-manager" / "OTHER.YAML",
        contracts_copy / "license-manager" / "drafts" / "more.yaml",
    ]
    for path in strays:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    fifo = contracts_copy / "ecommerce" / "fifo.yaml"
    os.mkfifo(fifo)
    (contracts_copy / "_archive").mkdir()
    (contracts_copy / "_archive" / "old.yaml").write_text(text)  # folders starting with _ are left alone
    report = verify_all(contracts_copy)
    assert not report.ok
    assert len(report.contracts) == 4
    assert sorted(e.path for e in report.errors) == sorted(str(p) for p in [*strays, fifo])
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert reasons["other.yml"] == "is not read as a contract: a contract file must end in .yaml"
    assert reasons["fifo.yaml"] == "is not read as a contract: is not a regular file"
    assert "contracts go in <consumer>/<event_type>.yaml" in reasons["more.yaml"]
    with pytest.raises(ContractError, match="is not read as a contract"):
        load_contracts(contracts_copy)


def test_shipped_tree_has_no_strays() -> None:
    """The README beside the shipped contracts is not mistaken for a stray contract."""
    assert list(iter_stray_files(Path(__file__).resolve().parents[2] / "contracts")) == []


def test_fifo_is_refused_not_read(tmp_path: Path) -> None:
    """load_contract on something that is not a regular file refuses it instead of blocking on it."""
    os.mkfifo(tmp_path / "x.yaml")
    with pytest.raises(ContractError, match="is not a regular file"):
        load_contract(tmp_path / "x.yaml")


def test_errors_name_the_real_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loading error names the file where it is; contracts keep their stable contracts/... identity."""
    shutil.copytree(Path(__file__).resolve().parents[2] / "contracts", tmp_path / "c")
    monkeypatch.chdir(tmp_path)
    contract = next(c for c in load_contracts(Path("c")) if c.consumer == "license-manager")
    assert contract.path == f"contracts/license-manager/{LICENSE_APPROVED}.yaml"
    broken = Path("c", "license-manager", f"{LICENSE_APPROVED}.yaml")
    broken.write_text(broken.read_text().replace("status: active", "status: retired"))
    with pytest.raises(ContractError) as info:
        load_contracts(Path("c"))
    assert info.value.path == f"c/license-manager/{LICENSE_APPROVED}.yaml"
    assert str(info.value).startswith(f"c/license-manager/{LICENSE_APPROVED}.yaml:5:9 (/status): ")
    (error,) = verify_all(Path("c")).errors
    assert error.path == f"c/license-manager/{LICENSE_APPROVED}.yaml"


def test_unquoted_timestamp_in_an_example_says_to_quote_it(license_contract_text: str) -> None:
    """An example's unquoted reviewed_at is a located load error saying to quote it, not a WRONG_TYPE later."""
    text = license_contract_text.replace(
        'reviewed_at: "2026-03-02T11:00:00+00:00"', "reviewed_at: 2026-03-02T11:00:00+00:00"
    )
    assert text != license_contract_text
    error = _error(text)
    assert error.pointer == "/examples/1/event/reviewed_at"
    assert error.reason.endswith("as a timestamp, not a string: quote it")
    assert "datetime" not in str(error)


def test_merge_key_in_a_contract_is_refused(license_contract_text: str) -> None:
    """A merge key (even without an alias) is refused where it is, so no key arrives unseen."""
    text = license_contract_text.replace("  user_email:\n", "  user_email:\n    <<: {minLength: 1}\n", 1)
    error = _error(text)
    assert (error.pointer, error.reason) == (
        "/expectations/user_email/<<",
        "a contract may not use YAML merge keys (<<)",
    )
    assert error.line == 23


def test_format_schema_docstring_names_where_it_ships() -> None:
    """contract_format_schema's docstring names the file where it really is."""
    from openedx_subsidy_events.contracts import contract_format_schema

    root = Path(__file__).resolve().parents[2]
    doc = contract_format_schema.__doc__ or ""
    assert "``openedx_subsidy_events/contracts/contract.schema.json``" in doc
    assert (root / "openedx_subsidy_events" / "contracts" / "contract.schema.json").is_file()

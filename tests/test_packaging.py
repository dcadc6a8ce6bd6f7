"""What installing and importing the package does: light imports, and a wheel that carries its data."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

FORBIDDEN = ("django", "openedx_events", "redis", "confluent_kafka", "kafka", "pytest", "hypothesis", "avro")


def _top_level_modules(code: str) -> set[str]:
    """The top-level modules loaded after running ``code`` in a fresh interpreter."""
    code += "\nimport sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(json.loads(done.stdout))


def test_import_pulls_in_no_framework_or_client() -> None:
    """Using the package loads no framework or client (Django, Redis, Kafka, pytest...); importing it, nothing."""
    bare = _top_level_modules("import openedx_subsidy_events")
    assert not {"fastavro", "attrs", "jsonschema", "yaml"} & bare  # its names are imported on first use
    used = _top_level_modules(
        "import openedx_subsidy_events as o\n"
        "from openedx_subsidy_events.exports import example_record\n"
        "e = o.LICENSE_ASSIGNED\n"
        "e.deserialize(e.serialize(e.from_record(example_record(e))), minorversion=0)\n"
        "import openedx_subsidy_events.compat as c\n"
        "c.check({'type': 'record', 'name': 'R', 'fields': []}, {'type': 'record', 'name': 'R', 'fields': []})"
    )
    assert not set(FORBIDDEN) & used
    assert {"fastavro", "attrs", "openedx_subsidy_events"} <= used


def test_every_public_name_resolves_and_is_listed() -> None:
    """Each name in a package's __all__ is there on first use, dir() lists it, and a wrong name is AttributeError."""
    import importlib

    for package in ("openedx_subsidy_events", *(f"openedx_subsidy_events.{p}" for p in
                    ("avro", "compat", "contracts", "demo", "exports"))):  # fmt: skip
        module = importlib.import_module(package)
        for name in module.__all__:
            assert getattr(module, name) is not None, (package, name)
            assert name in dir(module), (package, name)
        with pytest.raises(AttributeError, match="no attribute 'nope'"):
            module.nope  # noqa: B018


@pytest.mark.slow
def test_wheel_installs_outside_the_checkout_and_carries_schemas_and_contracts(repo_root: Path, tmp_path: Path) -> None:
    """Build the wheel, install it in a fresh venv elsewhere, and load every schema from there."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
                    str(repo_root)], check=True, capture_output=True)  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, env=pip_env,
                   capture_output=True)  # fmt: skip
    probe = (
        "import json, pathlib, openedx_subsidy_events as o\n"
        "from openedx_subsidy_events.avro import default_root\n"
        "from openedx_subsidy_events.contracts import load_contracts\n"
        "root = default_root()\n"
        "print(json.dumps({'file': o.__file__, 'root': str(root),\n"
        "  'schemas': {d.event_type: sorted(d.schemas) for d in o.all_events()},\n"
        "  'current_ok': all(d.schemas[d.minor_version] == d.schema for d in o.all_events()),\n"
        "  'contracts': sorted(c.path for c in load_contracts())}))\n"
    )
    result = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path)
    found = json.loads(result.stdout)
    assert found["file"].startswith(str(env_dir))
    assert found["root"].startswith(str(env_dir))
    published: dict[str, list[int]] = {}
    for path in sorted((repo_root / "schemas").glob("*/*.avsc"), key=lambda p: int(p.stem)):
        published.setdefault(path.parent.name, []).append(int(path.stem))
    assert found["schemas"] == published
    assert found["current_ok"]
    shipped = sorted(
        f"contracts/{p.relative_to(repo_root / 'contracts')}" for p in (repo_root / "contracts").rglob("*.yaml")
    )
    assert found["contracts"] == shipped
    check = subprocess.run([str(env_dir / "bin" / "subsidy-events"), "check"], capture_output=True, text=True,
                           cwd=tmp_path)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "_data/schemas (4 events, 4 published files): ok" in check.stdout
    _exports_from_the_wheel(env_dir, tmp_path, repo_root)


def _exports_from_the_wheel(env_dir: Path, tmp_path: Path, repo_root: Path) -> None:
    """The installed command writes an AsyncAPI document the official parser accepts, equal to the copy the
    wheel carries and to the committed one, and JSON Schemas the 2020-12 metaschema accepts."""
    import jsonschema
    from asyncapi_check import failures, validate_asyncapi

    command = str(env_dir / "bin" / "subsidy-events")
    document = tmp_path / "asyncapi.yaml"
    run = subprocess.run([command, "export", "asyncapi", "-o", str(document)], capture_output=True, text=True,
                         cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert document.read_text() == (repo_root / "docs" / "asyncapi.yaml").read_text()
    (result,) = validate_asyncapi(document).values()
    assert result["valid"], failures(result)
    check = subprocess.run([command, "export", "asyncapi", "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert str(env_dir) in check.stdout  # the wheel's own copy, outside any checkout
    folder = tmp_path / "jsonschema"
    run = subprocess.run([command, "export", "jsonschema", "-o", str(folder)], capture_output=True, text=True,
                         cwd=tmp_path)  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = sorted(folder.glob("*/*.schema.json"))
    assert len(written) == 4
    for path in written:
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text()))


@pytest.mark.slow
def test_the_docs_extra_alone_builds_the_docs(repo_root: Path, tmp_path: Path) -> None:
    """pip install "<wheel>[docs]" in a fresh venv, without Django or the bus clients, then the docs build."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
                    str(repo_root)], check=True, capture_output=True)  # fmt: skip
    (wheel,) = dist.glob("*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip_env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    subprocess.run([str(python), "-m", "pip", "install", "-q", f"{wheel}[docs]"], check=True, env=pip_env,
                   capture_output=True)  # fmt: skip
    missing = subprocess.run([str(python), "-c", "import django"], capture_output=True)
    assert missing.returncode != 0  # the point: the docs extra does not bring Django
    build = subprocess.run([str(python), "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", "-E",
                            str(repo_root / "docs"), str(tmp_path / "html")], capture_output=True, text=True,
                           cwd=tmp_path)  # fmt: skip
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "html" / "api" / "testing.html").is_file()

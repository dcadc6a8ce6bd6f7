"""What installing and importing the package does: light imports, and a wheel that carries its data."""

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

FORBIDDEN = ("django", "openedx_events", "redis", "confluent_kafka", "kafka", "pytest", "hypothesis", "avro")


def test_import_pulls_in_no_framework_or_client() -> None:
    """import openedx_subsidy_events loads none of Django, openedx-events, Redis, Kafka, pytest, Hypothesis."""
    code = "import sys, json, openedx_subsidy_events;print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                       text=True).stdout)  # fmt: skip
    assert not set(FORBIDDEN) & set(loaded)
    assert {"fastavro", "attrs", "openedx_subsidy_events"} <= set(loaded)


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
        "root = default_root()\n"
        "print(json.dumps({'file': o.__file__, 'root': str(root),\n"
        "  'schemas': {d.event_type: sorted(d.schemas) for d in o.all_events()},\n"
        "  'current_ok': all(d.schemas[d.minor_version] == d.schema for d in o.all_events()),\n"
        "  'contracts': (root.parent / 'contracts').is_dir()}))\n"
    )
    result = subprocess.run([str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path)
    found = json.loads(result.stdout)
    assert found["file"].startswith(str(env_dir))
    assert found["root"].startswith(str(env_dir))
    published = {p.parent.name for p in (repo_root / "schemas").glob("*/*.avsc")}
    assert set(found["schemas"]) == published
    assert all(minors == [0] for minors in found["schemas"].values())
    assert found["current_ok"]
    assert found["contracts"]
    check = subprocess.run([str(env_dir / "bin" / "subsidy-events"), "check"], capture_output=True, text=True,
                           cwd=tmp_path)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "_data/schemas (4 events, 4 published files): ok" in check.stdout

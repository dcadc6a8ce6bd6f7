"""The docs build without a warning, and the pages generated from code are up to date."""

import html as html_module
import os
import subprocess
import sys
from pathlib import Path

import pytest

SPHINX_ARGS = ["-W", "--keep-going", "-b", "html", "-q", "-E"]
"""As ./dev docs builds them: warnings are errors, every one is reported, nothing fetched."""


def _sphinx(
    source: Path, output: Path, *options: str, env: dict[str, str] | None = None
) -> "subprocess.CompletedProcess[str]":
    command = [sys.executable, "-m", "sphinx", *SPHINX_ARGS, *options, str(source), str(output)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def test_the_docs_build_without_a_warning(repo_root: Path, tmp_path: Path) -> None:
    """Sphinx builds the HTML, autodoc of the installed package included, with warnings as errors."""
    result = _sphinx(repo_root / "docs", tmp_path / "html")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "html" / "events" / "org.openedx.license-manager.license.assigned.v1.html").is_file()
    assert "EventDefinition.serialize" in (tmp_path / "html" / "reference.html").read_text()
    _the_diagrams_are_drawn_from_the_code(tmp_path / "html")


def _the_diagrams_are_drawn_from_the_code(html: Path) -> None:
    """concepts.html shows two SVGs drawn by Graphviz: every service, topic, event and state is in them."""
    from openedx_subsidy_events import TRANSITIONS, all_events
    from openedx_subsidy_events.contracts import load_contracts
    from openedx_subsidy_events.exports import DEFAULT_TOPICS

    page = (html / "concepts.html").read_text()
    images = sorted((html / "_images").glob("graphviz-*.svg"))
    assert len(images) == 2
    assert all(image.name in page for image in images)
    drawn = html_module.unescape(" ".join(image.read_text() for image in images))
    services = {d.producer for d in all_events()} | {c.consumer for c in load_contracts()}
    for name in [*services, *DEFAULT_TOPICS.values(), *(state.value for state in TRANSITIONS)]:
        assert f">{name}<" in drawn, name


@pytest.mark.parametrize(
    ("page", "warning"),
    [
        (":func:`openedx_subsidy_events.no_such_function`", "reference target not found"),
        (".. autofunction:: broken_docstring.handler", "Inline literal start-string without end-string"),
        (":doc:`no-such-page`", "unknown document"),
    ],
)
def test_a_warning_fails_the_build(repo_root: Path, tmp_path: Path, page: str, warning: str) -> None:
    """The check can fail: a broken reference or an invalid docstring fails a build with the docs' configuration."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "index.rst").write_text(f"Broken\n======\n\n{page}\n")
    docstring = "Handle it, with ``an inline literal that is never closed.\n    "
    (tmp_path / "broken_docstring.py").write_text(f'def handler():\n    """{docstring}"""\n')
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = _sphinx(source, tmp_path / "html", "-c", str(repo_root / "docs"), env=env)
    assert result.returncode != 0
    assert warning in result.stderr


def test_event_pages_are_current(repo_root: Path) -> None:
    """docs/events/*.rst equal what docs/generate.py renders from the definitions."""
    result = subprocess.run([sys.executable, str(repo_root / "docs" / "generate.py"), "--check"],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_page_is_valid_restructuredtext(repo_root: Path) -> None:
    """docutils parses every page without errors (Sphinx's own roles and directives aside)."""
    import io

    import docutils.core

    problems = []
    for page in sorted((repo_root / "docs").rglob("*.rst")):
        stream = io.StringIO()
        docutils.core.publish_doctree(
            page.read_text(encoding="utf-8"),
            source_path=str(page),
            settings_overrides={"warning_stream": stream, "report_level": 2, "halt_level": 5},
        )
        problems += [
            line
            for line in stream.getvalue().splitlines()
            if ("(ERROR/" in line or "(WARNING/" in line or "(SEVERE/" in line)
            and "Unknown interpreted text role" not in line
            and "Unknown directive type" not in line
        ]
    assert problems == []

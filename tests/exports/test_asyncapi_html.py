"""docs/asyncapi.yaml rendered with the official AsyncAPI HTML template: the page says what the document says."""

from __future__ import annotations

from pathlib import Path

import pytest
from asyncapi_html import page_text, render_html

from openedx_subsidy_events import all_events


@pytest.fixture(scope="module")
def page(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return page_text(render_html(repo_root / "docs" / "asyncapi.yaml", tmp_path_factory.mktemp("html")))


def test_the_page_shows_each_events_description_as_written(page: str) -> None:
    """Every event's description, and the servers' subject names, read on the page as the document has them."""
    for definition in all_events():
        assert " ".join(definition.description.split()) in page, definition.event_type
    assert "The value subject is {topic}-{event_type}.CloudEvent (TopicRecordNameStrategy)" in page
    assert "UUIDs (format uuid, canonical text): subsidy_request_uuid" in page


def test_a_placeholder_in_angle_brackets_is_eaten_by_the_template(repo_root: Path, tmp_path: Path) -> None:
    """The check has teeth: the old spelling <topic>-<event_type> renders as '-', as the issue saw it."""
    text = (repo_root / "docs" / "asyncapi.yaml").read_text(encoding="utf-8")
    old = text.replace("`{topic}-{event_type}.CloudEvent`", "<topic>-<event_type>.CloudEvent")
    assert old != text
    (tmp_path / "old.yaml").write_text(old, encoding="utf-8")
    rendered = page_text(render_html(tmp_path / "old.yaml", tmp_path / "html"))
    assert "The value subject is {topic}" not in rendered
    assert "The value subject is <topic>" not in rendered
    assert "The value subject is -.CloudEvent" in rendered

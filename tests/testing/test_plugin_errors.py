"""The pytest plugin on bad input: short failure text and usage errors, not tracebacks (run with pytester)."""

from __future__ import annotations

import pytest

TYPO = """
import pytest

@pytest.mark.subsidy_events(consumer="licence-manager")
def test_handler(subsidy_events_consumer):
    subsidy_events_consumer.verify(
        lambda **_: None, event_type="org.openedx.enterprise.access.license-request.approved.v1", max_examples=2,
    )
"""

EMPTY = """
def test_emits_nothing(subsidy_events_producer):
    with subsidy_events_producer.capture() as captured:
        pass
    subsidy_events_producer.verify_all(captured, expect=1)
"""

TWO = """
from uuid import UUID
from openedx_subsidy_events.reference import EnterpriseAccess

def test_emits_two(subsidy_events_producer):
    service = EnterpriseAccess()
    requests = [
        service.add_request(
            "license", lms_user_id=17 + n, user_email=f"learner{n}@example.com", enterprise_customer_uuid=UUID(int=1),
            subscription_plan_uuid=UUID(int=2), course_id="edX+DemoX",
        )
        for n in range(2)
    ]
    with subsidy_events_producer.capture() as captured:
        for request in requests:
            service.approve(request.uuid, reviewer_lms_user_id=3)
    assert len(captured) == 2
    subsidy_events_producer.verify_all(captured, expect=1)
"""


def test_consumer_typo_is_a_short_failure(pytester: pytest.Pytester) -> None:
    """A misspelt consumer fails with the ContractError's sentence, without a traceback."""
    pytester.makepyfile(TYPO)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "test_consumer_typo_is_a_short_failure.py::test_handler: subsidy events contract error",
            "ContractError: contracts/licence-manager/*: 'licence-manager' has no contract*license-manager",
        ]
    )
    assert "Traceback" not in result.stdout.str()
    assert "def test_handler" not in result.stdout.str()


@pytest.mark.parametrize("value", ["abc", "0", "-3"])
def test_bad_max_examples_is_a_usage_error(pytester: pytest.Pytester, value: str) -> None:
    """--subsidy-events-max-examples that is not a positive number stops the run before any test."""
    pytester.makepyfile(TYPO)
    result = pytester.runpytest("-q", f"--subsidy-events-max-examples={value}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [f"ERROR: --subsidy-events-max-examples: expected a positive whole number, got '{value}'"]
    )


def test_bad_max_examples_in_the_ini_file(pytester: pytest.Pytester) -> None:
    """The ini key is checked like the option."""
    pytester.makeini("[pytest]\nsubsidy_events_max_examples = many\n")
    pytester.makepyfile(TYPO)
    assert pytester.runpytest("-q").ret == pytest.ExitCode.USAGE_ERROR


def test_missing_contracts_folder_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--subsidy-events-contracts naming no folder stops the run instead of verifying zero contracts."""
    pytester.makepyfile(EMPTY)
    result = pytester.runpytest("-q", "--subsidy-events-contracts=/nonexistent")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --subsidy-events-contracts: /nonexistent is not a folder"])


def test_expect_catches_an_empty_capture(pytester: pytest.Pytester) -> None:
    """verify_all(captured, expect=1) fails when nothing was emitted (why the how-to asks for expect=)."""
    pytester.makepyfile(EMPTY)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*expected 1 event(s) to be emitted, got 0*"])


def test_expect_catches_an_extra_event(pytester: pytest.Pytester) -> None:
    """verify_all(captured, expect=1) fails when more was emitted, even when every event is valid."""
    pytester.makepyfile(TWO)
    result = pytester.runpytest("-q")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *AssertionError: expected 1 event(s) to be emitted, got 2"])


def test_how_to_explains_expect() -> None:
    """The producer how-to says why to pass expect=: an empty capture verifies nothing and passes."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "howto-producer-verify.rst").read_text(encoding="utf-8")
    prose = " ".join(text.split())  # the sentence may wrap anywhere
    assert "Pass ``expect=``" in prose
    assert "verifies zero events and passes" in prose

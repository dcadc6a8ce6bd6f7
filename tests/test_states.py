"""Subsidy request states and their transitions."""

from __future__ import annotations

import pytest

from openedx_subsidy_events import (
    TRANSITIONS,
    InvalidTransition,
    SubsidyEventsError,
    SubsidyRequestState,
    UnknownState,
    assert_transition,
    can_transition,
)

S = SubsidyRequestState


def test_states_are_the_designed_strings() -> None:
    """The seven states, fulfilled included, compare equal to enterprise-access's strings."""
    assert [s.value for s in S] == ["requested", "pending", "approved", "fulfilled", "declined", "error", "cancelled"]
    assert S.FULFILLED == "fulfilled"
    assert str(S.APPROVED) == "approved"


def test_the_adr_flow_is_allowed() -> None:
    """requested → approved (approved event sent) → fulfilled (assigned event received)."""
    assert can_transition("requested", "approved")
    assert can_transition(S.APPROVED, S.FULFILLED)


@pytest.mark.parametrize("final", [S.FULFILLED, S.DECLINED, S.CANCELLED])
def test_final_states_have_no_way_out(final: S) -> None:
    """Fulfilled, declined and cancelled requests never move again."""
    assert final.is_final
    assert not any(can_transition(final, target) for target in S)


def test_a_request_cannot_be_fulfilled_before_it_is_approved() -> None:
    """An assigned event for a request still 'requested' is refused with the allowed targets."""
    with pytest.raises(InvalidTransition) as caught:
        assert_transition("requested", "fulfilled")
    assert (caught.value.source, caught.value.target) == ("requested", "fulfilled")
    assert caught.value.allowed == ("approved", "cancelled", "declined", "pending")
    assert "cannot go from 'requested' to 'fulfilled'" in str(caught.value)


def test_no_state_moves_to_itself() -> None:
    """A redelivered event that asks for the current state is not a transition."""
    assert all(state not in TRANSITIONS[state] for state in S)


def test_unknown_state_names_are_errors_of_the_package() -> None:
    """A misspelt state is an UnknownState (a ValueError), not a silent False, listing the real states."""
    with pytest.raises(UnknownState) as caught:
        can_transition("requested", "approvd")
    assert str(caught.value) == (
        "'approvd' is not a subsidy request state "
        "(states: requested, pending, approved, fulfilled, declined, error, cancelled)"
    )
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, SubsidyEventsError)
    with pytest.raises(UnknownState, match="'bogus' is not"):
        assert_transition("bogus", "approved")


def test_the_transition_table_is_read_only() -> None:
    """No service can change the package-wide table by accident."""
    with pytest.raises(TypeError):
        TRANSITIONS[S.FULFILLED] = frozenset({S.REQUESTED})  # type: ignore[index]

"""The states of a subsidy request and the moves allowed between them.

``fulfilled`` is new with the event flow: a request is ``approved`` when the admin approved it
(the *approved* event is sent) and ``fulfilled`` once the subsidy was granted (the *assigned* event
came back). ``pending`` is enterprise-access's state for an approval still being processed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

from .exceptions import InvalidTransition, UnknownState

__all__ = ["TRANSITIONS", "SubsidyRequestState", "assert_transition", "can_transition"]


class SubsidyRequestState(enum.StrEnum):
    """The state of a license or coupon-code request, as enterprise-access stores it.

    .. versionadded:: 0.1.0
    """

    REQUESTED = "requested"
    PENDING = "pending"
    APPROVED = "approved"
    FULFILLED = "fulfilled"
    DECLINED = "declined"
    ERROR = "error"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """No move leaves this state."""
        return not TRANSITIONS[self]


_S = SubsidyRequestState

TRANSITIONS: Mapping[SubsidyRequestState, frozenset[SubsidyRequestState]] = MappingProxyType(
    {
        _S.REQUESTED: frozenset({_S.PENDING, _S.APPROVED, _S.DECLINED, _S.CANCELLED}),
        _S.PENDING: frozenset({_S.APPROVED, _S.DECLINED, _S.ERROR}),
        _S.APPROVED: frozenset({_S.FULFILLED, _S.ERROR}),
        _S.ERROR: frozenset({_S.PENDING, _S.APPROVED, _S.DECLINED}),
        _S.FULFILLED: frozenset(),
        _S.DECLINED: frozenset(),
        _S.CANCELLED: frozenset(),
    }
)
"""For each state, the states a request may move to next (read-only).

.. versionadded:: 0.1.0
"""


def _state(name: SubsidyRequestState | str) -> SubsidyRequestState:
    try:
        return SubsidyRequestState(name)
    except ValueError:
        raise UnknownState(name, [state.value for state in SubsidyRequestState]) from None


def can_transition(source: SubsidyRequestState | str, target: SubsidyRequestState | str) -> bool:
    """Whether a request in ``source`` may move to ``target`` (an unknown state name raises :class:`UnknownState`)."""
    return _state(target) in TRANSITIONS[_state(source)]


def assert_transition(source: SubsidyRequestState | str, target: SubsidyRequestState | str) -> None:
    """Raise :class:`InvalidTransition` unless a request in ``source`` may move to ``target``."""
    if not can_transition(source, target):
        allowed = sorted(state.value for state in TRANSITIONS[_state(source)])
        raise InvalidTransition(str(_state(source)), str(_state(target)), allowed)

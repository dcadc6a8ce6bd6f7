"""The Django app configuration; importing it registers the openedx-events signals."""

from django.apps import AppConfig

from ..openedx import register_signals

register_signals()


class SubsidyEventsConfig(AppConfig):  # type: ignore[misc]
    """Registers the subsidy events with openedx-events and makes ``EventDefinition.send`` the Open edX send."""

    name = "openedx_subsidy_events.integrations.django_app"
    label = "openedx_subsidy_events"
    verbose_name = "Open edX subsidy events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """From now on ``DEFINITION.send`` sends the event's ``OpenEdxPublicSignal`` (and so to the bus)."""
        from ...events import _dispatch
        from ..openedx import send_through_signal

        _dispatch.set_transport(send_through_signal)

"""The Django app configuration; importing it registers the openedx-events signals."""

from django.apps import AppConfig

from ..openedx import register_signals

register_signals()


class SubsidyEventsConfig(AppConfig):  # type: ignore[misc]
    """Registers the subsidy events with openedx-events (see the package docstring)."""

    name = "openedx_subsidy_events.integrations.django_app"
    label = "openedx_subsidy_events"
    verbose_name = "Open edX subsidy events"

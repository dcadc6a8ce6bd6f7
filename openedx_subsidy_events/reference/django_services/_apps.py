"""What each service's ``AppConfig`` does when its process is the service's: connect its handlers."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings

__all__ = ["ServiceConfig"]


class ServiceConfig(AppConfig):  # type: ignore[misc]
    """A reference service's app; in that service's own processes, its handlers receive what the bus delivers."""

    default_auto_field = "django.db.models.BigAutoField"
    service: str

    def ready(self) -> None:
        """Connect the service's handlers, only in its own processes (a monitor installs all three)."""
        if getattr(settings, "SUBSIDY_REFERENCE_SERVICE", None) == self.service:
            self.connect(self.make_service())

    def make_service(self) -> Any:
        """The reference service on this app's store."""
        raise NotImplementedError

    def connect(self, service: Any) -> None:
        """Receive the events the service handles (``DEFINITION.connect``: the consumer delivers to them)."""
        service.connect()

"""The delivery tests' fixtures (the harness is in tests/_support/delivery_harness.py)."""

from delivery_harness import postgres_service, private_redis, service, tansu

__all__ = ["postgres_service", "private_redis", "service", "tansu"]

"""Moved to reference._databases (the Django services use it); kept here for the demo and the tests."""

from ..reference._databases import ENGINES, SQLITE_OPTIONS, create_database, database_settings, drop_database

__all__ = ["ENGINES", "SQLITE_OPTIONS", "create_database", "database_settings", "drop_database"]

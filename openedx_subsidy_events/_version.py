"""The package version, read by the build backend and by ``sourcelib`` in event metadata."""

__version__ = "0.1.0"

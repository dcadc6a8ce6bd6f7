"""Sphinx configuration for the openedx-subsidy-events documentation."""

project = "openedx-subsidy-events"
author = "openedx-subsidy-events maintainers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.intersphinx"]
intersphinx_mapping = {"python": ("https://docs.python.org/3", None)}
exclude_patterns = ["_build", "generate.py"]
html_theme = "alabaster"

"""Sphinx configuration for the openedx-subsidy-events documentation.

Built offline, warnings as errors (``./dev docs``; the test suite builds it the same way):
``sphinx-build -W --keep-going -b html docs docs/_build/html``. The API reference is autodoc of the
installed package (``./dev`` installs the wheel first). Every cross-reference must resolve
(``nitpicky``), except into the standard library and third-party packages: there is no intersphinx,
since its inventories would be fetched at build time.
"""

from __future__ import annotations

import enum
import importlib.util
import sys
from pathlib import Path
from typing import Any

from sphinx.ext.napoleon import Config as NapoleonConfig
from sphinx.ext.napoleon import GoogleDocstring
from sphinx.pycode import ModuleAnalyzer
from sphinx.util.docstrings import prepare_docstring

project = "openedx-subsidy-events"
author = "openedx-subsidy-events maintainers"
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))
extensions = ["sphinx.ext.autodoc", "sphinx.ext.graphviz", "event_graphs"]
graphviz_output_format = "svg"  # drawn by Debian's graphviz at build time, offline
exclude_patterns = ["_build", "generate.py", "_ext"]
html_theme = "sphinx_book_theme"  # as the Open edX docs: whole names in the sidebar, long titles wrap
html_title = "openedx-subsidy-events"
html_static_path = ["_static"]
html_css_files = ["wrap.css"]
PACKAGE = "openedx_subsidy_events"

# The extras' libraries, stood in for by autodoc when not installed, so that `pip install ".[docs]"`
# alone builds the docs (the integrations modules import Django, Kafka and Redis clients at the top).
# Only missing ones are mocked: with them installed (./dev docs, the suite) autodoc reads the real ones.
_EXTRAS = ("django", "openedx_events", "edx_event_bus_redis", "edx_event_bus_kafka", "confluent_kafka", "redis")
autodoc_mock_imports = [name for name in _EXTRAS if importlib.util.find_spec(name) is None]

nitpicky = True
_EXTERNAL = (
    r"(builtins|uuid|datetime|collections|collections\.abc|pathlib|typing|types|enum|re|io|argparse|json|logging"
    r"|threading|contextlib|functools|dataclasses|attrs|attr|fastavro|jsonschema|hypothesis|pytest|_pytest|django"
    r"|redis|confluent_kafka|openedx_events)"
)
nitpick_ignore_regex = [
    (r"py:(class|obj|exc|func|meth|data|mod|attr)", _EXTERNAL + r"(\..+)?"),
    # names as annotations spell them without their module, and the type variables of generic classes
    (r"py:class", r"(UUID|datetime|timedelta|Path|Any|Callable|Iterable|Iterator|Mapping|Sequence|TextIO|P|T)"),
    (r"py:class", PACKAGE + r"(\.\w+)*\.(P|T)"),
    # a signature's type that lives in a private module (its public name is documented, not this path)
    (r"py:(class|obj)", PACKAGE + r"(\.\w+)*\._\w+\..+"),
]

_NAPOLEON = NapoleonConfig(napoleon_numpy_docstring=False)


def _google_sections(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Read the Google-style sections (``Attributes:``, ``Args:``) of modules, classes and functions.

    This is napoleon's reading, but not of attribute docstrings: napoleon takes ``Text: more`` on
    their first line for ``type: description``, and ours are sentences.
    """
    if what not in ("attribute", "data", "property"):
        lines[:] = GoogleDocstring(lines, _NAPOLEON, app, what, name, obj, options).lines()


def _defining_doc(value: Any, name: str) -> list[str] | None:
    """The attribute docstring of ``name`` in the package module that defines this value, if any."""
    for module_name, module in sorted(sys.modules.items()):
        if not module_name.startswith(PACKAGE) or getattr(module, name, _MISSING) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(module_name).find_attr_docs()
        except Exception:  # a module without source (none of ours): look further
            continue
        if ("", name) in docs:
            return list(docs[("", name)])
    return None


_MISSING = object()


def _reexported_data_doc(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """A constant re-exported by a package face gets the docstring written where it is defined.

    (Autodoc reads attribute docstrings from the source of the module it documents; a face only
    imports the constant, so ``.. autodata::`` of its public name would show the type's docstring.)
    """
    if what != "data" or (lines and lines != prepare_docstring(type(obj).__doc__ or "")):
        return
    doc = _defining_doc(obj, name.rpartition(".")[2])
    if doc is not None:
        lines[:] = doc


def _keep_enum_members(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Document every member of a public enum (``Direction.NONE``), with or without a docstring of its own."""
    return False if what == "class" and isinstance(obj, enum.Enum) else None


def _resolve_bare_names(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """``:class:`ContractError``` in a docstring means the package's public name, wherever it is written."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target or "." in target.lstrip("~"):
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], f"{PACKAGE}.{target.lstrip('~')}", node, contnode
    )


def setup(app: Any) -> None:
    """Connect the hooks above."""
    app.connect("autodoc-process-docstring", _reexported_data_doc)
    app.connect("autodoc-process-docstring", _google_sections)
    app.connect("autodoc-skip-member", _keep_enum_members)
    app.connect("missing-reference", _resolve_bare_names)

"""The ``subsidy_events`` pytest plugin: contract verification inside a service's own tests.

Registered through the ``pytest11`` entry point, so installing the ``testing`` extra enables it.
This module imports only pytest and the standard library; the package is imported when a fixture
or hook first needs it.

Fixtures: ``subsidy_events_producer``, ``subsidy_events_consumer``, ``subsidy_events_contracts``.
Marker: ``@pytest.mark.subsidy_events(consumer="...")`` names the consumer a test verifies.
Options (each also an ini key, ``subsidy_events_<name>``): ``--subsidy-events-contracts``,
``--subsidy-events-service``, ``--subsidy-events-version``, ``--subsidy-events-report``,
``--subsidy-events-max-examples``, ``--subsidy-events-write-reads``, ``--subsidy-events-traceback``,
``--subsidy-events-show-pii``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._fixtures import ConsumerVerifier, ProducerVerifier, SessionState

_OPTIONS: dict[str, tuple[str, str | None]] = {
    "contracts": ("the contracts folder (default: the contracts installed with openedx-subsidy-events)", None),
    "service": ("the name of the service under test, as contracts name it (e.g. license-manager)", None),
    "version": ("the version of the service under test, recorded in the report", None),
    "report": ("write a JSON verification report to this file at the end of the session", None),
    "max-examples": ("Hypothesis examples per writer schema in consumer verification", "50"),
}

_STATE: pytest.StashKey[SessionState] = pytest.StashKey()
_SHOWN_PII: pytest.StashKey[str | None] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options, in their own group, each mirrored by an ini key."""
    group = parser.getgroup("subsidy-events", "subsidy events contract verification")
    for name, (help_text, default) in _OPTIONS.items():
        dest = "subsidy_events_" + name.replace("-", "_")
        group.addoption(f"--subsidy-events-{name}", dest=dest, default=None, help=help_text)
        parser.addini(dest, help=help_text, default=default)
    group.addoption(
        "--subsidy-events-write-reads",
        action="store_true",
        dest="subsidy_events_write_reads",
        help="rewrite each verified contract's 'reads' list with the fields its handler actually read",
    )
    group.addoption(
        "--subsidy-events-show-pii",
        action="store_true",
        dest="subsidy_events_show_pii",
        help="show the values of pii fields (user_email) in failures and reports; secret ones stay hidden",
    )
    group.addoption(
        "--subsidy-events-traceback",
        action="store_true",
        dest="subsidy_events_traceback",
        help="show the full traceback of contract failures instead of the short message",
    )


def _setting(config: pytest.Config, name: str) -> str | None:
    dest = "subsidy_events_" + name.replace("-", "_")
    value = config.getoption(dest)
    if value is None:
        ini = config.getini(dest)
        value = ini if ini else None
    return None if value is None else str(value)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; refuse option values that every test would otherwise trip on."""
    config.addinivalue_line(
        "markers",
        "subsidy_events(consumer=None): the consumer service whose contract subsidy_events_consumer verifies",
    )
    _max_examples(config)
    contracts = _setting(config, "contracts")
    if contracts is not None and not Path(config.rootpath, contracts).is_dir():
        raise pytest.UsageError(f"--subsidy-events-contracts: {contracts} is not a folder")
    if config.getoption("subsidy_events_write_reads"):
        _check_writable_contracts(config, contracts)
    if config.getoption("subsidy_events_show_pii"):
        from ..redaction import SHOW_PII_VARIABLE

        config.stash[_SHOWN_PII] = os.environ.get(SHOW_PII_VARIABLE)
        os.environ[SHOW_PII_VARIABLE] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put back what ``--subsidy-events-show-pii`` changed."""
    if _SHOWN_PII in config.stash:
        from ..redaction import SHOW_PII_VARIABLE

        before = config.stash[_SHOWN_PII]
        if before is None:
            os.environ.pop(SHOW_PII_VARIABLE, None)
        else:
            os.environ[SHOW_PII_VARIABLE] = before


def _check_writable_contracts(config: pytest.Config, contracts: str | None) -> None:
    """``--subsidy-events-write-reads`` rewrites files: only in a contracts folder named, never the installed ones."""
    if contracts is None:
        raise pytest.UsageError(
            "--subsidy-events-write-reads rewrites contract files: name your contracts folder with "
            "--subsidy-events-contracts (the contracts installed with openedx-subsidy-events are never rewritten)"
        )
    from ..contracts import default_root

    folder = Path(config.rootpath, contracts).resolve()
    installed = default_root().resolve()
    if folder == installed or installed in folder.parents:
        raise pytest.UsageError(
            f"--subsidy-events-write-reads: {contracts} is the contracts folder installed with "
            "openedx-subsidy-events, which is never rewritten; name a copy in your repository instead"
        )


def _max_examples(config: pytest.Config) -> int:
    value = _setting(config, "max-examples") or "50"
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise pytest.UsageError(f"--subsidy-events-max-examples: expected a positive whole number, got {value!r}")
    return count


def _state(config: pytest.Config) -> SessionState:
    if _STATE not in config.stash:
        from ..contracts import VerificationReport
        from ._fixtures import SessionState

        contracts = _setting(config, "contracts")
        root = None if contracts is None else Path(config.rootpath, contracts)
        service = _setting(config, "service") or os.environ.get("EVENTS_SERVICE_NAME", "")
        version = _setting(config, "version") or "unknown"
        config.stash[_STATE] = SessionState(
            contracts_root=root,
            max_examples=_max_examples(config),
            service=service,
            version=version,
            report=VerificationReport(service=service or "unknown", version=version),
        )
    return config.stash[_STATE]


@pytest.fixture
def subsidy_events_contracts(request: pytest.FixtureRequest) -> Any:
    """Every contract of the session (the configured folder, else the installed ones)."""
    return _state(request.config).contracts()


@pytest.fixture
def subsidy_events_producer(request: pytest.FixtureRequest) -> ProducerVerifier:
    """Verify events the code under test emits: ``.capture()``, ``.verify(event)``, ``.verify_all(captured)``."""
    from ._fixtures import ProducerVerifier

    return ProducerVerifier(_state(request.config), nodeid=request.node.nodeid)


@pytest.fixture
def subsidy_events_consumer(request: pytest.FixtureRequest) -> ConsumerVerifier:
    """Verify a handler: ``.verify(handler, event_type=...)`` feeds it examples and generated events."""
    from ._fixtures import ConsumerVerifier

    marker = request.node.get_closest_marker("subsidy_events")
    consumer = marker.kwargs.get("consumer") if marker is not None else None
    return ConsumerVerifier(_state(request.config), consumer=consumer)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Show a contract failure (or a contract that cannot be found or read) as its message, without a traceback."""
    report = yield
    if call.excinfo is None or not report.failed or item.config.getoption("subsidy_events_traceback"):
        return report
    from ..exceptions import ContractError, ContractViolation

    error = call.excinfo.value
    if isinstance(error, ContractViolation):
        report.longrepr = _FailureText(
            f"{item.nodeid}: subsidy events contract failure", str(error), summary=_summary_line(error)
        )
    elif isinstance(error, ContractError):
        report.longrepr = _FailureText(
            f"{item.nodeid}: subsidy events contract error", f"{type(error).__name__}: {error}"
        )
    return report


class _FailureText:
    """A failure shown as plain text, whose first message line is what the short test summary shows.

    A bare string would put the whole message, event and replay lines included, into the summary
    whenever pytest does not truncate it (on CI, or with ``-vv``).
    """

    def __init__(self, headline: str, message: str, *, summary: str | None = None) -> None:
        self.text = f"{headline}\n{message}"
        self.reprcrash = _CrashLine(summary if summary is not None else message.partition("\n")[0])

    def toterminal(self, writer: Any) -> None:
        writer.line(self.text)

    def __str__(self) -> str:
        return self.text


def _summary_line(error: Any) -> str:
    """One line for the short summary: the (first) violation itself, not a group's title."""
    violations = getattr(error, "violations", None)  # a ViolationGroup
    if not violations:
        return str(error).partition("\n")[0]
    more = len(violations) - 1
    return str(violations[0]) + (f" (and {more} more)" if more else "")


class _CrashLine:
    """The ``reprcrash`` that pytest's summary, ``--tb=line`` and JUnit XML read."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return self.message


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """Report pending contracts' violations and the fields handlers read; write the reads and the report if asked."""
    if _STATE not in config.stash:
        return
    state = config.stash[_STATE]
    pending = state.pending_lines()
    if pending:
        terminalreporter.section("subsidy events: pending contracts broken (not failing)", yellow=True)
        for line in pending:
            terminalreporter.write_line(line)
    lines = [line for reads in state.reads.values() for line in reads.lines()]
    if lines:
        terminalreporter.section("subsidy events: fields read by handlers")
        for line in lines:
            terminalreporter.write_line(line)
    if config.getoption("subsidy_events_write_reads"):
        _write_reads(state, terminalreporter)
    target = _setting(config, "report")
    if target is not None and state.report.results:
        path = state.report.write(Path(config.rootpath, target))
        terminalreporter.write_line(f"subsidy events: verification report written to {path}")


def _write_reads(state: SessionState, terminalreporter: Any) -> None:
    from .recorder import write_reads

    root = state.contracts_root
    if root is None:  # refused at configuration: the installed contracts are never rewritten
        return
    for (consumer, event_type), reads in sorted(state.reads.items()):
        if not reads.undeclared and not reads.unused:
            continue
        path = root / consumer / f"{event_type}.yaml"
        try:
            write_reads(path, reads.suggested_reads())
        except (OSError, ValueError) as error:
            terminalreporter.write_line(f"subsidy events: could not rewrite {path}: {error}")
        else:
            terminalreporter.write_line(f"subsidy events: rewrote 'reads' of {path}")

"""Consumer verification: the handler copes with every example and with generated events.

Each event is written with a published writer schema (every minor in the compatibility window),
read with the consumer's reader schema (it must resolve), and handed to the handler as the real
bus hands it: decoded by the package's codec, as ``handler(signal=..., sender=None, metadata=...,
<data_key>=payload)``. Hypothesis shrinks a failure to a minimal event; generation is
derandomized, so the same failure comes back on every run, and the message carries a
:func:`replay` call, with the event as JSON text and the ``prepare`` callback, that calls the
handler with exactly that event again.
"""

from __future__ import annotations

import functools
import inspect
import io
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import fastavro
from hypothesis import HealthCheck, Phase, given, settings

from ..avro._store import published_stamp
from ..contracts import Contract, decode_with_reader, load_contracts, writer_window
from ..events import EventDefinition, get_event
from ..exceptions import ContractError, ContractViolation
from ..redaction import redact
from .recorder import FieldReads, recording_payload
from .strategies import contract_events, describe

if TYPE_CHECKING:
    from ..avro._store import PublishedStamp

__all__ = ["ConsumerFailure", "ConsumerResult", "find_contract", "replay", "verify_consumer"]

Handler = Callable[..., Any]
Prepare = Callable[[Mapping[str, Any]], None]


class ConsumerFailure(ContractViolation):
    """The consumer's handler failed on an event its contract says it must handle (``HANDLER_FAILED``).

    ``EVENT_UNDECODABLE`` instead when the event could not even be decoded (a contract example
    with a value the codec refuses, such as a datetime not in UTC): the handler never ran.

    Attributes (besides those of :class:`~openedx_subsidy_events.ContractViolation`):
        event: the event record (``{data_key: {...}}``, wire form) that made it fail.
        minorversion: the writer minor version the event was written with.
        source: ``"example '<name>'"`` or ``"generated event"``.
        error: the handler's exception (or the decoder's, for ``EVENT_UNDECODABLE``).
        handler: the handler, when known (named in the replay line).
        prepare: the ``prepare`` callback verification ran before the handler, if any.
        contracts_root: the contracts folder verification used (``None``: the installed contracts).
        schemas_root: the published schemas folder verification used (``None``: the installed schemas).

    .. versionadded:: 0.1.0

    """

    def __init__(
        self,
        contract: Contract,
        *,
        event: Mapping[str, Any],
        minorversion: int,
        source: str,
        error: BaseException,
        handler: Handler | None = None,
        prepare: Prepare | None = None,
        contracts_root: Path | None = None,
        schemas_root: Path | None = None,
        undecodable: bool = False,
    ) -> None:
        super().__init__(
            consumer=contract.consumer,
            event_type=contract.event_type,
            contract_file=contract.path,
            field_path="",
            rule="EVENT_UNDECODABLE" if undecodable else "HANDLER_FAILED",
            value=dict(event),
            reason=(
                f"the event cannot be decoded, so no handler could take it ({type(error).__name__}: {error})"
                if undecodable
                else f"the handler raised {type(error).__name__}: {error}"
            ),
        )
        self.event = dict(event)
        self.minorversion = minorversion
        self.source = source
        self.error = error
        self.handler = handler
        self.prepare = prepare
        self.contracts_root = contracts_root
        self.schemas_root = schemas_root

    def _shown_event(self) -> str:
        """The event's JSON text as printed: secret values hidden, pii ones unless shown (the redaction rule)."""
        return describe(redact(self.event_type, "", self.event))

    def replay_call(self) -> str:
        """A Python expression calling :func:`replay` with this failure's event, minor version, ``prepare`` and folders.

        The callables are named as they were defined; the event is its JSON text, which
        :func:`replay` accepts as it is. Like every value the package prints, a secret field's
        value is a placeholder there (and a pii one unless shown, ``--subsidy-events-show-pii``).
        """
        arguments = [
            _callable_name(self.handler, "handler"),
            repr(self.consumer),
            repr(self.event_type),
            repr(self._shown_event()),
            f"minorversion={self.minorversion}",
        ]
        if self.prepare is not None:
            arguments.append(f"prepare={_callable_name(self.prepare, 'prepare')}")
        if self.contracts_root is not None:
            arguments.append(f"contracts_root={str(self.contracts_root)!r}")
        if self.schemas_root is not None:
            arguments.append(f"schemas_root={str(self.schemas_root)!r}")
        return f"openedx_subsidy_events.testing.replay({', '.join(arguments)})"

    def __str__(self) -> str:
        return (
            f"consumer {self.consumer!r} ({self.contract_file}): {self.event_type}: {self.rule}: "
            f"on {self.source} written with minor {self.minorversion}, {self.reason}\n"
            f"  event: {self._shown_event()}\n"
            f"  replay: {self.replay_call()}"
        )


def _callable_name(function: Callable[..., Any] | None, default: str) -> str:
    """The name a plain function was defined with; ``default`` for a lambda, a bound method, a partial, ...

    Only a plain function's name is one the caller can be expected to write where they replay;
    a method's name would need the object it is bound to.
    """
    if not inspect.isfunction(function) or not function.__name__.isidentifier():
        return default
    return function.__name__


@attrs.frozen(kw_only=True)
class ConsumerResult:
    """What consumer verification did: how many events of each kind, and the fields read.

    .. versionadded:: 0.1.0
    """

    contract: Contract
    examples: int
    generated: int
    minors: tuple[int, ...]
    reads: FieldReads


def find_contract(
    consumer: str, event_type: str, contracts: Sequence[Contract] | None = None, contracts_root: Path | None = None
) -> Contract:
    """The contract of ``consumer`` for ``event_type``; :class:`ContractError` when there is none.

    :class:`~openedx_subsidy_events.UnknownEventType`, with the close names, for an event type the
    package does not have (a typo), rather than "no contract".

    .. versionadded:: 0.1.0
    """
    get_event(event_type)  # a misspelt event type is UnknownEventType, with the close names
    pool = contracts if contracts is not None else load_contracts(contracts_root)
    for contract in pool:
        if contract.consumer == consumer and contract.event_type == event_type:
            return contract
    known = sorted({c.consumer for c in pool if c.event_type == event_type})
    hint = f"; consumers with a contract for it: {', '.join(known)}" if known else ""
    raise ContractError(f"contracts/{consumer}/{event_type}.yaml", f"{consumer!r} has no contract for this event{hint}")


def _decode(contract: Contract, event: Mapping[str, Any], minor: int, schemas_root: Path | None) -> Any:
    """Encode with the writer minor and decode as the consumer does: the payload its handler gets."""
    definition = _codec_definition(contract.event_type, schemas_root)
    out = io.BytesIO()
    writer = writer_window(contract.event_type, schemas_root)[minor]
    fastavro.schemaless_writer(out, fastavro.parse_schema(writer), dict(event))
    data = out.getvalue()
    decode_with_reader(contract, data, minorversion=minor, schemas_root=schemas_root)
    return definition.deserialize(data, minorversion=minor)


def _codec_definition(event_type: str, schemas_root: Path | None) -> EventDefinition[Any]:
    """The event's definition, its codec reading the writer schemas from ``schemas_root`` when one is given."""
    definition = get_event(event_type)
    if schemas_root is None:
        return definition
    return _rooted(definition, schemas_root, published_stamp(event_type, schemas_root))


@functools.lru_cache(maxsize=16)
def _rooted(definition: EventDefinition[Any], schemas_root: Path, stamp: PublishedStamp) -> EventDefinition[Any]:
    """A copy of ``definition`` reading ``schemas_root``; built once per folder as its files are (``stamp``)."""
    del stamp  # only part of the cache key: an edited folder gets a new codec
    return definition.replace(schemas_root=schemas_root)


def _call(handler: Handler, contract: Contract, payload: Any, sink: set[str], *, minorversion: int) -> Any:
    """Call the handler as a receiver of the in-process signal, recording the fields it reads.

    The metadata is the writer's, as the buses pass the producer's: ``minorversion`` is the minor
    the event was written with, not the consumer's own.
    """
    definition = get_event(contract.event_type)
    metadata = attrs.evolve(definition.metadata(), minorversion=minorversion)
    return handler(
        signal=definition, sender=None, metadata=metadata, **{definition.data_key: recording_payload(payload, sink)}
    )


def replay(
    handler: Handler,
    consumer: str,
    event_type: str,
    event: Mapping[str, Any] | str,
    *,
    minorversion: int = 0,
    prepare: Prepare | None = None,
    contracts_root: Path | str | None = None,
    schemas_root: Path | str | None = None,
) -> Any:
    """Call the handler with exactly one event, as consumer verification did (to debug a failure).

    ``event`` is the event record (``{data_key: {...}}``, wire form) or its JSON text, as a
    :class:`ConsumerFailure` prints it; ``prepare(record)``, when given, runs first with the
    payload record, as in :func:`verify_consumer`; ``contracts_root`` and ``schemas_root``, when
    given, are the folders verification read. The handler's exception propagates as it is.
    Paste the ``replay:`` line of the failure to call it.

    .. versionadded:: 0.1.0
    """
    record = json.loads(event) if isinstance(event, str) else event
    contract = find_contract(
        consumer, event_type, contracts_root=None if contracts_root is None else Path(contracts_root)
    )
    if prepare is not None:
        prepare(record[get_event(event_type).data_key])
    schemas = None if schemas_root is None else Path(schemas_root)
    return _call(handler, contract, _decode(contract, record, minorversion, schemas), set(), minorversion=minorversion)


def verify_consumer(
    handler: Handler,
    *,
    consumer: str,
    event_type: str,
    contracts: Sequence[Contract] | None = None,
    contracts_root: Path | None = None,
    max_examples: int = 50,
    prepare: Prepare | None = None,
    schemas_root: Path | None = None,
) -> ConsumerResult:
    """Call ``handler`` with every example and generated events; raise :class:`ConsumerFailure` if it fails.

    ``prepare(record)``, when given, runs before each call with the event's payload record (wire
    form), e.g. to store the subsidy request an *assigned* event answers so that the handler
    takes its main path rather than ignoring an unknown request.

    ``schemas_root``, when given, is the folder of published schemas (``<event_type>/<minor>.avsc``)
    to use instead of the installed ones: each of its minors is a writer, and the consumer's reader
    schema is projected from it, e.g. to try a minor version before it is released.

    A failure's message carries the :func:`replay` call that reproduces it (with ``prepare``,
    and ``contracts_root`` and ``schemas_root`` when they were given).

    .. versionadded:: 0.1.0
    """
    __tracebackhide__ = True
    contract = find_contract(consumer, event_type, contracts, contracts_root)
    definition = get_event(event_type)
    reads = FieldReads(contract)
    schema_minor = contract.schema_minor if contract.schema_minor is not None else definition.minor_version

    def attempt(event: Mapping[str, Any], minor: int, source: str) -> None:
        if prepare is not None:
            prepare(event[definition.data_key])
        reads.calls += 1
        failure = functools.partial(
            ConsumerFailure, contract, event=event, minorversion=minor, source=source, handler=handler,
            prepare=prepare, contracts_root=contracts_root, schemas_root=schemas_root,
        )  # fmt: skip
        try:
            payload = _decode(contract, event, minor, schemas_root)
        except Exception as error:  # fastavro and the codec refuse bad values with several types
            raise failure(error=error, undecodable=True) from error
        try:
            _call(handler, contract, payload, reads.read, minorversion=minor)
        except Exception as error:  # any failure of the handler is the finding
            raise failure(error=error) from error

    for example in contract.examples:
        attempt({definition.data_key: dict(example.event)}, schema_minor, f"example {example.name!r}")
    minors = tuple(sorted(writer_window(event_type, schemas_root)))
    for minor in minors:
        run = _generated_run(attempt, contract, minor, max_examples, schemas_root)
        run()
    return ConsumerResult(
        contract=contract,
        examples=len(contract.examples),
        generated=reads.calls - len(contract.examples),
        minors=minors,
        reads=reads,
    )


def _generated_run(
    attempt: Callable[[Mapping[str, Any], int, str], None],
    contract: Contract,
    minor: int,
    max_examples: int,
    schemas_root: Path | None,
) -> Callable[[], None]:
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(contract_events(contract, minor, schemas_root=schemas_root))
    def run(event: dict[str, Any]) -> None:
        attempt(event, minor, "generated event")

    return run

"""Recording at botocore's one request point, ``BaseClient._make_api_call(operation, params)``.

Every boto3 client call goes through it with the operation name and the caller's parameters;
the instrumentation names the operations to record (``Operation``: endpoint, HTTP path suffix,
and which output member streams). Everything else passes through at the cost of one dict probe.

botocore hands streamed output back inside the response dict: an ``EventStream`` (ConverseStream,
InvokeModelWithResponseStream) or a ``StreamingBody`` (InvokeModel). We swap that member for a
proxy that keeps a reference to each event or byte string the caller reads, and end the call when
the caller has read it all, closed it, or dropped it. Nothing is decoded on this thread.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, NamedTuple

from ..guard import guard, report_once
from .call import Call, Endpoint, Recorder
from .sdk_point import end_scope, start_call
from .streams import SyncStreamProxy, finish


class Operation(NamedTuple):
    """One botocore operation to record."""

    endpoint: Endpoint
    path: str  # the HTTP path after the model id (``converse``, ``invoke``…), for the record's URL
    service: str  # botocore service name, e.g. "bedrock-runtime"
    event_stream: str | None = None  # output member holding an EventStream
    body: str | None = None  # output member holding a StreamingBody


class EventStreamProxy(SyncStreamProxy):
    """Wraps a botocore ``EventStream`` (iterable, not an iterator): same events, same
    exceptions; a reference to each event is kept."""

    def __init__(self, wrapped: Any, call: Call, recorder: Recorder):
        super().__init__(wrapped, call, recorder)
        self._self_events: Any = None

    def __iter__(self) -> "EventStreamProxy":
        return self

    def __next__(self) -> Any:
        if self._self_events is None:
            self._self_events = iter(self.__wrapped__)
        try:
            event = next(self._self_events)
        except StopIteration:
            self._self_end(None)
            raise
        except BaseException as exc:
            self._self_end(exc)
            raise
        self._self_keep(event)
        return event


class StreamingBodyProxy(SyncStreamProxy):
    """Wraps a botocore ``StreamingBody``: the caller reads the same bytes through every
    reading method; we keep a reference to each byte string and end the call at its end."""

    def __init__(self, wrapped: Any, call: Call, recorder: Recorder):
        super().__init__(wrapped, call, recorder)
        self._self_parts: list[bytes] = []

    def body_read(self) -> bytes:
        """Every byte the caller has read so far (export thread)."""
        return b"".join(self._self_parts)

    def read(self, amt: int | None = None) -> bytes:
        try:
            data = self.__wrapped__.read(amt)
        except BaseException as exc:
            self._self_end(exc)
            raise
        self._self_parts.append(data)
        if amt is None or not data:
            self._self_end(None)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self.__wrapped__.readinto(buffer)
        self._self_parts.append(bytes(buffer[:count]))
        if not count:
            self._self_end(None)
        return count

    # StreamingBody's own helpers call its ``read``, which would bypass ours: the same
    # helpers over our ``read``.
    def __iter__(self) -> Any:
        return self.iter_chunks()

    def __next__(self) -> bytes:
        chunk = self.read(1024)
        if chunk:
            return chunk
        raise StopIteration

    def iter_chunks(self, chunk_size: int = 1024) -> Any:
        while True:
            chunk = self.read(chunk_size)
            if not chunk:
                return
            yield chunk

    def iter_lines(self, chunk_size: int = 1024, keepends: bool = False) -> Any:
        pending = b""
        for chunk in self.iter_chunks(chunk_size):
            lines = (pending + chunk).splitlines(True)
            for line in lines[:-1]:
                yield line.splitlines(keepends)[0]
            pending = lines[-1]
        if pending:
            yield pending.splitlines(keepends)[0]

    def readlines(self) -> list[bytes]:
        return self.read().splitlines(True)

    def __enter__(self) -> Any:
        return self.__wrapped__.__enter__()


def _swap_streams(call: Call, operation: Operation, result: Any, recorder: Recorder) -> None:
    """Record ``result``; a streamed member is swapped for its proxy (which ends the call)."""
    if operation.event_stream is not None and operation.event_stream in result:
        call.chunks = []
        result[operation.event_stream] = EventStreamProxy(result[operation.event_stream], call, recorder)
        call.result = result
        return
    call.result = result
    if operation.body is not None and operation.body in result:
        result[operation.body] = StreamingBodyProxy(result[operation.body], call, recorder)
        return
    finish(call, recorder)


def make_api_call_wrapper(recorder: Recorder, sdk: str, operations: Mapping[str, Operation]) -> Callable[..., Any]:
    """The wrapt wrapper for ``BaseClient._make_api_call`` recording ``operations``."""
    preparing = f"recording a {sdk} call"

    def begin(instance: Any, operation: Operation, params: Any) -> Call | None:
        if instance.meta.service_model.service_name != operation.service or not isinstance(params, dict):
            return None
        return start_call(recorder, operation.endpoint, instance, operation.path, params)

    def make_api_call(wrapped, instance, args, kwargs):
        operation = operations.get(args[0] if args else kwargs.get("operation_name"))
        if operation is None or not recorder.active():
            return wrapped(*args, **kwargs)
        params = args[1] if len(args) > 1 else kwargs.get("api_params")
        call = guard(preparing, begin, instance, operation, params)
        if call is None:
            return wrapped(*args, **kwargs)
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            end_scope(call)
            call.error = exc
            guard(preparing, finish, call, recorder)
            raise
        end_scope(call)
        try:
            _swap_streams(call, operation, result, recorder)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
            report_once(preparing, exc)
        return result

    return make_api_call

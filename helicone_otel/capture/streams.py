"""Stream proxies: the user iterates the SDK's real chunks; we keep the provider's text of each
Server-Sent Event (Stainless SDKs, ``tap_events``) or else a reference to each chunk, and the
time of the first. Nothing is read from a chunk here (the export thread folds them)."""

from __future__ import annotations

import threading
from typing import Any

import wrapt

from ..guard import guard, report_once
from .call import Call, Recorder


_ending = threading.Lock()
_SSE_STREAMS = frozenset({"Stream", "AsyncStream"})


def tap_events(stream: Any, call: Call) -> bool:
    """Record the text of each Server-Sent Event a Stainless ``Stream`` decodes (``data``, or
    ``event`` + newline + ``data`` for a named event) instead of keeping the chunk objects the
    SDK builds from it. True if tapped.

    Why: a chunk object is a graph of ~10 garbage-collected containers; kept alive until the
    export thread reads them, they drive the collector's young generation on the caller's
    thread (measured ≈ 1.7 µs per chunk). A ``str`` is not tracked by the collector, and it is
    the provider's own JSON: the export side parses it once and sends it to Helicone as is.
    The stream's generator looks ``_iter_events`` up when it first runs, so an instance
    attribute set before the first chunk is what it iterates."""
    kind = _sse_kinds.get(type(stream))
    if kind is None:
        kind = _sse_kinds[type(stream)] = _sse_kind(type(stream))
    if not kind or call.endpoint.read_json is not None or "_iter_events" in stream.__dict__:
        return False
    events_of = stream._iter_events
    events: list[str] = []
    append = events.append

    if kind == _ASYNC:

        async def tapped_async() -> Any:
            async for sse in events_of():
                event = sse.event
                append(sse.data if event is None else f"{event}\n{sse.data}")
                yield sse

        stream._iter_events = tapped_async
    else:

        def tapped() -> Any:
            for sse in events_of():
                event = sse.event
                append(sse.data if event is None else f"{event}\n{sse.data}")
                yield sse

        stream._iter_events = tapped
    call.events = events
    return True


_SYNC, _ASYNC = 1, 2
_sse_kinds: dict[type, int] = {}  # stream class -> 0 (not tappable), _SYNC or _ASYNC


def _sse_kind(cls: type) -> int:
    # ``__stream__`` on the class: anthropic makes ``_iterator`` a cached property that copies
    # the stream, which must happen after the tap is set (the copy takes it along).
    if cls.__name__ not in _SSE_STREAMS or not hasattr(cls, "_iter_events") or not hasattr(cls, "__stream__"):
        return 0
    return _ASYNC if cls.__name__ == "AsyncStream" else _SYNC


def finish(call: Call, recorder: Recorder) -> None:
    """End ``call`` exactly once and hand it to the export side (a ``close()`` from another
    thread or a finaliser may race the consumer)."""
    with _ending:
        if call.end_ns is not None:
            return
        call.end_ns = call.now_ns()
    recorder.submit(call)


class SyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    """Wraps an SDK stream; same chunks, same exceptions, same context-manager behaviour."""

    def __init__(self, wrapped: Any, call: Call, recorder: Recorder):
        super().__init__(wrapped)
        self._self_call = call
        self._self_recorder = recorder
        self._self_skip = call.endpoint.skip_chunk if call.stream_usage_added else None
        # The chunk objects are kept only when the provider's own events could not be tapped.
        self._self_chunks = None if guard("tapping a stream", tap_events, wrapped, call) else call.chunks

    def __iter__(self) -> Any:
        # A ``for`` loop takes this generator: per chunk it costs ≈ 0.3 µs against ≈ 1.4 µs
        # through the proxy's ``__next__`` (benchmarks/caller_path.py). ``next(stream)`` still
        # goes through ``__next__``.
        call = self._self_call
        chunks = self._self_chunks
        skip = self._self_skip
        try:
            for chunk in self.__wrapped__:
                if call.first_chunk_ns is None:
                    call.first_chunk_ns = call.now_ns()
                if chunks is not None:
                    chunks.append(chunk)
                if skip is None or not guard("reading a stream chunk", skip, chunk):
                    yield chunk
        except GeneratorExit:  # the user left the loop early: the call ends with what was seen
            self._self_end(None)
            raise
        except BaseException as exc:
            self._self_end(exc)
            raise
        self._self_end(None)

    def __next__(self) -> Any:
        while True:
            try:
                chunk = self.__wrapped__.__next__()
            except StopIteration:
                self._self_end(None)
                raise
            except BaseException as exc:
                self._self_end(exc)
                raise
            if self._self_keep(chunk):
                return chunk

    def _self_keep(self, chunk: Any) -> bool:
        # Per chunk: one append and, once, a timestamp. True if the user should see it.
        call = self._self_call
        if call.first_chunk_ns is None:
            call.first_chunk_ns = call.now_ns()
        chunks = self._self_chunks
        if chunks is not None:
            chunks.append(chunk)
        skip = self._self_skip
        return skip is None or not guard("reading a stream chunk", skip, chunk)

    def _self_end(self, exc: BaseException | None) -> None:
        call = self._self_call
        if call.end_ns is None:
            try:
                if exc is not None:
                    call.error = exc
                finish(call, self._self_recorder)
            except Exception as err:  # noqa: BLE001
                report_once("ending a stream", err)

    def close(self) -> None:
        try:
            self.__wrapped__.close()
        finally:
            self._self_end(None)

    def __enter__(self) -> "SyncStreamProxy":
        self.__wrapped__.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> Any:
        try:
            return self.__wrapped__.__exit__(*exc_info)
        finally:
            self._self_end(None)

    def __del__(self) -> None:
        # A stream the user abandoned still ends its call with what was seen.
        try:
            self._self_end(None)
        except Exception:  # noqa: BLE001 - never raise from a finaliser
            pass


class AsyncStreamProxy(wrapt.ObjectProxy):  # type: ignore[misc]
    """Async twin of :class:`SyncStreamProxy`."""

    def __init__(self, wrapped: Any, call: Call, recorder: Recorder):
        super().__init__(wrapped)
        self._self_call = call
        self._self_recorder = recorder
        self._self_skip = call.endpoint.skip_chunk if call.stream_usage_added else None
        # The chunk objects are kept only when the provider's own events could not be tapped.
        self._self_chunks = None if guard("tapping a stream", tap_events, wrapped, call) else call.chunks

    async def __aiter__(self) -> Any:
        # An ``async for`` loop takes this generator (cheaper than ``__anext__``; see the sync twin).
        call = self._self_call
        chunks = self._self_chunks
        skip = self._self_skip
        try:
            async for chunk in self.__wrapped__:
                if call.first_chunk_ns is None:
                    call.first_chunk_ns = call.now_ns()
                if chunks is not None:
                    chunks.append(chunk)
                if skip is None or not guard("reading a stream chunk", skip, chunk):
                    yield chunk
        except GeneratorExit:
            self._self_end(None)
            raise
        except BaseException as exc:
            self._self_end(exc)
            raise
        self._self_end(None)

    async def __anext__(self) -> Any:
        while True:
            try:
                chunk = await self.__wrapped__.__anext__()
            except StopAsyncIteration:
                self._self_end(None)
                raise
            except BaseException as exc:
                self._self_end(exc)
                raise
            if self._self_keep(chunk):
                return chunk

    _self_keep = SyncStreamProxy._self_keep
    _self_end = SyncStreamProxy._self_end
    __del__ = SyncStreamProxy.__del__

    async def close(self) -> None:
        try:
            await self.__wrapped__.close()
        finally:
            self._self_end(None)

    async def __aenter__(self) -> "AsyncStreamProxy":
        await self.__wrapped__.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> Any:
        try:
            return await self.__wrapped__.__aexit__(*exc_info)
        finally:
            self._self_end(None)

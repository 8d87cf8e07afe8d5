"""``with_raw_response.create(stream=True)``: the SDK returns a raw response at once and the
stream only when the user calls ``parse()``. The call stays open until then: ``parse`` is
wrapped on that one object (its type and everything else unchanged) so the stream it returns
is proxied like a plain stream, and the call ends with the stream, or with the raw response if
the user never parses it.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any, Callable

from ..guard import report_once
from .call import Call, Recorder
from .streams import AsyncStreamProxy, SyncStreamProxy, finish

_STREAM_TYPES = {"Stream": SyncStreamProxy, "AsyncStream": AsyncStreamProxy}


def is_raw_stream(call: Call, result: Any) -> bool:
    """True for a ``with_raw_response``/``with_streaming_response`` result of a stream request."""
    if call.request.get("stream") is not True or not callable(getattr(result, "parse", None)):
        return False
    http_response = getattr(result, "http_response", None)
    return "event-stream" in str(getattr(http_response, "headers", {}).get("content-type", ""))


def _end_unparsed(call: Call, recorder: Recorder) -> None:
    # Runs when the raw response is collected: the user never took its stream.
    if call.chunks is None:
        try:
            finish(call, recorder)
        except Exception as exc:  # noqa: BLE001 - a finaliser must not raise
            report_once("ending a raw stream", exc)


def hand_over_raw_stream(call: Call, result: Any, recorder: Recorder) -> None:
    """Wrap ``result.parse`` (an instance attribute, so ``type(result)`` is unchanged)."""
    parse = type(result).parse
    ref = weakref.ref(result)  # no cycle through the instance attribute: the finaliser runs on time
    taken: list[Any] = []  # [parsed stream, its proxy]: ``parse()`` caches, so return one proxy

    def proxied(parsed: Any) -> Any:
        if taken and taken[0] is parsed:
            return taken[1]
        proxy_type = _STREAM_TYPES.get(type(parsed).__name__)
        if proxy_type is None or call.end_ns is not None or taken:
            if call.end_ns is None:
                call.result = ref()
                finish(call, recorder)
            return parsed
        call.chunks = []
        proxy = proxy_type(parsed, call, recorder)
        taken[:] = [parsed, proxy]
        return proxy

    def guarded(parsed: Any) -> Any:
        try:
            return proxied(parsed)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
            report_once("recording a raw stream", exc)
            return parsed

    def wrapped_parse(*args: Any, **kwargs: Any) -> Any:
        parsed = parse(ref(), *args, **kwargs)
        if inspect.isawaitable(parsed):  # AsyncAPIResponse.parse is a coroutine function

            async def later() -> Any:
                return guarded(await parsed)

            return later()
        return guarded(parsed)

    result.parse = wrapped_parse
    weakref.finalize(result, _end_unparsed, call, recorder)


def raw_stream_hand_over(recorder: Recorder) -> Callable[[Call, Any], bool]:
    """For :func:`make_wrappers`: True (and the call left open) for a raw stream result."""

    def hand_over(call: Call, result: Any) -> bool:
        if not is_raw_stream(call, result):
            return False
        hand_over_raw_stream(call, result, recorder)
        return True

    return hand_over

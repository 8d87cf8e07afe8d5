"""What the caller's thread records about one SDK call, and what it needs from the logger."""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any, Callable, Mapping, NamedTuple

from opentelemetry.instrumentation.utils import is_instrumentation_enabled


class Endpoint(NamedTuple):
    """How to read one request path of an SDK. The functions run on the export thread only.

    ``request_attributes(body, attrs, capture)`` adds to ``attrs``; ``response_attributes(dict,
    capture) -> attrs``; ``accumulator(capture)`` folds stream chunks (``add``/``attributes``).
    """

    operation: str
    request_attributes: Callable[[dict[str, Any], dict[str, Any], bool], None]
    response_attributes: Callable[[Any, bool], dict[str, Any]]
    accumulator: Callable[[bool], Any] | None = None
    # OpenAI-style ``stream_options.include_usage``: we may ask for usage on streams and then
    # hold back the usage-only chunk (``skip_chunk``) the user did not ask for.
    stream_usage: bool = False
    skip_chunk: Callable[[Any], bool] | None = None
    # The SDK family's request/response shape, which picks Helicone's body processor.
    shape: str = "openai"
    # (client) -> (semconv provider name, server host, server port); asked on the export thread.
    provider_of: Callable[[Any], tuple[str, str | None, int | None]] | None = None
    # When Helicone's body processors read another shape than the provider's own (Bedrock,
    # Cohere, LiteLLM):
    # ``helicone_body(record) -> {"provider", "url", "request", "response", "model"}`` (any
    # subset; "response" is sent as JSON, never as a stream; "model" names the model when the
    # request body does not). Export thread only.
    helicone_body: Callable[[Any], dict[str, Any]] | None = None
    # SDKs patched elsewhere than Stainless's ``request`` (capture/sdk_point.py) record what their
    # patch point sees; these read it back on the export thread. ``read_request(client, path,
    # request) -> (the request JSON as Helicone should read it, its URL)``; ``read_json(result or
    # chunk) -> the provider's JSON``. None: the request is its JSON, results are SDK models.
    read_request: Callable[[Any, str, Any], tuple[dict[str, Any], str]] | None = None
    read_json: Callable[[Any], Any] | None = None


class Call:
    """One SDK call: references and timestamps only. Filled on the caller's thread, read on
    the export thread once ``end_ns`` is set and the call has been submitted."""

    __slots__ = (
        "endpoint", "client", "path", "request", "context", "defaults", "trace_id", "span_id", "parent",
        "start_ns", "_t0", "end_ns", "first_chunk_ns", "result", "chunks", "events", "error", "capture_content",
        "stream_usage_added", "token", "headers", "proxied", "extra",
    )

    def __init__(self, endpoint: Endpoint, client: Any, path: str, request: dict[str, Any], recorder: "Recorder"):
        self.endpoint = endpoint
        self.client = client
        self.path = path
        self.request = request
        self.context: Mapping[str, str] = {}
        self.defaults = recorder.defaults
        self.capture_content = recorder.capture_content
        self.trace_id = 0
        self.span_id = 0
        self.parent: Any = None
        # Wall clock for the span's start; a monotonic clock for durations, so a clock step
        # during the call never gives a negative latency.
        self.start_ns = time.time_ns()
        self._t0 = time.perf_counter_ns()
        self.end_ns: int | None = None
        self.first_chunk_ns: int | None = None
        self.result: Any = None
        self.chunks: list[Any] | None = None  # a stream's chunk objects, as the user got them
        # Or, for an SDK that decodes Server-Sent Events itself (Stainless), each event's text as
        # the provider sent it (capture/streams.py ``tap_events``).
        self.events: list[str] | None = None
        self.error: BaseException | None = None
        self.stream_usage_added = False
        self.token: Any = None
        self.headers: Any = None  # the call's own extra headers (the user's Helicone-* tags)
        self.proxied = False  # sent through Helicone's proxy, which logs it
        self.extra: Any = None  # the call's ``extra_body`` (Stainless keeps it apart from json_data)

    def now_ns(self) -> int:
        """Wall-clock now, on the monotonic scale of this call."""
        return self.start_ns + (time.perf_counter_ns() - self._t0)


class Recorder:
    """What the caller's thread needs from the logger: its switches, the process-wide context
    defaults (a mapping replaced, never mutated) and where a finished call goes."""

    __slots__ = (
        "enabled", "capture_content", "stream_usage", "stream_usage_hosts", "proxy_hosts", "defaults", "submit",
        "id_generator", "sample_bound", "sampled_out",
    )

    def __init__(
        self,
        submit: Callable[[Any], None],
        id_generator: Any,
        capture_content: bool = True,
        stream_usage: bool = True,
        stream_usage_hosts: frozenset[str] = frozenset(),
        proxy_hosts: frozenset[str] = frozenset(),
    ) -> None:
        self.enabled = True
        self.capture_content = capture_content
        self.stream_usage = stream_usage
        self.stream_usage_hosts = stream_usage_hosts
        self.proxy_hosts = proxy_hosts
        # Keep a new trace when the low 64 bits of its id are below this (TraceIdRatioBased's
        # rule); 2**64 keeps all. Calls inside an existing trace follow its sampled flag.
        self.sample_bound = 1 << 64
        self.sampled_out = 0  # calls not recorded by sampling: not a loss, so not in drops
        self.defaults: Mapping[str, str] = {}
        self.submit = submit
        self.id_generator = id_generator

    def active(self) -> bool:
        """True when calls should be recorded now."""
        return self.enabled and not _INSIDE_RECORDED_CALL.get() and is_instrumentation_enabled()


# Set while a wrapper that already records the call runs the SDK under it (LiteLLM calling the
# openai SDK): the inner SDK call is part of the outer one, so it makes no second span or record.
_INSIDE_RECORDED_CALL: ContextVar[bool] = ContextVar("helicone_otel_inside_recorded_call", default=False)


def enter_recorded_call() -> Any:
    """Mark the current context as inside a recorded call; returns the token for
    :func:`leave_recorded_call`."""
    return _INSIDE_RECORDED_CALL.set(True)


def leave_recorded_call(token: Any) -> None:
    """Undo :func:`enter_recorded_call`."""
    _INSIDE_RECORDED_CALL.reset(token)

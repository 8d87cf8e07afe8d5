"""Custom steps: tool calls, vector-database queries and calls to models we do not instrument,
recorded as spans inside the current session so a session shows the whole agent run.

    with helicone_otel.tool("web_search", input={"q": "otel"}) as step:
        step.set_output(search("otel"))

    @helicone_otel.step("retrieve", kind="vector_db")
    def retrieve(query): ...

Input and output are recorded only with content capture on. Steps made before a logger's
``init()`` (or after its shutdown) cost nothing and record nothing.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
from typing import Any, Callable, Optional, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from . import attributes as A
from .capture.call import Recorder
from .context import current_attributes
from .cost import PriceBook, span_cost
from .helicone_headers import request_id_of
from .export.spans import record_error
from .guard import report_once
from .instrumentation._content import to_json

F = TypeVar("F", bound=Callable[..., Any])

KINDS = ("tool", "vector_db", "llm", "custom")
_UNSET = object()


class _Recorder:
    """Where steps go: the tracer, switches and prices of the initialised logger (None before
    init). An ended step span is handed to ``options.submit`` for its Helicone record."""

    __slots__ = ("tracer", "options", "price_book", "mask")

    def __init__(self, tracer: trace.Tracer, options: Recorder, price_book: Optional[PriceBook], mask: Optional[Callable[[str], str]]) -> None:
        self.tracer = tracer
        self.options = options
        self.price_book = price_book
        self.mask = mask

    def text(self, value: Any) -> str:
        """A step's input or output as recorded: JSON (or the string itself), masked."""
        text = value if isinstance(value, str) else to_json(value)
        return self.mask(text) if self.mask is not None else text


_recorder: Optional[_Recorder] = None
_recorder_lock = threading.Lock()


def set_recorder(
    tracer: Optional[trace.Tracer], options: Optional[Recorder], price_book: Optional[PriceBook] = None,
    mask: Optional[Callable[[str], str]] = None,
) -> None:
    """Called by the logger at init (and with None at shutdown)."""
    global _recorder
    with _recorder_lock:
        _recorder = None if tracer is None or options is None else _Recorder(tracer, options, price_book, mask)


def active_recorder() -> Optional[_Recorder]:
    """Where steps go now (None before a logger's init and after its shutdown); the agent-framework
    integrations make their runs' spans with it."""
    return _recorder


def _context_attributes(options: Recorder) -> dict[str, str]:
    # Steps are rare and made by hand: stamping the context here keeps them simple.
    defaults, current = options.defaults, current_attributes()
    return {**defaults, **current}


class Step:
    """One custom step: a context manager, and a decorator for sync and async functions."""

    def __init__(
        self,
        name: str,
        kind: str,
        input: Any = _UNSET,  # noqa: A002 - the natural word for users
        model: Optional[str] = None,
        provider: Optional[str] = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError(f"step name must be a non-empty str, got {name!r}")
        if kind not in KINDS:
            raise ValueError(f"kind={kind!r}: use one of {list(KINDS)}")
        if kind == "llm" and not model:
            raise ValueError("kind='llm' needs model= (the model you called)")
        self.name = name
        self.kind = kind
        self._input = input
        self._model = model
        self._provider = provider
        # Open ``with`` blocks of this step, per context, so one Step may be entered by many
        # tasks and threads at once.
        self._open: contextvars.ContextVar[tuple["StepHandle", ...]] = contextvars.ContextVar("helicone_step", default=())

    # -- recording ------------------------------------------------------------------------------
    def _start(self, call_input: Any) -> Optional[tuple[trace.Span, object, _Recorder]]:
        recorder = _recorder
        if recorder is None or not recorder.options.active():
            return None
        try:
            attrs: dict[str, Any] = {**_context_attributes(recorder.options), A.STEP_KIND: self.kind, A.TOOL_NAME: self.name}
            if self.kind == "llm":
                provider = self._provider or "custom"
                attrs.update({A.OPERATION_NAME: "chat", A.PROVIDER_NAME: provider, A.SYSTEM: provider,
                              A.REQUEST_MODEL: self._model})
                span_name = f"chat {self._model}"
            else:
                attrs[A.OPERATION_NAME] = "execute_tool"
                span_name = f"execute_tool {self.name}"
            if recorder.options.capture_content and call_input is not _UNSET:
                attrs[A.TOOL_CALL_ARGUMENTS] = recorder.text(call_input)
            span = recorder.tracer.start_span(span_name, kind=SpanKind.INTERNAL, attributes=attrs)
            ids = span.get_span_context()
            span.set_attribute(A.HELICONE_REQUEST_ID, request_id_of(ids.trace_id, ids.span_id))
            token = otel_context.attach(trace.set_span_in_context(span))
            return span, token, recorder
        except Exception as exc:  # noqa: BLE001
            report_once("starting a custom step", exc)
            return None

    @staticmethod
    def _end(state, output: Any, exc: Optional[BaseException], usage: dict[str, Any]) -> None:
        if state is None:
            return
        span, token, recorder = state
        options = recorder.options
        try:
            otel_context.detach(token)
        except Exception:  # noqa: BLE001
            pass
        try:
            if usage:
                if recorder.price_book is not None and span.attributes.get(A.PROVIDER_NAME):
                    cost = span_cost(recorder.price_book, span.attributes[A.PROVIDER_NAME], span.attributes.get(A.REQUEST_MODEL), usage)
                    if cost is not None:
                        usage = {**usage, A.USAGE_COST: cost}
                span.set_attributes(usage)
            if output is not _UNSET and options.capture_content:
                span.set_attribute(A.TOOL_CALL_RESULT, recorder.text(output))
            if exc is not None:
                record_error(span, exc, capture_content=options.capture_content, mask=recorder.mask)
        except Exception as err:  # noqa: BLE001
            report_once("ending a custom step", err)
        finally:
            span.end()
        try:
            options.submit(span)
        except Exception as err:  # noqa: BLE001
            report_once("sending a custom step", err)

    # -- context manager ------------------------------------------------------------------------
    def __enter__(self) -> "StepHandle":
        handle = StepHandle(self._start(self._input))
        self._open.set(self._open.get() + (handle,))
        return handle

    def __exit__(self, exc_type, exc, tb) -> None:
        open_handles = self._open.get()
        if not open_handles:
            return
        handle = open_handles[-1]
        self._open.set(open_handles[:-1])
        self._end(handle._state, handle._output, exc, handle._usage)

    async def __aenter__(self) -> "StepHandle":
        return self.__enter__()

    async def __aexit__(self, exc_type, exc, tb) -> None:
        self.__exit__(exc_type, exc, tb)

    # -- decorator ------------------------------------------------------------------------------
    def __call__(self, func: F) -> F:
        """Record each call of ``func``: its arguments as input, its return value as output."""
        signature = inspect.signature(func)

        def call_input(args: tuple, kwargs: dict) -> Any:
            if self._input is not _UNSET:
                return self._input
            try:
                bound = signature.bind_partial(*args, **kwargs)
                return {k: v for k, v in bound.arguments.items() if k not in ("self", "cls")}
            except TypeError:
                return {"args": args, "kwargs": kwargs}

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                state = self._start(call_input(args, kwargs))
                try:
                    result = await func(*args, **kwargs)
                except BaseException as exc:
                    self._end(state, _UNSET, exc, {})
                    raise
                self._end(state, result, None, {})
                return result

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            state = self._start(call_input(args, kwargs))
            try:
                result = func(*args, **kwargs)
            except BaseException as exc:
                self._end(state, _UNSET, exc, {})
                raise
            self._end(state, result, None, {})
            return result

        return wrapper  # type: ignore[return-value]


class StepHandle:
    """What ``with tool(...) as step`` gives you: set the output (and usage, for ``llm`` steps)."""

    __slots__ = ("_state", "_output", "_usage")

    def __init__(self, state) -> None:
        self._state = state
        self._output: Any = _UNSET
        self._usage: dict[str, Any] = {}

    def set_output(self, output: Any) -> None:
        """The step's result (recorded with content capture on)."""
        self._output = output

    def set_usage(self, input_tokens: Optional[int] = None, output_tokens: Optional[int] = None) -> None:
        """Token usage of an ``llm`` step (priced when the model is known)."""
        for value, key in ((input_tokens, A.USAGE_INPUT_TOKENS), (output_tokens, A.USAGE_OUTPUT_TOKENS)):
            if value is not None:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise TypeError(f"set_usage: token counts must be non-negative ints, got {value!r}")
                self._usage[key] = value


def tool(name: str, input: Any = _UNSET) -> Step:  # noqa: A002
    """Record a tool call named ``name`` (context manager or decorator)."""
    return Step(name, "tool", input)


def step(
    name: str,
    kind: str = "custom",
    input: Any = _UNSET,  # noqa: A002
    model: Optional[str] = None,
    provider: Optional[str] = None,
) -> Step:
    """Record a custom step: ``kind`` is ``tool``, ``vector_db``, ``llm`` (a model we do not
    instrument: give ``model=`` and report tokens with ``set_usage``) or ``custom``."""
    return Step(name, kind, input, model, provider)

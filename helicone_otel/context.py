"""Per-call context: sessions, users and custom properties, carried in ``contextvars``.

Every manager here is both a context manager and a decorator. Entering one merges its values
over the current ones (inner wins); leaving restores exactly what was there before, even when
the body raises. Because the state lives in a ``ContextVar``, each asyncio task and each thread
sees its own values; ``copy_context`` / :func:`wrap` carry them into a thread pool.

The state is kept as the final span attributes and is never mutated, only replaced, so a call
records it by reference and the export side stamps it on the span later.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from typing import Any, Callable, Mapping, Optional, TypeVar


from . import attributes as A
from .config import validate_properties

F = TypeVar("F", bound=Callable[..., Any])

_EMPTY: Mapping[str, str] = {}
_current: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "helicone_otel_context", default=_EMPTY
)


def current_attributes() -> Mapping[str, str]:
    """The span attributes the current context would stamp on a span (read-only view)."""
    return _current.get()


def header_properties_to_attributes(mapping: Mapping[str, str], argument: str) -> dict[str, str]:
    """Translate Helicone header-style keys (``Helicone-Session-Id``, ``Helicone-Property-X``…)
    into span attribute keys; unknown keys are a ValueError, non-string values a TypeError."""
    values = validate_properties(mapping, argument)
    out: dict[str, str] = {}
    for key, value in values.items():
        lowered = key.lower()
        if lowered == A.HEADER_SESSION_ID.lower():
            out[A.SESSION_ID] = value
        elif lowered == A.HEADER_SESSION_PATH.lower():
            out[A.SESSION_PATH] = value
        elif lowered == A.HEADER_SESSION_NAME.lower():
            out[A.SESSION_NAME] = value
        elif lowered == A.HEADER_USER_ID.lower():
            out[A.USER_ID] = value
        elif lowered == "helicone-prompt-id":
            out[A.PROMPT_ID] = value
        elif lowered.startswith(A.HEADER_PROPERTY_PREFIX.lower()) and len(key) > len(A.HEADER_PROPERTY_PREFIX):
            out[A.PROPERTY_PREFIX + key[len(A.HEADER_PROPERTY_PREFIX):]] = value
        else:
            raise ValueError(
                f"{argument}: {key!r} is not a Helicone header name; use Helicone-Session-Id, "
                "Helicone-Session-Path, Helicone-Session-Name, Helicone-User-Id or Helicone-Property-<Name>"
            )
    return out


def property_attributes(properties: Mapping[str, str], argument: str) -> dict[str, str]:
    """Span attributes for plain custom properties (``{"Environment": "prod"}``)."""
    values = validate_properties(properties, argument)
    return {A.PROPERTY_PREFIX + name: value for name, value in values.items()}


class ContextScope:
    """A set of span attributes applied for the duration of a ``with`` block or a call.

    Use it as ``with scope:`` or as ``@scope`` on a sync or async function. One instance may be
    entered repeatedly and concurrently: each entry keeps its own restore token.
    """

    __slots__ = ("_attributes", "_tokens")

    def __init__(self, attributes: Mapping[str, str]) -> None:
        self._attributes = dict(attributes)
        # Restore entries of this scope's open ``with`` blocks, per context (immutable, so a
        # task that copied the context never shares them).
        self._tokens: contextvars.ContextVar[tuple] = contextvars.ContextVar("helicone_scope_tokens", default=())

    @property
    def attributes(self) -> Mapping[str, str]:
        """The attributes this scope adds."""
        return self._attributes

    def _push(self) -> tuple[contextvars.Token, Mapping[str, str]]:
        outer = _current.get()
        merged = {**outer, **self._attributes} if outer else self._attributes
        return _current.set(merged), outer

    @staticmethod
    def _pop(entry: tuple[contextvars.Token, Mapping[str, str]]) -> None:
        token, outer = entry
        try:
            _current.reset(token)
        except ValueError:
            # Exited in a different context than it was entered in (e.g. an async generator
            # finalised elsewhere): restore the value we saw on entry instead.
            _current.set(outer)

    def __enter__(self) -> "ContextScope":
        self._tokens.set(self._tokens.get() + (self._push(),))
        return self

    def __exit__(self, *exc_info: object) -> None:
        stack = self._tokens.get()
        if stack:
            self._tokens.set(stack[:-1])
            self._pop(stack[-1])

    async def __aenter__(self) -> "ContextScope":
        return self.__enter__()

    async def __aexit__(self, *exc_info: object) -> None:
        self.__exit__(*exc_info)

    def __call__(self, func: F) -> F:
        """Decorate a function, coroutine function, generator or async generator."""
        if inspect.isasyncgenfunction(func):
            return self._wrap_async_generator(func)  # type: ignore[return-value]
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)  # type: ignore[return-value]
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                entry = self._push()
                try:
                    return await func(*args, **kwargs)
                finally:
                    self._pop(entry)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = self._push()
            try:
                return func(*args, **kwargs)
            finally:
                self._pop(entry)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # The scope is active only while the generator body runs, never between yields, so
        # values cannot leak into the code that iterates it.
        scope = self

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = scope._push()
            try:
                gen = func(*args, **kwargs)
            finally:
                scope._pop(entry)
            sent: Any = None
            thrown: Optional[BaseException] = None
            while True:
                entry = scope._push()
                try:
                    item = gen.throw(thrown) if thrown is not None else gen.send(sent)
                except StopIteration as stop:
                    return stop.value
                finally:
                    scope._pop(entry)
                thrown = None
                try:
                    sent = yield item
                except GeneratorExit:
                    entry = scope._push()
                    try:
                        gen.close()
                    finally:
                        scope._pop(entry)
                    raise
                except BaseException as exc:  # forwarded into the wrapped generator
                    thrown = exc

        return wrapper

    def _wrap_async_generator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        scope = self

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            entry = scope._push()
            try:
                agen = func(*args, **kwargs)
            finally:
                scope._pop(entry)
            sent: Any = None
            thrown: Optional[BaseException] = None
            while True:
                entry = scope._push()
                try:
                    if thrown is not None:
                        item = await agen.athrow(thrown)
                    else:
                        item = await agen.asend(sent)
                except StopAsyncIteration:
                    return
                finally:
                    scope._pop(entry)
                thrown = None
                try:
                    sent = yield item
                except GeneratorExit:
                    entry = scope._push()
                    try:
                        await agen.aclose()
                    finally:
                        scope._pop(entry)
                    raise
                except BaseException as exc:
                    thrown = exc

        return wrapper


def enter_attributes(attributes: Mapping[str, str]) -> tuple[contextvars.Token, Mapping[str, str]]:
    """Make ``attributes`` (the whole mapping, already merged) current until :func:`exit_attributes`
    with the returned entry: for agent-framework runs that open and close in separate callbacks."""
    outer = _current.get()
    return _current.set(attributes), outer


def exit_attributes(entry: tuple[contextvars.Token, Mapping[str, str]]) -> None:
    """Undo :func:`enter_attributes`."""
    ContextScope._pop(entry)


def session(session_id: str, path: Optional[str] = None, name: Optional[str] = None) -> ContextScope:
    """Group the LLM calls made inside into a Helicone session.

    ``path`` places them in the session tree (``"/plan/outline"``); ``name`` labels the session.
    """
    values = {A.SESSION_ID: session_id}
    if path is not None:
        values[A.SESSION_PATH] = path
    if name is not None:
        values[A.SESSION_NAME] = name
    _check_strings(values, "session")
    return ContextScope(values)


def user(user_id: str) -> ContextScope:
    """Attribute the LLM calls made inside to ``user_id``."""
    _check_strings({A.USER_ID: user_id}, "user")
    return ContextScope({A.USER_ID: user_id})


def prompt(prompt_id: str) -> ContextScope:
    """Group the LLM calls made inside under a Helicone prompt (``Helicone-Prompt-Id``)."""
    _check_strings({A.PROMPT_ID: prompt_id}, "prompt")
    return ContextScope({A.PROMPT_ID: prompt_id})


def headers() -> dict[str, str]:
    """The current session/user/properties/prompt as Helicone request headers, for calls to
    Helicone's proxy made with a plain HTTP client or from another process.

    ``requests.post("https://oai.helicone.ai/v1/chat/completions", headers={**auth, **helicone_otel.headers()}, ...)``
    """
    from .helicone_headers import context_headers

    return context_headers(_current.get())


def properties(**props: str) -> ContextScope:
    """Attach custom properties (``Environment="prod"``) to the LLM calls made inside."""
    return ContextScope(property_attributes(props, "properties"))


def wrap(func: F) -> F:
    """Bind ``func`` to the current context, for handing to a thread pool or callback.

    ``executor.submit(helicone_otel.wrap(work), item)`` runs ``work`` with the caller's session,
    user and properties (and the caller's current span as parent).
    """
    ctx = contextvars.copy_context()

    @functools.wraps(func)
    def bound(*args: Any, **kwargs: Any) -> Any:
        return ctx.copy().run(func, *args, **kwargs)

    return bound  # type: ignore[return-value]


def _check_strings(values: Mapping[str, object], argument: str) -> None:
    for key, value in values.items():
        if not isinstance(value, str):
            field = key.rsplit(".", 1)[-1]
            raise TypeError(f"{argument}: {field} must be a str, got {type(value).__name__} ({value!r})")

"""LiteLLMInstrumentor: one span per ``litellm.completion``/``acompletion`` (streams included)
and ``litellm.embedding``/``aembedding`` call, with the real provider and model behind it.

LiteLLM calls providers through their own SDKs (the openai SDK for OpenAI and compatible
APIs) or its own HTTP client. While a LiteLLM call runs, our SDK instrumentors record nothing
(``capture.call.enter_recorded_call``): one call, one span, one Helicone record. A call routed
to Helicone's AI Gateway (``helicone/<model>``, or an ``api_base`` that is Helicone's proxy) is
logged by Helicone itself: it goes with the current context as Helicone headers, and we send
no record of our own (the span says ``helicone.logged_by = "proxy"``).

The module functions are patched: code that did ``from litellm import completion`` before
``init()`` keeps the unpatched function.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import wrapt

from ... import attributes as A
from ...capture.call import Call, Endpoint, Recorder, enter_recorded_call, leave_recorded_call
from ...capture.patching import Patch, PatchingInstrumentor
from ...capture.sdk_point import end_scope, recorder_of, start_call
from ...capture.streams import AsyncStreamProxy, SyncStreamProxy, finish
from ...guard import guard, report_once
from ...helicone_headers import REQUEST_ID, context_headers, request_id_of
from ...providers import is_helicone_proxy
from .._content import field, int_or_none
from ..openai import _chat, _embeddings
from . import _wire

_RECORDING = "recording a LiteLLM call"
_STREAMS = frozenset({"CustomStreamWrapper"})


def chat_response_attributes(response: dict[str, Any], capture_content: bool) -> dict[str, Any]:
    """OpenAI-shaped chat response attributes, plus the cache writes LiteLLM reports for
    Anthropic (``usage.cache_creation_input_tokens``)."""
    attrs = _chat.response_attributes(response, capture_content)
    written = int_or_none(field(response.get("usage"), "cache_creation_input_tokens"))
    if written:
        attrs[A.USAGE_CACHE_CREATION_INPUT_TOKENS] = written
    return attrs


class Function(NamedTuple):
    """One LiteLLM function to record."""

    endpoint: Endpoint
    path: str  # the OpenAI-style path, for the record's URL
    positional: tuple[str, ...]  # names of its leading positional parameters
    is_async: bool


def _endpoint(operation: str, request: Any, response: Any, accumulator: Any, helicone_body: Any) -> Endpoint:
    return Endpoint(operation, request, response, accumulator, shape="openai", provider_of=_wire.provider_of,
                    helicone_body=helicone_body, read_request=_wire.read_request, read_json=_wire.to_json)


_CHAT = _endpoint(_chat.OPERATION, _chat.request_attributes, chat_response_attributes, _chat.ChatStreamAccumulator, _wire.chat_body)
_EMBEDDINGS = _endpoint(_embeddings.OPERATION, _embeddings.request_attributes, _embeddings.response_attributes, None,
                        _wire.embedding_body)
FUNCTIONS: dict[str, Function] = {
    "completion": Function(_CHAT, "/chat/completions", ("model", "messages"), False),
    "acompletion": Function(_CHAT, "/chat/completions", ("model", "messages"), True),
    "embedding": Function(_EMBEDDINGS, "/embeddings", ("model", "input"), False),
    "aembedding": Function(_EMBEDDINGS, "/embeddings", ("model", "input"), True),
}


def _through_helicone(args: tuple, kwargs: dict, recorder: Recorder) -> bool:
    model = kwargs.get("model", args[0] if args else None)
    if (isinstance(model, str) and model.startswith("helicone/")) or kwargs.get("custom_llm_provider") == "helicone":
        return True
    api_base = kwargs.get("api_base") or kwargs.get("base_url")
    return isinstance(api_base, str) and is_helicone_proxy(api_base, recorder.proxy_hosts)


def _with_helicone_headers(kwargs: dict, call: Call) -> dict:
    """The call's keyword arguments with the current context as Helicone headers (the
    user's own ``extra_headers`` win)."""
    own = kwargs.get("extra_headers") if isinstance(kwargs.get("extra_headers"), dict) else {}
    taken = {name.lower() for name in own}
    context = {**call.defaults, **call.context} if call.defaults else call.context
    added = {REQUEST_ID: request_id_of(call.trace_id, call.span_id), **context_headers(context)}
    return {**kwargs, "extra_headers": {**{k: v for k, v in added.items() if k.lower() not in taken}, **own}}


def make_wrapper(recorder: Recorder, function: Function) -> Any:
    """The wrapt wrapper of one LiteLLM function."""

    def begin(args: tuple, kwargs: dict) -> tuple[Call | None, dict]:
        recorded = (args, kwargs, function.positional)
        call = start_call(recorder, function.endpoint, recorded, function.path, recorded)
        call.headers = kwargs.get("extra_headers")
        if _through_helicone(args, kwargs, recorder):
            kwargs = _with_helicone_headers(kwargs, call)
            call.proxied = True
        return call, kwargs

    def failed(call: Call, exc: BaseException) -> None:
        end_scope(call)
        call.error = exc
        guard(_RECORDING, finish, call, recorder)

    def succeeded(call: Call, result: Any) -> Any:
        end_scope(call)
        try:
            if type(result).__name__ in _STREAMS:
                call.chunks = []
                return (AsyncStreamProxy if function.is_async else SyncStreamProxy)(result, call, recorder)
            call.result = result
            finish(call, recorder)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the user
            report_once(_RECORDING, exc)
        return result

    def sync_call(wrapped, instance, args, kwargs):
        # ``completion(acompletion=True)`` hands over to ``acompletion`` and returns its coroutine.
        if not recorder.active() or kwargs.get("acompletion"):
            return wrapped(*args, **kwargs)
        call, kwargs = guard(_RECORDING, begin, args, kwargs) or (None, kwargs)
        if call is None:
            return wrapped(*args, **kwargs)
        inside = enter_recorded_call()
        try:
            result = wrapped(*args, **kwargs)
        except BaseException as exc:
            leave_recorded_call(inside)
            failed(call, exc)
            raise
        leave_recorded_call(inside)
        return succeeded(call, result)

    async def async_call(wrapped, instance, args, kwargs):
        if not recorder.active():
            return await wrapped(*args, **kwargs)
        call, kwargs = guard(_RECORDING, begin, args, kwargs) or (None, kwargs)
        if call is None:
            return await wrapped(*args, **kwargs)
        inside = enter_recorded_call()
        try:
            result = await wrapped(*args, **kwargs)
        except BaseException as exc:
            leave_recorded_call(inside)
            failed(call, exc)
            raise
        leave_recorded_call(inside)
        return succeeded(call, result)

    return async_call if function.is_async else sync_call


class LiteLLMInstrumentor(PatchingInstrumentor):
    """Instrument ``litellm.completion``/``acompletion`` (streams too) and
    ``litellm.embedding``/``aembedding``.

    ``LiteLLMInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    _instruments = ("litellm >= 1.40",)


    def _instrument(self, **kwargs: Any) -> None:
        recorder = recorder_of(kwargs)
        if recorder is None:
            return
        self._patches: list[Patch] = []
        # Importing litellm takes seconds (and it fetches a price map unless told not to): an
        # app that has it installed but has not imported it is patched when it does. A hook
        # left from an earlier instrument() (wrapt cannot remove one) checks its own switch.
        switch = self._switch = [True]
        if "litellm" in sys.modules:
            self._patch(recorder, sys.modules["litellm"])
        else:
            wrapt.register_post_import_hook(lambda module: switch[0] and self._patch(recorder, module), "litellm")

    def _patch(self, recorder: Recorder, litellm: Any) -> None:
        if not self._patches:
            self._patches = [Patch(litellm, name, make_wrapper(recorder, function)) for name, function in FUNCTIONS.items()]

    def _uninstrument(self, **kwargs: Any) -> None:
        getattr(self, "_switch", [False])[0] = False
        super()._uninstrument(**kwargs)

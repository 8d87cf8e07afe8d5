"""A stand-in for the OpenAI API on 127.0.0.1, for tests that use the real ``openai`` SDK.

    with OpenAIStandIn() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        client.chat.completions.create(model="gpt-4o-mini", messages=[...])

Serves chat completions, the Responses API, legacy completions (each as JSON or SSE),
embeddings, image generation and audio, also under Azure's ``/openai/deployments/<name>/``
paths. Tokens are counted as whitespace-separated words, so tests can compute them by hand.
"""

from __future__ import annotations

import itertools
import json
import time
from typing import Any, Iterator, Optional

from ._http import Reply, StandInServer

_ids = itertools.count(1)

Event = tuple[Optional[str], Any]


def count_words(value: Any) -> int:
    """A deterministic token count for the stand-in: whitespace-separated words of every
    ``content``/``text``/``input``/``instructions``/``prompt`` string."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(count_words(v) for k, v in value.items() if k in ("content", "text", "input", "instructions", "prompt"))
    if isinstance(value, list):
        return sum(count_words(v) for v in value)
    return 0


class OpenAIStandIn(StandInServer):
    """OpenAI-compatible server. ``reply`` is the assistant's text; ``cached_tokens`` and
    ``reasoning_tokens`` are reported in usage details; ``response_model`` (default: the
    requested model) is what the API says it ran."""

    def __init__(
        self,
        reply: str = "Hello from the stand-in model.",
        *,
        response_model: Optional[str] = None,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        chunk_delay_s: float = 0.0,
        reject_stream_options: bool = False,
    ) -> None:
        super().__init__()
        # Like Azure API versions before 2024-09-01 and several OpenAI-compatible servers.
        self.reject_stream_options = reject_stream_options
        self.reply = reply
        self.response_model = response_model
        self.cached_tokens = cached_tokens
        self.reasoning_tokens = reasoning_tokens
        self.chunk_delay_s = chunk_delay_s
        self._tool_call: Optional[tuple[str, str]] = None
        self._break_after: Optional[int] = None
        self._error_after: Optional[int] = None
        self.add_route("/chat/completions", self._chat)
        self.add_route("/responses", self._responses)
        self.add_route("/completions", self._completions)
        self.add_route("/embeddings", self._embeddings)
        self.add_route("/images/generations", self._images)
        self.add_route("/audio/transcriptions", self._transcription)
        self.add_route("/audio/speech", lambda body, headers: Reply(200, b"RIFF-stand-in-audio"))

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``openai.OpenAI``."""
        return self.origin + "/v1"

    def requests_to(self, suffix: str) -> list[dict[str, Any]]:
        """Bodies of the requests whose path ends with ``suffix``."""
        return [r["body"] for r in self.received if r["path"].endswith(suffix)]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests received so far."""
        return self.requests_to("/chat/completions")

    # -- scripting ------------------------------------------------------------------------------
    def fail_next(self, status: int = 500, message: str = "stand-in failure", type: str = "server_error") -> None:  # noqa: A002
        """Answer the next request with an OpenAI-shaped error."""
        self.reply_next(Reply(status, {"error": {"message": message, "type": type, "code": None}}))

    def break_next_stream(self, after_events: int) -> None:
        """Cut the connection of the next streaming reply after ``after_events`` events."""
        self._break_after = after_events

    def error_next_stream(self, after_events: int) -> None:
        """Send an in-stream ``error`` payload in the next streaming reply after ``after_events``."""
        self._error_after = after_events

    def call_tool_next(self, name: str, arguments: dict[str, Any]) -> None:
        """The next chat or Responses reply is a call of tool ``name``."""
        self._tool_call = (name, json.dumps(arguments))

    # -- helpers --------------------------------------------------------------------------------
    def _model(self, body: dict[str, Any]) -> str:
        return self.response_model or body.get("model") or "unknown"

    def _completion_tokens(self) -> int:
        return len(self.reply.split()) + self.reasoning_tokens

    def _stream(self, events: Iterator[Event]) -> Reply:
        break_after, self._break_after = self._break_after, None
        error_after, self._error_after = self._error_after, None
        if error_after is not None:
            events = _with_error(events, error_after)
        return Reply(200, events=events, break_after=break_after)

    def _paced(self, events: Iterator[Event]) -> Iterator[Event]:
        for event in events:
            if self.chunk_delay_s:
                time.sleep(self.chunk_delay_s)
            yield event

    # -- chat completions -----------------------------------------------------------------------
    def _chat_usage(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = count_words(body.get("messages"))
        completion = self._completion_tokens()
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens, "audio_tokens": 0},
        }

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        if self.reject_stream_options and "stream_options" in body:
            return Reply(400, {"error": {"message": "Unrecognized request argument supplied: stream_options",
                                         "type": "invalid_request_error", "param": None, "code": None}})
        tool, self._tool_call = self._tool_call, None
        head = {
            "id": f"chatcmpl-standin-{next(_ids)}",
            "created": int(time.time()),
            "model": self._model(body),
            "system_fingerprint": "fp_standin",
        }
        n = int(body.get("n") or 1)
        finish = "tool_calls" if tool else "stop"
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": None if tool else self.reply, "refusal": None}
            if tool:
                message["tool_calls"] = [
                    {"id": "call_standin_1", "type": "function", "function": {"name": tool[0], "arguments": tool[1]}}
                ]
            choices = [{"index": i, "message": message, "logprobs": None, "finish_reason": finish} for i in range(n)]
            return Reply(200, {**head, "object": "chat.completion", "choices": choices, "usage": self._chat_usage(body)})
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return self._stream(self._paced(self._chat_events(body, head, n, include_usage, tool, finish)))

    def _chat_events(self, body, head, n, include_usage, tool, finish) -> Iterator[Event]:
        def chunk(choices: list, usage: Any = None) -> dict[str, Any]:
            data = {**head, "object": "chat.completion.chunk", "choices": choices}
            if include_usage:
                data["usage"] = usage
            return data

        for i in range(n):
            yield None, chunk([{"index": i, "delta": {"role": "assistant", "content": None if tool else ""}, "finish_reason": None}])
        if tool:
            name, arguments = tool
            first = {"index": 0, "id": "call_standin_1", "type": "function", "function": {"name": name, "arguments": ""}}
            yield None, chunk([{"index": 0, "delta": {"tool_calls": [first]}, "finish_reason": None}])
            middle = len(arguments) // 2
            for piece in (arguments[:middle], arguments[middle:]):
                yield None, chunk([{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]}, "finish_reason": None}])
        else:
            for position, word in enumerate(self.reply.split(" ")):
                text = word if position == 0 else " " + word
                for i in range(n):
                    yield None, chunk([{"index": i, "delta": {"content": text}, "finish_reason": None}])
        for i in range(n):
            yield None, chunk([{"index": i, "delta": {}, "finish_reason": finish}])
        if include_usage:
            yield None, chunk([], self._chat_usage(body))
        yield None, "[DONE]"

    # -- Responses API --------------------------------------------------------------------------
    def _responses(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        tool, self._tool_call = self._tool_call, None
        prompt = count_words(body.get("input")) + count_words(body.get("instructions"))
        completion = self._completion_tokens()
        response_id = f"resp_standin_{next(_ids)}"
        if tool:
            output: list[dict[str, Any]] = [
                {"type": "function_call", "id": "fc_1", "call_id": "call_standin_1", "name": tool[0],
                 "arguments": tool[1], "status": "completed"}
            ]
        else:
            output = [
                {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": self.reply, "annotations": []}]}
            ]
        background = bool(body.get("background"))
        final = {
            "id": response_id,
            "object": "response",
            "created_at": int(time.time()),
            "model": self._model(body),
            "status": "queued" if background else "completed",
            "output": [] if background else output,
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": body.get("tools") or [],
            "usage": None if background else {
                "input_tokens": prompt,
                "input_tokens_details": {"cached_tokens": self.cached_tokens},
                "output_tokens": completion,
                "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
                "total_tokens": prompt + completion,
            },
        }
        if not body.get("stream"):
            return Reply(200, final)
        return self._stream(self._paced(self._response_events(final, tool is not None)))

    def _response_events(self, final: dict[str, Any], tool_call: bool) -> Iterator[Event]:
        sequence = itertools.count()

        def event(kind: str, **data: Any) -> Event:
            return kind, {"type": kind, "sequence_number": next(sequence), **data}

        started = {**final, "status": "in_progress", "output": [], "usage": None}
        yield event("response.created", response=started)
        yield event("response.in_progress", response=started)
        for index, item in enumerate(final["output"]):
            if item["type"] == "message":
                text = item["content"][0]["text"]
                empty_part = {"type": "output_text", "text": "", "annotations": []}
                yield event("response.output_item.added", output_index=index, item={**item, "status": "in_progress", "content": []})
                yield event("response.content_part.added", item_id=item["id"], output_index=index, content_index=0, part=empty_part)
                for position, word in enumerate(text.split(" ")):
                    yield event("response.output_text.delta", item_id=item["id"], output_index=index, content_index=0,
                                delta=word if position == 0 else " " + word, logprobs=[])
                yield event("response.output_text.done", item_id=item["id"], output_index=index, content_index=0, text=text, logprobs=[])
                yield event("response.content_part.done", item_id=item["id"], output_index=index, content_index=0,
                            part={**empty_part, "text": text})
            else:
                yield event("response.output_item.added", output_index=index, item={**item, "arguments": "", "status": "in_progress"})
                yield event("response.function_call_arguments.delta", item_id=item["id"], output_index=index, delta=item["arguments"])
                yield event("response.function_call_arguments.done", item_id=item["id"], output_index=index, arguments=item["arguments"])
            yield event("response.output_item.done", output_index=index, item=item)
        yield event("response.completed", response=final)

    # -- legacy completions ---------------------------------------------------------------------
    def _completions(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        prompt = count_words(body.get("prompt"))
        completion = self._completion_tokens()
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
        head = {"id": f"cmpl-standin-{next(_ids)}", "object": "text_completion", "created": int(time.time()),
                "model": self._model(body)}
        if not body.get("stream"):
            return Reply(200, {**head, "choices": [{"index": 0, "text": self.reply, "logprobs": None, "finish_reason": "stop"}], "usage": usage})
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

        def events() -> Iterator[Event]:
            words = self.reply.split(" ")
            for position, word in enumerate(words):
                last = position == len(words) - 1
                text = word if position == 0 else " " + word
                data = {**head, "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": "stop" if last else None}]}
                if include_usage:
                    data["usage"] = None
                yield None, data
            if include_usage:
                yield None, {**head, "choices": [], "usage": usage}
            yield None, "[DONE]"

        return self._stream(self._paced(events()))

    # -- embeddings, images, audio --------------------------------------------------------------
    def _embeddings(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        inputs = body.get("input")
        items = inputs if isinstance(inputs, list) else [inputs]
        dimensions = int(body.get("dimensions") or 8)
        tokens = count_words(items)
        if body.get("encoding_format") == "base64":
            import base64
            import struct

            vector: Any = base64.b64encode(struct.pack(f"{dimensions}f", *([0.5] * dimensions))).decode()
        else:
            vector = [0.5] * dimensions
        return Reply(200, {
            "object": "list",
            "model": self._model(body),
            "data": [{"object": "embedding", "index": i, "embedding": vector} for i in range(len(items))],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        })

    def _images(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        prompt = count_words(body.get("prompt"))
        n = int(body.get("n") or 1)
        return Reply(200, {
            "created": int(time.time()),
            "data": [{"b64_json": "aW1hZ2U="} for _ in range(n)],
            "usage": {"input_tokens": prompt, "output_tokens": 1056 * n, "total_tokens": prompt + 1056 * n,
                      "input_tokens_details": {"text_tokens": prompt, "image_tokens": 0}},
        })

    def _transcription(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {
            "text": self.reply,
            "usage": {"type": "tokens", "input_tokens": 40, "output_tokens": len(self.reply.split()), "total_tokens": 40 + len(self.reply.split())},
        })


def _with_error(events: Iterator[Event], after: int) -> Iterator[Event]:
    for index, event in enumerate(events):
        if index == after:
            yield None, {"error": {"message": "stand-in stream error", "type": "server_error", "code": None}}
            return
        yield event

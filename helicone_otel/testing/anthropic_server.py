"""A stand-in for the Anthropic Messages API on 127.0.0.1, for tests with the real SDK.

    with AnthropicStandIn() as server:
        client = anthropic.Anthropic(base_url=server.base_url, api_key="test")

JSON replies and SSE streams with the events the API sends (``message_start``,
``content_block_start/delta/stop``, ``message_delta``, ``message_stop``, ``ping``, ``error``).
Tokens are whitespace-separated words, so tests can compute them by hand.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterator, Optional

from ._http import Reply, StandInServer
from .openai_server import count_words

_ids = itertools.count(1)
Event = tuple[Optional[str], Any]


class AnthropicStandIn(StandInServer):
    """Anthropic-compatible server.

    ``cache_read`` / ``cache_write_5m`` / ``cache_write_1h`` are reported as prompt-cache usage
    (taken out of the uncached ``input_tokens``); ``thinking`` adds a thinking block.
    """

    def __init__(
        self,
        reply: str = "Hello from the stand-in Claude.",
        *,
        response_model: Optional[str] = None,
        cache_read: int = 0,
        cache_write_5m: int = 0,
        cache_write_1h: int = 0,
        thinking: Optional[str] = None,
    ) -> None:
        super().__init__()
        self.reply = reply
        self.response_model = response_model
        self.cache_read = cache_read
        self.cache_write_5m = cache_write_5m
        self.cache_write_1h = cache_write_1h
        self.thinking = thinking
        self._tool_call: Optional[tuple[str, dict[str, Any]]] = None
        self._break_after: Optional[int] = None
        self._error_after: Optional[int] = None
        self.add_route("/v1/messages", self._messages)
        # Vertex AI (model in the path) and Bedrock (non-streaming invoke) speak the same body.
        self.add_route(":rawPredict", self._messages)
        self.add_route(":streamRawPredict", self._messages)
        self.add_route("/invoke", self._messages)
        self.add_route("/v1/complete", self._complete)
        self.add_route("/v1/messages/count_tokens", lambda body, headers: Reply(200, {"input_tokens": self._prompt(body)}))

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``anthropic.Anthropic``."""
        return self.origin

    @property
    def message_requests(self) -> list[dict[str, Any]]:
        """Bodies of the ``/v1/messages`` requests received so far."""
        return [r["body"] for r in self.received if not r["path"].endswith("/count_tokens")]

    def fail_next(self, status: int = 529, message: str = "Overloaded", type: str = "overloaded_error") -> None:  # noqa: A002
        """Answer the next request with an Anthropic-shaped error."""
        self.reply_next(Reply(status, {"type": "error", "error": {"type": type, "message": message}}))

    def break_next_stream(self, after_events: int) -> None:
        """Cut the connection of the next stream after ``after_events`` events."""
        self._break_after = after_events

    def error_next_stream(self, after_events: int) -> None:
        """Send an ``error`` event in the next stream after ``after_events`` events."""
        self._error_after = after_events

    def call_tool_next(self, name: str, arguments: dict[str, Any]) -> None:
        """The next reply is a ``tool_use`` of ``name``."""
        self._tool_call = (name, arguments)

    def _prompt(self, body: dict[str, Any]) -> int:
        return count_words(body.get("messages")) + count_words(body.get("system"))

    def _usage(self, body: dict[str, Any], output: int) -> dict[str, Any]:
        cached = self.cache_read + self.cache_write_5m + self.cache_write_1h
        return {
            "input_tokens": max(0, self._prompt(body) - cached),
            "output_tokens": output,
            "cache_read_input_tokens": self.cache_read,
            "cache_creation_input_tokens": self.cache_write_5m + self.cache_write_1h,
            "cache_creation": {
                "ephemeral_5m_input_tokens": self.cache_write_5m,
                "ephemeral_1h_input_tokens": self.cache_write_1h,
            },
            "service_tier": "standard",
        }

    def _content(self, tool: Optional[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        if self.thinking:
            blocks.append({"type": "thinking", "thinking": self.thinking, "signature": "sig-standin"})
        if tool:
            blocks.append({"type": "tool_use", "id": "toolu_standin_1", "name": tool[0], "input": tool[1]})
        else:
            blocks.append({"type": "text", "text": self.reply})
        return blocks

    def _messages(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        tool, self._tool_call = self._tool_call, None
        path = headers.get(":path", "")
        if "/models/" in path and not body.get("model"):
            body = {**body, "model": path.split("/models/", 1)[1].split(":", 1)[0]}
        elif path.startswith("/model/") and not body.get("model"):
            body = {**body, "model": path.split("/")[2]}
        content = self._content(tool)
        output = count_words([b for b in content if b["type"] == "text"]) + count_words(self.thinking or "")
        if tool:
            output += len(json.dumps(tool[1]).split())
        message = {
            "id": f"msg_standin_{next(_ids)}",
            "type": "message",
            "role": "assistant",
            "model": self.response_model or body.get("model") or "unknown",
            "content": content,
            "stop_reason": "tool_use" if tool else "end_turn",
            "stop_sequence": None,
            "usage": self._usage(body, output),
        }
        if not body.get("stream"):
            return Reply(200, message)
        break_after, self._break_after = self._break_after, None
        error_after, self._error_after = self._error_after, None
        events = self._events(message)
        if error_after is not None:
            events = _with_error(events, error_after)
        return Reply(200, events=events, break_after=break_after)

    def _complete(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Legacy Text Completions: no usage in the answer; a stream is ``completion`` events."""
        completion = {
            "type": "completion", "id": f"compl_standin_{next(_ids)}", "completion": " " + self.reply,
            "stop_reason": "stop_sequence", "stop": "\n\nHuman:", "model": self.response_model or body.get("model") or "unknown",
        }
        if not body.get("stream"):
            return Reply(200, completion)
        words = completion["completion"].split(" ")
        pieces = [{**completion, "completion": (" " if i else "") + w, "stop_reason": None, "stop": None} for i, w in enumerate(words)]
        pieces[-1].update(stop_reason="stop_sequence", stop="\n\nHuman:")
        return Reply(200, events=iter([("completion", p) for p in pieces[:1]] + [("ping", {"type": "ping"})]
                                      + [("completion", p) for p in pieces[1:]]))

    def _events(self, message: dict[str, Any]) -> Iterator[Event]:
        usage = message["usage"]
        start_usage = {**usage, "output_tokens": 1}
        yield "message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None, "usage": start_usage}}
        yield "ping", {"type": "ping"}
        for index, block in enumerate(message["content"]):
            kind = block["type"]
            if kind == "text":
                yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
                for position, word in enumerate(block["text"].split(" ")):
                    yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                                  "delta": {"type": "text_delta", "text": word if position == 0 else " " + word}}
            elif kind == "thinking":
                yield "content_block_start", {"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}}
                yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta", "thinking": block["thinking"]}}
                yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}}
            else:
                yield "content_block_start", {"type": "content_block_start", "index": index,
                                              "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}
                arguments = json.dumps(block["input"])
                middle = len(arguments) // 2
                for piece in (arguments[:middle], arguments[middle:]):
                    yield "content_block_delta", {"type": "content_block_delta", "index": index, "delta": {"type": "input_json_delta", "partial_json": piece}}
            yield "content_block_stop", {"type": "content_block_stop", "index": index}
        final_usage = {k: usage[k] for k in ("input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens")}
        yield "message_delta", {"type": "message_delta", "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None}, "usage": final_usage}
        yield "message_stop", {"type": "message_stop"}


def _with_error(events: Iterator[Event], after: int) -> Iterator[Event]:
    for index, event in enumerate(events):
        if index == after:
            yield "error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
            return
        yield event

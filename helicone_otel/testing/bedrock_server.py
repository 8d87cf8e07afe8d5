"""A stand-in for the Amazon Bedrock runtime API on 127.0.0.1, for tests with the real boto3.

    with BedrockStandIn() as server:
        client = boto3.client("bedrock-runtime", endpoint_url=server.origin, region_name="us-east-1",
                              aws_access_key_id="k", aws_secret_access_key="s")

Converse (``/model/{id}/converse``) and InvokeModel (``/invoke``) answer JSON; ConverseStream and
InvokeModelWithResponseStream answer ``application/vnd.amazon.eventstream``: binary frames with
the prelude, headers, payload and CRC32s of AWS's event-stream encoding, one event each
(InvokeModel stream chunks carry the vendor's event base64-encoded in ``{"bytes": …}``).
InvokeModel bodies follow the model id's vendor: Anthropic, Amazon Nova, Meta, Mistral. Tokens
are whitespace-separated words; the usage headers Bedrock sends on every InvokeModel are sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import struct
import zlib
from typing import Any, Iterator, Optional
from urllib.parse import unquote

from ._http import Reply, StandInServer
from .openai_server import count_words

_ids = itertools.count(1)
EVENT_STREAM = "application/vnd.amazon.eventstream"
_METRICS = "amazon-bedrock-invocationMetrics"


def event_frame(headers: dict[str, str], payload: bytes) -> bytes:
    """One message of AWS's event-stream encoding (string headers only)."""
    encoded = b"".join(
        bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value.encode())) + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(kind: str, payload: Any) -> bytes:
    """An ``event`` message of type ``kind`` with a JSON payload."""
    headers = {":event-type": kind, ":content-type": "application/json", ":message-type": "event"}
    return event_frame(headers, json.dumps(payload).encode())


def exception(kind: str, message: str) -> bytes:
    """An ``exception`` message (e.g. ``throttlingException``), as Bedrock sends mid-stream."""
    headers = {":exception-type": kind, ":content-type": "application/json", ":message-type": "exception"}
    return event_frame(headers, json.dumps({"message": message}).encode())


def vendor(model_id: str) -> str:
    """anthropic | amazon | meta | mistral, from a model id with or without a region prefix."""
    for part in model_id.rsplit("/", 1)[-1].split(".")[:2]:
        if part in ("anthropic", "amazon", "meta", "mistral"):
            return part
    return "amazon"


class BedrockStandIn(StandInServer):
    """Bedrock-runtime-compatible server. ``cache_read``/``cache_write`` are reported by
    Converse (taken out of ``inputTokens``)."""

    def __init__(self, reply: str = "Hello from the stand-in Bedrock.", *, cache_read: int = 0, cache_write: int = 0) -> None:
        super().__init__()
        self.reply = reply
        self.cache_read = cache_read
        self.cache_write = cache_write
        self._error_after: Optional[int] = None
        self.add_route("/converse", self._converse)
        self.add_route("/converse-stream", self._converse_stream)
        self.add_route("/invoke", self._invoke)
        self.add_route("/invoke-with-response-stream", self._invoke_stream)

    def fail_next(self, status: int = 429, code: str = "ThrottlingException", message: str = "Too many requests") -> None:
        """Answer the next request with a Bedrock error (``x-amzn-ErrorType`` names it)."""
        self.reply_next(Reply(status, {"message": message}, headers={"x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"}))

    def error_next_stream(self, after_events: int) -> None:
        """Send a ``throttlingException`` in the next stream after ``after_events`` events."""
        self._error_after = after_events

    # --- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _model_id(headers: dict[str, str]) -> str:
        match = re.search(r"/model/([^/]+)/", headers.get(":path", ""))
        return unquote(match.group(1)) if match else ""

    def _words(self) -> list[str]:
        words = self.reply.split(" ")
        return [w if i == 0 else " " + w for i, w in enumerate(words)]

    def _tokens(self, body: dict[str, Any]) -> tuple[int, int]:
        prompt = count_words(body.get("messages")) + count_words(body.get("system")) + count_words(body.get("prompt"))
        return prompt, len(self.reply.split())

    def _frames(self, frames: list[bytes]) -> Iterator[bytes]:
        after, self._error_after = self._error_after, None
        for sent, frame in enumerate(frames):
            if after is not None and sent >= after:
                yield exception("throttlingException", "Too many requests, please wait before trying again.")
                return
            yield frame

    # --- Converse -----------------------------------------------------------------------------
    def _converse_usage(self, body: dict[str, Any]) -> dict[str, int]:
        prompt, completion = self._tokens(body)
        uncached = max(0, prompt - self.cache_read - self.cache_write)
        usage = {"inputTokens": uncached, "outputTokens": completion, "totalTokens": prompt + completion}
        if self.cache_read or self.cache_write:
            usage.update(cacheReadInputTokens=self.cache_read, cacheWriteInputTokens=self.cache_write)
        return usage

    def _converse(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        return Reply(200, {
            "output": {"message": {"role": "assistant", "content": [{"text": self.reply}]}},
            "stopReason": "end_turn",
            "usage": self._converse_usage(body),
            "metrics": {"latencyMs": 12},
        })

    def _converse_stream(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        frames = [event("messageStart", {"role": "assistant"})]
        frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}) for w in self._words()]
        frames += [
            event("contentBlockStop", {"contentBlockIndex": 0}),
            event("messageStop", {"stopReason": "end_turn"}),
            event("metadata", {"usage": self._converse_usage(body), "metrics": {"latencyMs": 12}}),
        ]
        return Reply(200, frames=self._frames(frames), headers={"Content-Type": EVENT_STREAM})

    # --- InvokeModel --------------------------------------------------------------------------
    def _invoke(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        model_id = self._model_id(headers)
        prompt, completion = self._tokens(body)
        kind = vendor(model_id)
        if kind == "anthropic":
            answer: dict[str, Any] = {
                "id": f"msg_bdrk_{next(_ids):06d}", "type": "message", "role": "assistant", "model": _claude_model(model_id),
                "content": [{"type": "text", "text": self.reply}], "stop_reason": "end_turn", "stop_sequence": None,
                "usage": {"input_tokens": prompt, "output_tokens": completion},
            }
        elif kind == "amazon":
            answer = {"output": {"message": {"content": [{"text": self.reply}], "role": "assistant"}}, "stopReason": "end_turn",
                      "usage": {"inputTokens": prompt, "outputTokens": completion, "totalTokens": prompt + completion,
                                "cacheReadInputTokenCount": 0, "cacheWriteInputTokenCount": 0}}
        elif kind == "meta":
            answer = {"generation": self.reply, "prompt_token_count": prompt, "generation_token_count": completion, "stop_reason": "stop"}
        elif "messages" in body:
            answer = {"id": f"{next(_ids):032x}", "object": "chat.completion",
                      "choices": [{"index": 0, "message": {"role": "assistant", "content": self.reply}, "stop_reason": "stop"}]}
        else:
            answer = {"outputs": [{"text": self.reply, "stop_reason": "stop"}]}
        return Reply(200, json.dumps(answer).encode(), headers={
            "Content-Type": "application/json",
            "X-Amzn-Bedrock-Input-Token-Count": str(prompt),
            "X-Amzn-Bedrock-Output-Token-Count": str(completion),
            "X-Amzn-Bedrock-Invocation-Latency": "12",
        })

    def _invoke_stream(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        model_id = self._model_id(headers)
        prompt, completion = self._tokens(body)
        metrics = {_METRICS: {"inputTokenCount": prompt, "outputTokenCount": completion, "invocationLatency": 12, "firstByteLatency": 5}}
        words = self._words()
        kind = vendor(model_id)
        if kind == "anthropic":
            chunks: list[dict[str, Any]] = [
                {"type": "message_start", "message": {
                    "id": f"msg_bdrk_{next(_ids):06d}", "type": "message", "role": "assistant", "model": _claude_model(model_id),
                    "content": [], "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": prompt, "output_tokens": 1}}},
                {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                *({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": w}} for w in words),
                {"type": "content_block_stop", "index": 0},
                {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None}, "usage": {"output_tokens": completion}},
                {"type": "message_stop", **metrics},
            ]
        elif kind == "amazon":
            chunks = [
                {"messageStart": {"role": "assistant"}},
                *({"contentBlockDelta": {"delta": {"text": w}, "contentBlockIndex": 0}} for w in words),
                {"contentBlockStop": {"contentBlockIndex": 0}},
                {"messageStop": {"stopReason": "end_turn"}},
                {"metadata": {"usage": {"inputTokens": prompt, "outputTokens": completion}, "metrics": {}, "trace": {}}, **metrics},
            ]
        elif kind == "meta":
            chunks = [{"generation": w, "prompt_token_count": prompt if i == 0 else None, "generation_token_count": i + 1,
                       "stop_reason": None} for i, w in enumerate(words)]
            chunks.append({"generation": "", "prompt_token_count": None, "generation_token_count": completion, "stop_reason": "stop", **metrics})
        else:
            chunks = [{"outputs": [{"text": w, "stop_reason": None}]} for w in words]
            chunks.append({"outputs": [{"text": "", "stop_reason": "stop"}], **metrics})
        frames = [event("chunk", {"bytes": base64.b64encode(json.dumps(c).encode()).decode()}) for c in chunks]
        return Reply(200, frames=self._frames(frames), headers={"Content-Type": EVENT_STREAM})


def _claude_model(model_id: str) -> str:
    """The ``model`` Bedrock's Claude answers carry: the id without region, vendor and version."""
    name = model_id.rsplit("/", 1)[-1]
    name = re.sub(r"^((us|eu|apac|global)\.)?anthropic\.", "", name)
    return re.sub(r"-v\d+(:\d+)?$", "", name)

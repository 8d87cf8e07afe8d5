"""A stand-in for the Gemini API and Vertex AI on 127.0.0.1, for tests with the real
``google-genai`` SDK.

    with GeminiStandIn() as server:
        client = genai.Client(api_key="test", http_options={"base_url": server.base_url})
        client.models.generate_content(model="gemini-2.5-flash", contents="Say hello")

Serves ``…/models/<model>:generateContent`` (JSON), ``:streamGenerateContent?alt=sse`` (SSE, every
chunk with the running ``usageMetadata``, as the API sends it), ``:batchEmbedContents`` (Gemini
API embeddings) and ``:predict`` (Vertex AI text embeddings), under any version or
``projects/…/locations/…/publishers/google`` prefix. Tokens are whitespace-separated words of
every ``text``/``content`` string, so tests can compute them by hand.
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Optional

from ._http import Reply, StandInServer

_ids = itertools.count(1)
Event = tuple[Optional[str], Any]


def count_words(value: Any) -> int:
    """Whitespace-separated words of every ``text``/``content`` string in a Gemini body."""
    if isinstance(value, dict):
        return sum(len(v.split()) if k in ("text", "content") and isinstance(v, str) else count_words(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(count_words(v) for v in value)
    return 0


class GeminiStandIn(StandInServer):
    """Gemini-compatible server. ``thoughts_tokens`` adds thinking to usage (and a thought part
    when ``thought_text`` is set); ``cached_tokens`` is reported as ``cachedContentTokenCount``
    (part of ``promptTokenCount``); ``response_model`` is the ``modelVersion`` it answers."""

    def __init__(
        self,
        reply: str = "Hello from the stand-in Gemini.",
        *,
        response_model: Optional[str] = None,
        thoughts_tokens: int = 0,
        thought_text: Optional[str] = None,
        cached_tokens: int = 0,
    ) -> None:
        super().__init__()
        self.reply = reply
        self.response_model = response_model
        self.thoughts_tokens = thoughts_tokens
        self.thought_text = thought_text
        self.cached_tokens = cached_tokens
        self._tool_call: Optional[tuple[str, dict[str, Any]]] = None
        self._error_after: Optional[int] = None
        self.add_route(":generateContent", self._generate)
        self.add_route(":streamGenerateContent", self._generate)
        self.add_route(":batchEmbedContents", self._batch_embed)
        self.add_route(":predict", self._predict)

    @property
    def base_url(self) -> str:
        """What to pass as ``http_options={"base_url": …}`` to ``genai.Client``."""
        return self.origin

    def requests_to(self, suffix: str) -> list[dict[str, Any]]:
        """Bodies of the requests whose path ends with ``suffix``."""
        return [r["body"] for r in self.received if r["path"].endswith(suffix)]

    def fail_next(self, status: int = 429, message: str = "Resource has been exhausted", state: str = "RESOURCE_EXHAUSTED") -> None:
        """Answer the next request with a Google API error."""
        self.reply_next(Reply(status, {"error": {"code": status, "message": message, "status": state}}))

    def error_next_stream(self, after_events: int) -> None:
        """Send an in-stream ``error`` payload in the next stream after ``after_events`` chunks."""
        self._error_after = after_events

    def call_tool_next(self, name: str, args: dict[str, Any]) -> None:
        """The next reply is a ``functionCall`` of ``name``."""
        self._tool_call = (name, args)

    def _model(self, path: str) -> str:
        return self.response_model or path.split("models/", 1)[-1].split(":", 1)[0]

    def _usage(self, body: dict[str, Any], output: Optional[int]) -> dict[str, Any]:
        prompt = count_words(body.get("contents")) + count_words(body.get("systemInstruction"))
        usage: dict[str, Any] = {"promptTokenCount": prompt, "totalTokenCount": prompt}
        if output is not None:
            usage["candidatesTokenCount"] = output
            usage["totalTokenCount"] = prompt + output + self.thoughts_tokens
            if self.thoughts_tokens:
                usage["thoughtsTokenCount"] = self.thoughts_tokens
        if self.cached_tokens:
            usage["cachedContentTokenCount"] = self.cached_tokens
        usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
        return usage

    def _generate(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        path = headers.get(":path", "")
        tool, self._tool_call = self._tool_call, None
        head = {"modelVersion": self._model(path), "responseId": f"standin-{next(_ids)}"}
        if tool:
            parts: list[dict[str, Any]] = [{"functionCall": {"name": tool[0], "args": tool[1]}}]
            output = len(str(tool[1]).split())
        else:
            parts = [{"text": self.reply}]
            output = len(self.reply.split())
        if self.thought_text:
            parts.insert(0, {"text": self.thought_text, "thought": True})
        if not path.endswith(":streamGenerateContent"):
            candidate = {"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}
            return Reply(200, {"candidates": [candidate], "usageMetadata": self._usage(body, output), **head})
        events = self._events(body, head, parts, output)
        error_after, self._error_after = self._error_after, None
        if error_after is not None:
            events = _with_error(events, error_after)
        return Reply(200, events=events)

    def _events(self, body: dict[str, Any], head: dict[str, Any], parts: list[dict[str, Any]], output: int) -> Iterator[Event]:
        pieces: list[dict[str, Any]] = []
        for part in parts:
            if isinstance(part.get("text"), str) and not part.get("thought"):
                words = part["text"].split(" ")
                pieces.extend({"text": word if i == 0 else " " + word} for i, word in enumerate(words))
            else:
                pieces.append(part)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            candidate: dict[str, Any] = {"content": {"parts": [piece], "role": "model"}, "index": 0}
            if last:
                candidate["finishReason"] = "STOP"
            yield None, {"candidates": [candidate], "usageMetadata": self._usage(body, output if last else None), **head}

    def _batch_embed(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        requests = body.get("requests") or []
        size = int((requests[0] if requests else {}).get("outputDimensionality") or 8)
        return Reply(200, {"embeddings": [{"values": [0.5] * size} for _ in requests]})

    def _predict(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        instances = body.get("instances") or []
        size = int((body.get("parameters") or {}).get("outputDimensionality") or 8)
        predictions = [
            {"embeddings": {"values": [0.5] * size, "statistics": {"token_count": count_words(i), "truncated": False}}}
            for i in instances
        ]
        characters = sum(len(str(i.get("content", ""))) for i in instances)
        return Reply(200, {"predictions": predictions, "metadata": {"billableCharacterCount": characters}})


def _with_error(events: Iterator[Event], after: int) -> Iterator[Event]:
    for index, event in enumerate(events):
        if index == after:
            yield None, {"error": {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}}
            return
        yield event

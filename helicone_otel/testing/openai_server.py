"""A stand-in for the OpenAI API on 127.0.0.1, for tests that use the real ``openai`` SDK.

    with OpenAIStandIn() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        client.chat.completions.create(model="gpt-4o-mini", messages=[...])
"""

from __future__ import annotations

import itertools
import time
from typing import Any, Optional

from ._http import Reply, StandInServer

_ids = itertools.count(1)


def count_words(value: Any) -> int:
    """A deterministic token count for the stand-in: whitespace-separated words."""
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, dict):
        return sum(count_words(v) for k, v in value.items() if k in ("content", "text"))
    if isinstance(value, list):
        return sum(count_words(v) for v in value)
    return 0


class OpenAIStandIn(StandInServer):
    """Answers ``/v1/chat/completions`` as JSON or SSE.

    ``reply`` is the assistant's text; tokens are counted as words. ``cached_tokens`` and
    ``reasoning_tokens`` are reported in the usage details. ``response_model`` (default: the
    requested model) is what the API says it ran.
    """

    def __init__(
        self,
        reply: str = "Hello from the stand-in model.",
        *,
        response_model: Optional[str] = None,
        cached_tokens: int = 0,
        reasoning_tokens: int = 0,
        chunk_delay_s: float = 0.0,
    ) -> None:
        super().__init__()
        self.reply = reply
        self.response_model = response_model
        self.cached_tokens = cached_tokens
        self.reasoning_tokens = reasoning_tokens
        self.chunk_delay_s = chunk_delay_s
        self.add_route("/v1/chat/completions", self._chat)

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``openai.OpenAI``."""
        return self.origin + "/v1"

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat completion requests received so far."""
        return [r["body"] for r in self.received if r["path"] == "/v1/chat/completions"]

    def fail_next(self, status: int = 500, message: str = "stand-in failure", type: str = "server_error") -> None:  # noqa: A002
        """Answer the next request with an OpenAI-shaped error."""
        self.reply_next(Reply(status, {"error": {"message": message, "type": type, "code": None}}))

    def break_next_stream(self, after_events: int) -> None:
        """Cut the connection of the next streaming reply after ``after_events`` events."""
        self._break_after = after_events

    _break_after: Optional[int] = None

    def _usage(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = count_words(body.get("messages"))
        completion = len(self.reply.split()) + self.reasoning_tokens
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": self.cached_tokens, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens, "audio_tokens": 0},
        }

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        model = self.response_model or body.get("model", "unknown")
        completion_id = f"chatcmpl-standin-{next(_ids)}"
        created = int(time.time())
        n = int(body.get("n") or 1)
        if not body.get("stream"):
            return Reply(
                200,
                {
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_standin",
                    "choices": [
                        {
                            "index": i,
                            "message": {"role": "assistant", "content": self.reply, "refusal": None},
                            "logprobs": None,
                            "finish_reason": "stop",
                        }
                        for i in range(n)
                    ],
                    "usage": self._usage(body),
                },
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        break_after, self._break_after = self._break_after, None
        return Reply(200, events=self._chat_events(body, model, completion_id, created, n, include_usage), break_after=break_after)

    def _chat_events(self, body, model, completion_id, created, n, include_usage):
        def chunk(choices: list, usage: Any = None) -> dict[str, Any]:
            data = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_standin",
                "choices": choices,
            }
            if include_usage:
                data["usage"] = usage
            return data

        words = self.reply.split(" ")
        for i in range(n):
            yield None, chunk([{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}])
        for position, word in enumerate(words):
            if self.chunk_delay_s:
                time.sleep(self.chunk_delay_s)
            text = word if position == 0 else " " + word
            for i in range(n):
                yield None, chunk([{"index": i, "delta": {"content": text}, "finish_reason": None}])
        for i in range(n):
            yield None, chunk([{"index": i, "delta": {}, "finish_reason": "stop"}])
        if include_usage:
            yield None, chunk([], self._usage(body))
        yield None, "[DONE]"

"""A stand-in for the Mistral API on 127.0.0.1, for tests with the real ``mistralai`` SDK.

    with MistralStandIn() as server:
        client = Mistral(api_key="test", server_url=server.base_url)

Mistral speaks the OpenAI chat and embeddings shapes under ``/v1`` with its own differences: no
``system_fingerprint``, a stream's usage in its last chunk (the one with ``finish_reason``, before
``data: [DONE]``), and ``completion_tokens: 0`` in embeddings usage.
"""

from __future__ import annotations

from typing import Any, Iterator

from ._http import Reply
from .openai_server import Event, OpenAIStandIn


class MistralStandIn(OpenAIStandIn):
    """Mistral-compatible server (``reply``, ``response_model`` as for :class:`OpenAIStandIn`)."""

    @property
    def base_url(self) -> str:
        """What to pass as ``server_url`` to ``mistralai.Mistral`` (the SDK adds ``/v1``)."""
        return self.origin

    def fail_next(self, status: int = 429, message: str = "Requests rate limit exceeded", type: str = "rate_limited") -> None:  # noqa: A002
        """Answer the next request with a Mistral-shaped error."""
        self.reply_next(Reply(status, {"object": "error", "message": message, "type": type, "param": None, "code": str(status)}))

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        reply = super()._chat({k: v for k, v in body.items() if k != "stream_options"}, headers)
        if reply.status != 200:
            return reply
        if reply.events is None:
            completion = {k: v for k, v in reply.body.items() if k != "system_fingerprint"}
            completion["usage"] = _plain(completion["usage"])
            return Reply(200, completion)
        return Reply(200, events=_mistral_events(reply.events, _plain(self._chat_usage(body))), break_after=reply.break_after)

    def _embeddings(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        reply = super()._embeddings(body, headers)
        return Reply(200, {"id": "embd-standin", **reply.body, "usage": {**reply.body["usage"], "completion_tokens": 0}})


def _plain(usage: dict[str, Any]) -> dict[str, Any]:
    return {key: usage[key] for key in ("prompt_tokens", "completion_tokens", "total_tokens")}


def _mistral_events(events: Iterator[Event], usage: dict[str, Any]) -> Iterator[Event]:
    for event, data in events:
        if isinstance(data, dict) and "choices" in data:
            data = {k: v for k, v in data.items() if k != "system_fingerprint"}
            if any(choice.get("finish_reason") for choice in data["choices"]):
                data["usage"] = usage
        yield event, data

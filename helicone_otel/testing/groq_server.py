"""A stand-in for the Groq API on 127.0.0.1, for tests with the real ``groq`` SDK.

    with GroqStandIn() as server:
        client = groq.Groq(base_url=server.base_url, api_key="test")

Groq speaks the OpenAI chat and embeddings shapes under ``/openai/v1``, with its own additions:
``x_groq.id`` on replies and on the first stream chunk, timing fields in ``usage``, and a
stream's usage in ``x_groq.usage`` of its last chunk (whether or not ``include_usage`` is set).
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator

from ._http import Reply
from .openai_server import Event, OpenAIStandIn

_ids = itertools.count(1)


def _timed(usage: dict[str, Any]) -> dict[str, Any]:
    return {"queue_time": 0.01, "prompt_tokens": usage["prompt_tokens"], "prompt_time": 0.002,
            "completion_tokens": usage["completion_tokens"], "completion_time": 0.02,
            "total_tokens": usage["total_tokens"], "total_time": 0.022}


class GroqStandIn(OpenAIStandIn):
    """Groq-compatible server (``reply``, ``response_model`` as for :class:`OpenAIStandIn`)."""

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``groq.Groq`` (the SDK adds ``/openai/v1``)."""
        return self.origin

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        reply = super()._chat(body, headers)
        request_id = f"req_standin_{next(_ids)}"
        if reply.status != 200:
            return reply
        if reply.events is None:
            completion = dict(reply.body)
            completion.pop("system_fingerprint", None)
            completion["usage"] = _timed(completion["usage"])
            completion["x_groq"] = {"id": request_id}
            return Reply(200, completion, headers=reply.headers)
        usage = _timed(self._chat_usage(body))
        return Reply(200, events=_groq_events(reply.events, request_id, usage), break_after=reply.break_after)


def _groq_events(events: Iterator[Event], request_id: str, usage: dict[str, Any]) -> Iterator[Event]:
    first = True
    for event, data in events:
        if isinstance(data, dict) and "choices" in data:
            data = {k: v for k, v in data.items() if k != "system_fingerprint"}
            if first:
                data["x_groq"] = {"id": request_id}
                first = False
            if any(choice.get("finish_reason") for choice in data["choices"]):
                data["x_groq"] = {"id": request_id, "usage": usage}
        yield event, data

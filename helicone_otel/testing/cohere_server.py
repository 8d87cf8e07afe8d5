"""A stand-in for Cohere's v2 API on 127.0.0.1, for tests with the real ``cohere`` SDK.

    with CohereStandIn() as server:
        client = cohere.ClientV2(api_key="test", base_url=server.base_url)

``/v2/chat`` answers JSON, or Server-Sent Events (``message-start``, ``content-start``,
``content-delta``, ``content-end``, ``tool-call-*``, ``message-end`` with the usage) when the
body says ``"stream": true``; ``/v2/embed`` and ``/v2/rerank`` answer JSON. Billed tokens are
whitespace-separated words; ``usage.tokens`` adds ``template_tokens`` for the prompt template.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

from ._http import Reply, StandInServer
from .openai_server import count_words

_ids = itertools.count(1)


class CohereStandIn(StandInServer):
    """Cohere-v2-compatible server."""

    def __init__(self, reply: str = "Hello from the stand-in Command.", *, template_tokens: int = 3) -> None:
        super().__init__()
        self.reply = reply
        self.template_tokens = template_tokens
        self._tool_call: Optional[tuple[str, str]] = None
        self.add_route("/v2/chat", self._chat)
        self.add_route("/v2/embed", self._embed)
        self.add_route("/v2/rerank", self._rerank)

    @property
    def base_url(self) -> str:
        """What to pass as ``base_url`` to ``cohere.ClientV2``."""
        return self.origin

    def fail_next(self, status: int = 429, message: str = "too many requests") -> None:
        """Answer the next request with a Cohere-shaped error."""
        self.reply_next(Reply(status, {"id": f"err-{next(_ids)}", "message": message}))

    def call_tool_next(self, name: str, arguments: str) -> None:
        """Answer the next chat with a tool call instead of text."""
        self._tool_call = (name, arguments)

    def _usage(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt, completion = count_words(body.get("messages")), len(self.reply.split())
        return {"billed_units": {"input_tokens": prompt, "output_tokens": completion},
                "tokens": {"input_tokens": prompt + self.template_tokens, "output_tokens": completion}}

    def _chat(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        chat_id = f"{next(_ids):08x}-cohere"
        tool, self._tool_call = self._tool_call, None
        if body.get("stream"):
            return Reply(200, events=self._events(chat_id, body, tool))
        message: dict[str, Any] = {"role": "assistant"}
        if tool:
            message.update(tool_plan="I will call the tool.", tool_calls=[
                {"id": "call_1", "type": "function", "function": {"name": tool[0], "arguments": tool[1]}}])
        else:
            message["content"] = [{"type": "text", "text": self.reply}]
        return Reply(200, {"id": chat_id, "finish_reason": "TOOL_CALL" if tool else "COMPLETE", "message": message,
                           "usage": self._usage(body)})

    def _events(self, chat_id: str, body: dict[str, Any], tool: Optional[tuple[str, str]]) -> list[tuple[str, Any]]:
        events: list[dict[str, Any]] = [{"id": chat_id, "type": "message-start", "delta": {"message": {
            "role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}}}]
        if tool:
            events += [
                {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "I will call the tool."}}},
                {"type": "tool-call-start", "index": 0, "delta": {"message": {"tool_calls": {
                    "id": "call_1", "type": "function", "function": {"name": tool[0], "arguments": ""}}}}},
                {"type": "tool-call-delta", "index": 0, "delta": {"message": {"tool_calls": {"function": {"arguments": tool[1]}}}}},
                {"type": "tool-call-end", "index": 0},
            ]
        else:
            words = self.reply.split(" ")
            events.append({"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}})
            events += [{"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": w if i == 0 else " " + w}}}}
                       for i, w in enumerate(words)]
            events.append({"type": "content-end", "index": 0})
        events.append({"type": "message-end", "delta": {"finish_reason": "TOOL_CALL" if tool else "COMPLETE", "usage": self._usage(body)}})
        return [(e["type"], e) for e in events]

    def _embed(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        texts = body.get("texts") or []
        types = body.get("embedding_types") or ["float"]
        dimension = body.get("output_dimension") or 4
        vectors = [[0.1 * (i + 1)] * dimension for i in range(len(texts))]
        return Reply(200, {
            "id": f"emb-{next(_ids)}", "texts": texts, "response_type": "embeddings_by_type",
            "embeddings": {t: vectors if t == "float" else [[1] * dimension for _ in texts] for t in types},
            "meta": {"api_version": {"version": "2"}, "billed_units": {"input_tokens": count_words(texts)}},
        })

    def _rerank(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        documents = body.get("documents") or []
        ranked = sorted(range(len(documents)), key=lambda i: -len(str(documents[i])))[: body.get("top_n") or len(documents)]
        return Reply(200, {"id": f"rr-{next(_ids)}",
                           "results": [{"index": i, "relevance_score": round(1 - 0.1 * r, 3)} for r, i in enumerate(ranked)],
                           "meta": {"api_version": {"version": "2"}, "billed_units": {"search_units": 1}}})

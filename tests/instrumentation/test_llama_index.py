"""LlamaIndex: a FunctionAgent (real llama-index-core) whose tool calls a retriever, its LLM calls
going through the real openai SDK to the stand-in, traced into one Helicone session.

The LLM is LlamaIndex's own OpenAI integration where it installs (it pins openai<3: .ci/run's
openai 1.x suite), else a stand-in function-calling LLM that drives the openai SDK itself."""

from __future__ import annotations

import json

import pytest

import helicone_otel
from helicone_otel import attributes as A

from .frameworks_helpers import ancestors, session_lines, steps

pytest.importorskip("llama_index.core")
# LlamaIndex's workflows read pydantic's deprecated fields when an agent is built.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

from llama_index.core.agent.workflow import FunctionAgent  # noqa: E402
from llama_index.core.base.llms.types import ChatMessage, ChatResponse  # noqa: E402
from llama_index.core.llms.callbacks import llm_chat_callback  # noqa: E402
from llama_index.core.llms.mock import MockFunctionCallingLLM  # noqa: E402
from llama_index.core.retrievers import BaseRetriever  # noqa: E402
from llama_index.core.schema import NodeWithScore, TextNode  # noqa: E402
from llama_index.core.tools import FunctionTool, ToolSelection  # noqa: E402


class Docs(BaseRetriever):
    def _retrieve(self, query_bundle):
        return [NodeWithScore(node=TextNode(text="Paris is the capital of France.", metadata={"source": "atlas"}), score=0.9)]


def search_docs(query: str) -> str:
    """Search the docs."""
    return "\n".join(n.node.get_content() for n in Docs().retrieve(query))


class OpenAIChatStandIn(MockFunctionCallingLLM):
    """A function-calling LLM that calls chat completions with the real openai SDK (streamed
    when the agent streams), for where llama-index-llms-openai cannot be installed."""

    base_url: str = ""

    def _body(self, messages, tools) -> dict:
        body = {"model": "gpt-4o-mini", "messages": [{"role": m.role.value, "content": m.content or ""} for m in messages]}
        if tools:
            body["tools"] = [t.metadata.to_openai_tool() for t in tools]
        return body

    @staticmethod
    def _message(content: str, calls: list) -> ChatMessage:
        selections = [ToolSelection(tool_id=c["id"], tool_name=c["name"], tool_kwargs=json.loads(c["arguments"] or "{}")) for c in calls]
        return ChatMessage(role="assistant", content=content, additional_kwargs={"tool_calls": selections} if selections else {})

    @llm_chat_callback()
    def chat(self, messages, **kwargs):
        import openai

        with openai.OpenAI(base_url=self.base_url, api_key="test-key", max_retries=0) as client:
            reply = client.chat.completions.create(**self._body(messages, kwargs.get("tools"))).choices[0].message
        calls = [{"id": c.id, "name": c.function.name, "arguments": c.function.arguments} for c in reply.tool_calls or ()]
        return ChatResponse(message=self._message(reply.content or "", calls))

    @llm_chat_callback()
    async def astream_chat(self, messages, **kwargs):
        import openai

        body = self._body(messages, kwargs.get("tools"))

        async def stream():
            content, calls = "", []
            async with openai.AsyncOpenAI(base_url=self.base_url, api_key="test-key", max_retries=0) as client:
                async for chunk in await client.chat.completions.create(**body, stream=True):
                    for choice in chunk.choices:
                        content += choice.delta.content or ""
                        for call in choice.delta.tool_calls or ():
                            if call.id:
                                calls.append({"id": call.id, "name": call.function.name, "arguments": ""})
                            calls[-1]["arguments"] += call.function.arguments or ""
                        yield ChatResponse(message=self._message(content, []), delta=choice.delta.content or "")
            yield ChatResponse(message=self._message(content, calls), delta="")

        return stream()


@pytest.fixture
def llm(openai_server):
    try:
        from llama_index.llms.openai import OpenAI
    except ImportError:
        return OpenAIChatStandIn(base_url=openai_server.base_url, is_chat_model=True)
    return OpenAI(model="gpt-4o-mini", api_base=openai_server.base_url, api_key="test-key", max_retries=0)


@pytest.fixture
def li_logger(make_logger):
    return make_logger(providers=["openai", "llama-index"])


async def test_agent_run_is_one_session_with_tool_retriever_and_nested_llm_calls(li_logger, llm, openai_server, capture, collector, capsys):
    agent = FunctionAgent(tools=[FunctionTool.from_defaults(search_docs)], llm=llm, name="helper")
    openai_server.call_tool_next("search_docs", {"query": "capital of France"})
    with helicone_otel.session("trip", path="/plan", name="Trip"):
        answer = await agent.run("What is the capital of France?")
    assert str(answer) == "Hello from the stand-in model."

    spans = capture.spans()
    llm_spans = capture.llm_spans()
    assert len(llm_spans) == len(openai_server.chat_requests) == 2  # no LlamaIndex LLM span beside them
    for span in llm_spans:
        assert ancestors(span, spans) == ["run_agent_step", "invoke_agent helper"]
        assert span.attributes[A.SESSION_PATH] == "/plan/helper/run_agent_step"
    (tool_step,), (retrieval,) = steps(spans, "tool"), steps(spans, "vector_db")
    assert ancestors(tool_step, spans) == ["invoke_agent helper"]
    assert ancestors(retrieval, spans)[0] == "execute_tool search_docs"
    assert json.loads(tool_step.attributes[A.TOOL_CALL_ARGUMENTS]) == {"query": "capital of France"}
    assert tool_step.attributes[A.TOOL_CALL_RESULT] == "Paris is the capital of France."
    assert retrieval.attributes[A.TOOL_CALL_ARGUMENTS] == "capital of France"
    assert json.loads(retrieval.attributes[A.TOOL_CALL_RESULT]) == [
        {"content": "Paris is the capital of France.", "metadata": {"source": "atlas"}, "score": 0.9}]
    assert {s.attributes[A.SESSION_ID] for s in spans} == {"trip"}

    assert li_logger.flush(5.0)
    records = sorted((r.model, r.properties["Helicone-Session-Path"]) for r in collector.store.requests())
    assert records == [("gpt-4o-mini-2024-07-18", "/plan/helper/run_agent_step")] * 2 + [
        ("tool:search_docs", "/plan/helper/call_tool"), ("vector_db", "/plan/helper/call_tool")]
    lines = session_lines(collector, capsys, "trip")
    assert lines[0].startswith('session trip "Trip"  4 step(s)')


def test_sync_retrieval_outside_a_session_is_a_plain_step(li_logger, capture, collector):
    nodes = Docs().retrieve("capital")
    assert len(nodes) == 1
    (retrieval,) = steps(capture.spans(), "vector_db")
    assert retrieval.name == "execute_tool Docs" and A.SESSION_ID not in retrieval.attributes
    assert li_logger.flush(5.0)
    assert [r.model for r in collector.store.requests()] == ["vector_db"]


async def test_agent_outside_a_session_opens_one_and_uninstrument_removes_the_handler(li_logger, llm, openai_server, capture):
    from llama_index.core.instrumentation import get_dispatcher

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(search_docs)], llm=llm, name="helper")
    await agent.run("Hi")
    (root,) = [s for s in capture.spans() if s.name == "invoke_agent helper"]
    assert root.attributes[A.SESSION_NAME] == "helper" and root.attributes[A.SESSION_PATH] == "/helper"
    (llm_span,) = capture.llm_spans()
    assert llm_span.attributes[A.SESSION_ID] == root.attributes[A.SESSION_ID]

    names = lambda: [type(h).__name__ for h in get_dispatcher().span_handlers]  # noqa: E731
    assert "HeliconeSpanHandler" in names()
    li_logger.shutdown()
    assert "HeliconeSpanHandler" not in names()

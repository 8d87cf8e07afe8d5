"""LangChain / LangGraph: a ReAct agent (real langgraph, langchain-openai, openai SDK against the
stand-in) with a tool that calls a retriever, traced into one Helicone session."""

from __future__ import annotations

import json
import warnings

import pytest

import helicone_otel
from helicone_otel import attributes as A

from .frameworks_helpers import ancestors, parent_names, session_lines, steps

pytest.importorskip("langgraph")
pytest.importorskip("langchain_openai")

from langchain_core.callbacks import BaseCallbackHandler  # noqa: E402
from langchain_core.documents import Document  # noqa: E402
from langchain_core.retrievers import BaseRetriever  # noqa: E402
from langchain_core.tools import tool  # noqa: E402
from langchain_openai import ChatOpenAI  # noqa: E402

QUESTION = {"messages": [("user", "What is the capital of France?")]}


class Docs(BaseRetriever):
    def _get_relevant_documents(self, query, *, run_manager):
        return [Document(page_content="Paris is the capital of France.", metadata={"source": "atlas"})]


@tool
def search_docs(query: str) -> str:
    """Search the docs."""
    return "\n".join(d.page_content for d in Docs().invoke(query))


def react_agent(openai_server):
    with warnings.catch_warnings():  # create_react_agent moved to langchain.agents in LangGraph 1.0
        warnings.simplefilter("ignore")
        from langgraph.prebuilt import create_react_agent

        llm = ChatOpenAI(model="gpt-4o-mini", base_url=openai_server.base_url, api_key="test-key", max_retries=0)
        return create_react_agent(llm, [search_docs])


@pytest.fixture
def lc_logger(make_logger):
    return make_logger(providers=["openai", "langchain"])


def test_agent_run_is_one_session_with_tool_retriever_and_nested_llm_calls(lc_logger, openai_server, capture, collector, capsys):
    agent = react_agent(openai_server)
    openai_server.call_tool_next("search_docs", {"query": "capital of France"})
    with helicone_otel.session("trip", path="/plan", name="Trip"):
        result = agent.invoke(QUESTION)
    assert result["messages"][-1].content == "Hello from the stand-in model."

    spans = capture.spans()
    llm_spans = capture.llm_spans()
    # One LLM span per provider call, none for LangChain's own chat-model run.
    assert len(llm_spans) == len(openai_server.chat_requests) == 2
    for span in llm_spans:
        assert ancestors(span, spans)[-2:] == ["agent", "LangGraph"]
        assert span.attributes[A.SESSION_PATH] == "/plan/LangGraph/agent"
    (tool_step,), (retrieval,) = steps(spans, "tool"), steps(spans, "vector_db")
    assert ancestors(tool_step, spans) == ["tools", "LangGraph"]
    assert ancestors(retrieval, spans)[0] == "execute_tool search_docs"
    assert json.loads(tool_step.attributes[A.TOOL_CALL_ARGUMENTS]) == {"query": "capital of France"}
    assert tool_step.attributes[A.TOOL_CALL_RESULT] == "Paris is the capital of France."
    assert retrieval.attributes[A.TOOL_CALL_ARGUMENTS] == "capital of France"
    assert json.loads(retrieval.attributes[A.TOOL_CALL_RESULT]) == [
        {"content": "Paris is the capital of France.", "metadata": {"source": "atlas"}}]
    assert parent_names(spans)["LangGraph"] == [None]
    assert {s.attributes[A.SESSION_ID] for s in spans} == {"trip"}

    assert lc_logger.flush(5.0)
    records = sorted((r.model, r.properties["Helicone-Session-Path"]) for r in collector.store.requests())
    assert records == [("gpt-4o-mini-2024-07-18", "/plan/LangGraph/agent")] * 2 + [
        ("tool:search_docs", "/plan/LangGraph/tools"), ("vector_db", "/plan/LangGraph/tools")]
    lines = session_lines(collector, capsys, "trip")
    assert lines[0].startswith('session trip "Trip"  4 step(s)')
    body = "\n".join(lines)
    assert body.index("/plan/LangGraph/agent") < body.index("/plan/LangGraph/tools") < body.index("tool:search_docs")


async def test_async_streamed_run_opens_its_own_session(lc_logger, openai_server, capture, collector):
    agent = react_agent(openai_server)
    openai_server.call_tool_next("search_docs", {"query": "capital"})
    chunks = [chunk async for chunk in agent.astream(QUESTION, stream_mode="messages")]
    assert chunks

    spans = capture.spans()
    (root,) = [s for s in spans if s.name == "LangGraph"]
    session_id = root.attributes[A.SESSION_ID]
    assert root.attributes[A.SESSION_NAME] == "LangGraph" and root.attributes[A.SESSION_PATH] == "/LangGraph"
    llm_spans = capture.llm_spans()
    assert len(llm_spans) == len(openai_server.chat_requests) == 2
    assert all(s.attributes[A.REQUEST_STREAM] for s in llm_spans)
    assert {s.attributes[A.SESSION_PATH] for s in llm_spans} == {"/LangGraph/agent"}
    assert {s.attributes[A.SESSION_ID] for s in spans} == {session_id}
    assert [ancestors(s, spans)[-1] for s in llm_spans + steps(spans, "tool")] == ["LangGraph"] * 3
    assert lc_logger.flush(5.0)
    assert {r.properties["Helicone-Session-Id"] for r in collector.store.requests()} == {session_id}


def test_users_callbacks_still_run_and_get_every_event(lc_logger, openai_server, capture):
    seen: list[str] = []

    class Mine(BaseCallbackHandler):
        def on_tool_start(self, serialized, input_str, **kwargs):
            seen.append("tool")

        def on_retriever_end(self, documents, **kwargs):
            seen.append("retriever")

        def on_llm_end(self, response, **kwargs):
            seen.append("llm")

    agent = react_agent(openai_server)
    openai_server.call_tool_next("search_docs", {"query": "capital"})
    agent.invoke(QUESTION, config={"callbacks": [Mine()]})
    assert seen == ["llm", "tool", "retriever", "llm"]
    assert len(steps(capture.spans(), "tool")) == 1


def test_failing_tool_is_an_error_step_and_uninstrument_removes_the_handler(lc_logger, capture, collector):
    from langchain_core.callbacks import CallbackManager

    @tool
    def broken(query: str) -> str:
        """Always fails."""
        raise ConnectionError("index offline")

    with pytest.raises(ConnectionError):
        broken.invoke({"query": "x"})
    (step,) = steps(capture.spans(), "tool")
    assert step.attributes[A.ERROR_TYPE] == "ConnectionError"
    assert lc_logger.flush(5.0)
    assert [r.status for r in collector.store.requests()] == [500]

    assert any(type(h).__name__ == "HeliconeCallbackHandler" for h in CallbackManager([]).handlers)
    lc_logger.shutdown()
    assert CallbackManager([]).handlers == []

"""What the three framework integrations share: switching them like provider instrumentors, the
unsupported-version warning, and the run → span/step/session-path rules (instrumentation/frameworks.py)."""

from __future__ import annotations

import json
import logging

import pytest

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.instrumentation.frameworks import AGENT, CHAIN, TOOL, Runs


def test_unsupported_version_is_skipped_with_a_warning_and_the_rest_still_work(make_logger, monkeypatch, caplog, client, capture):
    pytest.importorskip("langchain_core")
    from langchain_core.callbacks import CallbackManager

    from helicone_otel.instrumentation.langchain import LangChainInstrumentor

    monkeypatch.setattr(LangChainInstrumentor, "_instruments", ("langchain-core >= 99",))
    with caplog.at_level(logging.WARNING, logger="helicone_otel"):
        make_logger(providers=["openai", "langchain"])
    warnings = [r.getMessage() for r in caplog.records if r.name == "helicone_otel"]
    assert warnings == ["helicone_otel: langchain SDK version is not supported; langchain calls are not traced"]
    assert CallbackManager([]).handlers == []
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert len(capture.llm_spans()) == 1


def test_frameworks_are_switched_like_providers(make_logger):
    pytest.importorskip("langchain_core")
    from langchain_core.callbacks import CallbackManager

    logger = make_logger(providers=["openai"])
    assert CallbackManager([]).handlers == []
    logger.shutdown()
    make_logger(providers=None)  # every installed SDK and framework
    assert [type(h).__name__ for h in CallbackManager([]).handlers] == ["HeliconeCallbackHandler"]


def _spans(capture) -> dict[str, object]:
    return {s.name: s for s in capture.spans()}


def test_runs_nest_through_links_and_add_path_segments_only_inside_a_session(logger, capture):
    runs = Runs()
    with helicone_otel.session("s", path="/plan"):
        runs.start("graph", None, "graph", AGENT, segment="graph", session=("unused", "graph"))
        runs.link("llm", "graph")  # e.g. an LLM run: no span, its children belong to the graph
        runs.start("node", "llm", "a/b node", CHAIN, segment="a/b node")
        assert helicone_otel.context.current_attributes()[A.SESSION_PATH] == "/plan/graph/a-b node"
        runs.start("tool", "node", "search", TOOL, input={"q": 1})
        runs.end("tool", output=["doc"])
        runs.end("node")
        runs.end("llm")
        runs.end("graph", error="agent gave up")
        assert helicone_otel.context.current_attributes()[A.SESSION_PATH] == "/plan"
    spans = _spans(capture)
    graph, node, tool = spans["invoke_agent graph"], spans["a/b node"], spans["execute_tool search"]
    assert node.parent.span_id == graph.context.span_id and tool.parent.span_id == node.context.span_id
    assert tool.attributes[A.SESSION_PATH] == "/plan/graph/a-b node" and tool.attributes[A.SESSION_ID] == "s"
    assert json.loads(tool.attributes[A.TOOL_CALL_ARGUMENTS]) == {"q": 1}
    assert graph.attributes[A.AGENT_NAME] == "graph" and graph.status.description == "agent gave up"
    assert runs._open == {} and runs._links == {}


def test_root_run_outside_a_session_opens_one_and_nothing_is_left_current(logger, capture):
    runs = Runs()
    before = helicone_otel.context.current_attributes()
    runs.start("r1", None, "workflow", CHAIN, segment="workflow", session=("r1", "workflow"))
    runs.start("c1", "r1", "inner", CHAIN)  # no segment: same path as its parent
    runs.end("c1")
    runs.end("r1")
    assert helicone_otel.context.current_attributes() is before
    spans = _spans(capture)
    assert spans["workflow"].attributes[A.SESSION_ID] == "r1"
    assert spans["inner"].attributes[A.SESSION_PATH] == "/workflow"
    runs.start("t", None, "lonely", TOOL)  # no segment, no session: a plain step
    runs.end("t")
    assert A.SESSION_ID not in _spans(capture)["execute_tool lonely"].attributes


def test_capture_off_keeps_step_io_private_and_no_logger_costs_nothing(make_logger, capture):
    runs = Runs()
    runs.start("t", None, "search", TOOL, input="secret query")  # before init: nothing recorded
    runs.end("t", output="secret")
    assert capture.spans() == []
    make_logger(capture_content=False)
    runs.start("t", None, "search", TOOL, input="secret query")
    runs.end("t", output="secret", error=ValueError("secret detail"))
    (span,) = capture.spans()
    assert A.TOOL_CALL_ARGUMENTS not in span.attributes and A.TOOL_CALL_RESULT not in span.attributes
    assert "secret" not in (span.status.description or "")

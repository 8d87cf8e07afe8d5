"""OpenAI Agents SDK: a triage agent with an input guardrail hands off to a helper whose tool
does a retrieval (a ``helicone_otel.step``); real ``agents`` and openai SDKs against the
stand-in's Responses API, traced into Helicone sessions."""

from __future__ import annotations

import json

import pytest

import helicone_otel
from helicone_otel import attributes as A

from .frameworks_helpers import ancestors, session_lines, steps

pytest.importorskip("agents")

import agents  # noqa: E402
from agents import Agent, GuardrailFunctionOutput, Runner, function_tool, input_guardrail  # noqa: E402


@input_guardrail
async def on_topic(ctx, agent, user_input):
    return GuardrailFunctionOutput(output_info=None, tripwire_triggered=False)


@function_tool
def search_docs(query: str) -> str:
    """Search the docs."""
    with helicone_otel.step("atlas", kind="vector_db", input=query) as step:
        step.set_output(["Paris is the capital of France."])
    return "Paris is the capital of France."


def agents_for(openai_server):
    import openai

    agents.set_default_openai_client(openai.AsyncOpenAI(base_url=openai_server.base_url, api_key="test-key", max_retries=0),
                                     use_for_tracing=False)
    helper = Agent(name="Helper", instructions="Answer with the docs.", tools=[search_docs], model="gpt-4o-mini")
    triage = Agent(name="Triage", instructions="Route.", handoffs=[helper], input_guardrails=[on_topic], model="gpt-4o-mini")
    return triage, helper


@pytest.fixture
def sdk_processors():
    """No export to OpenAI's traces from tests; the SDK's processors are put back after."""
    provider = agents.tracing.get_trace_provider()
    before = list(getattr(getattr(provider, "_multi_processor", None), "_processors", ()))
    agents.set_trace_processors([])
    yield
    agents.set_trace_processors(before)


@pytest.fixture
def oa_logger(make_logger, sdk_processors):
    return make_logger(providers=["openai", "openai-agents"])


async def test_handoff_run_is_a_session_with_guardrail_handoff_tool_and_nested_llm_calls(oa_logger, openai_server, capture, collector, capsys):
    triage, _ = agents_for(openai_server)
    openai_server.call_tool_next("transfer_to_helper", {})
    result = await Runner.run(triage, "What is the capital of France?", run_config=agents.RunConfig(group_id="conv-1"))
    assert result.final_output == "Hello from the stand-in model."

    spans = capture.spans()
    llm_spans = capture.llm_spans()
    assert len(llm_spans) == len(openai_server.requests_to("/responses")) == 2  # no SDK model span beside them
    assert [ancestors(s, spans) for s in llm_spans] == [["invoke_agent Triage", "Agent workflow"],
                                                        ["invoke_agent Helper", "Agent workflow"]]
    assert [s.attributes[A.SESSION_PATH] for s in llm_spans] == ["/Agent workflow/Triage", "/Agent workflow/Helper"]
    custom = {s.attributes[A.TOOL_NAME]: s for s in steps(spans, "custom")}
    assert json.loads(custom["on_topic"].attributes[A.TOOL_CALL_RESULT]) == {"triggered": False}
    assert json.loads(custom["handoff"].attributes[A.TOOL_CALL_RESULT]) == {"from_agent": "Triage", "to_agent": "Helper"}
    assert {s.attributes[A.SESSION_ID] for s in spans} == {"conv-1"}  # the SDK's group_id

    assert oa_logger.flush(5.0)
    lines = session_lines(collector, capsys, "conv-1")
    assert lines[0].startswith('session conv-1 "Agent workflow"  4 step(s)')
    body = "\n".join(lines)
    assert body.index("/Agent workflow/Triage") < body.index("tool:handoff") < body.index("/Agent workflow/Helper")


async def test_streamed_run_in_a_session_with_tool_and_retrieval(oa_logger, openai_server, capture, collector):
    _, helper = agents_for(openai_server)
    openai_server.call_tool_next("search_docs", {"query": "capital of France"})
    with helicone_otel.session("trip", path="/plan"):
        run = Runner.run_streamed(helper, "What is the capital of France?")
        async for _ in run.stream_events():
            pass
    assert run.final_output == "Hello from the stand-in model."

    spans = capture.spans()
    (tool_step,), (retrieval,) = steps(spans, "tool"), steps(spans, "vector_db")
    assert ancestors(tool_step, spans) == ["invoke_agent Helper", "Agent workflow"]
    assert ancestors(retrieval, spans)[0] == "execute_tool search_docs"
    assert json.loads(tool_step.attributes[A.TOOL_CALL_ARGUMENTS]) == {"query": "capital of France"}
    assert tool_step.attributes[A.TOOL_CALL_RESULT] == "Paris is the capital of France."
    llm_spans = capture.llm_spans()
    assert len(llm_spans) == 2 and all(s.attributes[A.REQUEST_STREAM] for s in llm_spans)
    assert {s.attributes[A.SESSION_PATH] for s in llm_spans + [tool_step, retrieval]} == {"/plan/Agent workflow/Helper"}
    assert oa_logger.flush(5.0)
    # The Agents SDK streams through ``with_streaming_response``: the stream is read, so the
    # record names the model the API answered with.
    models = sorted(r.model for r in collector.store.requests())
    assert models == ["gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18", "tool:search_docs", "vector_db"]


def test_run_sync_and_uninstrument_leaves_the_sdks_processors(oa_logger, openai_server, capture):
    class Theirs(agents.TracingProcessor):
        ended: list = []

        def on_trace_start(self, trace): ...
        def on_trace_end(self, trace): self.ended.append(trace.name)
        def on_span_start(self, span): ...
        def on_span_end(self, span): ...
        def shutdown(self): ...
        def force_flush(self): ...

    theirs = Theirs()
    agents.add_trace_processor(theirs)
    _, helper = agents_for(openai_server)
    with agents.trace("Support"):
        Runner.run_sync(helper, "Hi")
    assert theirs.ended == ["Support"]
    (root,) = [s for s in capture.spans() if s.name == "Support"]
    assert root.attributes[A.SESSION_NAME] == "Support"
    oa_logger.shutdown()
    assert agents.tracing.get_trace_provider()._multi_processor._processors == (theirs,)

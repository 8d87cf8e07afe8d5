"""Custom steps (tool, vector_db, llm) inside sessions, and the session tree the collector prints."""

from __future__ import annotations

import json
import time

import pytest
from opentelemetry.trace import StatusCode

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.cli import main

MESSAGES = [{"role": "user", "content": "hi"}]


def test_tool_context_manager_records_io_and_parents_llm_calls(logger, client, capture, collector):
    with helicone_otel.session("s-t", path="/agent"):
        with helicone_otel.tool("web_search", input={"q": "otel"}) as step:
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            step.set_output(["result one", "result two"])
    llm, tool = capture.llm_spans()[0], [s for s in capture.spans() if s.attributes.get(A.STEP_KIND)][0]
    assert tool.name == "execute_tool web_search"
    assert tool.attributes[A.TOOL_NAME] == "web_search" and tool.attributes[A.STEP_KIND] == "tool"
    assert json.loads(tool.attributes[A.TOOL_CALL_ARGUMENTS]) == {"q": "otel"}
    assert json.loads(tool.attributes[A.TOOL_CALL_RESULT]) == ["result one", "result two"]
    assert tool.attributes[A.SESSION_ID] == "s-t"
    assert llm.parent.span_id == tool.context.span_id
    assert logger.flush(5.0)
    records = {r.model: r for r in collector.store.requests()}
    step = records["tool:web_search"]
    assert step.source == "custom_log"
    assert step.properties == {"Helicone-Session-Id": "s-t", "Helicone-Session-Path": "/agent"}
    assert step.request_body == {"_type": "tool", "toolName": "web_search", "input": {"q": "otel"}}
    assert step.response_body["output"] == ["result one", "result two"]


async def test_decorators_on_sync_and_async_functions_and_errors(logger, capture, collector):
    @helicone_otel.step("lookup", kind="vector_db")
    def lookup(query: str, k: int = 3):
        return [query] * k

    @helicone_otel.tool("fetch")
    async def fetch(url: str):
        raise ConnectionError("unreachable")

    assert lookup("otel", k=2) == ["otel", "otel"]
    with pytest.raises(ConnectionError, match="unreachable"):
        await fetch("http://example.invalid")
    vector, failed = [s for s in capture.spans() if s.attributes.get(A.STEP_KIND)]
    assert json.loads(vector.attributes[A.TOOL_CALL_ARGUMENTS]) == {"query": "otel", "k": 2}
    assert json.loads(vector.attributes[A.TOOL_CALL_RESULT]) == ["otel", "otel"]
    assert failed.status.status_code is StatusCode.ERROR and failed.attributes[A.ERROR_TYPE] == "ConnectionError"
    assert logger.flush(5.0)
    models = sorted(r.model for r in collector.store.requests())
    assert models == ["tool:fetch", "vector_db"]
    assert [r.status for r in collector.store.requests() if r.model == "tool:fetch"] == [500]


def test_llm_step_for_uninstrumented_model_is_priced(logger, capture, collector):
    with helicone_otel.step("local summary", kind="llm", model="gpt-4o-mini", provider="openai") as step:
        step.set_usage(input_tokens=1000, output_tokens=100)
    (span,) = capture.llm_spans()
    assert span.name == "chat gpt-4o-mini"
    assert span.attributes[A.USAGE_COST] == pytest.approx((1000 * 0.15 + 100 * 0.6) / 1e6)
    assert logger.flush(5.0)
    (record,) = collector.store.requests()
    assert (record.model, record.prompt_tokens, record.completion_tokens) == ("gpt-4o-mini", 1000, 100)


def test_step_validation_is_immediate():
    with pytest.raises(ValueError, match="kind="):
        helicone_otel.step("x", kind="database")
    with pytest.raises(ValueError, match="model="):
        helicone_otel.step("x", kind="llm")
    with pytest.raises(TypeError):
        helicone_otel.tool("")


def test_capture_off_keeps_step_io_private(make_logger, capture):
    make_logger(capture_content=False)
    with helicone_otel.tool("secret_tool", input="password=hunter2") as step:
        step.set_output("the secret")
    (span,) = [s for s in capture.spans() if s.attributes.get(A.STEP_KIND)]
    assert A.TOOL_CALL_ARGUMENTS not in span.attributes and A.TOOL_CALL_RESULT not in span.attributes


def test_steps_without_a_logger_do_nothing_and_work():
    @helicone_otel.tool("plain")
    def plain(x):
        return x * 2

    assert plain(21) == 42
    with helicone_otel.tool("block") as step:
        step.set_output("ok")


def test_sessions_command_prints_tree(logger, client, collector, capsys):
    with helicone_otel.session("trip", path="/plan", name="Trip"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        with helicone_otel.session("trip", path="/plan/research"):
            with helicone_otel.tool("search"):
                pass
            time.sleep(0.005)  # Helicone stores times in ms: the step and the call must not tie
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    with helicone_otel.session("other", path="/"):
        client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert logger.flush(5.0)
    assert main(["sessions", "--db", collector.store.path, "--id", "trip"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('session trip "Trip"  3 step(s)')
    assert "tokens 2/10" in lines[0]
    body = "\n".join(lines[1:])
    assert body.index("/plan") < body.index("/plan/research") < body.index("tool:search")
    assert lines[1] == "  /plan" and lines[3] == "    /plan/research"
    assert lines[2].startswith("    - gpt-4o-mini-2024-07-18") and "tokens 1/5" in lines[2] and "$0.000003" in lines[2]
    assert lines[4].startswith("      - tool:search")
    assert main(["sessions", "--db", collector.store.path]) == 0
    assert "session other" in capsys.readouterr().out

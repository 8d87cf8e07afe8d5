"""The Agents SDK tracing processor: each SDK trace and span is reported to :class:`Runs`."""

from __future__ import annotations

from typing import Any

from agents.tracing import TracingProcessor

from ...guard import guard
from ..frameworks import AGENT, CHAIN, CUSTOM, TOOL, UNSET, Runs

# Span types (``span_data.type``) with a span or step of their own; model calls ("response",
# "generation") and the SDK's bookkeeping ("task", "turn", "mcp_tools", …) are links only.
_AGENT, _FUNCTION, _HANDOFF, _GUARDRAIL, _CUSTOM = "agent", "function", "handoff", "guardrail", "custom"


def error_of(span: Any) -> str | None:
    """An SDK span's error (a ``{"message", "data"}`` dict) as one message."""
    error = getattr(span, "error", None)
    if not error:
        return None
    message = error.get("message") if isinstance(error, dict) else str(error)
    data = error.get("data") if isinstance(error, dict) else None
    detail = data.get("error") if isinstance(data, dict) else None
    return f"{message}: {detail}" if detail else str(message or "error")


def step_output(data: Any) -> Any:
    """What a step span's data says it produced (read at its end, when the SDK has filled it in)."""
    kind = data.type
    if kind == _FUNCTION:
        return data.output
    if kind == _HANDOFF:
        return {"from_agent": data.from_agent, "to_agent": data.to_agent}
    if kind == _GUARDRAIL:
        return {"triggered": bool(data.triggered)}
    return UNSET


def _ended(span: Any) -> tuple[Any, str | None, Any]:
    data = span.span_data
    step_input = data.input if data.type == _FUNCTION else UNSET
    return step_output(data), error_of(span), step_input


class HeliconeTracingProcessor(TracingProcessor):
    """Turns SDK traces and spans into runs; never raises into the SDK (``Runs`` guards)."""

    def __init__(self, runs: Runs) -> None:
        self._runs = runs
        self.active = True

    def on_trace_start(self, trace: Any) -> None:
        if self.active:
            guard("reading an Agents SDK trace", self._start_trace, trace)

    def _start_trace(self, trace: Any) -> None:
        name = str(getattr(trace, "name", None) or "Agent workflow")
        session = (getattr(trace, "group_id", None) or trace.trace_id, name)
        # Not made current: ``run_streamed`` starts the trace in the caller's task and ends it in
        # its own, where the caller's context could not be restored. The agents under it are.
        self._runs.start(trace.trace_id, None, name, CHAIN, segment=name, session=session, attach=False)

    def on_trace_end(self, trace: Any) -> None:
        trace_id = getattr(trace, "trace_id", None)
        if trace_id is not None:
            self._runs.end(trace_id)

    def on_span_start(self, span: Any) -> None:
        if self.active:
            guard("reading an Agents SDK span", self._start, span)

    def _start(self, span: Any) -> None:
        data, runs = span.span_data, self._runs
        parent = span.parent_id or span.trace_id
        kind = getattr(data, "type", None)
        if kind == _AGENT:
            runs.start(span.span_id, parent, str(data.name), AGENT, segment=str(data.name))
        elif kind == _FUNCTION:  # its input is filled in after the span starts: read at the end
            runs.start(span.span_id, parent, str(data.name), TOOL)
        elif kind == _HANDOFF:
            runs.start(span.span_id, parent, "handoff", CUSTOM)
        elif kind == _GUARDRAIL:
            runs.start(span.span_id, parent, str(data.name), CUSTOM)
        elif kind == _CUSTOM:
            runs.start(span.span_id, parent, str(data.name), CHAIN)
        else:
            runs.link(span.span_id, parent)

    def on_span_end(self, span: Any) -> None:
        ended = guard("reading an Agents SDK span", _ended, span)
        output, error, step_input = ended if ended is not None else (UNSET, None, UNSET)
        self._runs.end(span.span_id, output=output, error=error, input=step_input)

    def shutdown(self) -> None:
        """Nothing buffered here: spans go to the logger's queue as they end."""

    def force_flush(self) -> None:
        """Nothing buffered here (``HeliconeAsyncLogger.flush`` sends the queue)."""

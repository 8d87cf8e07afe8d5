"""OpenAIAgentsInstrumentor: OpenAI Agents SDK runs as spans and Helicone session steps, through
the SDK's own tracing hook (``add_trace_processor``, as contrib's openai-agents-v2 does). The
SDK's other processors, its export to OpenAI's traces included, stay as the user set them.

A trace is a parent span and, outside a ``helicone_otel.session``, a session of its own (the
trace's ``group_id`` when set, so a conversation's runs share one); each agent a parent span and
a session path segment (``/Agent workflow/Triage``); tool calls ``tool`` steps; handoffs and
guardrails ``custom`` steps. Model calls make no span here: the ``openai`` SDK call is recorded,
and nests under the agent that made it.
"""

from __future__ import annotations

from typing import Any

from ..frameworks import FrameworkInstrumentor, Runs


def _registered(provider: Any) -> list[Any] | None:
    # The SDK has no public remove; its provider keeps the list here (as contrib reads it).
    processors = getattr(getattr(provider, "_multi_processor", None), "_processors", None)
    return list(processors) if isinstance(processors, (list, tuple)) else None


class OpenAIAgentsInstrumentor(FrameworkInstrumentor):
    """Trace OpenAI Agents SDK runs (``Runner.run``, ``run_sync``, ``run_streamed``).

    ``OpenAIAgentsInstrumentor().instrument(recorder=recorder)`` (``HeliconeAsyncLogger.init()`` does it)
    """

    _instruments = ("openai-agents >= 0.1, < 1",)
    module = "agents"

    def _hook(self, runs: Runs) -> None:
        from agents.tracing import add_trace_processor

        from ._processor import HeliconeTracingProcessor

        self._processor = HeliconeTracingProcessor(runs)
        add_trace_processor(self._processor)

    def _unhook(self) -> None:
        from agents.tracing import get_trace_provider

        processor, self._processor.active = self._processor, False  # inert even if it stays listed
        provider = get_trace_provider()
        registered = _registered(provider)
        if registered is not None and processor in registered:
            provider.set_processors([p for p in registered if p is not processor])

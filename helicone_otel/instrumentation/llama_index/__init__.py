"""LlamaIndexInstrumentor: LlamaIndex retrievals, agent tool calls and workflow steps as spans
and Helicone session steps, through LlamaIndex's own instrumentation API (a span handler on the
root dispatcher).

A retriever's ``retrieve`` becomes a ``vector_db`` step (query and nodes, with content capture
on); an agent's ``call_tool`` step a ``tool`` step; a workflow or agent run a parent span and a
session path segment, and each of its steps another (``/Agent/run_agent_step``); a query or chat
engine a parent span. LLM and embedding spans make none: the provider SDK call is recorded, and
nests under the step that made it.
"""

from __future__ import annotations

from ..frameworks import FrameworkInstrumentor, Runs


class LlamaIndexInstrumentor(FrameworkInstrumentor):
    """Trace LlamaIndex (sync, async, streaming).

    ``LlamaIndexInstrumentor().instrument(recorder=recorder)`` (``HeliconeAsyncLogger.init()`` does it)
    """

    _instruments = ("llama-index-core >= 0.12, < 0.15",)
    module = "llama_index.core"

    def _hook(self, runs: Runs) -> None:
        from ._span_handler import HeliconeSpanHandler, get_dispatcher

        self._handler = HeliconeSpanHandler(runs)
        get_dispatcher().add_span_handler(self._handler)

    def _unhook(self) -> None:
        from ._span_handler import get_dispatcher

        handlers = get_dispatcher().span_handlers
        if self._handler in handlers:
            handlers.remove(self._handler)

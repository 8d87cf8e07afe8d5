"""The LangChain callback handler: each callback reports one run to :class:`Runs`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler

from ..frameworks import CHAIN, TOOL, UNSET, VECTOR_DB, Runs

# LangChain's mark for its own plumbing runs (LangGraph's channel writes, routing).
_HIDDEN_TAG = "langsmith:hidden"


def run_name(serialized: Any, kwargs: dict[str, Any], default: str) -> str:
    """The run's name as LangSmith shows it: ``run_name``, else the serialized name or class."""
    name = kwargs.get("name")
    if isinstance(name, str) and name:
        return name
    if isinstance(serialized, dict):
        if isinstance(serialized.get("name"), str) and serialized["name"]:
            return serialized["name"]
        ids = serialized.get("id")
        if isinstance(ids, list) and ids and isinstance(ids[-1], str):
            return ids[-1]
    return default


def is_graph_node(name: str, metadata: Any) -> bool:
    """A LangGraph node's own run (not a runnable inside it, which inherits the metadata)."""
    return isinstance(metadata, dict) and metadata.get("langgraph_node") == name


def is_control_flow(error: BaseException) -> bool:
    """LangGraph's interrupts and parent-graph commands travel as exceptions; they are not failures."""
    return any(cls.__name__ == "GraphBubbleUp" for cls in type(error).__mro__)


def tool_output(output: Any) -> Any:
    """A tool's result: a ``ToolMessage``'s content, else the value itself."""
    content = getattr(output, "content", UNSET)
    return output if content is UNSET else content


def documents(docs: Any) -> list[dict[str, Any]]:
    """Retrieved documents as ``{"content", "metadata"}``."""
    return [{"content": getattr(d, "page_content", d), "metadata": getattr(d, "metadata", None) or {}} for d in docs or ()]


class HeliconeCallbackHandler(BaseCallbackHandler):
    """Reports chain, tool and retriever runs; ignores LLM runs (the provider SDK call is traced)."""

    # Called in the run's own thread and context, so the run's span is current for the calls the
    # run makes (LangChain runs non-inline sync handlers in an executor, in a copied context).
    run_inline = True
    raise_error = False
    ignore_llm = True
    ignore_chat_model = True
    ignore_retry = True
    ignore_custom_event = True

    def __init__(self, runs: Runs) -> None:
        super().__init__()
        self._runs = runs

    # -- chains, graphs and graph nodes ---------------------------------------------------------
    def on_chain_start(
        self, serialized: Any, inputs: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
        tags: list[str] | None = None, metadata: dict[str, Any] | None = None, **kwargs: Any,
    ) -> None:
        if tags and _HIDDEN_TAG in tags:
            self._runs.link(run_id, parent_run_id)
            return
        name = run_name(serialized, kwargs, "chain")
        root = parent_run_id is None
        segment = name if root or is_graph_node(name, metadata) else None
        self._runs.start(run_id, parent_run_id, name, CHAIN, segment=segment, session=(str(run_id), name) if root else None)

    def on_chain_end(self, outputs: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id, error=None if is_control_flow(error) else error)

    # -- tools ----------------------------------------------------------------------------------
    def on_tool_start(
        self, serialized: Any, input_str: str, *, run_id: UUID, parent_run_id: UUID | None = None,
        inputs: dict[str, Any] | None = None, **kwargs: Any,
    ) -> None:
        name = run_name(serialized, kwargs, "tool")
        self._runs.start(run_id, parent_run_id, name, TOOL, input=input_str if inputs is None else inputs)

    def on_tool_end(self, output: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id, output=tool_output(output))

    def on_tool_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id, error=None if is_control_flow(error) else error)

    # -- retrievers -----------------------------------------------------------------------------
    def on_retriever_start(
        self, serialized: Any, query: str, *, run_id: UUID, parent_run_id: UUID | None = None, **kwargs: Any,
    ) -> None:
        self._runs.start(run_id, parent_run_id, run_name(serialized, kwargs, "retriever"), VECTOR_DB, input=query)

    def on_retriever_end(self, documents_: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id, output=documents(documents_))

    def on_retriever_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        self._runs.end(run_id, error=error)

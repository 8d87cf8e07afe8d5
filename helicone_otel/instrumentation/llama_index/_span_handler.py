"""The LlamaIndex span handler: each dispatcher span is a run, a step, or a link to its parent."""

from __future__ import annotations

import inspect
from typing import Any

from pydantic import PrivateAttr

from ..frameworks import AGENT, CHAIN, TOOL, UNSET, VECTOR_DB, Runs

try:  # its own light package since llama-index-core 0.12.x; importing llama_index.core takes ~1 s
    from llama_index_instrumentation import get_dispatcher
    from llama_index_instrumentation.span import BaseSpan
    from llama_index_instrumentation.span_handlers import BaseSpanHandler
except ImportError:  # pragma: no cover - older llama-index-core
    from llama_index.core.instrumentation import get_dispatcher  # type: ignore[no-redef]
    from llama_index.core.instrumentation.span import BaseSpan  # type: ignore[no-redef]
    from llama_index.core.instrumentation.span_handlers import BaseSpanHandler  # type: ignore[no-redef]

# LlamaIndex classes are told apart by name along the MRO, so init() never imports llama_index.core
# (an app that uses it has imported it anyway).
_RETRIEVER = frozenset({"BaseRetriever"})
_WORKFLOW = frozenset({"Workflow"})
_ENGINES = frozenset({"BaseQueryEngine", "BaseChatEngine"})


def is_a(instance: Any, names: frozenset[str]) -> bool:
    """True when one of ``instance``'s classes is named in ``names``."""
    return instance is not None and any(cls.__name__ in names for cls in type(instance).__mro__)


_RETRIEVALS = frozenset({"retrieve", "aretrieve"})  # not the ``_retrieve`` they call
_UUID_SUFFIX = len("-00000000-0000-0000-0000-000000000000")


def method_of(span_id: str) -> str:
    """``"FunctionAgent.call_tool-<uuid4>"`` → ``"call_tool"`` (LlamaIndex names spans so)."""
    return span_id[:-_UUID_SUFFIX].rsplit(".", 1)[-1]


def query_of(bound_args: inspect.BoundArguments) -> Any:
    """A retrieval's query: the string, or a ``QueryBundle``'s ``query_str``."""
    query = next(iter(bound_args.arguments.values()), None) if bound_args.arguments else None
    return getattr(query, "query_str", query)


def nodes(result: Any) -> list[dict[str, Any]]:
    """Retrieved nodes as ``{"content", "metadata", "score"}``."""
    out = []
    for scored in result or ():
        node = getattr(scored, "node", scored)
        get_content = getattr(node, "get_content", None)
        out.append({
            "content": get_content() if callable(get_content) else str(node),
            "metadata": getattr(node, "metadata", None) or {},
            "score": getattr(scored, "score", None),
        })
    return out


def tool_call(bound_args: inspect.BoundArguments) -> Any:
    """The ``ToolCall`` event an agent's ``call_tool`` step was given, else None (a
    ``ToolCallResult`` has the same fields and its output)."""
    event = bound_args.arguments.get("ev")
    is_call = hasattr(event, "tool_name") and hasattr(event, "tool_kwargs") and not hasattr(event, "tool_output")
    return event if is_call else None


def tool_result(result: Any) -> Any:
    """A ``ToolCallResult``'s output content."""
    output = getattr(result, "tool_output", result)
    content = getattr(output, "content", UNSET)
    return output if content is UNSET else content


class HeliconeSpanHandler(BaseSpanHandler[BaseSpan]):
    """Reports dispatcher spans to :class:`Runs`; keeps no spans of its own (returns None)."""

    _runs: Runs = PrivateAttr()

    def __init__(self, runs: Runs) -> None:
        super().__init__()
        self._runs = runs

    @classmethod
    def class_name(cls) -> str:
        return "HeliconeSpanHandler"

    def new_span(
        self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None,
        parent_span_id: str | None = None, tags: dict[str, Any] | None = None, **kwargs: Any,
    ) -> BaseSpan | None:
        runs = self._runs
        root = runs.scope(parent_span_id) is None
        if is_a(instance, _RETRIEVER) and method_of(id_) in _RETRIEVALS:
            runs.start(id_, parent_span_id, type(instance).__name__, VECTOR_DB, input=query_of(bound_args))
        elif is_a(instance, _WORKFLOW) and method_of(id_) == "run":
            name = getattr(instance, "name", None) or type(instance).__name__
            runs.start(id_, parent_span_id, name, AGENT, segment=name, session=(id_, name) if root else None)
        elif instance is None and runs.kind_of(parent_span_id) == AGENT:
            step = method_of(id_)  # a workflow step: its own level of the session tree
            call = tool_call(bound_args)
            if call is not None:
                runs.start(id_, parent_span_id, str(call.tool_name), TOOL, input=call.tool_kwargs, segment=step)
            else:
                runs.start(id_, parent_span_id, step, CHAIN, segment=step)
        elif is_a(instance, _ENGINES):
            name = type(instance).__name__
            runs.start(id_, parent_span_id, name, CHAIN, segment=name if root else None,
                       session=(id_, name) if root else None)
        else:  # LLMs, embeddings and LlamaIndex internals: their children belong to the parent
            runs.link(id_, parent_span_id)
        return None

    def prepare_to_exit_span(
        self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None, result: Any = None, **kwargs: Any,
    ) -> BaseSpan | None:
        kind = self._runs.kind_of(id_)
        if kind == VECTOR_DB:
            self._runs.end(id_, output=nodes(result))
        elif kind == TOOL:
            self._runs.end(id_, output=tool_result(result))
        else:
            self._runs.end(id_)
        return None

    def prepare_to_drop_span(
        self, id_: str, bound_args: inspect.BoundArguments, instance: Any = None, err: BaseException | None = None,
        **kwargs: Any,
    ) -> BaseSpan | None:
        self._runs.end(id_, error=err)
        return None

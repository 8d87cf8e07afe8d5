"""LangChainInstrumentor: LangChain and LangGraph runs as spans and Helicone session steps.

One patch point, as OpenInference's LangChain instrumentor: ``BaseCallbackManager.__init__``
adds our callback handler to every callback manager LangChain makes, beside the callbacks the
user passed (``RunnableConfig(callbacks=[...])`` keeps working as before). Tool runs become
``tool`` steps, retriever runs ``vector_db`` steps (query and documents, with content capture
on), chains and graph nodes parent spans; the root run and each LangGraph node add a session
path segment (``/LangGraph/agent``). LLM runs make no span: the provider SDK call under them is
already recorded, and nests under the chain or node that made it.
"""

from __future__ import annotations

from typing import Any, Callable

from ...capture.patching import Patch
from ..frameworks import FrameworkInstrumentor, Runs
from ._callbacks import HeliconeCallbackHandler


def _add_handler(handler: Any) -> Callable[..., None]:
    def init(wrapped: Callable[..., None], instance: Any, args: tuple, kwargs: dict) -> None:
        wrapped(*args, **kwargs)
        try:
            # Managers are copied and merged from one another: add ours once.
            if not any(isinstance(h, HeliconeCallbackHandler) for h in instance.inheritable_handlers):
                instance.add_handler(handler, True)
        except Exception:  # noqa: BLE001 - a manager we cannot read stays as LangChain made it
            pass

    return init


class LangChainInstrumentor(FrameworkInstrumentor):
    """Trace LangChain / LangGraph runs (sync, async, streaming).

    ``LangChainInstrumentor().instrument(recorder=recorder)`` (``HeliconeAsyncLogger.init()`` does it)
    """

    _instruments = ("langchain-core >= 0.3, < 2",)
    module = "langchain_core"

    def _hook(self, runs: Runs) -> None:
        from langchain_core.callbacks import BaseCallbackManager

        self._patch = Patch(BaseCallbackManager, "__init__", _add_handler(HeliconeCallbackHandler(runs)))

    def _unhook(self) -> None:
        self._patch.undo()

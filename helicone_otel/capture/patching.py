"""Symmetric patch/unpatch of a class attribute with a wrapt wrapper."""

from __future__ import annotations

from typing import Any, Callable, Collection

import wrapt
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor

_ABSENT = object()


class Patch:
    """Wraps ``owner.name`` and later restores exactly what was there (including absence,
    when the attribute was inherited)."""

    __slots__ = ("owner", "name", "_original")

    def __init__(self, owner: type, name: str, wrapper: Callable[..., Any]):
        self.owner = owner
        self.name = name
        self._original = owner.__dict__.get(name, _ABSENT)
        setattr(owner, name, wrapt.FunctionWrapper(getattr(owner, name), wrapper))

    def undo(self) -> None:
        """Put the original attribute back."""
        if self._original is _ABSENT:
            try:
                delattr(self.owner, self.name)
            except AttributeError:
                pass
        else:
            setattr(self.owner, self.name, self._original)


class PatchingInstrumentor(BaseInstrumentor):
    """Base of our instrumentors: the supported SDK range declared once (``_instruments``;
    ``BaseInstrumentor`` turns the instrumentor off on a mismatch) and ``_uninstrument``
    putting back exactly what ``_instrument`` patched (``self._patches``), newest first."""

    _instruments: Collection[str] = ()

    def instrumentation_dependencies(self) -> Collection[str]:
        return self._instruments

    def _uninstrument(self, **kwargs: Any) -> None:
        for patch in reversed(getattr(self, "_patches", ())):
            patch.undo()
        self._patches: list[Patch] = []

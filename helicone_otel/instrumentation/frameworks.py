"""Agent-framework runs (LangChain, LlamaIndex, OpenAI Agents) as spans, session steps and
session-path segments: the part the three integrations share.

An integration reports each run by the framework's own run id: :meth:`Runs.start` when it
begins, :meth:`Runs.end` when it ends. A run becomes a span (a ``tool``, ``vector_db`` or
``custom`` run also a Helicone step record, like ``helicone_otel.tool``). While it is open its
span is the current span and its session path the current path, so the LLM calls the framework
makes underneath, recorded by the provider instrumentors, nest under it: no second LLM span.

    runs = Runs()
    runs.start(run_id, parent_id, "agent", AGENT, segment="agent", session=(run_id, "agent"))
    ...
    runs.end(run_id)
"""

from __future__ import annotations

from typing import Any, Collection, Hashable, Mapping

import wrapt
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.instrumentor import BaseInstrumentor
from opentelemetry.trace import SpanKind, Status, StatusCode

from .. import attributes as A
from ..capture.sdk_point import recorder_of
from ..context import current_attributes, enter_attributes, exit_attributes
from ..export.spans import record_error
from ..guard import report_once
from ..helicone_headers import request_id_of
from ..steps import active_recorder

# Run kinds. AGENT and CHAIN are parent spans only; the others are also Helicone steps
# (steps.py's kinds, so one record shape serves hand-made and framework steps).
AGENT = "agent"
CHAIN = "chain"
TOOL = "tool"
VECTOR_DB = "vector_db"
CUSTOM = "custom"
_STEPS = frozenset({TOOL, VECTOR_DB, CUSTOM})

UNSET: Any = object()
# A framework that never ends some runs must not grow this without bound; past it new runs go
# untraced (logged once). Ten thousand runs open at once is far beyond any agent we know of.
_MAX_OPEN = 10_000


class _Run:
    __slots__ = ("span", "recorder", "scope", "otel_token", "scope_entry", "kind")

    def __init__(self, span: Any, recorder: Any, scope: Mapping[str, str], kind: str) -> None:
        self.span = span
        self.recorder = recorder
        self.scope = scope  # the session/user/properties in force inside the run
        self.kind = kind
        self.otel_token: Any = None
        self.scope_entry: Any = None


def _segment(name: str) -> str:
    # A "/" in a node or agent name would open a level of the session tree that is not there.
    return name.strip().replace("/", "-") or "run"


class Runs:
    """The open runs of one framework integration, by the framework's run id.

    Callbacks may come from several threads: each run id is started and ended once, and single
    dict operations are atomic, so no lock is needed.
    """

    def __init__(self) -> None:
        self._open: dict[Hashable, _Run] = {}
        # Runs we make no span for (LLM calls, framework internals) → their parent's id, so the
        # runs under them still find their parent.
        self._links: dict[Hashable, Hashable | None] = {}

    def _parent(self, parent_id: Hashable | None) -> _Run | None:
        for _ in range(64):  # links form a chain up to a run with a span; bounded against cycles
            if parent_id is None:
                return None
            run = self._open.get(parent_id)
            if run is not None:
                return run
            if parent_id not in self._links:
                return None
            parent_id = self._links[parent_id]
        return None

    def link(self, run_id: Hashable, parent_id: Hashable | None) -> None:
        """A run with no span of its own: runs under it belong to its parent."""
        if len(self._links) < _MAX_OPEN:
            self._links[run_id] = parent_id

    def kind_of(self, run_id: Hashable | None) -> str | None:
        """The kind of an open run with a span (None for links and unknown ids)."""
        run = self._open.get(run_id) if run_id is not None else None
        return None if run is None else run.kind

    def scope(self, run_id: Hashable | None) -> Mapping[str, str] | None:
        """The session/user/properties in force inside an open run (or its nearest spanned parent)."""
        run = self._parent(run_id)
        return None if run is None else run.scope

    def start(
        self,
        run_id: Hashable,
        parent_id: Hashable | None,
        name: str,
        kind: str,
        *,
        segment: str | None = None,
        session: tuple[str, str] | None = None,
        input: Any = UNSET,  # noqa: A002 - the step's input, as steps.py calls it
        attach: bool = True,
    ) -> None:
        """Open a run. ``segment`` adds a level to the session path of everything inside it;
        ``session`` is ``(id, name)`` of the session a root run opens when the caller is in
        none; ``attach`` makes the run current (leave it off for runs whose end may come in
        another task, where it could not be undone)."""
        recorder = active_recorder()
        if recorder is None or not recorder.options.active():
            return
        try:
            self._start(recorder, run_id, parent_id, name, kind, segment, session, input, attach)
        except Exception as exc:  # noqa: BLE001 - our bug must never reach the framework
            report_once("starting an agent-framework run", exc)

    def _start(self, recorder, run_id, parent_id, name, kind, segment, session, call_input, attach) -> None:
        if len(self._open) >= _MAX_OPEN:
            raise OverflowError(f"{_MAX_OPEN} framework runs open and none ended")
        options = recorder.options
        parent = self._parent(parent_id)
        current = current_attributes()
        base = parent.scope if parent is not None else current
        scope = base
        if segment is not None:
            defaults = options.defaults
            added: dict[str, str] = {}
            path = base.get(A.SESSION_PATH, defaults.get(A.SESSION_PATH, ""))
            if A.SESSION_ID not in base and A.SESSION_ID not in defaults and session is not None:
                added[A.SESSION_ID], added[A.SESSION_NAME] = str(session[0]), session[1]
                path = ""
            if A.SESSION_ID in base or A.SESSION_ID in defaults or added:
                added[A.SESSION_PATH] = path.rstrip("/") + "/" + _segment(segment)
                scope = {**base, **added}
        attrs: dict[str, Any] = {**options.defaults, **scope}
        if kind == AGENT:
            attrs[A.OPERATION_NAME] = "invoke_agent"
            attrs[A.AGENT_NAME] = name
            span_name = f"invoke_agent {name}"
        elif kind in _STEPS:
            attrs.update({A.OPERATION_NAME: "execute_tool", A.STEP_KIND: kind, A.TOOL_NAME: name})
            if options.capture_content and call_input is not UNSET:
                # Steps are few (one per tool call or retrieval), so this one JSON encoding is
                # done here rather than on the export thread, as steps.py does.
                attrs[A.TOOL_CALL_ARGUMENTS] = recorder.text(call_input)
            span_name = f"execute_tool {name}"
        else:
            span_name = name
        parent_context = trace.set_span_in_context(parent.span) if parent is not None else None
        span = recorder.tracer.start_span(span_name, context=parent_context, kind=SpanKind.INTERNAL, attributes=attrs)
        if kind in _STEPS:
            ids = span.get_span_context()
            span.set_attribute(A.HELICONE_REQUEST_ID, request_id_of(ids.trace_id, ids.span_id))
        run = _Run(span, recorder, scope, kind)
        if attach:
            run.otel_token = otel_context.attach(trace.set_span_in_context(span))
            if scope is not current:
                run.scope_entry = enter_attributes({**current, **scope})
        self._open[run_id] = run

    def end(self, run_id: Hashable, output: Any = UNSET, error: BaseException | str | None = None, input: Any = UNSET) -> None:  # noqa: A002
        """Close a run: its output (steps, with content capture on) and its error, if any.
        ``error`` is the exception, or the framework's error message when it gives no exception;
        ``input`` the step's input when the framework knows it only at the end."""
        run = self._open.pop(run_id, None)
        if run is None:
            self._links.pop(run_id, None)
            return
        self._detach(run)
        span, recorder = run.span, run.recorder
        options = recorder.options
        try:
            if run.kind in _STEPS and options.capture_content:
                if input is not UNSET:
                    span.set_attribute(A.TOOL_CALL_ARGUMENTS, recorder.text(input))
                if output is not UNSET:
                    span.set_attribute(A.TOOL_CALL_RESULT, recorder.text(output))
            if isinstance(error, BaseException):
                record_error(span, error, capture_content=options.capture_content, mask=recorder.mask)
            elif error is not None:
                message = recorder.mask(error) if recorder.mask is not None else error
                span.set_attribute(A.ERROR_TYPE, "error")
                span.set_status(Status(StatusCode.ERROR, message if options.capture_content else "error"))
        except Exception as exc:  # noqa: BLE001
            report_once("ending an agent-framework run", exc)
        finally:
            span.end()
        if run.kind in _STEPS:
            try:
                options.submit(span)
            except Exception as exc:  # noqa: BLE001
                report_once("sending an agent-framework step", exc)

    @staticmethod
    def _detach(run: _Run) -> None:
        # A run ended in another context than it started in (a task finalised elsewhere) cannot
        # be undone there; its own context ends with it, so there is nothing left to restore.
        if run.scope_entry is not None:
            try:
                exit_attributes(run.scope_entry)
            except Exception:  # noqa: BLE001 - see above
                pass
        if run.otel_token is not None:
            try:
                otel_context.detach(run.otel_token)
            except Exception:  # noqa: BLE001 - see above
                pass

    def clear(self) -> None:
        """End every open run (at uninstrument): their spans are sent as they are."""
        for run_id in list(self._open):
            self.end(run_id)
        self._links.clear()


class FrameworkInstrumentor(BaseInstrumentor):
    """Base of the framework integrations: the supported range (``_instruments``, checked by
    ``BaseInstrumentor``), the logger's ``recorder`` as the sign it is configured, and the
    zero-code path (``opentelemetry-instrument``) when it is not.

    The framework's hook is registered when the app imports ``module``, not at ``init()``:
    importing a framework costs up to seconds (the Agents SDK imports all of itself), and an
    app that has one installed but does not use it should not pay that.

    ``LangChainInstrumentor().instrument(recorder=recorder)``
    """

    _instruments: Collection[str] = ()
    module = ""  # importing it registers the hook (at once when already imported)

    def instrumentation_dependencies(self) -> Collection[str]:
        return self._instruments

    def _instrument(self, **kwargs: Any) -> None:
        if recorder_of(kwargs) is None:
            return
        runs = self.runs = Runs()
        self._hooked = False

        def on_import(module: Any) -> None:
            # Hooks cannot be unregistered: one left from an earlier instrument() does nothing.
            if self.runs is runs and not self._hooked:
                try:
                    self._hook(runs)
                    self._hooked = True
                except Exception as exc:  # noqa: BLE001 - the app's import must not fail for us
                    report_once(f"hooking into {self.module}", exc)

        wrapt.register_post_import_hook(on_import, self.module)

    def _uninstrument(self, **kwargs: Any) -> None:
        runs = getattr(self, "runs", None)
        if runs is None:
            return
        self.runs = None
        if self._hooked:
            self._unhook()
            self._hooked = False
        runs.clear()

    def _hook(self, runs: Runs) -> None:
        """Register with the framework's own hook."""
        raise NotImplementedError

    def _unhook(self) -> None:
        """Undo :meth:`_hook` exactly."""
        raise NotImplementedError

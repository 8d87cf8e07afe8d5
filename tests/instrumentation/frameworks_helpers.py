"""Shared checks for the agent-framework tests: the span tree and the session tree."""

from __future__ import annotations

from helicone_otel import attributes as A
from helicone_otel.cli import main


def parent_names(spans) -> dict[str, list[str]]:
    """Span name → the names of each such span's parent (None for roots)."""
    by_id = {s.context.span_id: s for s in spans}
    out: dict[str, list[str]] = {}
    for span in spans:
        parent = by_id.get(span.parent.span_id) if span.parent is not None else None
        out.setdefault(span.name, []).append(None if parent is None else parent.name)
    return out


def ancestors(span, spans) -> list[str]:
    """Names of a span's ancestors, nearest first."""
    by_id = {s.context.span_id: s for s in spans}
    names = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        names.append(span.name)
    return names


def steps(spans, kind: str) -> list:
    """Spans of Helicone steps of one kind (tool, vector_db, custom)."""
    return [s for s in spans if s.attributes.get(A.STEP_KIND) == kind]


def session_lines(collector, capsys, session_id: str) -> list[str]:
    """What ``helicone-otel sessions --id`` prints for one session."""
    capsys.readouterr()
    assert main(["sessions", "--db", collector.store.path, "--id", session_id]) == 0
    return capsys.readouterr().out.splitlines()

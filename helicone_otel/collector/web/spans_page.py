"""``/spans``: generic OpenTelemetry spans received on ``/v1/traces`` (not Helicone requests);
``/traces/<id>``: one trace as a tree by parent span, with a waterfall and every attribute."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from .. import reads
from ..spans import SpanRow
from ..store import Store
from .html import Html, empty, h, href, join, ms, num, pager, pretty_json, when
from .svg import axis, bar


def _genai(span: SpanRow) -> tuple[str, str]:
    """The model and ``in / out`` tokens of a GenAI span (OpenTelemetry semantic conventions)."""
    a = span.attributes
    model = a.get("gen_ai.response.model") or a.get("gen_ai.request.model") or ""
    used_in = a.get("gen_ai.usage.input_tokens", a.get("gen_ai.usage.prompt_tokens"))
    used_out = a.get("gen_ai.usage.output_tokens", a.get("gen_ai.usage.completion_tokens"))
    tokens = f"{used_in if used_in is not None else '–'} / {used_out if used_out is not None else '–'}" \
        if used_in is not None or used_out is not None else ""
    return str(model), tokens


def _status(span: SpanRow) -> Html:
    if span.status_code == "ERROR":
        return h('<span class="badge err" title="{}">error</span>', span.status_message)
    return h('<span class="badge {}">{}</span>', "ok" if span.status_code == "OK" else "unset", span.status_code.lower())


def list_page(store: Store, query: Mapping[str, list[str]], base_url: str = "http://127.0.0.1:8585") -> tuple[str, Html]:
    """The spans table."""
    first = {k: v[0].strip() for k, v in query.items() if v}
    params: dict[str, Any] = {"service": first.get("service", ""), "name": first.get("name", ""),
                              "trace": first.get("trace", ""), "errors": "1" if first.get("errors") else ""}
    page = reads.spans_page(store, service=params["service"], name=params["name"], trace=params["trace"],
                            errors=bool(params["errors"]), before=first.get("before"), after=first.get("after"))
    rows = join(h(
        '<tr data-href="{}"><td class="nowrap"><a href="{}">{}</a></td><td>{}</td><td><a href="{}">{}</a></td><td>{}</td>'
        '<td class="num">{}</td><td>{}</td><td>{}</td><td class="num">{}</td><td><code>{}</code></td></tr>',
        href("/traces", s.trace_id), href("/traces", s.trace_id), when(s.start_time), s.service or "–",
        href("/spans", **{**params, "name": s.name}), s.name, s.kind.lower(), ms((s.end_time - s.start_time) * 1000),
        _status(s), _genai(s)[0] or "–", _genai(s)[1] or "–", s.trace_id[:16]) for s in page.rows)
    table = h('<table class="grid"><thead><tr><th>Start</th><th>Service</th><th>Name</th><th>Kind</th><th class="num">Duration</th>'
              '<th>Status</th><th>Model</th><th class="num">Tokens in / out</th><th>Trace</th></tr></thead><tbody>{}</tbody>'
              '</table>', rows) if page.rows else empty(h(
        "No spans yet. Any OpenTelemetry SDK can send here: <code>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT={}/v1/traces</code> "
        "(OTLP/HTTP, protobuf or JSON).", base_url))
    services = join(h('<option value="{}"{}>{}</option>', s, Html(" selected") if s == params["service"] else "", label)
                    for s, label in [("", "any")] + [(s, s) for s in reads.span_services(store) if s])
    form = h('<form class="filters" method="get" action="/spans"><label>service <select name="service" class="autosubmit">{}'
             '</select></label><label>name <input name="name" value="{}" placeholder="any"></label><label>trace '
             '<input name="trace" value="{}" placeholder="trace id" size="34"></label><label><input type="checkbox" name="errors" '
             'value="1" class="autosubmit"{}> errors only</label><button type="submit">Filter</button> '
             '<a class="button subtle" href="/spans">Clear</a></form>', services, params["name"], params["trace"],
             Html(" checked") if params["errors"] else "")
    live = h('<div id="spans-live" data-live-region><p class="summary">{} {} · OpenTelemetry spans received on '
             '<code>/v1/traces</code>; they are not Helicone requests</p>{}{}</div>', num(page.total),
             "span" if page.total == 1 else "spans", table, pager(page.older, page.newer, "/spans", params))
    return "Spans", h("<h1>Spans</h1>{}{}", form, live)


def _row(span: SpanRow, depth: int, t0: float, total: float) -> Html:
    model, tokens = _genai(span)
    kind = "err" if span.status_code == "ERROR" else "llm" if model else "node"
    duration = (span.end_time - span.start_time) * 1000
    attributes = join(h('<tr><th>{}</th><td>{}</td></tr>', k, v if isinstance(v, str) else pretty_json(v))
                      for k, v in sorted(span.attributes.items()))
    events = join(h('<li>{} <span class="muted">{}</span><pre>{}</pre></li>', e.get("name"), when(e.get("time")),
                    pretty_json(e.get("attributes"))) for e in span.events)
    return h(
        '<tr class="call"><td class="name"><span class="indent-{}"></span><details><summary>{} {}</summary>'
        '<table class="grid compact attrs"><tbody>{}</tbody></table>{}</details></td><td class="wf">{}</td>'
        '<td class="num">{}</td><td>{}</td><td class="num">{}</td></tr>',
        min(depth, 9), span.name, _status(span) if span.status_code == "ERROR" else "", attributes or Html(""),
        h('<p>Events</p><ul class="events">{}</ul>', events) if events else "",
        bar((span.start_time - t0) / total, (span.end_time - t0) / total, kind, f"{span.name}: {ms(duration)}"),
        ms(duration), model or "–", tokens or "–")


def _walk(roots: list[SpanRow], children: dict[str, list[SpanRow]], t0: float, total: float) -> list[Html]:
    """Rows depth first (iteratively: a hostile trace may nest thousands deep or loop)."""
    out: list[Html] = []
    seen: set[str] = set()
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        span, depth = stack.pop()
        if span.span_id in seen:
            continue
        seen.add(span.span_id)
        out.append(_row(span, depth, t0, total))
        stack += [(child, depth + 1) for child in reversed(children.get(span.span_id, []))]
    return out


def trace_page(store: Store, trace_id: str) -> Optional[tuple[str, Html]]:
    """One trace; None when no span has this trace id."""
    spans = reads.trace_spans(store, trace_id)
    if not spans:
        return None
    ids = {s.span_id for s in spans}
    children: dict[str, list[SpanRow]] = {}
    roots = []
    for span in spans:
        if span.parent_span_id and span.parent_span_id in ids and span.parent_span_id != span.span_id:
            children.setdefault(span.parent_span_id, []).append(span)
        else:
            roots.append(span)
    t0 = min(s.start_time for s in spans)
    t1 = max(s.end_time for s in spans)
    total = max(t1 - t0, 1e-6)
    rows = _walk(roots + spans, children, t0, total)  # spans caught in a parent loop come last
    resource = spans[0].resource
    table = h('<table class="grid waterfall"><thead><tr><th>Span</th><th class="wf">{}</th><th class="num">Duration</th>'
              '<th>Model</th><th class="num">Tokens in / out</th></tr></thead><tbody>{}</tbody></table>',
              axis(total * 1000, ms), join(rows))
    resource_rows = join(h('<tr><th>{}</th><td>{}</td></tr>', k, v if isinstance(v, str) else pretty_json(v))
                         for k, v in sorted(resource.items()))
    body = h('<p><a href="/spans">← Spans</a></p><h1>Trace <code>{}</code></h1><dl class="facts"><div><dt>Started</dt><dd>{}</dd>'
             '</div><div><dt>Duration</dt><dd>{}</dd></div><div><dt>Spans</dt><dd>{}</dd></div><div><dt>Service</dt><dd>{}</dd>'
             '</div></dl><div id="trace-live" data-live-region>{}</div><details><summary>Resource</summary>'
             '<table class="grid compact"><tbody>{}</tbody></table></details>', trace_id, when(t0), ms(total * 1000),
             num(len(spans)), spans[0].service or "–", table, resource_rows)
    return f"Trace {trace_id[:16]}", body

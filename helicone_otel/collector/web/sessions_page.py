"""``/sessions``: sessions, most recently active first; ``/sessions/<id>``: one session as a tree
by path with a waterfall of its LLM calls and steps, with durations, tokens and cost per node and
in total."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional

from .. import reads
from ..queries import SESSION_NAME, SESSION_PATH
from ..record import RequestRecord
from ..store import Store
from .html import Html, empty, h, href, join, ms, num, usd, when
from .requests_page import cost_cell, status_badge
from .svg import axis, bar

PAGE = 50
MAX_DEPTH = 24


def list_page(store: Store, query: Mapping[str, list[str]]) -> tuple[str, Html]:
    """The sessions table."""
    first = {k: v[0].strip() for k, v in query.items() if v}
    search = first.get("q", "")
    try:
        offset = min(max(int(first.get("offset", "0")), 0), 10**9)
    except ValueError:
        offset = 0
    rows, total = reads.sessions_page(store, search=search, offset=offset, limit=PAGE)
    body = join(h(
        '<tr data-href="{}"><td><a href="{}">{}</a><div class="muted small">{}</div></td><td class="nowrap">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{} / {}</td>'
        '<td class="num">{}</td><td class="num">{}</td><td>{}</td></tr>',
        href("/sessions", s.id), href("/sessions", s.id), s.name or s.id, s.id if s.name else "", when(s.started_at),
        ms((s.ended_at - s.started_at) * 1000), num(s.requests), num(s.steps), num(s.prompt_tokens), num(s.completion_tokens),
        usd(s.cost_usd), h('<span class="badge err">{}</span>', s.errors) if s.errors else "0", s.user or "–") for s in rows)
    table = h('<table class="grid"><thead><tr><th>Session</th><th>Started</th><th class="num">Duration</th>'
              '<th class="num">Requests</th><th class="num">Steps</th><th class="num">Tokens in / out</th><th class="num">Cost</th>'
              '<th class="num">Errors</th><th>User</th></tr></thead><tbody>{}</tbody></table>', body) if rows else empty(
        "No sessions match." if search else
        Html("No sessions yet. Calls made inside <code>helicone_otel.session(id, path=…)</code> appear here."))
    links = []
    if offset > 0:
        links.append(h('<a href="{}" rel="prev">← Newer</a>', href("/sessions", q=search, offset=max(offset - PAGE, 0) or "")))
    if offset + PAGE < total:
        links.append(h('<a href="{}" rel="next">Older →</a>', href("/sessions", q=search, offset=offset + PAGE)))
    form = h('<form class="filters" method="get" action="/sessions"><label>search <input name="q" value="{}" '
             'placeholder="session id or name"></label><button type="submit">Search</button></form>', search)
    live = h('<div id="sessions-live" data-live-region><p class="summary">{} {}</p>{}<nav class="pager">{}</nav></div>',
             num(total), "session" if total == 1 else "sessions", table, join(links))
    return "Sessions", h("<h1>Sessions</h1>{}{}", form, live)


@dataclass
class Node:
    """A path segment with the requests made at exactly that path and its sub-paths."""

    name: str
    path: str
    requests: list[RequestRecord] = field(default_factory=list)
    children: dict[str, "Node"] = field(default_factory=dict)

    def all(self) -> list[RequestRecord]:
        return self.requests + [r for c in self.children.values() for r in c.all()]


def tree(records: list[RequestRecord]) -> Node:
    """Requests by ``Helicone-Session-Path`` (``/plan/research`` under ``/plan``)."""
    root = Node("", "/")
    for record in records:
        node, path = root, ""
        segments = str(record.properties.get(SESSION_PATH) or "/").strip("/").split("/")
        if len(segments) > MAX_DEPTH:  # a hostile path must not nest without end
            segments = segments[:MAX_DEPTH - 1] + ["/".join(segments[MAX_DEPTH - 1:])]
        for segment in segments:
            if segment:
                path += "/" + segment
                node = node.children.setdefault(segment, Node(segment, path))
        node.requests.append(record)
    return root


def _end(r: RequestRecord) -> float:
    return r.created_at + max(r.latency_ms, 0) / 1000


def _totals(records: list[RequestRecord]) -> tuple[float, float, int, int, float]:
    start = min(r.created_at for r in records)
    end = max(_end(r) for r in records)
    return (start, end, sum(r.prompt_tokens or 0 for r in records), sum(r.completion_tokens or 0 for r in records),
            sum(r.cost_usd or 0.0 for r in records))


def _rows(node: Node, depth: int, t0: float, span: float, out: list[Html]) -> None:
    records = node.all()
    if node.name and records:
        start, end, prompt, completion, cost = _totals(records)
        out.append(h('<tr class="node"><td class="name" data-depth="{}"><span class="indent-{}"></span>{} '
                      '<span class="muted small">{}</span></td><td class="wf">{}</td><td class="num">{}</td>'
                      '<td class="num">{} / {}</td><td class="num">{}</td></tr>',
                      min(depth, 9), min(depth, 9), node.path, f"{len(records)} call(s)",
                      bar((start - t0) / span, (end - t0) / span, "node", f"{node.path}: {ms((end - start) * 1000)}"),
                      ms((end - start) * 1000), num(prompt), num(completion), usd(cost)))
        depth += 1
    for r in node.requests:
        kind = "step" if reads.is_step(r.model) else "llm" if 200 <= r.status < 300 else "err"
        label = f"{r.model}: {ms(r.latency_ms)}"
        out.append(h('<tr class="call" data-href="{}"><td class="name"><span class="indent-{}"></span><a href="{}">{}</a> {}</td>'
                     '<td class="wf">{}</td><td class="num">{}</td><td class="num">{} / {}</td><td class="num">{}</td></tr>',
                     href("/requests", r.id), min(depth, 9), href("/requests", r.id), r.model or "(no model)",
                     status_badge(r) if kind == "err" else "", bar((r.created_at - t0) / span, (_end(r) - t0) / span, kind, label),
                     ms(r.latency_ms), num(r.prompt_tokens or 0), num(r.completion_tokens or 0), cost_cell(r)))
    for child in node.children.values():
        _rows(child, depth, t0, span, out)


def detail_page(store: Store, session_id: str) -> Optional[tuple[str, Html]]:
    """One session's tree and waterfall; None when no request carries this session id."""
    records = reads.session_records(store, session_id)
    if not records:
        return None
    start, end, prompt, completion, cost = _totals(records)
    span = max(end - start, 1e-3)
    names = [str(r.properties[SESSION_NAME]) for r in records if r.properties.get(SESSION_NAME)]
    steps = sum(1 for r in records if reads.is_step(r.model))
    errors = sum(1 for r in records if not 200 <= r.status < 300)
    rows: list[Html] = []
    _rows(tree(records), 0, start, span, rows)
    facts = join(h('<div><dt>{}</dt><dd>{}</dd></div>', k, v) for k, v in [
        ("Started", when(start)), ("Duration", ms((end - start) * 1000)), ("LLM requests", num(len(records) - steps)),
        ("Steps", num(steps)), ("Tokens in / out", f"{num(prompt)} / {num(completion)}"), ("Cost", usd(cost)),
        ("Errors", num(errors))])
    table = h('<table class="grid waterfall"><thead><tr><th>Path / call</th><th class="wf">{}</th><th class="num">Duration</th>'
              '<th class="num">Tokens in / out</th><th class="num">Cost</th></tr></thead><tbody>{}</tbody>'
              '<tfoot><tr><th>Total</th><td></td><td class="num">{}</td><td class="num">{} / {}</td><td class="num">{}</td></tr>'
              '</tfoot></table>', axis((end - start) * 1000, ms), join(rows), ms((end - start) * 1000), num(prompt),
              num(completion), usd(cost))
    body = h('<p><a href="/sessions">← Sessions</a> · <a href="{}">its requests as a table</a></p><h1>{} <span class="muted">{}</span>'
             '</h1><div id="session-live" data-live-region><dl class="facts">{}</dl>{}</div>',
             href("/requests", session=session_id), names[0] if names else session_id, session_id if names else "", facts, table)
    return f"Session {names[0] if names else session_id}", body


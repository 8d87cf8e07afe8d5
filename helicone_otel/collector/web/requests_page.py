"""``/requests``: the table with filters and keyset pages; ``/requests/<id>``: one request, its
messages as a chat, tool calls, token breakdown, cost and timing."""

from __future__ import annotations

from typing import Any, Mapping

from .. import reads
from ..queries import SESSION_ID, SESSION_NAME, SESSION_PATH
from ..record import RequestRecord
from ..store import Store
from .chat import Message, conversation, tools
from .html import Html, clip, empty, esc, h, href, join, ms, num, pager, pretty_json, usd, when

_SESSION_KEYS = (SESSION_ID, SESSION_PATH, SESSION_NAME)


def filters_from(query: Mapping[str, list[str]]) -> reads.Filters:
    """Filters from the query string: ``model``, ``status``, ``user``, ``session``, ``provider``
    and properties as ``p.<name>=<value>`` (or ``pk``/``pv`` from the form)."""
    first = {k: v[0].strip() for k, v in query.items() if v}
    props = [(k[2:], v[0]) for k, v in query.items() if k.startswith("p.") and len(k) > 2 and v]
    if first.get("pk"):
        props.append((first["pk"], first.get("pv", "")))
    return reads.Filters(model=first.get("model", ""), provider=first.get("provider", ""), status=first.get("status", ""),
                         user=first.get("user", ""), session=first.get("session", ""), properties=props)


def filter_params(filters: reads.Filters) -> dict[str, Any]:
    """The query parameters that give these filters back."""
    params: dict[str, Any] = {"model": filters.model, "provider": filters.provider, "status": filters.status,
                              "user": filters.user, "session": filters.session}
    for name, value in filters.properties:
        params[f"p.{name}"] = value or ""
    return params


def _tokens(r: RequestRecord) -> Html:
    if not (r.prompt_tokens or r.completion_tokens or r.cache_read_tokens or r.cache_write_tokens or r.reasoning_tokens):
        return Html('<span class="muted">–</span>')
    extra = [f"{num(n)} {label}" for n, label in ((r.cache_read_tokens, "cached"), (r.cache_write_tokens, "cache write"),
                                                  (r.reasoning_tokens, "reasoning")) if n]
    return h('{} / {}{}', num(r.prompt_tokens or 0), num(r.completion_tokens or 0),
             h('<small>{}</small>', ", ".join(extra)) if extra else "")


def status_badge(r: RequestRecord) -> Html:
    ok = 200 <= r.status < 300
    return h('<span class="badge {}">{}</span>', "ok" if ok else "err", r.status)


def cost_cell(r: RequestRecord) -> Html:
    if reads.is_step(r.model):
        return Html('<span class="muted">step</span>')
    if r.cost_usd is None:
        return Html('<span class="muted" title="Helicone prices this model; helicone_otel\'s price table does not">unpriced</span>')
    return esc(usd(r.cost_usd))


def _properties(r: RequestRecord, params: dict[str, Any]) -> Html:
    chips = [h('<a class="chip" href="{}">{}={}</a>', href("/requests", **{**params, f"p.{k}": str(v)}), k, v)
             for k, v in sorted(r.properties.items()) if k not in _SESSION_KEYS]
    return join(chips) or Html('<span class="muted">–</span>')


def _row(r: RequestRecord, params: dict[str, Any]) -> Html:
    session = r.properties.get(SESSION_ID)
    link = href("/requests", r.id)
    return h(
        '<tr data-href="{}"><td class="nowrap"><a href="{}">{}</a></td><td>{}</td><td><a href="{}">{}</a></td><td>{}</td>'
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
        link, link, when(r.created_at), "step" if reads.is_step(r.model) else r.provider,
        href("/requests", **{**params, "model": r.model}), r.model or "–", status_badge(r), _tokens(r), cost_cell(r),
        ms(r.latency_ms), ms(r.time_to_first_token_ms) if r.time_to_first_token_ms else "–",
        h('<a href="{}">{}</a>', href("/requests", **{**params, "user": r.user_id}), r.user_id) if r.user_id else "–",
        h('<a href="{}">{}</a>', href("/sessions", str(session)), session) if session else "–", _properties(r, params))


def _select(name: str, label: str, current: str, options: list[tuple[str, str]]) -> Html:
    items = join(h('<option value="{}"{}>{}</option>', value, Html(" selected") if value == current else "", text)
                 for value, text in [("", "any")] + options)
    return h('<label>{} <select name="{}" class="autosubmit">{}</select></label>', label, name, items)


def _form(filters: reads.Filters, choices: dict[str, list[str]]) -> Html:
    models = [(m, m) for m in choices["model"]]
    if filters.model and filters.model not in choices["model"]:
        models.append((filters.model, filters.model))
    statuses = [("ok", "ok (2xx)"), ("error", "errors")] + [(s, s) for s in choices["status"]]
    users = join(h('<option value="{}"></option>', u) for u in choices["user"])
    names = join(h('<option value="{}"></option>', p) for p in choices["property"] if p not in _SESSION_KEYS)
    key, value = (filters.properties[-1] if filters.properties else ("", ""))
    return h(
        '<form class="filters" method="get" action="/requests">{}{}'
        '<label>user <input name="user" list="users" value="{}" placeholder="any"></label><datalist id="users">{}</datalist>'
        '<label>session <input name="session" value="{}" placeholder="any"></label>'
        '<label>property <input name="pk" list="props" value="{}" placeholder="name" size="10"></label>'
        '<datalist id="props">{}</datalist><label>= <input name="pv" value="{}" placeholder="value" size="10"></label>'
        '{}<button type="submit">Filter</button> <a class="button subtle" href="/requests">Clear</a></form>',
        _select("model", "model", filters.model, models), _select("status", "status", filters.status, statuses),
        filters.user, users, filters.session, key, names, value,
        h('<input type="hidden" name="provider" value="{}">', filters.provider) if filters.provider else "")


def list_page(store: Store, query: Mapping[str, list[str]], base_url: str = "http://127.0.0.1:8585") -> tuple[str, Html]:
    """The requests table."""
    filters = filters_from(query)
    first = {k: v[0] for k, v in query.items() if v}
    page = reads.requests_page(store, filters, before=first.get("before"), after=first.get("after"))
    params = filter_params(filters)
    rows = join(_row(r, params) for r in page.rows)
    table = h('<table class="grid requests"><thead><tr><th>Time</th><th>Provider</th><th>Model</th><th>Status</th>'
              '<th class="num">Tokens in / out</th><th class="num">Cost</th><th class="num">Latency</th>'
              '<th class="num">TTFT</th><th>User</th><th>Session</th><th>Properties</th></tr></thead><tbody>{}</tbody></table>',
              rows) if page.rows else empty(
        "No requests match these filters." if any(params.values()) else
        h("Nothing stored yet. Point your app at this collector: <code>HELICONE_BASE_URL={}</code>", base_url))
    count = f"more than {num(reads.COUNT_CAP)}" if page.capped else num(page.total)
    summary = h('<p class="summary" id="match-count">{} {} match</p>', count, "request" if page.total == 1 else "requests")
    live = h('<div id="requests-live" data-live-region>{}{}{}</div>', summary, table,
             pager(page.older, page.newer, "/requests", params))
    return "Requests", h('<h1>Requests</h1>{}{}', _form(filters, reads.choices(store)), live)


def _message(message: Message) -> Html:
    parts = []
    for part in message.parts:
        if part.kind == "text":
            parts.append(h('<div class="text">{}</div>', clip(part.text)))
        elif part.kind == "thinking":
            parts.append(h('<details class="thinking"><summary>reasoning</summary><div class="text">{}</div></details>', clip(part.text)))
        elif part.kind == "tool_call":
            parts.append(h('<div class="tool-call"><span class="label">calls tool</span> <code class="fn">{}</code>'
                           '<span class="muted">{}</span><pre>{}</pre></div>', part.name or "?", part.ident, clip(part.text)))
        elif part.kind == "tool_result":
            parts.append(h('<div class="tool-result"><span class="label">tool result</span> <code class="fn">{}</code>'
                           '<span class="muted">{}</span><pre>{}</pre></div>', part.name, part.ident, clip(part.text)))
        elif part.kind == "media":
            parts.append(h('<div class="media muted">[{}]</div>', part.text))
        else:
            parts.append(h('<div class="data"><span class="label">{}</span><pre>{}</pre></div>', part.name, clip(part.text)))
    role = message.role.lower()
    known = role if role in ("system", "user", "assistant", "tool", "input", "output", "error", "developer") else "other"
    return h('<div class="msg role-{}{}"><div class="role">{}</div><div class="parts">{}</div></div>',
             known, " reply" if message.reply else "", message.role, join(parts))


def _facts(items: list[tuple[str, Any]]) -> Html:
    return h('<dl class="facts">{}</dl>', join(h('<div><dt>{}</dt><dd>{}</dd></div>', k, v) for k, v in items))


def detail_page(store: Store, request_id: str) -> tuple[str, Html] | None:
    """One request; None when no request has this id."""
    r = reads.request_by_id(store, request_id)
    if r is None:
        return None
    session = r.properties.get(SESSION_ID)
    step = reads.is_step(r.model)
    facts = _facts([
        ("Time", when(r.created_at)), ("Latency", ms(r.latency_ms)),
        ("Time to first token", ms(r.time_to_first_token_ms) if r.time_to_first_token_ms else "–"),
        ("Cost", cost_cell(r)), ("Provider", "step" if step else r.provider), ("Status", status_badge(r)),
        ("User", h('<a href="{}">{}</a>', href("/requests", user=r.user_id), r.user_id) if r.user_id else "–"),
        ("Session", h('<a href="{}">{}</a> <span class="muted">{}</span>', href("/sessions", str(session)), session,
                      r.properties.get(SESSION_PATH, "")) if session else "–"),
        ("Request id", h("<code>{}</code>", r.id)), ("Received via", r.source)])
    breakdown = [("Prompt (uncached)", r.prompt_tokens), ("Cache read", r.cache_read_tokens),
                 ("Cache write", r.cache_write_tokens), ("Completion", r.completion_tokens),
                 ("Reasoning", r.reasoning_tokens), ("Total", r.total_tokens)]
    tokens = h('<table class="grid compact tokens"><tbody>{}</tbody></table><p class="note">As Helicone counts them: prompt tokens '
               'exclude cache reads and writes (shown apart), completion tokens exclude reasoning, and the total is prompt + '
               'completion + reasoning.</p>',
               join(h('<tr><th>{}</th><td class="num">{}</td></tr>', k, num(v or 0)) for k, v in breakdown))
    props = join(h('<tr><th>{}</th><td>{}</td></tr>', k, v) for k, v in sorted(r.properties.items()))
    chat = join(_message(m) for m in conversation(r.request_body, r.response_body))
    offered = join(h('<details class="tool"><summary><code>{}</code> {}</summary><pre>{}</pre></details>', t.name,
                     t.description, pretty_json(t.parameters)) for t in tools(r.request_body))
    body = h(
        '<p><a href="/requests">← Requests</a></p><h1>{} {}</h1>{}'
        '<div class="columns"><section><h2>Conversation</h2><div class="chat">{}</div>{}</section>'
        '<aside><h2>Tokens</h2>{}<h2>Properties</h2>{}</aside></div>'
        '<h2>Raw bodies</h2><details><summary>Request body</summary><pre class="json">{}</pre></details>'
        '<details><summary>Response body</summary><pre class="json">{}</pre></details>',
        r.model or "(no model)", status_badge(r), facts, chat or empty("No messages in this body; see the raw bodies below."),
        h("<h2>Tools offered</h2>{}", offered) if offered else "", tokens,
        h('<table class="grid compact"><tbody>{}</tbody></table>', props) if props else empty("none"),
        pretty_json(r.request_body), pretty_json(r.response_body))
    return f"{r.model or 'Request'} · {when(r.created_at)}", body

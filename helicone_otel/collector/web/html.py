"""HTML building with escaping by default, number formats and the page layout.

Every stored string is untrusted (prompt text, model names, property values arrive from any
client). Pages are built only through ``h(template, *values)``: the template is code, every value
is escaped unless it is already ``Html`` made by these functions. The layout loads nothing but
``/static`` files, and the Content-Security-Policy sent with every page (web/__init__.py) forbids
inline script, so even a missed escape could not run code.
"""

from __future__ import annotations

import html
import json
import math
import time
from datetime import datetime
from typing import Any, Iterable, Optional
from urllib.parse import quote, urlencode

MAX_TEXT = 20_000  # characters of one message part shown before "… more"
MAX_JSON = 200_000  # characters of a raw body shown


class Html(str):
    """Markup that is safe to emit as it is."""

    __slots__ = ()


def esc(value: Any) -> Html:
    """``value`` as text in HTML (attribute-safe: quotes are escaped too)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def h(template: str, *values: Any) -> Html:
    """``template.format(*values)`` with every value escaped (``Html`` values kept, numbers kept
    as numbers for format specs like ``{:.1f}``)."""
    return Html(template.format(*(v if isinstance(v, (int, float)) and not isinstance(v, bool) else esc(v) for v in values)))


def join(parts: Iterable[Any], separator: str = "") -> Html:
    """Escaped parts, joined."""
    return Html(separator.join(esc(p) for p in parts))


def href(path: str, *segments: str, **params: Any) -> str:
    """``/requests/<id>?model=…``: segments percent-encoded (a stored id is never a scheme or a
    path), empty parameters left out, lists repeated."""
    url = path + "".join("/" + quote(str(s), safe="") for s in segments)
    pairs = [(k, v) for k, v in params.items() if v not in (None, "", [], False)]
    flat = [(k, x) for k, v in pairs for x in (v if isinstance(v, (list, tuple)) else [v])]
    return url + ("?" + urlencode(flat) if flat else "")


def clip(text: str, limit: int = MAX_TEXT) -> Html:
    """Text cut at ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return esc(text)
    return h('{}<span class="more">… {} more characters (see the raw body)</span>', text[:limit], f"{len(text) - limit:,}")


def pretty_json(value: Any, limit: int = MAX_JSON) -> Html:
    """A JSON value, indented, clipped."""
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return clip(text, limit)


def when(ts: Optional[float]) -> str:
    """Local date and time to the second."""
    if ts is None or not math.isfinite(ts) or ts <= 0:
        return "–"
    try:
        return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return "–"


def ago(ts: float, now: Optional[float] = None) -> str:
    """``12 s ago``, ``5 min ago``, ``3 h ago``, else the date."""
    delta = (time.time() if now is None else now) - ts
    if 0 <= delta < 60:
        return f"{int(delta)} s ago"
    if 0 <= delta < 3600:
        return f"{int(delta // 60)} min ago"
    if 0 <= delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return when(ts)[:10]


def ms(value: Optional[float]) -> str:
    """``340 ms``, ``1.25 s``, ``2 min 5 s``."""
    if value is None:
        return "–"
    if abs(value) < 1000:
        return f"{value:.0f} ms"
    if abs(value) < 60_000:
        return f"{value / 1000:.2f} s"
    return f"{int(value // 60_000)} min {int(value % 60_000 // 1000)} s"


def usd(value: Optional[float]) -> str:
    """``$0.000142``, ``$12.34``."""
    if value is None:
        return "–"
    return f"${value:,.2f}" if value >= 100 else f"${value:.4f}" if value >= 1 else f"${value:.6f}"


def num(value: Optional[int]) -> str:
    """``12,345``."""
    return "–" if value is None else f"{value:,}"


NAV = (("requests", "/requests", "Requests"), ("sessions", "/sessions", "Sessions"), ("costs", "/costs", "Costs"),
       ("spans", "/spans", "Spans"))


def page(title: str, active: str, body: Html, *, store_path: str, counts: tuple[int, int], live: bool = True) -> bytes:
    """A whole page. ``live`` pages re-read their ``[data-live]`` regions every few seconds."""
    nav = join(h('<a href="{}"{}>{}</a>', url, Html(' class="active" aria-current="page"') if key == active else "", label)
               for key, url, label in NAV)
    toggle = Html('<label class="live-toggle" title="Refresh while calls arrive"><input type="checkbox" id="live" checked> '
                  'live</label><span id="updated" class="muted"></span>') if live else Html("")
    document = h(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        '<title>{} · helicone-otel</title><link rel="stylesheet" href="/static/app.css">'
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><script src="/static/app.js" defer></script></head>'
        '<body data-live="{}"><header class="top"><a class="brand" href="/requests">helicone-otel <span>local</span></a>'
        '<nav>{}</nav><div class="right">{}</div></header><main>{}</main>'
        '<footer>Read-only view of <code>{}</code> · {} requests · {} spans</footer></body></html>\n',
        title, "1" if live else "0", nav, toggle, body, store_path, num(counts[0]), num(counts[1]))
    return document.encode("utf-8", errors="replace")


def pager(older: Optional[str], newer: Optional[str], base: str, params: dict[str, Any]) -> Html:
    """Newest / newer / older links for keyset pages."""
    links = []
    if newer:
        links.append(h('<a href="{}">Newest</a>', href(base, **params)))
        links.append(h('<a href="{}" rel="prev">← Newer</a>', href(base, **params, after=newer)))
    if older:
        links.append(h('<a href="{}" rel="next">Older →</a>', href(base, **params, before=older)))
    return h('<nav class="pager">{}</nav>', join(links)) if links else Html("")


def empty(message: Html | str) -> Html:
    """A friendly placeholder for an empty table."""
    return h('<div class="empty">{}</div>', message)

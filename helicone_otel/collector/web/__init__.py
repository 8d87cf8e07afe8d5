"""The collector's read-only web view: requests, sessions, costs and generic spans, served by the
collector itself on the same port (``GET /``). HTML is built on the server with every stored
string escaped (web/html.py); the only assets are the package's own ``static`` files, so it works
offline; every answer forbids framing, sniffing, inline script and any other origin.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable, Optional
from urllib.parse import parse_qs, unquote

from .. import reads
from ..store import Store
from . import costs_page, requests_page, sessions_page, spans_page
from .html import Html, empty, h, page

logger = logging.getLogger("helicone_otel.collector")

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "no-referrer", "Cross-Origin-Resource-Policy": "same-origin"}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
PREFIXES = ("/requests", "/sessions", "/costs", "/spans", "/traces", "/static/")


@dataclass
class Answer:
    """An HTTP answer of the view."""

    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def is_view_path(path: str) -> bool:
    """Whether a GET of this path is the web view's (Helicone's routes are all POSTs)."""
    return path in ("/", "/favicon.ico") or any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in PREFIXES)


def _static(name: str) -> Optional[bytes]:
    suffix = name[name.rfind("."):] if "." in name else ""
    if suffix not in STATIC_TYPES or "/" in name or "\\" in name or name.startswith("."):
        return None
    try:
        return (resources.files("helicone_otel.collector") / "static" / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


class WebView:
    """Answers the view's GET requests from a store."""

    def __init__(self, store: Store, base_url: str) -> None:
        self.store = store
        self.base_url = base_url

    def answer(self, target: str) -> Answer:
        """The answer to ``GET target`` (path and query string)."""
        path, _, query_text = target.partition("?")
        try:
            query = parse_qs(query_text, keep_blank_values=False, max_num_fields=100)
        except ValueError:
            return self._page(400, "Bad request", "", empty("Too many query parameters."), live=False)
        try:
            return self._route(path, query)
        except Exception:  # noqa: BLE001 - a page that fails says so; the collector keeps serving
            logger.exception("collector: web view %s failed", path)
            return self._page(500, "Error", "", empty("This page failed; the collector's log has the details."), live=False)

    def _route(self, path: str, query: dict[str, list[str]]) -> Answer:
        if path in ("/", "/requests/"):
            return Answer(302, b"", headers={"Location": "/requests"})
        if path == "/favicon.ico":
            return Answer(302, b"", headers={"Location": "/static/favicon.svg"})
        if path.startswith("/static/"):
            data = _static(path[len("/static/"):])
            if data is None:
                return self._not_found()
            return Answer(200, data, STATIC_TYPES[path[path.rfind("."):]], {"Cache-Control": "no-cache"})
        head, _, rest = path.lstrip("/").partition("/")
        item = unquote(rest, errors="replace")
        pages: dict[str, tuple[str, Callable[[], Optional[tuple[str, Html]]]]] = {
            "requests": ("requests", lambda: requests_page.detail_page(self.store, item) if item else
                         requests_page.list_page(self.store, query, self.base_url)),
            "sessions": ("sessions", lambda: sessions_page.detail_page(self.store, item) if item else
                         sessions_page.list_page(self.store, query)),
            "costs": ("costs", lambda: None if item else costs_page.page(self.store, query)),
            "spans": ("spans", lambda: None if item else spans_page.list_page(self.store, query, self.base_url)),
            "traces": ("spans", lambda: spans_page.trace_page(self.store, item) if item else None),
        }
        if head not in pages:
            return self._not_found()
        active, build = pages[head]
        built = build()
        if built is None:
            return self._not_found()
        title, body = built
        live = not (head == "requests" and item)
        return self._page(200, title, active, body, live=live)

    def _not_found(self) -> Answer:
        return self._page(404, "Not found", "", h('<h1>Not found</h1>{}', empty(
            Html('Nothing is stored under this address. <a href="/requests">All requests</a>'))), live=False)

    def _page(self, status: int, title: str, active: str, body: Html, *, live: bool) -> Answer:
        try:
            counts = reads.counts(self.store)
        except Exception:  # noqa: BLE001 - the error page must not fail too
            counts = (0, 0)
        return Answer(status, page(title, active, body, store_path=self.store.path, counts=counts, live=live))

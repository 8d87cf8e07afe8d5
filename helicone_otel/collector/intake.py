"""What reaches the collector before any route sees it: body framing with hard limits, and the
checks that keep web pages and other hosts' names out (the collector is a server: its input is
hostile).

- Body size: ``Content-Length`` must be plain digits (a negative or garbled one is a 400, not an
  unbounded read); a body that cannot fit Helicone's 10 MiB limit even after decompression is
  refused without buffering it (read and discarded up to 64 MiB so the client sees the answer,
  cut off beyond); chunked bodies stop at the same limit. Decompression itself is capped in
  http_body.py.
- Browsers: a POST that carries an ``Origin`` other than the collector's own, a cross-site
  ``Sec-Fetch-Site``, or a browser's form content type (``text/plain``, form encodings: the
  types a page may send without a CORS preflight) is refused with 403, so a web page cannot
  write into the store. SDKs and servers send none of these headers.
- ``Host``: the web view answers only to this machine's names (or the address it was bound to),
  so a DNS-rebinding page cannot read stored prompts through a name of its own.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping, Optional
from urllib.parse import urlsplit

from .http_body import BODY_LIMIT, BodyError

# A deflate stream never inflates to less than its size minus ~0.1% and a few header bytes, so a
# raw body above this cannot come within BODY_LIMIT once decoded.
RAW_LIMIT = BODY_LIMIT + BODY_LIMIT // 64 + 65536
DRAIN_LIMIT = 64 * 1024 * 1024
_DIGITS = re.compile(r"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")
_SIMPLE_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})


class Refused(Exception):
    """The request is answered ``status`` with this message and the connection is closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class TooLarge(BodyError):
    """The body exceeds the limit: Helicone's body parser fails, so jawn answers 500."""


def read_body(rfile: Any, content_length: list[str], transfer_encoding: str) -> Optional[bytes]:
    """The request body (None when the request has none)."""
    if "chunked" in transfer_encoding.lower():
        return _read_chunked(rfile)
    if not content_length:
        return None
    values = {value.strip() for value in content_length}
    if len(values) > 1:
        raise Refused(400, "conflicting Content-Length headers")
    text = values.pop()
    if not _DIGITS.fullmatch(text):
        raise Refused(400, f"invalid Content-Length {text[:40]!r}")
    length = int(text)
    if length > RAW_LIMIT:
        if length <= DRAIN_LIMIT:
            _discard(rfile, length)
        raise TooLarge("request entity too large")
    data = rfile.read(length)
    if len(data) < length:
        raise Refused(400, "body shorter than its Content-Length")
    return data


def _discard(rfile: Any, length: int) -> None:
    while length > 0:
        chunk = rfile.read(min(length, 65536))
        if not chunk:
            return
        length -= len(chunk)


def _read_chunked(rfile: Any) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        line = rfile.readline(1026)
        size_text = line.split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise Refused(400, "malformed chunk size")
        size = int(size_text, 16)
        if size == 0:
            for _ in range(100):  # trailers, then the empty line
                if not rfile.readline(8192).strip():
                    return b"".join(chunks)
            raise Refused(400, "too many trailer lines")
        total += size
        if total > RAW_LIMIT:
            raise TooLarge("request entity too large")
        chunk = rfile.read(size)
        if len(chunk) < size:
            raise Refused(400, "chunk shorter than its size")
        chunks.append(chunk)
        rfile.readline(3)


def media_type(content_type: Optional[str]) -> str:
    """``text/plain; charset=utf-8`` → ``text/plain``."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def refusal(method: str, view_path: bool, headers: Mapping[str, str], bind_host: str, origins: Iterable[str]) -> Optional[str]:
    """Why a request is refused before any route sees it (None: go on): a web page's POST, or a
    page of the view asked for under another host's name."""
    if method == "GET":
        if view_path and not host_allowed(headers.get("host"), bind_host):
            return "the web view answers only to this machine's address (Host header refused)"
        return None
    return browser_refusal(headers, origins)


def browser_refusal(headers: Mapping[str, str], own_origins: Iterable[str]) -> Optional[str]:
    """Why a POST that came from a web page is refused (None when it did not, or is our own)."""
    origin = headers.get("origin")
    if origin is not None and origin.rstrip("/").lower() not in own_origins:
        return "cross-origin requests are refused"
    site = (headers.get("sec-fetch-site") or "").lower()
    if site in ("cross-site", "same-site"):
        return "cross-site requests are refused"
    from_browser = origin is not None or bool(site) or "sec-fetch-mode" in headers
    if from_browser and media_type(headers.get("content-type")) in _SIMPLE_TYPES:
        return "form posts from a browser are refused"
    return None


def host_name(host_header: str) -> str:
    """``127.0.0.1:8585`` → ``127.0.0.1``; ``[::1]:8585`` → ``::1``."""
    try:
        return (urlsplit(f"//{host_header.strip()}").hostname or "").lower()
    except ValueError:
        return "\0invalid"


def host_allowed(host_header: Optional[str], bind_host: str) -> bool:
    """Whether a ``Host`` names this collector: a loopback name or the address it is bound to
    (any name when bound to all interfaces, which the user chose)."""
    if bind_host in WILDCARD_HOSTS or host_header is None:
        return True
    name = host_name(host_header)
    return name in LOOPBACK_NAMES or name == bind_host.strip("[]").lower()


def own_origins(bind_host: str, port: int) -> frozenset[str]:
    """The origins the collector's own pages have."""
    hosts = set(LOOPBACK_NAMES) | ({bind_host.strip("[]").lower()} if bind_host not in WILDCARD_HOSTS else set())
    return frozenset(f"http://{'[' + h + ']' if ':' in h else h}:{port}" for h in hosts)

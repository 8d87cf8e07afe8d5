"""jawn's app-level body parsers (valhalla/jawn/src/index.ts:110-125, body-parser 1.x): JSON,
then URL-encoded, then raw bytes for any other content type, each limited to 10 MiB.

They run before authentication, and any parser error (oversized body, malformed JSON, a
top-level JSON value that is not an object or array, an unknown content encoding) reaches the
error handler as a plain Error: **500**, not 400 or 413 (index.ts:228-253).
"""

from __future__ import annotations

import codecs
import zlib
from typing import Any, Mapping
from urllib.parse import parse_qsl

from .js import parse_json

BODY_LIMIT = 10 * 1024 * 1024  # "10mb" in body-parser's bytes syntax
_PARAMETER_LIMIT = 1000


class BodyError(Exception):
    """A body-parser error; jawn answers 500."""


def _media_type(content_type: str) -> tuple[str, dict[str, str]]:
    kind, _, rest = content_type.partition(";")
    params = {}
    for part in rest.split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return kind.strip().lower(), params


def decode_content(data: bytes, encoding: str) -> bytes:
    """Inflate ``gzip``/``deflate`` bodies (the limit applies to the inflated size)."""
    encoding = (encoding or "identity").strip().lower()
    if encoding == "identity":
        return data
    if encoding not in ("gzip", "deflate"):
        raise BodyError(f'unsupported content encoding "{encoding}"')
    try:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32 if encoding == "gzip" else zlib.MAX_WBITS)
        out = inflater.decompress(data, BODY_LIMIT + 1)
    except zlib.error as error:
        raise BodyError(f"incorrect header check: {error}") from error
    if len(out) > BODY_LIMIT:
        raise BodyError("request entity too large")
    return out


def parse_body(headers: Mapping[str, str], data: bytes | None) -> Any:
    """``req.body`` as jawn's routes see it: a parsed JSON value, a dict for form bodies, the
    raw bytes for any other content type, or ``{}`` when there is no body or no content type."""
    content_type = headers.get("content-type")
    if data is None or not content_type:
        return {}
    data = decode_content(data, headers.get("content-encoding", ""))
    if len(data) > BODY_LIMIT:
        raise BodyError("request entity too large")
    kind, params = _media_type(content_type)
    if kind == "application/json":
        return _json(data, params.get("charset", "utf-8"))
    if kind == "application/x-www-form-urlencoded":
        return _form(data, params.get("charset", "utf-8"))
    return data


def _json(data: bytes, charset: str) -> Any:
    if not charset.startswith("utf-"):
        raise BodyError(f'unsupported charset "{charset.upper()}"')
    try:
        text = codecs.decode(data, charset)
    except (LookupError, UnicodeDecodeError) as error:
        raise BodyError(str(error)) from error
    text = text.removeprefix("\ufeff")
    if len(data) == 0:
        return {}
    first = text.lstrip(" \t\n\r")[:1]
    if first not in ("{", "["):  # body-parser `strict`
        raise BodyError(f"Unexpected token {first!r} in JSON")
    try:
        return parse_json(text)
    except ValueError as error:
        raise BodyError(str(error)) from error


def _form(data: bytes, charset: str) -> dict[str, Any]:
    """Flat ``a=1&b=2`` pairs (qs's bracket nesting is not replicated)."""
    pairs = parse_qsl(data.decode(charset, errors="replace"), keep_blank_values=True)
    if len(pairs) > _PARAMETER_LIMIT:
        raise BodyError("too many parameters")
    form: dict[str, Any] = {}
    for key, value in pairs:
        if key in form:
            form[key] = [*form[key], value] if isinstance(form[key], list) else [form[key], value]
        else:
            form[key] = value
    return form

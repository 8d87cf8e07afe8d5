"""Settings: constructor arguments and environment variables, validated once.

This is the only module that reads the environment. Every variable helicone_otel honours is
named here; the standard ``OTEL_*`` variables keep their meaning in the OpenTelemetry SDK.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence
from urllib.parse import urlsplit

ENV_API_KEY = "HELICONE_API_KEY"
ENV_BASE_URL = "HELICONE_BASE_URL"
ENV_CAPTURE_CONTENT = "HELICONE_CAPTURE_CONTENT"
ENV_ENABLED = "HELICONE_ENABLED"
ENV_OTEL_CAPTURE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
ENV_OTEL_SDK_DISABLED = "OTEL_SDK_DISABLED"
ENV_COLLECTOR_DB = "HELICONE_OTEL_DB"
ENV_PRICES_FILE = "HELICONE_PRICES_FILE"
ENV_STREAM_USAGE = "HELICONE_STREAM_USAGE"
ENV_STREAM_USAGE_HOSTS = "HELICONE_STREAM_USAGE_HOSTS"
ENV_PROXY_HOSTS = "HELICONE_PROXY_HOSTS"
ENV_SAMPLE_RATE = "HELICONE_SAMPLE_RATE"
ENV_CONTEXT_ON_ALL_SPANS = "HELICONE_CONTEXT_ON_ALL_SPANS"
ENV_EXIT_TIMEOUT = "HELICONE_EXIT_TIMEOUT_S"
# At exit a dead or slow collector must not hold the process; flush() waits longer on demand.
DEFAULT_EXIT_TIMEOUT_S = 0.5
ENV_SPOOL_DIR = "HELICONE_SPOOL_DIR"
ENV_SPOOL_MAX_BYTES = "HELICONE_SPOOL_MAX_BYTES"
ENV_SPOOL_MAX_AGE_S = "HELICONE_SPOOL_MAX_AGE_S"
# The standard OTLP variables (read by the OpenTelemetry exporter itself for headers,
# compression and timeout); an endpoint turns on export beside Helicone.
ENV_OTLP_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
ENV_OTLP_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"

DEFAULT_BASE_URL = "https://api.helicone.ai"
EU_BASE_URL = "https://eu.api.helicone.ai"
EU_KEY_PREFIX = "sk-helicone-eu-"
TRACE_PATH = "/v1/trace/log-python"  # OTLP/protobuf intake
TRACE_JSON_PATH = "/v1/trace/log"  # OTLP/JSON intake
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
DEFAULT_COLLECTOR_PORT = 8585
# The spool (``spool_dir``): ~65,000 records of up to 4 KiB, about 1.8 hours of outage at 10 calls/s.
DEFAULT_SPOOL_MAX_BYTES = 256 * 1024 * 1024
DEFAULT_SPOOL_MAX_AGE_S = 7 * 24 * 3600.0

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


def parse_bool(value: str, name: str) -> bool:
    """Read a boolean environment value; anything unrecognised is a ValueError naming ``name``."""
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name}={value!r} is not a boolean; use true or false")


# OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT also takes capture modes in newer contrib
# releases; any mode that records content counts as on.
_CAPTURE_MODES = {"span_only": True, "event_only": True, "span_and_event": True, "no_content": False}


def _env_bool(env: Mapping[str, str], *names: str) -> Optional[bool]:
    for name in names:
        if name in env:
            mode = _CAPTURE_MODES.get(env[name].strip().lower())
            return mode if mode is not None else parse_bool(env[name], name)
    return None


def is_local_url(url: str) -> bool:
    """True when ``url`` points at this machine (the local collector needs no API key)."""
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def default_db_path(env: Mapping[str, str] = os.environ) -> str:
    """Where the local collector keeps its SQLite store unless told otherwise."""
    if env.get(ENV_COLLECTOR_DB):
        return env[ENV_COLLECTOR_DB]
    data_home = env.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data_home, "helicone-otel", "requests.db")


def property_value(value: object) -> str:
    """A property value as Helicone stores it (a string): str, int, float and bool are taken
    (``True`` → ``"true"``); anything else is a TypeError for the caller to see."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    raise TypeError(f"must be a str, int, float or bool, got {type(value).__name__} ({value!r})")


def validate_properties(properties: Optional[Mapping[str, object]], argument: str) -> dict[str, str]:
    """Check that a property mapping has string keys and str/int/float/bool values; return
    a copy with the values as strings."""
    if properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise TypeError(f"{argument} must be a mapping of str to str, got {type(properties).__name__}")
    out: dict[str, str] = {}
    for key, value in properties.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"{argument}: property names must be non-empty strings, got {key!r}")
        try:
            out[key] = property_value(value)
        except TypeError as exc:
            raise TypeError(f"{argument}[{key!r}] {exc}") from None
    return out


@dataclass(frozen=True)
class Settings:
    """Validated configuration of one HeliconeAsyncLogger."""

    api_key: Optional[str]
    base_url: str
    providers: Optional[tuple[str, ...]]
    properties: dict[str, str] = field(default_factory=dict)
    capture_content: bool = True
    enabled: bool = True
    prices: dict[str, Any] = field(default_factory=dict)
    stream_usage: bool = True
    stream_usage_hosts: frozenset[str] = frozenset()
    proxy_hosts: frozenset[str] = frozenset()
    sample_rate: float = 1.0
    # helicone.* context attributes on every span of the provider, not only LLM/step spans
    context_on_all_spans: bool = False
    exit_timeout_s: float = DEFAULT_EXIT_TIMEOUT_S
    helicone: bool = True
    otlp_endpoint: Optional[str] = None  # full traces URL; "" = from the OTEL_* variables
    spool_dir: Optional[str] = None  # records the collector did not take wait here (none: dropped)
    spool_max_bytes: int = DEFAULT_SPOOL_MAX_BYTES
    spool_max_age_s: float = DEFAULT_SPOOL_MAX_AGE_S

    @property
    def trace_endpoint(self) -> str:
        """The OTLP/protobuf intake URL of the collector (OTLP/JSON goes to TRACE_JSON_PATH)."""
        return self.base_url + TRACE_PATH

    @classmethod
    def resolve(
        cls,
        *,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        providers: Optional[Sequence[str]] = None,
        properties: Optional[Mapping[str, str]] = None,
        capture_content: Optional[bool] = None,
        prices: Optional[Mapping[str, Mapping[str, Any]]] = None,
        stream_usage: Optional[bool] = None,
        stream_usage_hosts: Optional[Sequence[str]] = None,
        proxy_hosts: Optional[Sequence[str]] = None,
        sample_rate: Optional[float] = None,
        context_on_all_spans: Optional[bool] = None,
        helicone: bool = True,
        otlp_endpoint: Optional[str] = None,
        spool_dir: Optional[str | os.PathLike[str]] = None,
        spool_max_bytes: Optional[int] = None,
        spool_max_age_s: Optional[float] = None,
        supported_providers: Sequence[str] = (),
        env: Mapping[str, str] = os.environ,
    ) -> "Settings":
        """Merge arguments over environment variables and validate the result.

        Raises ValueError for a wrong value and TypeError for a value of the wrong type, each
        naming the argument and the environment variable it could have come from.
        """
        enabled = _env_bool(env, ENV_ENABLED)
        if enabled is None:
            enabled = True
        if _env_bool(env, ENV_OTEL_SDK_DISABLED):  # the standard switch turns us off too
            enabled = False

        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
        key = api_key if api_key is not None else env.get(ENV_API_KEY) or None
        if key is not None:
            key = key.strip()
            if not key:
                raise ValueError(f"api_key (or {ENV_API_KEY}) is empty")
            if any(c.isspace() or ord(c) < 32 or ord(c) > 126 for c in key):
                # It goes into an HTTP header: a CR/LF or non-ASCII key fails every export.
                raise ValueError(f"api_key (or {ENV_API_KEY}) {mask_key(key)!r} contains whitespace or non-ASCII characters")

        if base_url is not None and not isinstance(base_url, str):
            raise TypeError(f"base_url must be a str, got {type(base_url).__name__}")
        url = base_url if base_url is not None else env.get(ENV_BASE_URL) or None
        if url is None:
            url = EU_BASE_URL if key and key.startswith(EU_KEY_PREFIX) else DEFAULT_BASE_URL
        url = _validate_url(url)
        if not isinstance(helicone, bool):
            raise TypeError(f"helicone must be a bool, got {type(helicone).__name__}")
        if key is None and not is_local_url(url) and enabled and helicone:
            raise ValueError(
                f"no Helicone API key: pass api_key= or set {ENV_API_KEY} "
                f"(only a local collector such as http://127.0.0.1:{DEFAULT_COLLECTOR_PORT} "
                f"works without one; set base_url= or {ENV_BASE_URL} for that)"
            )

        chosen: Optional[tuple[str, ...]] = None
        if providers is not None:
            if isinstance(providers, str) or not all(isinstance(p, str) for p in providers):
                raise TypeError("providers must be a list of provider names, e.g. ['openai', 'anthropic']")
            unknown = sorted(set(providers) - set(supported_providers))
            if unknown:
                raise ValueError(
                    f"providers: unknown provider name(s) {unknown}; "
                    f"supported: {sorted(supported_providers)}"
                )
            chosen = tuple(providers)

        if capture_content is not None and not isinstance(capture_content, bool):
            raise TypeError(f"capture_content must be a bool, got {type(capture_content).__name__}")
        capture = capture_content
        if capture is None:
            capture = _env_bool(env, ENV_CAPTURE_CONTENT, ENV_OTEL_CAPTURE_CONTENT)
        if capture is None:
            capture = True

        merged_prices = _prices_from_file(env)
        if prices is not None:
            if not isinstance(prices, Mapping):
                raise TypeError("prices must be a mapping of model name to {'input': ..., 'output': ...}")
            merged_prices.update(prices)

        if stream_usage is not None and not isinstance(stream_usage, bool):
            raise TypeError(f"stream_usage must be a bool, got {type(stream_usage).__name__}")
        usage = stream_usage if stream_usage is not None else _env_bool(env, ENV_STREAM_USAGE)
        rate = _sample_rate(sample_rate, env)
        if context_on_all_spans is not None and not isinstance(context_on_all_spans, bool):
            raise TypeError(f"context_on_all_spans must be a bool, got {type(context_on_all_spans).__name__}")
        on_all_spans = context_on_all_spans if context_on_all_spans is not None else _env_bool(env, ENV_CONTEXT_ON_ALL_SPANS)
        exit_timeout = _exit_timeout(env)
        otlp = _otlp_endpoint(otlp_endpoint, env)
        stream_usage_hosts = _hosts(stream_usage_hosts, "stream_usage_hosts", ENV_STREAM_USAGE_HOSTS, env)
        proxy_hosts = _hosts(proxy_hosts, "proxy_hosts", ENV_PROXY_HOSTS, env)
        spool = _spool_dir(spool_dir, env)
        spool_bytes = _positive(spool_max_bytes, "spool_max_bytes", ENV_SPOOL_MAX_BYTES, env, DEFAULT_SPOOL_MAX_BYTES, int)
        spool_age = _positive(spool_max_age_s, "spool_max_age_s", ENV_SPOOL_MAX_AGE_S, env, DEFAULT_SPOOL_MAX_AGE_S, float)

        return cls(
            api_key=key,
            base_url=url,
            providers=chosen,
            properties=validate_properties(properties, "properties"),
            capture_content=capture,
            enabled=enabled,
            prices=merged_prices,
            stream_usage=True if usage is None else usage,
            stream_usage_hosts=stream_usage_hosts,
            proxy_hosts=proxy_hosts,
            sample_rate=rate,
            context_on_all_spans=bool(on_all_spans),
            exit_timeout_s=exit_timeout,
            helicone=helicone,
            otlp_endpoint=otlp,
            spool_dir=spool,
            spool_max_bytes=int(spool_bytes),
            spool_max_age_s=float(spool_age),
        )


def _exit_timeout(env: Mapping[str, str]) -> float:
    text = env.get(ENV_EXIT_TIMEOUT)
    if not text:
        return DEFAULT_EXIT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 600.0:
        raise ValueError(f"{ENV_EXIT_TIMEOUT}={text!r} must be a number of seconds between 0 and 600")
    return value


def _sample_rate(value: Optional[float], env: Mapping[str, str]) -> float:
    where = "sample_rate"
    if value is None and env.get(ENV_SAMPLE_RATE):
        where = ENV_SAMPLE_RATE
        try:
            value = float(env[ENV_SAMPLE_RATE])
        except ValueError:
            raise ValueError(f"{ENV_SAMPLE_RATE}={env[ENV_SAMPLE_RATE]!r} is not a number between 0 and 1") from None
    if value is None:
        return 1.0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"sample_rate must be a number between 0 and 1, got {type(value).__name__}")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{where} must be between 0 and 1, got {value}")
    return float(value)


def _spool_dir(value: Optional[str | os.PathLike[str]], env: Mapping[str, str]) -> Optional[str]:
    if value is None:
        value = env.get(ENV_SPOOL_DIR) or None
    if value is None:
        return None
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError(f"spool_dir must be a directory path, got {type(value).__name__}") from None
    if not isinstance(path, str) or not path.strip():
        raise ValueError(f"spool_dir (or {ENV_SPOOL_DIR}) {value!r} is not a directory path")
    return os.path.abspath(os.path.expanduser(path))


def _positive(value: Optional[float], argument: str, variable: str, env: Mapping[str, str], default: float, kind: type) -> float:
    """A positive ``kind`` (int or float) from the argument, else the variable, else ``default``."""
    where = argument
    if value is None and env.get(variable):
        where = variable
        try:
            value = kind(env[variable])
        except ValueError:
            raise ValueError(f"{variable}={env[variable]!r} is not a positive {kind.__name__}") from None
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise TypeError(f"{argument} must be a positive {kind.__name__}, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{where} must be positive, got {value}")
    return value


def _otlp_endpoint(value: Optional[str], env: Mapping[str, str]) -> Optional[str]:
    if value is not None:
        if not isinstance(value, str):
            raise TypeError(f"otlp_endpoint must be a str URL, got {type(value).__name__}")
        url = _validate_url(value, "otlp_endpoint", ENV_OTLP_TRACES_ENDPOINT)
        return url if url.endswith("/v1/traces") else url + "/v1/traces"
    if env.get(ENV_OTLP_TRACES_ENDPOINT) or env.get(ENV_OTLP_ENDPOINT):
        return ""  # the exporter reads the variables (and their _HEADERS, _COMPRESSION, …) itself
    return None


def _hosts(hosts: Optional[Sequence[str]], argument: str, variable: str, env: Mapping[str, str]) -> frozenset[str]:
    if hosts is None:
        hosts = [h for h in env.get(variable, "").split(",") if h.strip()]
    if isinstance(hosts, str) or not all(isinstance(h, str) for h in hosts):
        raise TypeError(f"{argument} (or {variable}) must be a list of host names, e.g. ['gateway.internal']")
    return frozenset(h.strip().lower() for h in hosts)


def _prices_from_file(env: Mapping[str, str]) -> dict[str, Any]:
    path = env.get(ENV_PRICES_FILE)
    if not path:
        return {}
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as exc:
        raise ValueError(f"{ENV_PRICES_FILE}={path!r} could not be read as JSON: {exc}") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{ENV_PRICES_FILE}={path!r} must hold a JSON object of model name to prices")
    return loaded


def mask_key(key: str) -> str:
    """An API key as it may appear in messages: a short prefix, the rest hidden."""
    return key[:12] + "…" if len(key) > 16 else key[:4] + "…"


def _validate_url(url: str, argument: str = "base_url", variable: str = ENV_BASE_URL) -> str:
    if any(c in url.strip() for c in "\r\n\t ") or any(ord(c) < 32 for c in url):
        raise ValueError(f"{argument} (or {variable}) {url!r} contains whitespace or control characters")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{argument} (or {variable}) {url!r} is not an http(s) URL, "
            "e.g. https://api.helicone.ai or http://127.0.0.1:8585"
        )
    try:
        parts.port
    except ValueError as exc:
        raise ValueError(f"{argument} (or {variable}) {url!r} has a bad port: {exc}") from None
    path = parts.path.rstrip("/")
    # Users paste the full intake URL from Helicone's docs; accept it and keep the base.
    if path.endswith(TRACE_PATH):
        path = path[: -len(TRACE_PATH)]
    return f"{parts.scheme}://{parts.netloc}{path}"

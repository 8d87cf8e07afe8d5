"""HeliconeAsyncLogger: settings → tracer provider → processors → instrumentors."""

from __future__ import annotations

import atexit
import logging
import os
import signal
import threading
from typing import Any, Callable, Mapping, Optional, Sequence

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from . import instrumentation, steps
from .capture.call import Recorder
from .config import ENV_SPOOL_DIR, Settings
from .cost import PriceBook
from .context_spans import ContextSpanProcessor
from .context import ContextScope, header_properties_to_attributes, property_attributes
from .export.build import RecordBuilder
from .export.helicone import CUSTOM_LOG_PATH
from .export.pipeline import ExportPipeline, ExportStats, FlushHook
from .export.sender import HeliconeSender
from .export.spool import Spool
from .export.spans import id_generator_of

logger = logging.getLogger("helicone_otel")


# The SDKs can be patched once: the logger whose init() ran last owns the patches.
_active: "Optional[HeliconeAsyncLogger]" = None
_active_lock = threading.Lock()
_exit_hook_registered = False


def _shutdown_active_at_exit() -> None:
    # Held here, not through the user's reference: ``HeliconeAsyncLogger().init()`` with the
    # result dropped must still send its queue at exit.
    active = _active
    if active is not None:
        active.shutdown(active.settings.exit_timeout_s)


def _on_sigterm(signum: int, frame: Any) -> None:
    # Containers stop with SIGTERM, whose default action kills the process before atexit runs:
    # send what we have (bounded), then die of SIGTERM as the default would have.
    # On a new thread: the handler runs between two bytecodes of the main thread, which may
    # hold one of our (non-reentrant) locks at that moment; taking it here would deadlock.
    worker = threading.Thread(target=_shutdown_active_at_exit, name="helicone-otel-sigterm", daemon=True)
    worker.start()
    active = _active
    worker.join((active.settings.exit_timeout_s if active is not None else 0.5) + 2.0)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def _install_sigterm_handler() -> None:
    """Only where nobody else handles SIGTERM, and only from the main thread (Python's rule)."""
    try:
        if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError, AttributeError):  # no signals here (embedded interpreter, Windows)
        pass


def _register_child_exit(_: object = None) -> None:
    # multiprocessing children leave through os._exit, which skips atexit; their own
    # finalizers run first (Process._bootstrap → util._exit_function), so the child's calls
    # are sent. Registered after the child's bootstrap, which clears inherited finalizers.
    from multiprocessing import util

    util.Finalize(None, _shutdown_active_at_exit, exitpriority=100)


class HeliconeAsyncLogger:
    """Instrument the installed LLM SDKs and ship their spans to Helicone from a background
    thread. Configuration errors surface here, never inside an LLM call.

    >>> HeliconeAsyncLogger(api_key="sk-helicone-...").init()  # doctest: +SKIP
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        providers: Optional[Sequence[str]] = None,
        properties: Optional[Mapping[str, str]] = None,
        capture_content: Optional[bool] = None,
        tracer_provider: Optional[trace.TracerProvider] = None,
        prices: Optional[Mapping[str, Mapping[str, Any]]] = None,
        stream_usage: Optional[bool] = None,
        stream_usage_hosts: Optional[Sequence[str]] = None,
        proxy_hosts: Optional[Sequence[str]] = None,
        redact: Optional[Callable[[str], str]] = None,
        sample_rate: Optional[float] = None,
        context_on_all_spans: Optional[bool] = None,
        should_export: Optional[Callable[[Any], bool]] = None,
        otlp_endpoint: Optional[str] = None,
        helicone: bool = True,
        spool_dir: Optional[str | os.PathLike[str]] = None,
        spool_max_bytes: Optional[int] = None,
        spool_max_age_s: Optional[float] = None,
    ) -> None:
        self.settings = Settings.resolve(
            api_key=api_key,
            base_url=base_url,
            providers=providers,
            properties=properties,
            capture_content=capture_content,
            prices=prices,
            stream_usage=stream_usage,
            stream_usage_hosts=stream_usage_hosts,
            proxy_hosts=proxy_hosts,
            sample_rate=sample_rate,
            context_on_all_spans=context_on_all_spans,
            helicone=helicone,
            otlp_endpoint=otlp_endpoint,
            spool_dir=spool_dir,
            spool_max_bytes=spool_max_bytes,
            spool_max_age_s=spool_max_age_s,
            supported_providers=instrumentation.supported_providers(),
        )
        if tracer_provider is not None and not hasattr(tracer_provider, "add_span_processor"):
            raise TypeError(
                "tracer_provider must be an opentelemetry.sdk.trace.TracerProvider "
                f"(something with add_span_processor), got {type(tracer_provider).__name__}"
            )
        if redact is not None and not callable(redact):
            raise TypeError(f"redact must be a function of one str returning a str, got {type(redact).__name__}")
        self._redact = redact
        if should_export is not None and not callable(should_export):
            raise TypeError(f"should_export must be a function of a span returning a bool, got {type(should_export).__name__}")
        self._should_export = should_export
        self._external_provider = tracer_provider
        self._price_book = PriceBook(self.settings.prices)
        # Until init() there is nowhere to send calls; the recorder is live from then on.
        self._recorder = Recorder(
            submit=lambda item: None,
            id_generator=None,
            capture_content=self.settings.capture_content,
            stream_usage=self.settings.stream_usage,
            stream_usage_hosts=self.settings.stream_usage_hosts,
            proxy_hosts=self.settings.proxy_hosts,
        )
        self._recorder.sample_bound = int(self.settings.sample_rate * (1 << 64))
        self._static_properties = property_attributes(self.settings.properties, "properties")
        self._process_properties: dict[str, str] = {}
        self._recorder.defaults = self._defaults()
        self._lock = threading.Lock()
        self._initialized = False
        self._tracer_provider: Optional[TracerProvider] = None
        self._pipeline: Optional[ExportPipeline] = None
        self._instrumentors: list[Any] = []

    # -- lifecycle ----------------------------------------------------------------------------
    def init(self) -> "HeliconeAsyncLogger":
        """Start exporting and patch the SDKs; returns ``self``. Idempotent; after
        ``shutdown()`` it starts again. A second logger's ``init()`` takes over from the first
        (which is shut down, sending what it has): one logger is active at a time."""
        global _active
        with _active_lock:
            previous = _active
            if previous is not None and previous is not self:
                logger.warning("helicone_otel: a second HeliconeAsyncLogger was initialised; it replaces the first")
                previous.shutdown(previous.settings.exit_timeout_s)
            self._start()
            if self._initialized:
                _active = self
                global _exit_hook_registered
                if not _exit_hook_registered:
                    # Registered after the user's TracerProvider (atexit runs last-in first):
                    # our pending spans are built before their processors shut down.
                    atexit.register(_shutdown_active_at_exit)
                    _install_sigterm_handler()
                    from multiprocessing import util

                    util.register_after_fork(_register_child_exit, _register_child_exit)
                    _exit_hook_registered = True
        return self

    def _start(self) -> None:
        with self._lock:
            if self._initialized or not self.settings.enabled:
                return
            providers = self._providers_to_instrument()
            provider = self._external_provider or TracerProvider(
                resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", "helicone-otel")}),
                # A private provider exists only to log LLM calls: sample every one unless the
                # user chose a sampler through the standard variable.
                **({} if os.environ.get("OTEL_TRACES_SAMPLER") else {"sampler": ALWAYS_ON}),
            )
            url, key = self.settings.base_url + CUSTOM_LOG_PATH, self.settings.api_key
            builder = RecordBuilder(provider, self._price_book, self._redact, self._should_export, self.settings.helicone)
            self._pipeline = ExportPipeline(
                builder, lambda backoff, errors: HeliconeSender(url, key, backoff, errors), spool=self._open_spool(url, key)
            )
            self._recorder.submit = self._pipeline.enqueue
            if hasattr(provider, "add_span_processor"):
                FlushHook(self._pipeline).install(provider)
                if self.settings.context_on_all_spans:
                    provider.add_span_processor(ContextSpanProcessor(self._recorder))
                if self.settings.otlp_endpoint is not None:
                    provider.add_span_processor(self._otlp_processor(self.settings.otlp_endpoint))
            self._recorder.id_generator = id_generator_of(provider)
            self._tracer_provider = provider
            for name in providers:
                self._instrument(name)
            steps.set_recorder(provider.get_tracer("helicone_otel.steps"), self._recorder, self._price_book, self._redact)
            # The price data loads in ≈ 100 ms on first use. Load it here, once, rather than in a
            # call or a background thread: a fork during that import (gunicorn, multiprocessing
            # right after init) would leave the child's import and price locks held forever.
            self._price_book.lookup("openai", "gpt-4o-mini")
            self._initialized = True

    def _open_spool(self, url: str, key: Optional[str]) -> Optional[Spool]:
        """The spool for records the collector does not take; keyed by URL and key, so a record
        is only ever sent where it was first addressed."""
        settings = self.settings
        if settings.spool_dir is None or not settings.helicone:
            return None
        try:
            return Spool(settings.spool_dir, f"{url}\n{key or ''}", settings.spool_max_bytes, settings.spool_max_age_s)
        except OSError as exc:
            raise ValueError(f"spool_dir (or {ENV_SPOOL_DIR}) {settings.spool_dir!r} cannot be used: {exc}") from None

    @staticmethod
    def _otlp_processor(endpoint: str) -> Any:
        """The same spans, untranslated, to any OTLP/HTTP backend, through the SDK's own batch
        processor: its own queue and thread, so a slow backend never holds up Helicone's."""
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        return BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint) if endpoint else OTLPSpanExporter())

    def _providers_to_instrument(self) -> list[str]:
        requested = self.settings.providers
        if requested is None:
            return [p for p in instrumentation.supported_providers() if instrumentation.is_installed(p)]
        missing = [p for p in requested if not instrumentation.is_installed(p)]
        if missing:
            raise ValueError(
                f"providers: {missing} requested but the SDK is not installed; "
                f"pip install 'helicone_otel[{missing[0]}]'"
            )
        return list(requested)

    def _instrument(self, name: str) -> None:
        try:
            instrumentor = instrumentation.load(name)()
            if instrumentor.is_instrumented_by_opentelemetry:
                logger.warning("helicone_otel: %s is already instrumented; leaving it as it is", name)
                return
            instrumentor.instrument(recorder=self._recorder)
            if not instrumentor.is_instrumented_by_opentelemetry:
                logger.warning("helicone_otel: %s SDK version is not supported; %s calls are not traced", name, name)
                return
            self._instrumentors.append(instrumentor)
        except Exception as exc:  # noqa: BLE001 - one broken instrumentor must not stop the rest
            logger.warning("helicone_otel: could not instrument %s (%s: %s)", name, type(exc).__name__, exc)

    def instrument_client(self, client: Any) -> Any:
        """Trace this one ``openai``/``anthropic`` client object only (use with
        ``providers=[]`` so no SDK class is patched); returns the client.

        ``client = logger.instrument_client(openai.OpenAI())``
        """
        from .capture.request_point import instrument_client

        module = type(client).__module__.split(".", 1)[0]
        if module not in instrumentation.supported_providers() or not self._initialized:
            raise TypeError(
                f"instrument_client: {type(client).__name__} is not a client of a supported SDK "
                f"({', '.join(instrumentation.supported_providers())}), or init() has not run"
            )
        if not instrument_client(client, self._recorder, instrumentation.load(module)()):
            logger.warning("helicone_otel: %s calls are already traced for every client", module)
        return client

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait up to ``timeout_s`` for queued spans to be sent. True if the queue emptied."""
        pipeline = self._pipeline
        if pipeline is None:
            return True
        return pipeline.flush(timeout_s)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """Unpatch the SDKs, send what fits in ``timeout_s`` and stop. Also runs at exit."""
        global _active
        with self._lock:
            if not self._initialized:
                return
            self._initialized = False
            for instrumentor in self._instrumentors:
                try:
                    instrumentor.uninstrument()
                except Exception:  # noqa: BLE001
                    logger.exception("helicone_otel: uninstrument failed")
            self._instrumentors = []
            steps.set_recorder(None, None)
        if _active is self:
            _active = None
        if self._pipeline is not None:
            self._pipeline.shutdown(timeout_s)
        if self._external_provider is None and self._tracer_provider is not None:
            self._tracer_provider.shutdown()

    def stats(self) -> ExportStats:
        """Export counters: exported, dropped (by reason), queued, last error."""
        stats = ExportStats() if self._pipeline is None else self._pipeline.stats()
        stats.sampled_out = self._recorder.sampled_out
        return stats

    @property
    def tracer_provider(self) -> Optional[TracerProvider]:
        """The provider our spans are made with (yours, or our private one after ``init()``)."""
        return self._tracer_provider

    # -- switches -----------------------------------------------------------------------------
    def disable_logging(self) -> None:
        """Stop making spans for LLM calls (the calls themselves are untouched)."""
        self._recorder.enabled = False

    def enable_logging(self) -> None:
        """Resume making and sending spans."""
        self._recorder.enabled = True

    # -- properties ---------------------------------------------------------------------------
    def set_properties(self, properties: Mapping[str, str]) -> None:
        """Set process-wide defaults (Helicone header-style keys), merged over earlier ones.

        They apply to every span in every thread and task, under any narrower context. For
        per-request values use :meth:`with_properties` or :func:`helicone_otel.session`.
        """
        translated = header_properties_to_attributes(properties, "set_properties")
        with self._lock:
            self._process_properties.update(translated)
            # Replaced, never mutated: a call in flight keeps the mapping it recorded.
            self._recorder.defaults = self._defaults()

    def with_properties(self, properties: Mapping[str, str]) -> ContextScope:
        """Helicone header-style values (``Helicone-Session-Id``, ``Helicone-Property-X``…) for
        the calls inside a ``with`` block or a decorated function."""
        return ContextScope(header_properties_to_attributes(properties, "with_properties"))

    def _defaults(self) -> dict[str, str]:
        return {**self._static_properties, **self._process_properties}


def zero_code_logger(tracer_provider: Any = None) -> Optional[HeliconeAsyncLogger]:
    """The logger behind ``opentelemetry-instrument``: configured from ``HELICONE_*`` and
    ``OTEL_*`` variables, on the global (or given) tracer provider. Without a Helicone key or
    base URL it makes spans only, for the app's own exporters, with one warning."""
    if _active is not None:
        return _active
    provider = tracer_provider or trace.get_tracer_provider()
    if not hasattr(provider, "add_span_processor"):
        provider = None  # no SDK provider configured: our private one
    try:
        return HeliconeAsyncLogger(tracer_provider=provider).init()
    except ValueError as exc:
        logger.warning("helicone_otel: %s; LLM spans are made but not sent to Helicone", exc)
        return HeliconeAsyncLogger(tracer_provider=provider, helicone=False).init()

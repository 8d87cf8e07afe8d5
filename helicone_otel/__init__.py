"""helicone_otel: every LLM call as an OpenTelemetry span, shipped to Helicone without ever
slowing or breaking the application."""

from ._version import __version__
from .context import ContextScope, headers, prompt, properties, session, user, wrap
from .export.pipeline import ExportStats
from .logger import HeliconeAsyncLogger
from .steps import Step, StepHandle, step, tool

__all__ = [
    "ContextScope",
    "ExportStats",
    "HeliconeAsyncLogger",
    "Step",
    "StepHandle",
    "__version__",
    "headers",
    "prompt",
    "properties",
    "session",
    "step",
    "tool",
    "user",
    "wrap",
]

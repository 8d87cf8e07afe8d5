"""Test helpers for helicone_otel and its users: stand-in provider servers on 127.0.0.1 and
in-memory span capture."""

from ._http import Reply, StandInServer
from .anthropic_server import AnthropicStandIn
from .capture import SpanCapture
from .openai_server import OpenAIStandIn

__all__ = ["AnthropicStandIn", "OpenAIStandIn", "Reply", "SpanCapture", "StandInServer"]

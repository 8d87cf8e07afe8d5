"""Test helpers for helicone_otel and its users: stand-in provider servers on 127.0.0.1 and
in-memory span capture."""

from ._http import Reply, StandInServer
from .anthropic_server import AnthropicStandIn
from .bedrock_server import BedrockStandIn
from .capture import SpanCapture
from .cohere_server import CohereStandIn
from .gemini_server import GeminiStandIn
from .groq_server import GroqStandIn
from .mistral_server import MistralStandIn
from .openai_server import OpenAIStandIn
from .replay_server import ReplayServer

__all__ = ["AnthropicStandIn", "BedrockStandIn", "CohereStandIn", "GeminiStandIn", "GroqStandIn", "MistralStandIn", "OpenAIStandIn", "ReplayServer", "Reply", "SpanCapture", "StandInServer"]

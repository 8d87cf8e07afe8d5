"""Every span attribute key helicone_otel writes or reads, in one place.

Semantic-convention keys follow the OpenTelemetry GenAI conventions; ``WIRE_*`` keys are the
ones Helicone's ingestion reads (see HELICONE_WIRE.md §2) and are written only by the
HeliconeExporter's translation, never on in-process spans.
"""

from __future__ import annotations

# --- OpenTelemetry GenAI semantic conventions -------------------------------------------------
OPERATION_NAME = "gen_ai.operation.name"
PROVIDER_NAME = "gen_ai.provider.name"
SYSTEM = "gen_ai.system"  # deprecated alias of PROVIDER_NAME, still read by older backends
REQUEST_MODEL = "gen_ai.request.model"
REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
REQUEST_TEMPERATURE = "gen_ai.request.temperature"
REQUEST_TOP_P = "gen_ai.request.top_p"
REQUEST_TOP_K = "gen_ai.request.top_k"
REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty"
REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty"
REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences"
REQUEST_SEED = "gen_ai.request.seed"
REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count"
REQUEST_STREAM = "gen_ai.request.stream"
OUTPUT_TYPE = "gen_ai.output.type"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_ID = "gen_ai.response.id"
RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
OPENAI_RESPONSE_SERVICE_TIER = "openai.response.service_tier"
OPENAI_RESPONSE_SYSTEM_FINGERPRINT = "openai.response.system_fingerprint"
USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens"
USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens"
USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens"
USAGE_COST = "gen_ai.usage.cost"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
TOOL_DEFINITIONS = "gen_ai.tool.definitions"
ERROR_TYPE = "error.type"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"

# --- helicone context (stamped by ContextProcessor) --------------------------------------------
SESSION_ID = "helicone.session.id"
SESSION_PATH = "helicone.session.path"
SESSION_NAME = "helicone.session.name"
USER_ID = "helicone.user.id"
PROMPT_ID = "helicone.prompt.id"
PROPERTY_PREFIX = "helicone.property."
# "proxy" when the call went through Helicone's proxy, which logged it (we send no record).
LOGGED_BY = "helicone.logged_by"

# --- Helicone wire keys (HELICONE_WIRE.md §2), written only by the exporter's translation ------
WIRE_SYSTEM = "gen_ai.system"
WIRE_RESPONSE_MODEL = "gen_ai.response.model"
WIRE_PROMPT_TOKENS = "gen_ai.usage.prompt_tokens"
WIRE_COMPLETION_TOKENS = "gen_ai.usage.completion_tokens"
WIRE_TOTAL_TOKENS = "llm.usage.total_tokens"
WIRE_REQUEST_TYPE = "llm.request.type"
WIRE_MAX_TOKENS = "gen_ai.response.max_tokens"
WIRE_PROMPT_PREFIX = "gen_ai.prompt."
WIRE_COMPLETION_PREFIX = "gen_ai.completion."
WIRE_USER = "llm.user"
WIRE_ASSOCIATION_PREFIX = "traceloop.association.properties."
# Helicone header-style names; the wire carries them after WIRE_ASSOCIATION_PREFIX.
HEADER_SESSION_ID = "Helicone-Session-Id"
HEADER_SESSION_PATH = "Helicone-Session-Path"
HEADER_SESSION_NAME = "Helicone-Session-Name"
HEADER_USER_ID = "Helicone-User-Id"
HEADER_PROPERTY_PREFIX = "Helicone-Property-"
# Extra wire keys we add so the local collector can show what Helicone's OTLP path drops.
WIRE_COST = "gen_ai.usage.cost"
WIRE_CACHE_READ_TOKENS = "gen_ai.usage.cache_read_input_tokens"
WIRE_REASONING_TOKENS = "gen_ai.usage.reasoning_tokens"
WIRE_ERROR_TYPE = "error.type"
WIRE_TIME_TO_FIRST_TOKEN_MS = "helicone.time_to_first_token_ms"
HTTP_STATUS_CODE = "http.response.status_code"
# The 1-hour part of cache_creation.input_tokens (Anthropic reports the 5m/1h split).
USAGE_CACHE_CREATION_1H_INPUT_TOKENS = "anthropic.usage.cache_creation.ephemeral_1h_input_tokens"
CONVERSATION_ID = "gen_ai.conversation.id"
REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats"
EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count"
OPENAI_REQUEST_PREFIX = "openai.request."
OPENAI_USAGE_AUDIO_SECONDS = "openai.usage.audio_seconds"
OPENAI_API_BASE_HOST = "openai.api_base.host"
# Custom steps (helicone_otel.tool / helicone_otel.step)
STEP_KIND = "helicone.step.kind"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments"
TOOL_CALL_RESULT = "gen_ai.tool.call.result"
# Agent-framework runs (instrumentation/frameworks.py)
AGENT_NAME = "gen_ai.agent.name"
# The Helicone request id of the call (its custom-log ``Helicone-Request-Id``), to join a span
# with the record Helicone stores.
HELICONE_REQUEST_ID = "helicone.request.id"

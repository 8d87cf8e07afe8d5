"""The semconv → Helicone wire translation (HELICONE_WIRE.md §2)."""

from __future__ import annotations

import json

from helicone_otel import attributes as A
from helicone_otel.export.translate import to_wire


def test_translation_writes_only_str_or_int_on_helicone_keys():
    wire = to_wire(
        {
            A.PROVIDER_NAME: "azure.ai.openai",
            A.OPERATION_NAME: "chat",
            A.REQUEST_MODEL: "gpt-4o",
            A.USAGE_INPUT_TOKENS: 10,
            A.USAGE_OUTPUT_TOKENS: 3,
            A.REQUEST_MAX_TOKENS: 100,
            A.USAGE_COST: 0.00125,
            A.INPUT_MESSAGES: json.dumps(
                [
                    {"role": "user", "parts": [{"type": "text", "content": "a"}, {"type": "uri", "modality": "image", "uri": "http://x"}]},
                    {"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "lookup", "arguments": "{\"q\":1}"}]},
                    {"role": "tool", "parts": [{"type": "tool_call_response", "id": "c1", "response": "42"}]},
                ]
            ),
            A.SYSTEM_INSTRUCTIONS: json.dumps([{"type": "text", "content": "be brief"}]),
            A.OUTPUT_MESSAGES: json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": "b"}], "finish_reason": "stop"}]),
            A.SESSION_ID: "s",
            A.USER_ID: "u",
            A.PROPERTY_PREFIX + "Env": "prod",
        }
    )
    assert wire[A.WIRE_SYSTEM] == "azure"
    assert wire[A.WIRE_RESPONSE_MODEL] == "gpt-4o"
    assert (wire[A.WIRE_PROMPT_TOKENS], wire[A.WIRE_COMPLETION_TOKENS], wire[A.WIRE_TOTAL_TOKENS]) == (10, 3, 13)
    assert wire[A.WIRE_MAX_TOKENS] == 100
    assert wire[A.WIRE_REQUEST_TYPE] == "chat"
    assert wire["gen_ai.prompt.0.role"] == "system" and wire["gen_ai.prompt.0.content"] == "be brief"
    assert wire["gen_ai.prompt.1.content"] == "a\n[image]"
    assert wire["gen_ai.prompt.2.content"] == '[tool_call lookup] {"q":1}'
    assert wire["gen_ai.prompt.3.role"] == "tool" and wire["gen_ai.prompt.3.content"] == "42"
    assert wire["gen_ai.completion.0.finish_reason"] == "stop"
    assert wire["traceloop.association.properties.Helicone-Session-Id"] == "s"
    assert wire["traceloop.association.properties.Helicone-User-Id"] == "u"
    assert wire["traceloop.association.properties.Helicone-Property-Env"] == "prod"
    assert all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in wire.values())

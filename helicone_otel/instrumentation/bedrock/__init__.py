"""BedrockInstrumentor: traces AWS Bedrock through ``boto3``'s ``bedrock-runtime`` client.

Every boto3 call goes through botocore's ``BaseClient._make_api_call(operation, params)``; we
wrap that one method and record ``Converse``, ``ConverseStream``, ``InvokeModel`` and
``InvokeModelWithResponseStream`` of the ``bedrock-runtime`` service (Anthropic, Amazon Nova,
Meta and Mistral bodies). Other operations and services pass through untraced. boto3 has no
async client. ``anthropic``'s ``AnthropicBedrock`` client is traced by the Anthropic instrumentor.
"""

from __future__ import annotations


from typing import Any, Optional
from urllib.parse import urlsplit


from ...capture.botocore_point import Operation, make_api_call_wrapper
from ...capture.call import Endpoint
from ...capture.patching import Patch, PatchingInstrumentor
from ...capture.sdk_point import recorder_of
from . import _converse, _invoke, _wire

SERVICE = "bedrock-runtime"


def provider_of(client: Any) -> tuple[str, Optional[str], Optional[int]]:
    """(semconv provider, host, port) of a bedrock-runtime client."""
    parts = urlsplit(str(client.meta.endpoint_url))
    return "aws.bedrock", parts.hostname, parts.port


def _endpoint(module: Any, helicone_body: Any, stream: bool) -> Endpoint:
    return Endpoint(
        module.OPERATION,
        module.request_attributes,
        module.response_attributes,
        accumulator=(lambda capture: FoldingAccumulator(module)) if stream else None,
        shape="bedrock",
        provider_of=provider_of,
        helicone_body=helicone_body,
        read_request=_wire.read_request,
        read_json=_wire.read_json,
    )


class FoldingAccumulator:
    """Stream events, folded on the export thread into the response they add up to, then
    read by the non-stream extractor."""

    __slots__ = ("_module", "_events")

    def __init__(self, module: Any) -> None:
        self._module = module
        self._events: list[dict[str, Any]] = []

    def add(self, event: dict[str, Any]) -> None:
        """Keep one decoded event."""
        self._events.append(event)

    def attributes(self, capture_content: bool) -> dict[str, Any]:
        """Span attributes of the folded response."""
        return self._module.response_attributes(self._module.fold(self._events), capture_content)


OPERATIONS: dict[str, Operation] = {
    "Converse": Operation(_endpoint(_converse, _wire.converse_body, False), "converse", SERVICE),
    "ConverseStream": Operation(_endpoint(_converse, _wire.converse_body, True), "converse-stream", SERVICE, event_stream="stream"),
    "InvokeModel": Operation(_endpoint(_invoke, _wire.invoke_body, False), "invoke", SERVICE, body="body"),
    "InvokeModelWithResponseStream": Operation(
        _endpoint(_invoke, _wire.invoke_body, True), "invoke-with-response-stream", SERVICE, event_stream="body"
    ),
}


class BedrockInstrumentor(PatchingInstrumentor):
    """Instrument boto3's ``bedrock-runtime`` (converse, converse_stream, invoke_model,
    invoke_model_with_response_stream).

    ``BedrockInstrumentor().instrument(recorder=Recorder(submit, RandomIdGenerator()))``
    """

    # ConverseStream and the Converse API arrived in botocore 1.34.116.
    _instruments = ("botocore >= 1.34.116",)


    def _instrument(self, **kwargs: Any) -> None:
        recorder = recorder_of(kwargs)
        if recorder is None:
            return
        from botocore.client import BaseClient

        self._patches = [Patch(BaseClient, "_make_api_call", make_api_call_wrapper(recorder, "Bedrock", OPERATIONS))]


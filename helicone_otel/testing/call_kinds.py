"""Every call kind the instrumentation covers, made with the real SDKs against the bundled
stand-in servers, exported to ``--base-url`` (the local collector, or the helicone-oracle).

    python -m helicone_otel.testing.call_kinds --base-url http://127.0.0.1:PORT [--only chat_sync,...]

Used to check what Helicone stores for each kind (see ../shared/helicone-oracle/README.md) and by
``tools/record_call_kinds.py`` to record the test fixtures.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, Callable

import anthropic
import openai

import helicone_otel
from helicone_otel import HeliconeAsyncLogger
from helicone_otel.testing import AnthropicStandIn, GeminiStandIn, GroqStandIn, MistralStandIn, OpenAIStandIn

MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello"}]
CLAUDE_MESSAGES = [{"role": "user", "content": "say hello to me please"}]


def _openai(server: OpenAIStandIn) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.base_url, api_key="k", max_retries=0)


def chat_sync(oai, claude_server, oai_server):
    oai_server.cached_tokens, oai_server.reasoning_tokens = 2, 0
    _openai(oai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, temperature=0.2, max_tokens=50)


def chat_reasoning(oai, claude_server, oai_server):
    oai_server.cached_tokens, oai_server.reasoning_tokens = 0, 4
    _openai(oai_server).chat.completions.create(model="o4-mini", messages=MESSAGES)
    oai_server.reasoning_tokens = 0


def chat_stream(oai, claude_server, oai_server):
    list(_openai(oai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES, stream=True))


def chat_async(oai, claude_server, oai_server):
    async def run():
        async with openai.AsyncOpenAI(base_url=oai_server.base_url, api_key="k", max_retries=0) as client:
            await client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    asyncio.run(run())


def chat_error(oai, claude_server, oai_server):
    oai_server.fail_next(429)
    try:
        _openai(oai_server).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    except openai.RateLimitError:
        pass


def responses(oai, claude_server, oai_server):
    _openai(oai_server).responses.create(model="gpt-4.1", instructions="Be brief.", input="Say hello", max_output_tokens=40)


def responses_stream(oai, claude_server, oai_server):
    list(_openai(oai_server).responses.create(model="gpt-4.1", input="Say hello", stream=True))


def embeddings(oai, claude_server, oai_server):
    _openai(oai_server).embeddings.create(model="text-embedding-3-small", input=["one", "two"])


def completions(oai, claude_server, oai_server):
    _openai(oai_server).completions.create(model="gpt-3.5-turbo-instruct", prompt="Say hello", max_tokens=10)


def azure_chat(oai, claude_server, oai_server):
    client = openai.AzureOpenAI(azure_endpoint=oai_server.origin, api_key="k", api_version="2024-10-21", max_retries=0)
    client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)


def anthropic_message(oai, claude_server, oai_server):
    claude_server.cache_read = 2
    client = anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)
    client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system="be brief", messages=CLAUDE_MESSAGES)
    claude_server.cache_read = 0


def anthropic_stream(oai, claude_server, oai_server):
    client = anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)
    with client.messages.stream(model="claude-haiku-4-5", max_tokens=100, messages=CLAUDE_MESSAGES) as stream:
        stream.until_done()


def anthropic_error(oai, claude_server, oai_server):
    claude_server.fail_next(529)
    client = anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)
    try:
        client.messages.create(model="claude-sonnet-4-5", max_tokens=100, messages=CLAUDE_MESSAGES)
    except anthropic.APIStatusError:
        pass


def anthropic_complete(oai, claude_server, oai_server):
    # Legacy Text Completions: ``client.completions.create`` in SDKs before 2.0, a plain POST since.
    client = anthropic.Anthropic(base_url=claude_server.base_url, api_key="k", max_retries=0)
    prompt = "\n\nHuman: say hello to me please\n\nAssistant:"
    client.post("/v1/complete", body={"model": "claude-2.1", "max_tokens_to_sample": 50, "prompt": prompt}, cast_to=object)


def bedrock_claude(oai, claude_server, oai_server):
    client = anthropic.AnthropicBedrock(
        aws_region="us-east-1", aws_access_key="a", aws_secret_key="b", base_url=claude_server.base_url, max_retries=0
    )
    client.messages.create(model="us.anthropic.claude-3-5-sonnet-20241022-v2:0", max_tokens=10, messages=CLAUDE_MESSAGES)


def groq_chat(oai, claude_server, oai_server):
    import groq

    with GroqStandIn() as server:
        client = groq.Groq(base_url=server.base_url, api_key="k", max_retries=0)
        client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES, temperature=0.2)


def groq_stream(oai, claude_server, oai_server):
    import groq

    with GroqStandIn() as server:
        client = groq.Groq(base_url=server.base_url, api_key="k", max_retries=0)
        list(client.chat.completions.create(model="llama-3.1-8b-instant", messages=MESSAGES, stream=True))


def groq_async(oai, claude_server, oai_server):
    import groq

    async def run():
        async with groq.AsyncGroq(base_url=server.base_url, api_key="k", max_retries=0) as client:
            await client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MESSAGES)

    with GroqStandIn() as server:
        asyncio.run(run())


def _mistral(server):
    from mistralai.client import Mistral

    return Mistral(api_key="k", server_url=server.base_url)


def mistral_chat(oai, claude_server, oai_server):
    with MistralStandIn() as server:
        _mistral(server).chat.complete(model="mistral-small-latest", messages=MESSAGES, max_tokens=50)


def mistral_stream(oai, claude_server, oai_server):
    with MistralStandIn() as server, _mistral(server).chat.stream(model="mistral-small-latest", messages=MESSAGES) as stream:
        list(stream)


def mistral_embeddings(oai, claude_server, oai_server):
    with MistralStandIn() as server:
        _mistral(server).embeddings.create(model="mistral-embed", inputs=["one two", "three"])


def _gemini(server, **kwargs):
    from google import genai

    return genai.Client(api_key="k", http_options={"base_url": server.base_url}, **kwargs)


def gemini_generate(oai, claude_server, oai_server):
    from google.genai import types

    with GeminiStandIn(thoughts_tokens=4) as server:
        config = types.GenerateContentConfig(system_instruction="You are terse.", temperature=0.2, max_output_tokens=200)
        client = _gemini(server)  # held: a dropped genai.Client closes its HTTP client
        client.models.generate_content(model="gemini-2.5-flash", contents="Say hello", config=config)


def gemini_cached(oai, claude_server, oai_server):
    with GeminiStandIn(cached_tokens=2) as server:
        client = _gemini(server)
        client.models.generate_content(model="gemini-2.5-flash", contents="Say hello to me please")


def gemini_stream(oai, claude_server, oai_server):
    with GeminiStandIn() as server:
        client = _gemini(server)
        list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="Say hello"))


def gemini_chat_async(oai, claude_server, oai_server):
    async def run():
        client = _gemini(server)
        chat = client.aio.chats.create(model="gemini-2.5-flash")
        await chat.send_message("Say hello")

    with GeminiStandIn() as server:
        asyncio.run(run())


def gemini_vertex(oai, claude_server, oai_server):
    with GeminiStandIn() as server:
        client = _gemini(server, vertexai=True)
        client.models.generate_content(model="gemini-2.0-flash", contents="Say hello")


def gemini_embeddings(oai, claude_server, oai_server):
    with GeminiStandIn() as server:
        client = _gemini(server)
        client.models.embed_content(model="text-embedding-004", contents=["one two", "three"])


def gemini_error(oai, claude_server, oai_server):
    from google.genai import errors

    with GeminiStandIn() as server:
        server.fail_next(429)
        client = _gemini(server)
        try:
            client.models.generate_content(model="gemini-2.5-flash", contents="Say hello")
        except errors.ClientError:
            pass


def _bedrock(server):
    import boto3
    from botocore.config import Config

    return boto3.client("bedrock-runtime", endpoint_url=server.origin, region_name="us-east-1", aws_access_key_id="k",
                        aws_secret_access_key="s", config=Config(retries={"total_max_attempts": 1}))


BEDROCK_MESSAGES = [{"role": "user", "content": [{"text": "say hello to me please"}]}]
CLAUDE_ON_BEDROCK = "us.anthropic.claude-3-5-sonnet-20241022-v2:0"
_BEDROCK_BODIES = {
    "anthropic": {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20, "messages": CLAUDE_MESSAGES},
    "amazon": {"messages": BEDROCK_MESSAGES, "inferenceConfig": {"maxTokens": 20}},
    "meta": {"prompt": "say hello to me please", "max_gen_len": 20},
    "mistral": {"prompt": "<s>[INST] say hello to me please [/INST]", "max_tokens": 20},
}


def _invoke(model: str, stream: bool = False) -> None:
    import json

    from .bedrock_server import BedrockStandIn, vendor

    with BedrockStandIn() as server:
        client, body = _bedrock(server), json.dumps(_BEDROCK_BODIES[vendor(model)])
        if stream:
            list(client.invoke_model_with_response_stream(modelId=model, body=body)["body"])
        else:
            client.invoke_model(modelId=model, body=body)["body"].read()


def bedrock_converse(oai, claude_server, oai_server):
    from .bedrock_server import BedrockStandIn

    with BedrockStandIn(cache_read=2) as server:
        _bedrock(server).converse(modelId=CLAUDE_ON_BEDROCK, messages=BEDROCK_MESSAGES, system=[{"text": "be brief"}],
                                  inferenceConfig={"maxTokens": 50})


def bedrock_converse_stream(oai, claude_server, oai_server):
    from .bedrock_server import BedrockStandIn

    with BedrockStandIn() as server:
        list(_bedrock(server).converse_stream(modelId="amazon.nova-micro-v1:0", messages=BEDROCK_MESSAGES)["stream"])


def bedrock_invoke_claude(oai, claude_server, oai_server):
    _invoke(CLAUDE_ON_BEDROCK)


def bedrock_invoke_nova(oai, claude_server, oai_server):
    _invoke("us.amazon.nova-lite-v1:0")


def bedrock_invoke_meta(oai, claude_server, oai_server):
    _invoke("meta.llama3-8b-instruct-v1:0")


def bedrock_invoke_mistral(oai, claude_server, oai_server):
    _invoke("mistral.mistral-large-2402-v1:0")


def bedrock_invoke_stream_claude(oai, claude_server, oai_server):
    _invoke("anthropic.claude-3-haiku-20240307-v1:0", stream=True)


def bedrock_invoke_stream_meta(oai, claude_server, oai_server):
    _invoke("meta.llama3-1-70b-instruct-v1:0", stream=True)


def bedrock_error(oai, claude_server, oai_server):
    from botocore.exceptions import ClientError

    from .bedrock_server import BedrockStandIn

    with BedrockStandIn() as server:
        server.fail_next(429)
        try:
            _bedrock(server).converse(modelId="amazon.nova-micro-v1:0", messages=BEDROCK_MESSAGES)
        except ClientError:
            pass


COHERE_MESSAGES = [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello"}]


def _cohere(server):
    import cohere

    return cohere.ClientV2(api_key="k", base_url=server.base_url, max_retries=0)


def cohere_chat(oai, claude_server, oai_server):
    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        _cohere(server).chat(model="command-a-03-2025", messages=COHERE_MESSAGES, temperature=0.2)


def cohere_chat_r(oai, claude_server, oai_server):
    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        _cohere(server).chat(model="command-r", messages=COHERE_MESSAGES)


def cohere_stream(oai, claude_server, oai_server):
    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        list(_cohere(server).chat_stream(model="command-r-plus-08-2024", messages=COHERE_MESSAGES))


def cohere_async(oai, claude_server, oai_server):
    import cohere

    from .cohere_server import CohereStandIn

    async def run():
        client = cohere.AsyncClientV2(api_key="k", base_url=server.base_url, max_retries=0)
        await client.chat(model="command-a-03-2025", messages=COHERE_MESSAGES)

    with CohereStandIn() as server:
        asyncio.run(run())


def cohere_embed(oai, claude_server, oai_server):
    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        _cohere(server).embed(model="embed-v4.0", texts=["one two", "three"], input_type="search_document", embedding_types=["float"])


def cohere_rerank(oai, claude_server, oai_server):
    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        _cohere(server).rerank(model="rerank-v3.5", query="which one", documents=["a b", "c"], top_n=1)


def cohere_error(oai, claude_server, oai_server):
    import cohere

    from .cohere_server import CohereStandIn

    with CohereStandIn() as server:
        server.fail_next(429)
        try:
            _cohere(server).chat(model="command-a-03-2025", messages=COHERE_MESSAGES)
        except cohere.errors.TooManyRequestsError:
            pass


def _litellm():
    import os

    # LiteLLM fetches its price map from GitHub at import unless told to use the bundled one.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    return litellm


LITELLM_MESSAGES = [{"role": "user", "content": "say hello to me please"}]


def litellm_openai(oai, claude_server, oai_server):
    _litellm().completion(model="openai/gpt-4o-mini", messages=LITELLM_MESSAGES, api_base=oai_server.base_url, api_key="k")


def litellm_anthropic(oai, claude_server, oai_server):
    claude_server.cache_read = 2
    _litellm().completion(model="anthropic/claude-sonnet-4-5", messages=LITELLM_MESSAGES, max_tokens=50,
                          api_base=claude_server.base_url, api_key="k")
    claude_server.cache_read = 0


def litellm_stream(oai, claude_server, oai_server):
    list(_litellm().completion(model="anthropic/claude-haiku-4-5", messages=LITELLM_MESSAGES, max_tokens=50, stream=True,
                               stream_options={"include_usage": True}, api_base=claude_server.base_url, api_key="k"))


def litellm_async_stream(oai, claude_server, oai_server):
    litellm = _litellm()

    async def run():
        stream = await litellm.acompletion(model="gpt-4o-mini", messages=LITELLM_MESSAGES, stream=True,
                                           stream_options={"include_usage": True}, api_base=oai_server.base_url, api_key="k")
        async for _ in stream:
            pass

    asyncio.run(run())


def litellm_embedding(oai, claude_server, oai_server):
    _litellm().embedding(model="openai/text-embedding-3-small", input=["one", "two"], api_base=oai_server.base_url, api_key="k")


def tool_step(oai, claude_server, oai_server):
    with helicone_otel.tool("weather", input={"city": "Paris"}) as step:
        step.set_output({"forecast": "sunny"})


def vector_db_step(oai, claude_server, oai_server):
    with helicone_otel.step("retrieve", kind="vector_db", input="hotels in Paris") as step:
        step.set_output(["doc-1", "doc-2"])


KINDS: dict[str, Callable[..., Any]] = {f.__name__: f for f in (
    chat_sync, chat_reasoning, chat_stream, chat_async, chat_error, responses, responses_stream, embeddings, completions,
    azure_chat, anthropic_message, anthropic_stream, anthropic_error, anthropic_complete, bedrock_claude, tool_step, vector_db_step,
    groq_chat, groq_stream, groq_async, mistral_chat, mistral_stream, mistral_embeddings, gemini_generate, gemini_cached,
    gemini_stream, gemini_chat_async, gemini_vertex, gemini_embeddings, gemini_error,
    bedrock_converse, bedrock_converse_stream, bedrock_invoke_claude, bedrock_invoke_nova, bedrock_invoke_meta,
    bedrock_invoke_mistral, bedrock_invoke_stream_claude, bedrock_invoke_stream_meta, bedrock_error,
    cohere_chat, cohere_chat_r, cohere_stream, cohere_async, cohere_embed, cohere_rerank, cohere_error,
    litellm_openai, litellm_anthropic, litellm_stream, litellm_async_stream, litellm_embedding,
)}

# Kinds where Helicone's legacy price table (packages/cost/providers/…) and the price source
# disagree; Helicone stores the same tokens, at its own rates. kind → what differs.
HELICONE_PRICES_DIFFER: dict[str, str] = {
    "mistral_chat": "mistral-small-latest: Helicone 0.14/0.42 USD per M tokens, the price source 0.15/0.6",
    "mistral_stream": "mistral-small-latest: Helicone 0.14/0.42 USD per M tokens, the price source 0.15/0.6",
    "gemini_cached": "gemini-2.5-flash cache read: Helicone 0.075 USD per M tokens, the price source 0.03",
    "bedrock_invoke_meta": "meta.llama3-8b-instruct-v1:0: Helicone's AWS row 220/720 USD per M tokens (per-1K prices "
                           "entered per token), the price source 0.3/0.6",
    "cohere_chat_r": "command-r: Helicone's cohere/command-r 0.5/1.5 USD per M tokens (its 2024-03 price), the price source 0.15/0.6",
}

# Kinds Helicone stores with tokens but no cost: it has no price for the model under any
# provider it could be sent as; the span's cost comes from the price source. kind → why.
HELICONE_UNPRICED: dict[str, str] = {
    "bedrock_invoke_mistral": "Helicone has no row for Mistral models on Bedrock (AWS, BEDROCK)",
    "bedrock_invoke_stream_meta": "Helicone's AWS rows price only meta.llama3-8b-instruct-v1",
    "cohere_chat": "Helicone's COHERE rows price only cohere/command-r",
    "cohere_stream": "Helicone's COHERE rows price only cohere/command-r",
    "cohere_async": "Helicone's COHERE rows price only cohere/command-r",
    "cohere_embed": "Helicone's COHERE rows price only cohere/command-r",
}


def run(base_url: str, kinds: list[str], capture_content: bool = True, tracer_provider: Any = None) -> HeliconeAsyncLogger:
    """Make each call kind once, each in its own session/user/properties context; flush."""
    logger = HeliconeAsyncLogger(base_url=base_url, api_key="x", capture_content=capture_content,
                                 properties={"Environment": "dev"}, tracer_provider=tracer_provider,
                                 stream_usage_hosts=["127.0.0.1"]).init()
    with OpenAIStandIn() as oai_server, AnthropicStandIn() as claude_server:
        for kind in kinds:
            with helicone_otel.session(f"s-{kind}", path=f"/kinds/{kind}", name="Call kinds"), \
                    helicone_otel.user("u-42"), helicone_otel.properties(CallKind=kind):
                KINDS[kind](None, claude_server, oai_server)
    logger.flush(10.0)
    return logger


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--only", default="")
    parser.add_argument("--capture-off", action="store_true")
    args = parser.parse_args(argv)
    kinds = [k for k in args.only.split(",") if k] or list(KINDS)
    logger = run(args.base_url, kinds, not args.capture_off)
    print(logger.stats(), file=sys.stderr)
    logger.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

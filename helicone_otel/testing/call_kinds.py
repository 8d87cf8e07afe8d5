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
from helicone_otel.testing import AnthropicStandIn, OpenAIStandIn

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


def bedrock_claude(oai, claude_server, oai_server):
    client = anthropic.AnthropicBedrock(
        aws_region="us-east-1", aws_access_key="a", aws_secret_key="b", base_url=claude_server.base_url, max_retries=0
    )
    client.messages.create(model="us.anthropic.claude-3-5-sonnet-20241022-v2:0", max_tokens=10, messages=CLAUDE_MESSAGES)


def tool_step(oai, claude_server, oai_server):
    with helicone_otel.tool("weather", input={"city": "Paris"}) as step:
        step.set_output({"forecast": "sunny"})


def vector_db_step(oai, claude_server, oai_server):
    with helicone_otel.step("retrieve", kind="vector_db", input="hotels in Paris") as step:
        step.set_output(["doc-1", "doc-2"])


KINDS: dict[str, Callable[..., Any]] = {f.__name__: f for f in (
    chat_sync, chat_reasoning, chat_stream, chat_async, chat_error, responses, responses_stream, embeddings, completions,
    azure_chat, anthropic_message, anthropic_stream, anthropic_error, bedrock_claude, tool_step, vector_db_step,
)}


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

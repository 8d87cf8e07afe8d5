"""Sessions, users and properties: merge, restore, isolation across tasks and threads."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

import helicone_otel
from helicone_otel import attributes as A
from helicone_otel.context import current_attributes

MESSAGES = [{"role": "user", "content": "hi"}]


def test_nesting_merges_and_exit_restores():
    with helicone_otel.session("s-1", path="/a"):
        with helicone_otel.properties(Env="prod"), helicone_otel.session("s-1", path="/a/b"):
            assert current_attributes() == {
                A.SESSION_ID: "s-1",
                A.SESSION_PATH: "/a/b",
                A.PROPERTY_PREFIX + "Env": "prod",
            }
        assert current_attributes() == {A.SESSION_ID: "s-1", A.SESSION_PATH: "/a"}
    assert current_attributes() == {}


def test_exit_restores_when_body_raises():
    with pytest.raises(KeyError):
        with helicone_otel.user("u-1"):
            raise KeyError("boom")
    assert current_attributes() == {}


def test_non_string_values_are_type_errors_at_the_call():
    with pytest.raises(TypeError, match="must be a str, int, float or bool, got list"):
        helicone_otel.properties(Tier=[3])
    assert helicone_otel.properties(Tier=3, On=False).attributes == {"helicone.property.Tier": "3", "helicone.property.On": "false"}
    with pytest.raises(TypeError, match="user: id must be a str"):
        helicone_otel.user(42)


def test_decorators_on_all_four_function_kinds():
    scope = helicone_otel.properties(Kind="decorated")

    @scope
    def plain():
        return dict(current_attributes())

    @scope
    async def coroutine():
        return dict(current_attributes())

    @scope
    def generator():
        yield dict(current_attributes())
        yield dict(current_attributes())

    @scope
    async def async_generator():
        yield dict(current_attributes())

    expected = {A.PROPERTY_PREFIX + "Kind": "decorated"}
    assert plain() == expected
    assert asyncio.run(coroutine()) == expected
    gen = generator()
    assert next(gen) == expected
    assert current_attributes() == {}, "a generator's scope must not leak between yields"
    assert next(gen) == expected

    async def consume():
        return [item async for item in async_generator()]

    assert asyncio.run(consume()) == [expected]
    assert current_attributes() == {}


async def test_concurrent_tasks_are_isolated(logger, async_client, capture):
    async def one(i: int):
        with helicone_otel.session(f"s-{i}"), helicone_otel.user(f"u-{i}"):
            await asyncio.sleep(0.001 * (i % 3))
            await async_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            assert current_attributes()[A.SESSION_ID] == f"s-{i}"

    await asyncio.gather(*(one(i) for i in range(30)))
    spans = capture.llm_spans()
    assert len(spans) == 30
    for span in spans:
        session = span.attributes[A.SESSION_ID]
        assert span.attributes[A.USER_ID] == "u-" + session[2:]


def test_thread_pool_isolation_and_wrap(logger, client, capture):
    def work(i: int):
        with helicone_otel.session(f"t-{i}"):
            client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(12)))
        with helicone_otel.user("carried"):
            pool.submit(helicone_otel.wrap(lambda: client.chat.completions.create(model="m", messages=MESSAGES))).result()
            # without wrap, a pool thread does not see the caller's context
            pool.submit(lambda: client.chat.completions.create(model="bare", messages=MESSAGES)).result()
    spans = capture.llm_spans()
    sessions = sorted(s.attributes.get(A.SESSION_ID) for s in spans if A.SESSION_ID in s.attributes)
    assert sessions == sorted(f"t-{i}" for i in range(12))
    by_model = {s.attributes[A.REQUEST_MODEL]: s for s in spans}
    assert by_model["m"].attributes[A.USER_ID] == "carried"
    assert A.USER_ID not in by_model["bare"].attributes

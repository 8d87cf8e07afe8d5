"""jawn ``utils/streamParser.ts``: fold OpenAI-style stream chunks back into one body.

A line-by-line port, mutations included: jawn folds in place, so the first chunk object and the
tool-call ``function`` objects it extends are the same objects that end up in ``streamed_data``
(the stored body shows the concatenated arguments there too). Any TypeError jawn would hit falls
back to the first chunk (``streamParser.ts:109-112``).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from ..js import UNDEFINED, add, get, is_nullish, nullish, prop, to_number, truthy


def _spread(value: Any) -> dict[str, Any]:
    """``{...value}``."""
    return dict(value) if isinstance(value, dict) else {}


def _merge_delta(c: dict[str, Any], cur_delta: Any) -> dict[str, Any]:
    """The choice after one more delta (``streamParser.ts:44-69``): only ``delta`` survives."""
    delta = c["delta"]
    merged = _spread(delta)
    content = prop(delta, "content")
    merged["content"] = add(content, nullish(prop(cur_delta, "content"), "")) if truthy(content) else prop(cur_delta, "content")
    reasoning = prop(delta, "reasoning")
    merged["reasoning"] = add(reasoning, nullish(prop(cur_delta, "reasoning"), "")) if truthy(reasoning) else prop(cur_delta, "reasoning")
    mine = prop(delta, "reasoning_details")
    theirs = prop(cur_delta, "reasoning_details") if truthy(mine) else UNDEFINED
    if truthy(mine) and truthy(theirs):
        merged["reasoning_details"] = [*mine, *theirs]
    else:
        merged["reasoning_details"] = mine if truthy(mine) else prop(cur_delta, "reasoning_details")
    call = prop(delta, "function_call")
    merged["function_call"] = (
        recursively_consolidate(call, nullish(prop(cur_delta, "function_call"), {})) if truthy(call) else prop(cur_delta, "function_call")
    )
    tools = prop(delta, "tool_calls")
    merged["tool_calls"] = (
        recursively_consolidate_tool_calls(tools, nullish(prop(cur_delta, "tool_calls"), [])) if truthy(tools) else prop(cur_delta, "tool_calls")
    )
    return {"delta": merged}


def _fold(acc: Any, cur: Any) -> Any:
    if not truthy(cur):
        return acc
    if get(acc, "choices") is UNDEFINED:
        return cur
    cur_choices = get(cur, "choices")
    if truthy(cur_choices):
        choices = acc["choices"]
        if choices is None:
            raise TypeError("Cannot read properties of null (reading 'length')")
        if isinstance(choices, list) and len(choices) == 0 and not (isinstance(cur_choices, list) and len(cur_choices) == 0):
            if not isinstance(cur_choices, list):
                raise TypeError("cur.choices.slice is not a function")
            choices.extend(cur_choices[len(choices):])
        if truthy(get(get(cur, "x_groq"), "usage")):
            acc["x_groq"] = cur["x_groq"]
        if truthy(get(cur, "usage")):
            acc["usage"] = cur["usage"]
        if "model" in cur and "model" in acc and not truthy(acc["model"]):
            acc["model"] = cur["model"]
        if "id" in cur and "id" in acc and not truthy(acc["id"]):
            acc["id"] = cur["id"]
        if not isinstance(choices, list):
            raise TypeError("acc.choices.map is not a function")

        def fold_choice(i: int, c: Any) -> Any:
            other = get(cur_choices, i)
            if is_nullish(c):
                raise TypeError("Cannot read properties of null (reading 'delta')")
            if get(c, "delta") is not UNDEFINED and get(other, "delta") is not UNDEFINED:
                return _merge_delta(c, other["delta"])
            if get(c, "text") is not UNDEFINED and get(other, "text") is not UNDEFINED:
                return {**c, "text": add(c["text"], nullish(other["text"], ""))}
            return c

        return {**acc, "choices": [fold_choice(i, c) for i, c in enumerate(choices)]}
    if truthy(get(cur, "usage")):
        return recursively_consolidate(acc, {"usage": cur["usage"]})
    response_usage = get(get(cur, "response"), "usage")
    if truthy(response_usage):
        return recursively_consolidate(acc, {"usage": response_usage})
    return acc


def consolidate_text_fields(chunks: list[Any]) -> Any:
    """``consolidateTextFields``: one chat completion from its chunks."""
    try:
        consolidated: Any = {}
        for cur in chunks:
            consolidated = _fold(consolidated, cur)
        if not isinstance(consolidated, dict):
            raise TypeError("Cannot create property 'choices' on a primitive")
        choices = consolidated.get("choices", UNDEFINED)
        if is_nullish(choices):
            consolidated["choices"] = UNDEFINED  # `null?.map(...)` is undefined: the key is dropped
            return consolidated
        if not isinstance(choices, list):
            raise TypeError("consolidated.choices.map is not a function")
        out = []
        for c in choices:
            if is_nullish(c):
                raise TypeError("Cannot read properties of null (reading 'delta')")
            delta = get(c, "delta")
            out.append(c if delta is UNDEFINED else {**c, "message": {**_spread(delta), "content": prop(delta, "content")}})
        consolidated["choices"] = out
        return consolidated
    except (TypeError, AttributeError, KeyError, IndexError, ValueError):
        return chunks[0] if chunks else UNDEFINED


def recursively_consolidate(body: Any, delta: Any) -> Any:
    """``recursivelyConsolidate``: merge ``delta`` into ``body`` in place (numbers add up)."""
    for key in _keys(delta):
        current = _item(body, key)
        if is_nullish(current):
            _set(body, key, _item(delta, key))
        elif isinstance(current, (dict, list)):
            recursively_consolidate(current, _item(delta, key))
        elif isinstance(current, (int, float, str)) and not isinstance(current, bool):
            _set(body, key, add(current, _item(delta, key)))
        else:
            raise TypeError("Invalid function call type")
    return body


def _keys(value: Any) -> list[Any]:
    if is_nullish(value):
        raise TypeError("Cannot convert undefined or null to object")
    if isinstance(value, dict):
        return list(value)
    if isinstance(value, (list, str)):
        return list(range(len(value)))
    return []


def _item(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        return value.get(key if not isinstance(key, int) else str(key), value.get(key, UNDEFINED))
    if isinstance(value, (list, str)) and isinstance(key, int):
        return value[key] if key < len(value) else UNDEFINED
    return UNDEFINED


def _set(target: Any, key: Any, value: Any) -> None:
    if isinstance(target, list) and isinstance(key, int):
        if key < len(target):
            target[key] = value
        else:
            target.extend([UNDEFINED] * (key - len(target)) + [value])
    elif isinstance(target, dict):
        target[key] = value
    else:
        raise TypeError("Cannot create property on a primitive")


def _index_key(index: Any) -> str:
    if isinstance(index, float) and index.is_integer():
        index = int(index)
    return str(index).lower() if isinstance(index, bool) else str(index)


def recursively_consolidate_tool_calls(existing: Any, new: Any) -> Any:
    """``recursivelyConsolidateToolCalls``: tool-call fragments joined by ``index``."""
    if not truthy(existing) or len(existing) == 0:
        return new if truthy(new) else []
    if not truthy(new) or len(new) == 0:
        return existing
    final: dict[str, dict[str, Any]] = {}
    for call in existing:
        if get(call, "index") is not UNDEFINED:
            final[_index_key(call["index"])] = dict(call)
    for call in new:
        key = _index_key(get(call, "index"))
        if key not in final:
            final[key] = dict(call)
            continue
        current = final[key]
        if truthy(get(call, "function")) and truthy(current.get("function")):
            if not truthy(current["function"].get("arguments")):
                current["function"]["arguments"] = ""
            if truthy(call["function"].get("arguments")):
                current["function"]["arguments"] = add(current["function"]["arguments"], call["function"]["arguments"])
        elif truthy(get(call, "function")):
            current["function"] = call["function"]
        if truthy(get(call, "id")) and not truthy(current.get("id")):
            current["id"] = call["id"]
        if truthy(get(call, "type")) and not truthy(current.get("type")):
            current["type"] = call["type"]
    # Object.values: integer keys ascending first, then the rest in insertion order.
    integer = sorted((k for k in final if k.isdigit()), key=int)
    ordered = [final[k] for k in integer] + [final[k] for k in final if not k.isdigit()]

    def by_index(a: dict[str, Any], b: dict[str, Any]) -> int:
        difference = to_number(a.get("index", UNDEFINED)) - to_number(b.get("index", UNDEFINED))
        return 0 if math.isnan(difference) else (difference > 0) - (difference < 0)

    return sorted(ordered, key=functools.cmp_to_key(by_index))


def consolidate_responses_api_fields(events: list[Any]) -> Any:
    """``consolidateResponsesAPIFields``: the Responses API body from its stream events."""
    completed = next((e for e in events if get(e, "type") == "response.completed"), UNDEFINED)
    if truthy(get(completed, "response")):
        return completed["response"]
    created = next((e for e in events if get(e, "type") == "response.created"), UNDEFINED)
    in_progress = next((e for e in events if get(e, "type") == "response.in_progress"), UNDEFINED)
    base = get(created, "response")
    if not truthy(base):
        base = get(in_progress, "response")
    if not truthy(base):
        return next((e for e in events if truthy(e) and not truthy(get(e, "error")) and isinstance(e, (dict, list))), UNDEFINED)
    done = [e for e in events if get(e, "type") == "response.output_item.done"]
    done.sort(key=lambda e: to_number(nullish(get(e, "output_index"), 0)))
    items = [get(e, "item") for e in done]
    return {**_spread(base), "status": "completed", "output": items if items else get(base, "output")}

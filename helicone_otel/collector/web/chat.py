"""A stored request and response as a conversation: the messages sent, the reply, tool calls and
their results, whatever the provider's body shape (OpenAI chat, completions, embeddings and
Responses; Anthropic messages; Gemini contents; Helicone tool and vector-database steps). What
is not recognised is left to the raw body shown beside it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Part:
    """One piece of a message: ``text``, ``thinking``, ``tool_call``, ``tool_result``, ``media``
    or ``data`` (a JSON value)."""

    kind: str
    text: str = ""
    name: str = ""
    ident: str = ""


@dataclass
class Message:
    role: str
    parts: list[Part] = field(default_factory=list)
    reply: bool = False  # from the response


@dataclass
class Tool:
    name: str
    description: str
    parameters: Any


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _content(content: Any) -> list[Part]:
    """A message's ``content`` in any of the providers' block shapes."""
    if isinstance(content, str):
        return [Part("text", content)] if content else []
    if isinstance(content, dict):
        content = [content]
    parts: list[Part] = []
    for block in _list(content):
        if isinstance(block, str):
            parts.append(Part("text", block))
            continue
        block = _dict(block)
        kind = block.get("type")
        if isinstance(block.get("text"), str) and kind in (None, "text", "input_text", "output_text"):
            parts.append(Part("text", block["text"]))
        elif kind in ("thinking", "reasoning") or "thinking" in block:
            parts.append(Part("thinking", _text(block.get("thinking") or block.get("text") or block.get("summary"))))
        elif kind == "tool_use" or "functionCall" in block:
            call = _dict(block.get("functionCall")) or block
            parts.append(Part("tool_call", _text(call.get("input", call.get("args"))), _text(call.get("name")), _text(block.get("id"))))
        elif kind == "tool_result" or "functionResponse" in block:
            result = _dict(block.get("functionResponse")) or block
            inner = result.get("content", result.get("response"))
            text = "\n".join(p.text for p in _content(inner)) if isinstance(inner, list) else _text(inner)
            parts.append(Part("tool_result", text, _text(result.get("name")), _text(block.get("tool_use_id"))))
        elif kind in ("image", "image_url", "input_image", "input_audio", "document", "file", "input_file") or "inlineData" in block:
            parts.append(Part("media", kind or "inline data"))
        elif block:
            parts.append(Part("data", _text(block)))
    return parts


def _tool_calls(calls: Any) -> list[Part]:
    parts = []
    for call in _list(calls):
        function = _dict(_dict(call).get("function"))
        parts.append(Part("tool_call", _text(function.get("arguments")), _text(function.get("name")), _text(_dict(call).get("id"))))
    return parts


def _chat_message(message: Any, reply: bool = False) -> Message:
    message = _dict(message)
    role = _text(message.get("role")) or ("assistant" if reply else "user")
    parts = _content(message.get("content"))
    for key in ("reasoning_content", "reasoning"):
        if isinstance(message.get(key), str) and message[key]:
            parts.insert(0, Part("thinking", message[key]))
    parts += _tool_calls(message.get("tool_calls"))
    if isinstance(message.get("function_call"), dict):
        parts += _tool_calls([{"function": message["function_call"]}])
    if role == "tool" or message.get("tool_call_id"):
        parts = [Part("tool_result", "\n".join(p.text for p in parts), _text(message.get("name")), _text(message.get("tool_call_id")))]
    return Message(role, parts, reply)


def _items(items: Any, reply: bool) -> list[Message]:
    """Responses API ``input``/``output`` items."""
    if isinstance(items, str):
        return [Message("assistant" if reply else "user", [Part("text", items)], reply)]
    out: list[Message] = []
    for item in _list(items):
        item = _dict(item)
        kind = item.get("type")
        if kind == "function_call":
            part = Part("tool_call", _text(item.get("arguments")), _text(item.get("name")), _text(item.get("call_id")))
            out.append(Message("assistant", [part], reply))
        elif kind == "function_call_output":
            out.append(Message("tool", [Part("tool_result", _text(item.get("output")), "", _text(item.get("call_id")))], reply))
        elif kind == "reasoning":
            text = "\n".join(_text(_dict(s).get("text")) for s in _list(item.get("summary")))
            if text:
                out.append(Message("assistant", [Part("thinking", text)], reply))
        elif "role" in item or kind == "message":
            out.append(Message(_text(item.get("role")) or "assistant", _content(item.get("content")), reply))
    return out


def _gemini(contents: Any, reply: bool) -> list[Message]:
    out = []
    for content in _list(contents):
        content = _dict(content)
        role = {"model": "assistant"}.get(_text(content.get("role")), _text(content.get("role")) or "user")
        out.append(Message(role, _content(content.get("parts")), reply))
    return out


def conversation(request: Any, response: Any) -> list[Message]:
    """The messages of a stored request and its response, in order."""
    request, response = _dict(request), response if isinstance(response, (dict, list)) else {}
    if request.get("_type") in ("tool", "vector_db", "data"):
        step = _text(request.get("toolName") or request.get("name") or request.get("_type"))
        out = [Message("input", [Part("data", _text(request.get("input")), step)])]
        if isinstance(response, dict) and "output" in response:
            out.append(Message("output", [Part("data", _text(response.get("output")), step)], True))
        return out
    out = _request_messages(request)
    out += _response_messages(response)
    return [m for m in out if m.parts]


def _request_messages(request: dict[str, Any]) -> list[Message]:
    out: list[Message] = []
    for key in ("system", "instructions"):
        if request.get(key):
            out.append(Message("system", _content(request[key])))
    if isinstance(request.get("systemInstruction"), dict):
        out.append(Message("system", _content(request["systemInstruction"].get("parts"))))
    if isinstance(request.get("messages"), list):
        out += [_chat_message(m) for m in request["messages"]]
    elif "contents" in request:
        out += _gemini(request["contents"], False)
    elif "input" in request and ("instructions" in request or not isinstance(request.get("input"), (str, list)) or
                                 any(isinstance(i, dict) for i in _list(request.get("input")))):
        out += _items(request["input"], False)
    else:
        prompt = request.get("prompt", request.get("input"))
        for text in (prompt if isinstance(prompt, list) else [prompt]):
            if text not in (None, ""):
                out.append(Message("user", [Part("text", _text(text))]))
    return out


def _response_messages(response: Any) -> list[Message]:
    if not isinstance(response, dict):
        return [Message("assistant", [Part("data", _text(response))], True)] if response else []
    if "choices" in response:
        out = []
        for choice in _list(response["choices"]):
            choice = _dict(choice)
            if "message" in choice:
                out.append(_chat_message(choice["message"], True))
            elif isinstance(choice.get("text"), str):
                out.append(Message("assistant", [Part("text", choice["text"])], True))
        return out
    if isinstance(response.get("content"), list):
        return [Message(_text(response.get("role")) or "assistant", _content(response["content"]), True)]
    if "output" in response:
        return _items(response["output"], True)
    if "candidates" in response:
        return _gemini([_dict(c).get("content") for c in _list(response["candidates"])], True)
    if isinstance(response.get("data"), list) and response["data"] and "embedding" in _dict(response["data"][0]):
        vectors = response["data"]
        size = len(_list(_dict(vectors[0]).get("embedding")))
        return [Message("assistant", [Part("media", f"{len(vectors)} embedding(s) of {size} dimensions")], True)]
    error = response.get("error") or response.get("helicone_error")
    if error:
        message = _dict(error).get("message") if isinstance(error, dict) else error
        return [Message("error", [Part("text", _text(message))], True)]
    return []


def tools(request: Any) -> list[Tool]:
    """The tools the request offered the model."""
    out = []
    for tool in _list(_dict(request).get("tools")):
        tool = _dict(tool)
        function = _dict(tool.get("function")) or tool
        declarations = _list(tool.get("functionDeclarations"))
        for item in declarations or [function]:
            item = _dict(item)
            name: Optional[str] = item.get("name") or tool.get("type")
            if name:
                out.append(Tool(_text(name), _text(item.get("description")),
                                item.get("parameters", item.get("input_schema"))))
    return out

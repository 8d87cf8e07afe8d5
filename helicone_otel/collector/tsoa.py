"""The tsoa validation jawn runs on ``POST /v1/trace/log`` (OTLP/JSON): the ``OTELTrace`` model
from valhalla/jawn/src/tsoa-build/public/routes.ts, checked by @tsoa/runtime 6's
``ValidationService`` with jawn's options ``noImplicitAdditionalProperties: "throw-on-extras"``
and ``bodyCoercion: true`` (routes.ts:4628).

So a general OTLP/JSON encoder's output is rejected (422): ``parentSpanId``, ``flags``,
``status.message``, ``schemaUrl`` and ``boolValue``/``doubleValue``/``arrayValue`` span
attributes are extras; the dropped counts, ``events``, ``links``, ``status.code`` and
``scope.version`` are required. Error keys are tsoa's: an array element's path restarts at the
array's own name (``spans.$0.droppedAttributesCount``).
"""

from __future__ import annotations

import re
from typing import Any

from .js import UNDEFINED, to_number, to_string

STRING: dict[str, Any] = {"dataType": "string"}
DOUBLE: dict[str, Any] = {"dataType": "double"}
ANY: dict[str, Any] = {"dataType": "any"}


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"dataType": "nestedObjectLiteral", "nestedProperties": properties}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"dataType": "array", "array": item}


def _required(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "required": True}


# managers/traceManager.ts:278-325 as tsoa generated it; property order matters (error order).
_SPAN = _object(
    droppedLinksCount=_required(DOUBLE),
    links=_required(_array(ANY)),
    status=_required(_object(code=_required(DOUBLE))),
    droppedEventsCount=_required(DOUBLE),
    events=_required(_array(ANY)),
    droppedAttributesCount=_required(DOUBLE),
    attributes=_required(_array(_object(value=_required(_object(intValue=DOUBLE, stringValue=STRING)), key=_required(STRING)))),
    endTimeUnixNano=_required(STRING),
    startTimeUnixNano=_required(STRING),
    kind=_required(DOUBLE),
    name=_required(STRING),
    spanId=_required(STRING),
    traceId=_required(STRING),
)
_RESOURCE_VALUE = _object(arrayValue=_object(values=_required(_array(_object(stringValue=_required(STRING))))), intValue=DOUBLE,
                          stringValue=STRING)
OTEL_TRACE = _object(resourceSpans=_required(_array(_object(
    scopeSpans=_required(_array(_object(spans=_required(_array(_SPAN)),
                                        scope=_required(_object(version=_required(STRING), name=_required(STRING)))))),
    resource=_required(_object(droppedAttributesCount=_required(DOUBLE),
                               attributes=_required(_array(_object(value=_required(_RESOURCE_VALUE), key=_required(STRING)))))),
))))
_FLOAT = re.compile(r"^(?:[-+])?(?:[0-9]+)?(?:\.[0-9]*)?(?:[eE][+\-]?(?:[0-9]+))?$")  # validator.js isFloat


class ValidateError(Exception):
    """tsoa's ValidateError: jawn's error handler answers 422 with ``details`` = ``fields``."""

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__("Validation Failed")
        self.fields = fields


def validate_trace(body: Any) -> Any:
    """The OTELTrace body as the controller receives it (numbers coerced), or ValidateError."""
    errors: dict[str, Any] = {}
    value = _validate(OTEL_TRACE, body, "traceBody", errors, "")
    if errors:
        raise ValidateError(errors)
    return value


def _error(message: str, value: Any) -> dict[str, Any]:
    return {"message": message} if value is UNDEFINED else {"message": message, "value": value}


def _validate(schema: dict[str, Any], value: Any, name: str, errors: dict[str, Any], parent: str) -> Any:
    """``ValidationService.ValidateParam`` for the data types OTELTrace uses."""
    if value is UNDEFINED:
        if schema.get("required"):
            errors[parent + name] = _error(f"'{name}' is required", UNDEFINED)
        return UNDEFINED
    kind = schema["dataType"]
    if kind == "string":
        if not isinstance(value, str):
            errors[parent + name] = _error("invalid string value", value)
            return UNDEFINED
        return value
    if kind == "double":
        text = to_string(value)
        if text in ("", ".", ",", "-", "+") or not _FLOAT.match(text):
            errors[parent + name] = _error("invalid float number", value)
            return UNDEFINED
        return to_number(text)  # validator.toFloat: parseFloat
    if kind == "any":
        return value
    if kind == "array":
        before = len(errors)
        items = value if isinstance(value, list) else [value]  # bodyCoercion: a lone value is a 1-item array
        result = [_validate(schema["array"], item, f"${i}", errors, name + ".") for i, item in enumerate(items)]
        return UNDEFINED if len(errors) > before else result
    return _validate_object(schema["nestedProperties"], value, name, errors, parent)


def _validate_object(properties: dict[str, Any], value: Any, name: str, errors: dict[str, Any], parent: str) -> Any:
    if not isinstance(value, dict):
        errors[parent + name] = _error("invalid object", value)
        return UNDEFINED
    before = len(errors)
    extras = [key for key in value if key not in properties]
    if extras:
        shown: dict[str, Any] = {}
        for key in extras:  # `({[prop]: value[prop], ...acc})`: the last extra comes first
            shown = {key: value[key], **shown}
        errors[parent + name] = _error(f'"{",".join(extras)}" is an excess property and therefore is not allowed', shown)
    for key, schema in properties.items():
        checked = _validate(schema, value.get(key, UNDEFINED), key, errors, parent + name + ".")
        if checked is not UNDEFINED:
            value[key] = checked
    return UNDEFINED if len(errors) > before else value

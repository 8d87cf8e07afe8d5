"""The few JavaScript semantics jawn's ingestion depends on, for data parsed from JSON.

jawn reads bodies with optional chaining, ``??``, truthiness and ``+``/``-`` on whatever the
JSON holds (text token counts from protobuf ``toJSON()``, ``null`` chunks, empty arrays that are
truthy). A faithful replica has to give the same answers, so the ports use these helpers instead
of Python's own rules. ``UNDEFINED`` stands for a missing property: ``JSON.stringify`` drops
it, while ``null`` (``None``) stays.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()
NAN = float("nan")
_NUMERIC = re.compile(r"^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$")


def get(value: Any, key: Any) -> Any:
    """``value?.[key]``: UNDEFINED when ``value`` is not an object or lacks the key."""
    if isinstance(value, dict):
        return value.get(key, UNDEFINED)
    if isinstance(value, list) and isinstance(key, int):
        return value[key] if 0 <= key < len(value) else UNDEFINED
    return UNDEFINED


def prop(value: Any, key: Any) -> Any:
    """``value.key`` (no ``?.``): TypeError on null/undefined, like JavaScript."""
    if value is None or value is UNDEFINED:
        raise TypeError(f"Cannot read properties of {value!r} (reading {key!r})")
    return get(value, key)


def path(value: Any, *keys: Any) -> Any:
    """``value?.a?.b``."""
    for key in keys:
        value = get(value, key)
        if value is UNDEFINED or value is None:
            return UNDEFINED
    return value


def nullish(*values: Any) -> Any:
    """``a ?? b ?? c``."""
    for value in values[:-1]:
        if value is not None and value is not UNDEFINED:
            return value
    return values[-1]


def is_nullish(value: Any) -> bool:
    return value is None or value is UNDEFINED


def truthy(value: Any) -> bool:
    """JavaScript truthiness: ``[]`` and ``{}`` are true, ``0``, ``NaN`` and ``""`` false."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def to_number(value: Any) -> float:
    """``Number(value)``."""
    if value is None:
        return 0
    if value is UNDEFINED:
        return NAN
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, list):
        return to_number(to_string(value))
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            return 0
        if _NUMERIC.match(text):
            number = float(text)
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
        if re.fullmatch(r"[+-]?Infinity", text):
            return -math.inf if text.startswith("-") else math.inf
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return int(text, 16)
        return NAN
    return NAN


def to_string(value: Any) -> str:
    """``String(value)``."""
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return _number_text(float(value) if isinstance(value, float) or abs(value) >= 10**21 else value)
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def _number_text(value: float | int) -> str:
    """``Number.prototype.toString()``: shortest round-trip digits, exponent only outside
    [1e-6, 1e21)."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    shortest = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, shortest.digits))
    point = len(digits) + int(shortest.exponent)  # value = 0.<digits> * 10**point
    if len(digits) <= point <= 21:
        return sign + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    exponent = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def add(left: Any, right: Any) -> Any:
    """``left + right``: concatenation when either side is a string (or object)."""
    if isinstance(left, (str, list, dict)) or isinstance(right, (str, list, dict)):
        return to_string(left) + to_string(right)
    return to_number(left) + to_number(right)


def sub(left: Any, right: Any) -> float:
    return to_number(left) - to_number(right)


def js_max(*values: Any) -> float:
    """``Math.max(...)``: NaN wins."""
    numbers = [to_number(v) for v in values]
    return NAN if any(isinstance(n, float) and math.isnan(n) for n in numbers) else max(numbers)


def greater(left: Any, right: Any) -> bool:
    """``left > right``: two strings compare as text, anything else as numbers."""
    if isinstance(left, str) and isinstance(right, str):
        return left.encode("utf-16-be") > right.encode("utf-16-be")
    a, b = to_number(left), to_number(right)
    return not (math.isnan(a) or math.isnan(b)) and a > b


def clean(value: Any) -> Any:
    """What ``JSON.parse(JSON.stringify(value))`` gives: UNDEFINED members dropped, NaN → null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not UNDEFINED}
    if isinstance(value, list):
        return [None if v is UNDEFINED else clean(v) for v in value]
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str | bytes) -> Any:
    """``JSON.parse``: no NaN/Infinity literals (Python's json accepts them)."""
    return json.loads(text, parse_constant=_reject_constant)


def is_json(text: str) -> bool:
    try:
        parse_json(text)
    except ValueError:
        return False
    return True

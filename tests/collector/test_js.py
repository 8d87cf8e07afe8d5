"""The JavaScript semantics the replica relies on, against values printed by node 20."""

from __future__ import annotations

import math

import pytest

from helicone_otel.collector.js import greater, to_number, to_string, truthy
from helicone_otel.collector.otlp import parse_int


@pytest.mark.parametrize(
    ("value", "number"),
    [("42", 42), (" 7 ", 7), ("", 0), ("abc", math.nan), (None, 0), ([5], 5), ([1, 2], math.nan), (True, 1),
     ("0x10", 16), ("1e3", 1000), ("1_000", math.nan)],
)
def test_number_coercion(value, number):
    result = to_number(value)
    assert (math.isnan(result) and math.isnan(number)) or result == number


@pytest.mark.parametrize(("value", "expected"), [([], True), ({}, True), (0, False), ("", False), ("0", True), (math.nan, False)])
def test_truthiness(value, expected):
    assert truthy(value) is expected


def test_comparison_of_text_is_lexicographic():
    assert [greater("10", "9"), greater(10, "9"), greater("1024", "176")] == [False, True, False]


@pytest.mark.parametrize(("text", "expected"), [("12abc", 12), (" 3", 3), ("x", math.nan), ("0x1f", 31), ("-4.9", -4)])
def test_parse_int(text, expected):
    result = parse_int(text)
    assert (math.isnan(result) and math.isnan(expected)) or result == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e-07, "1e-7"), (1e16, "10000000000000000"), (1e21, "1e+21"), (0.00001, "0.00001"), (5.0, "5"), (-2.5e-8, "-2.5e-8"),
     (10**22, "1e+22"), (None, "null"), ([1, None, "a"], "1,,a"), ({"a": 1}, "[object Object]")],
)
def test_string_conversion(value, text):
    assert to_string(value) == text

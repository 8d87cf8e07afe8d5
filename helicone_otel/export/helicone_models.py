"""The model id to give Helicone so it can price a call (``Helicone-Model-Override``).

Helicone prices custom logs with its legacy registry by exact, prefix or substring match on the
model id (``packages/cost/index.ts``). Claude aliases (``claude-sonnet-4-5``), Bedrock ids
(``us.anthropic.claude-3-5-sonnet-20241022-v2:0``) and Vertex ids (``claude-3-5-sonnet-v2@20241022``)
match nothing there and are stored with cost 0. For those we send the dated id Helicone knows;
ids Helicone already prices are left alone. Runs on the export thread, cached per model.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ..cost.prices import candidate_names

_DATE = re.compile(r"(\d{8})")
_SUFFIXES = [re.compile(p) for p in (r"@\d{8}$", r"-v\d+(:\d+)?$", r"-latest$")]
# Helicone's proxy takes a Bedrock model id from the request path, where ``:`` is ``%3A``
# (``/model/amazon.nova-micro-v1%3A0/converse``), and its AWS rows are keyed so.
_PATH_MODEL_PROVIDERS = frozenset({"AWS", "BEDROCK"})
# Helicone's rows that name the provider in front of the model id (``cohere/command-r``).
_ID_PREFIXES = {"COHERE": "cohere/"}


@lru_cache(maxsize=1)
def _registry() -> dict[str, list[tuple[str, str]]]:
    data = json.loads(resources.files(__package__).joinpath("helicone_models.json").read_text(encoding="utf-8"))
    return {provider: [(op, value) for op, value in rows] for provider, rows in data["providers"].items()}


def _priced(rows: list[tuple[str, str]], model: str) -> bool:
    for operator, value in rows:
        if (operator == "equals" and model == value) or (operator == "startsWith" and model.startswith(value)) or (
            operator == "includes" and value in model
        ):
            return True
    return False


@lru_cache(maxsize=512)
def model_override(provider: str, model: str) -> str | None:
    """The id Helicone prices for ``model`` served as ``provider`` (Helicone's name), or None
    when Helicone prices ``model`` itself or knows no id for it."""
    rows = _registry().get(provider)
    name = model.strip().lower()
    if not rows or not name or _priced(rows, name):
        return None
    if provider in _PATH_MODEL_PROVIDERS:
        encoded = name.replace(":", "%3a")
        if encoded != name and _priced(rows, encoded):
            return encoded
    prefixed = _ID_PREFIXES.get(provider, "") + name
    if prefixed != name and _priced(rows, prefixed):
        return prefixed
    names = candidate_names(name, _SUFFIXES)
    for candidate in names[1:]:
        if _priced(rows, candidate):
            return candidate
    # An alias: the dated ids of the same family, the one with the id's own date if it has one.
    date = _DATE.search(name)
    family = names[-1]
    dated = sorted(v for op, v in rows if op == "equals" and v.startswith(family + "-") and _DATE.fullmatch(v[len(family) + 1:]))
    if date is not None:
        dated = [v for v in dated if v.endswith(date.group(1))] or dated
    return dated[-1] if dated else None

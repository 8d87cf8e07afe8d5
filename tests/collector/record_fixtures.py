"""Regenerate tests/collector/fixtures/*.json with the helicone-oracle (Helicone's own jawn
ingestion code, ../shared/helicone-oracle). The tests never run this; they replay the recorded
requests against the local collector and compare with the recorded oracle lines.

Usage (from the repository root, with the oracle set up once as its README says)::

    . .venv/bin/activate
    python tests/collector/record_fixtures.py [--oracle ../shared/helicone-oracle] [CASE ...]

``--prices`` (alias ``--models``) regenerates helicone_otel/collector/helicone_prices.json, Helicone's
own price data for the collector's cost.py (the legacy rows of packages/cost/providers/mappings.ts
and the registry-v2 pricing of packages/cost/models), from the unpacked Helicone source the oracle
uses; with ``--prices`` only the CASEs named are recorded::

    python tests/collector/record_fixtures.py --prices

Each case (``fixture_cases*.py``) is a list of HTTP requests. Every request goes through
``replay.sh`` twice; the oracle lines are stored next to the request, with ``source`` and ``ts``
dropped and every value that differed between the two runs (random request ids, "now"
timestamps) replaced by ``"<varies>"``. The file is named after the case.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import fixture_cases  # noqa: E402
import fixture_cases_custom  # noqa: E402,F401  (registers cases)
import fixture_cases_otlp  # noqa: E402,F401  (registers cases)
from payloads import request_bytes  # noqa: E402

VARIES = "<varies>"
DEFAULT_ORACLE = HERE.parents[2] / "shared" / "helicone-oracle"
PRICES = HERE.parents[1] / "helicone_otel" / "collector" / "helicone_prices.json"


def replay(oracle: Path, requests: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The oracle's lines for each request, in order (one replay.sh process for all)."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, request in enumerate(requests):
            path = Path(tmp) / f"{i:03d}.json"
            body = request_bytes(request)
            path.write_text(json.dumps({"path": request["path"], "headers": request["headers"],
                                        "body_b64": base64.b64encode(body).decode("ascii")}))
            files.append(str(path))
        done = subprocess.run(["bash", str(oracle / "replay.sh"), *files], capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"replay.sh failed ({done.returncode}):\n{done.stderr[-4000:]}")
        lines: dict[str, list[dict[str, Any]]] = {f: [] for f in files}
        for text in done.stdout.splitlines():
            line = json.loads(text)
            lines[line.pop("source")].append(line)
        return [lines[f] for f in files]


def merge(first: Any, second: Any) -> Any:
    """``first`` with every value that differs in ``second`` replaced by VARIES."""
    if isinstance(first, dict) and isinstance(second, dict) and first.keys() == second.keys():
        return {k: merge(first[k], second[k]) for k in first}
    if isinstance(first, list) and isinstance(second, list) and len(first) == len(second):
        return [merge(a, b) for a, b in zip(first, second)]
    return first if first == second else VARIES


def record(oracle: Path, name: str) -> dict[str, Any]:
    built = fixture_cases.CASES[name]()
    requests = built["requests"]
    runs = [replay(oracle, requests), replay(oracle, requests)]
    for request, first, second in zip(requests, *runs):
        for line in first + second:
            line.pop("ts", None)
            line.pop("helicone_log", None)  # Helicone's console output; not part of the contract
        request["oracle"] = merge(first, second)
    return {"name": name, "about": built["about"], "requests": requests}


PRICES_SCRIPT = """
import { providers, providersNames } from "@SRC@/packages/cost/providers/mappings";
import { registry } from "@SRC@/packages/cost/models/registry";
import { heliconeProviderToModelProviderName } from "@SRC@/packages/cost/models/provider-helpers";
import { getUsageProcessor } from "@SRC@/packages/cost/usage/getUsageProcessor";
const legacy = providers.map((p: any) => [p.provider, p.pattern ? p.pattern.source : null,
  p.costs ? p.costs.map((c: any) => [c.model.operator, c.model.value, c.cost]) : null]);
// jawn looks the registry up only for the model providers a Helicone provider maps to and that
// have a usage processor (ResponseBodyHandler.ts:168-215).
const reachable = new Set<string>();
for (const name of providersNames) {
  const modelProvider = heliconeProviderToModelProviderName(name as any);
  if (modelProvider && getUsageProcessor(modelProvider)) reachable.add(modelProvider);
}
const pricing: Record<string, Record<string, unknown>> = {};
for (const modelProvider of [...reachable].sort()) {
  const ids = new Set<string>();
  for (const model of registry.getProviderModels(modelProvider).data ?? []) {
    const config: any = registry.getModelProviderConfig(model, modelProvider).data;
    if (!config) continue;
    ids.add(config.providerModelId);
    for (const alias of config.providerModelIdAliases ?? []) ids.add(alias);
  }
  // Resolved with jawn's own lookup, so duplicate ids and aliases land where jawn lands.
  const byId: Record<string, unknown> = {};
  for (const id of [...ids].sort()) {
    const config: any = registry.getModelProviderConfigByProviderModelId(id, modelProvider as any).data;
    if (config) byId[id] = config.pricing;
  }
  pricing[modelProvider] = byId;
}
process.stdout.write(JSON.stringify({ legacy, registry: pricing }));
"""


BUILD_SCRIPT = r"""
require(@ESBUILD@).build({
  entryPoints: [@ENTRY@], bundle: true, platform: "node", outfile: @OUT@, logLevel: "error",
  plugins: [{ name: "stub", setup(b) {
    b.onResolve({ filter: /^(@smithy|@aws-crypto|@helicone-package)\// }, (a) => ({ path: a.path, namespace: "stub" }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "module.exports = {}", loader: "js" }));
  } }],
}).catch(() => process.exit(1));
"""

# costOfPrompt's ModelRow.cost fields (packages/cost/interfaces/Cost.ts), in the order the price
# file lists them; trailing missing fields are left off each row.
LEGACY_FIELDS = ("prompt_token", "completion_token", "prompt_cache_read_token", "prompt_cache_write_token",
                 "prompt_cache_creation_5m", "prompt_cache_creation_1h", "prompt_audio_token", "completion_audio_token",
                 "per_image", "per_call")
# The ModelPricing fields calculateModelCostBreakdown reads (packages/cost/models/calculate-cost.ts),
# and those it does not.
REGISTRY_FIELDS = ("threshold", "input", "output", "cacheMultipliers", "thinking", "request", "image", "audio", "video",
                   "file", "web_search")
REGISTRY_UNUSED = ("cacheStoragePerHour",)


def dump_prices(oracle_home: Path) -> dict[str, Any]:
    """Helicone's two price registries, as helicone_otel/collector/cost.py reads them."""
    src = Path(os.environ.get("HELICONE_SRC", oracle_home / "helicone-src"))
    esbuild = oracle_home / "node" / "node_modules" / "esbuild"
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "prices.ts"
        entry.write_text(PRICES_SCRIPT.replace("@SRC@", str(src)))
        bundle = Path(tmp) / "prices.js"
        # The AWS signing and llm-mapper request transforms the provider classes import are never
        # called while reading prices: stub them as empty modules.
        build = Path(tmp) / "build.js"
        build.write_text(BUILD_SCRIPT.replace("@ESBUILD@", json.dumps(str(esbuild)))
                         .replace("@ENTRY@", json.dumps(str(entry))).replace("@OUT@", json.dumps(str(bundle))))
        subprocess.run(["node", str(build)], check=True)
        done = subprocess.run(["node", str(bundle)], capture_output=True, text=True, check=True)
    dumped = json.loads(done.stdout)
    # A field Helicone adds later must reach cost.py, not vanish here.
    unknown = {f for _, _, rows in dumped["legacy"] for _, _, cost in rows or [] for f in cost if f not in LEGACY_FIELDS}
    unknown |= {f for ids in dumped["registry"].values() for tiers in ids.values() for tier in tiers
                for f in tier if f not in REGISTRY_FIELDS + REGISTRY_UNUSED}
    if unknown:
        raise SystemExit(f"Helicone price fields cost.py does not know: {sorted(unknown)}")
    legacy = []
    for provider, pattern, rows in dumped["legacy"]:
        if rows is not None:
            rows = [[operator, value, *_trimmed([cost.get(field) for field in LEGACY_FIELDS])] for operator, value, cost in rows]
        legacy.append([provider, pattern, rows])
    registry = {provider: {model_id: [{k: tier[k] for k in REGISTRY_FIELDS if k in tier} for tier in tiers]
                           for model_id, tiers in ids.items()}
                for provider, ids in dumped["registry"].items()}
    return {
        "about": "Generated by tests/collector/record_fixtures.py --prices from Helicone 67df07b8d packages/cost. "
                 "'legacy': providers/mappings.ts in order, [provider, URL pattern source, rows or null], each row "
                 "[operator, model, *legacy_fields] in USD per token (null or left off: not set); first match wins. "
                 "'registry': per model provider, providerModelId (and alias) -> the ModelPricing tiers "
                 "calculateModelCostBreakdown reads, only for the model providers jawn looks up.",
        "legacy_fields": list(LEGACY_FIELDS),
        "legacy": legacy,
        "registry": registry,
    }


def _trimmed(values: list[Any]) -> list[Any]:
    while values and values[-1] is None:
        values.pop()
    return values


def write_prices(prices: dict[str, Any], target: Path) -> None:
    """One legacy row and one registry id per line, so a price change is a one-line diff."""
    def dumps(value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    lines = ["{", f'"about":{dumps(prices["about"])},', f'"legacy_fields":{dumps(prices["legacy_fields"])},', '"legacy":[']
    for i, (provider, pattern, rows) in enumerate(prices["legacy"]):
        end = "," if i < len(prices["legacy"]) - 1 else ""
        if not rows:
            lines.append(f"[{dumps(provider)},{dumps(pattern)},{dumps(rows)}]{end}")
            continue
        lines.append(f"[{dumps(provider)},{dumps(pattern)},[")
        lines.extend(dumps(row) + ("," if j < len(rows) - 1 else "") for j, row in enumerate(rows))
        lines.append(f"]]{end}")
    lines.append("],")
    lines.append('"registry":{')
    providers = list(prices["registry"].items())
    for i, (provider, ids) in enumerate(providers):
        lines.append(f"{dumps(provider)}:{{")
        items = list(ids.items())
        lines.extend(f"{dumps(model_id)}:{dumps(tiers)}" + ("," if j < len(items) - 1 else "") for j, (model_id, tiers) in enumerate(items))
        lines.append("}" + ("," if i < len(providers) - 1 else ""))
    lines.append("}}")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--oracle", type=Path, default=Path(os.environ.get("HELICONE_ORACLE", DEFAULT_ORACLE)))
    parser.add_argument("--oracle-home", type=Path, default=Path(os.environ.get("HELICONE_ORACLE_HOME", "/tmp/helicone-oracle")))
    parser.add_argument("--prices", "--models", action="store_true",
                        help=f"regenerate {PRICES.relative_to(HERE.parents[1])} (and record only the CASEs given)")
    parser.add_argument("cases", nargs="*", help=f"default: all of {sorted(fixture_cases.CASES)}")
    args = parser.parse_args(argv)
    if args.prices:
        write_prices(dump_prices(args.oracle_home), PRICES)
        print(f"wrote {PRICES} ({PRICES.stat().st_size:,} bytes)")
    out = HERE / "fixtures"
    out.mkdir(exist_ok=True)
    for name in args.cases or ([] if args.prices else sorted(fixture_cases.CASES)):
        fixture = record(args.oracle, name)
        (out / f"{name}.json").write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        statuses = [[line.get("http_status") for line in r["oracle"]] for r in fixture["requests"]]
        print(f"{name}: {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

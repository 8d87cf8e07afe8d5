"""Regenerate tests/collector/fixtures/*.json with the helicone-oracle (Helicone's own jawn
ingestion code, ../shared/helicone-oracle). The tests never run this; they replay the recorded
requests against the local collector and compare with the recorded oracle lines.

Usage (from the repository root, with the oracle set up once as its README says)::

    . .venv/bin/activate
    python tests/collector/record_fixtures.py [--oracle ../shared/helicone-oracle] [CASE ...]

``--models`` also regenerates helicone_otel/collector/helicone_models.json, the index of which
(provider, model) pairs Helicone's two cost registries know (no prices: the collector prices
with helicone_otel/cost), from the unpacked Helicone source the oracle uses.

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


MODELS_SCRIPT = """
import { providers } from "@SRC@/packages/cost/providers/mappings";
import { registry } from "@SRC@/packages/cost/models/registry";
const all = registry.getAllModelsWithIds().data ?? {};
const keys = new Set<string>();
for (const model of Object.keys(all)) {
  for (const config of registry.getModelProviderConfigs(model).data ?? []) {
    keys.add(config.providerModelId + "\\u0000" + config.provider);
    for (const alias of (config as any).providerModelIdAliases ?? []) keys.add(alias + "\\u0000" + config.provider);
  }
}
const registryIndex: Record<string, string[]> = {};
for (const key of [...keys].sort()) {
  const [id, provider] = key.split("\\u0000");
  (registryIndex[provider] ??= []).push(id);
}
const legacy = providers.map((p: any) => [p.provider, p.pattern ? p.pattern.source : null,
  p.costs ? p.costs.map((c: any) => [c.model.operator, c.model.value]) : null]);
process.stdout.write(JSON.stringify({ legacy, registry: registryIndex }));
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


def dump_models(oracle_home: Path) -> dict[str, Any]:
    """Helicone's legacy cost rows (operator, model) per provider, and registry-v2 model ids."""
    src = Path(os.environ.get("HELICONE_SRC", oracle_home / "helicone-src"))
    esbuild = oracle_home / "node" / "node_modules" / "esbuild"
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "models.ts"
        entry.write_text(MODELS_SCRIPT.replace("@SRC@", str(src)))
        bundle = Path(tmp) / "models.js"
        # The AWS signing and llm-mapper request transforms the provider classes import are never
        # called while building the indexes: stub them as empty modules.
        build = Path(tmp) / "build.js"
        build.write_text(BUILD_SCRIPT.replace("@ESBUILD@", json.dumps(str(esbuild)))
                         .replace("@ENTRY@", json.dumps(str(entry))).replace("@OUT@", json.dumps(str(bundle))))
        subprocess.run(["node", str(build)], check=True)
        done = subprocess.run(["node", str(bundle)], capture_output=True, text=True, check=True)
    dumped = json.loads(done.stdout)
    return {
        "about": "Generated by tests/collector/record_fixtures.py --models from Helicone 67df07b8d packages/cost: "
                 "'legacy' is providers/mappings.ts in order ([provider, URL pattern, [[operator, model], ...]]), "
                 "'registry' the registry-v2 providerModelIds (and aliases) per model provider. No prices.",
        **dumped,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--oracle", type=Path, default=Path(os.environ.get("HELICONE_ORACLE", DEFAULT_ORACLE)))
    parser.add_argument("--oracle-home", type=Path, default=Path(os.environ.get("HELICONE_ORACLE_HOME", "/tmp/helicone-oracle")))
    parser.add_argument("--models", action="store_true", help="also regenerate helicone_otel/collector/helicone_models.json")
    parser.add_argument("cases", nargs="*", help=f"default: all of {sorted(fixture_cases.CASES)}")
    args = parser.parse_args(argv)
    if args.models:
        target = HERE.parents[1] / "helicone_otel" / "collector" / "helicone_models.json"
        models = dump_models(args.oracle_home)
        target.write_text(json.dumps(models, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    out = HERE / "fixtures"
    out.mkdir(exist_ok=True)
    for name in args.cases or sorted(fixture_cases.CASES):
        fixture = record(args.oracle, name)
        (out / f"{name}.json").write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        statuses = [[line.get("http_status") for line in r["oracle"]] for r in fixture["requests"]]
        print(f"{name}: {statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

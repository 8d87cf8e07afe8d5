"""``/costs``: totals by model, provider, user, session or property, per day, with a chart. Tool
and vector-database steps are counted as steps, never as unpriced requests of some provider."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Callable, Mapping

from .. import reads
from ..store import Store
from .html import Html, empty, h, href, join, num, usd
from .svg import stacked_bars

RANGES = (("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("all", "all time"))
METRICS = {"cost": "cost (USD)", "requests": "LLM requests", "tokens": "tokens in + out"}
SERIES = 7  # the biggest groups get a colour each, the rest are "other"


def _value(row: reads.CostRow, metric: str) -> float:
    if metric == "requests":
        return float(row.requests)
    if metric == "tokens":
        return float(row.prompt_tokens + row.completion_tokens)
    return row.cost_usd


def _formatter(metric: str) -> Callable[[float], str]:
    if metric == "cost":
        return lambda v: usd(v) if v else "$0"
    return lambda v: f"{v:,.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def _days(rows: list[reads.CostRow], since: float | None) -> list[str]:
    present = sorted({r.day for r in rows})
    if not present:
        return []
    first = date.fromisoformat(present[0]) if since is None else min(date.fromtimestamp(since), date.fromisoformat(present[0]))
    last = max(date.today(), date.fromisoformat(present[-1]))
    if (last - first).days > 400:  # a long history: only the days with calls
        return present
    return [(first + timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]


def _select(name: str, current: str, options: list[tuple[str, str]]) -> Html:
    return h('<select name="{}" class="autosubmit">{}</select>', name, join(
        h('<option value="{}"{}>{}</option>', v, Html(" selected") if v == current else "", t) for v, t in options))


def page(store: Store, query: Mapping[str, list[str]]) -> tuple[str, Html]:
    """The costs page."""
    first = {k: v[0].strip() for k, v in query.items() if v}
    by = first.get("by", "model")
    days = first.get("days", "30") if first.get("days") in dict(RANGES) else "30"
    metric = first.get("metric", "cost") if first.get("metric") in METRICS else "cost"
    try:
        reads.group_sql(by)
    except ValueError:
        by = "model"
    since = None if days == "all" else time.mktime((date.today() - timedelta(days=int(days) - 1)).timetuple())
    rows = reads.cost_rollup(store, by, since=since)
    totals: dict[str, reads.CostRow] = {}
    per_day: dict[str, reads.CostRow] = {}
    for row in rows:
        for bucket, key, day in ((totals, row.key, ""), (per_day, row.day, row.day)):
            total = bucket.setdefault(key, reads.CostRow(day, key))
            for name in ("requests", "steps", "prompt_tokens", "completion_tokens", "cost_usd", "unpriced"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
    ranked = sorted(totals.values(), key=lambda t: (-_value(t, metric), -t.cost_usd, -t.requests, t.key))
    grand = reads.CostRow("", "total")
    for t in ranked:
        for name in ("requests", "steps", "prompt_tokens", "completion_tokens", "cost_usd", "unpriced"):
            setattr(grand, name, getattr(grand, name) + getattr(t, name))
    day_list = _days(rows, since)
    shown = [t.key for t in ranked if _value(t, metric) > 0][:SERIES]
    series = [(key, [0.0] * len(day_list)) for key in shown]
    other = [0.0] * len(day_list)
    index = {d: i for i, d in enumerate(day_list)}
    for row in rows:
        if row.day in index:
            target = series[shown.index(row.key)][1] if row.key in shown else other
            target[index[row.day]] += _value(row, metric)
    if any(other):
        series.append(("other", other))
    chart = stacked_bars(day_list, series, _formatter(metric), f"{METRICS[metric]} per day by {by}") if rows else Html("")
    properties = [(f"property:{p}", f"property {p}") for p in reads.choices(store)["property"]]
    if by.startswith("property:") and by not in dict(properties):
        properties.append((by, by.replace(":", " ", 1)))
    form = h('<form class="filters" method="get" action="/costs"><label>by {}</label><label>over {}</label>'
             '<label>chart {}</label><noscript><button type="submit">Show</button></noscript></form>',
             _select("by", by, [("model", "model"), ("provider", "provider"), ("user", "user"), ("session", "session")]
                     + properties), _select("days", days, list(RANGES)), _select("metric", metric, list(METRICS.items())))

    def line(t: reads.CostRow, link: bool) -> Html:
        key = h('<a href="{}">{}</a>', _filter_link(by, t.key), t.key) if link and t.key != reads.NONE else t.key
        return h('<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>'
                 '<td class="num">{}</td><td class="num">{}</td></tr>', key, num(t.requests), num(t.steps), num(t.prompt_tokens),
                 num(t.completion_tokens), usd(t.cost_usd), num(t.unpriced) if t.unpriced else "–")

    head = ('<thead><tr><th>{}</th><th class="num">LLM requests</th><th class="num">Steps</th><th class="num">Tokens in</th>'
            '<th class="num">Tokens out</th><th class="num">Cost</th><th class="num">Unpriced</th></tr></thead>')
    by_key = h('<table class="grid costs">' + head + '<tbody>{}</tbody><tfoot>{}</tfoot></table>', by,
               join(line(t, True) for t in ranked), line(grand, False))
    daily = h('<details><summary>Per day</summary><table class="grid compact">' + head + '<tbody>{}</tbody></table></details>',
              "day", join(line(per_day[d], False) for d in sorted(per_day, reverse=True)))
    cards = join(h('<div><dt>{}</dt><dd>{}</dd></div>', k, v) for k, v in (
        ("Cost", usd(grand.cost_usd)), ("LLM requests", num(grand.requests)), ("Steps", num(grand.steps)),
        ("Tokens in / out", f"{num(grand.prompt_tokens)} / {num(grand.completion_tokens)}"),
        ("Unpriced requests", num(grand.unpriced))))
    content = h('<dl class="facts">{}</dl>{}{}{}', cards, chart, by_key, daily) if rows else empty("No requests in this period.")
    return "Costs", h('<h1>Costs</h1>{}<div id="costs-live" data-live-region>{}</div>', form, content)


def _filter_link(by: str, key: str) -> str:
    if by == "session":
        return href("/sessions", key)
    if by.startswith("property:"):
        return href("/requests", **{f"p.{by[len('property:'):]}": key})
    if by == "provider":
        return href("/requests", provider=key) if key != reads.STEPS else href("/requests")
    return href("/requests", **{"user" if by == "user" else "model": key})

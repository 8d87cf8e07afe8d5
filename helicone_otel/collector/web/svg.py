"""Inline SVG drawn on the server: waterfall bars and a stacked bar chart per day. Geometry is
given by attributes only (no ``style``), so the page's Content-Security-Policy can forbid inline
styles; colours come from a fixed palette, labels are escaped like all text."""

from __future__ import annotations

from typing import Callable, Sequence

from .html import Html, h, join

PALETTE = ("#4f7cff", "#16a37f", "#f29d38", "#d9508a", "#8b5cf6", "#0ea5c6", "#a3a847", "#8a8f98")
_WIDTH = 1000


def bar(start: float, end: float, kind: str, label: str) -> Html:
    """One waterfall bar, ``start`` and ``end`` as fractions of the whole (0..1)."""
    start = min(max(start, 0.0), 1.0)
    width = max((min(max(end, start), 1.0) - start) * _WIDTH, 3.0)
    x = min(start * _WIDTH, _WIDTH - width)
    return h('<svg class="bar" viewBox="0 0 1000 14" preserveAspectRatio="none" role="img" aria-label="{}">'
             '<rect class="{}" x="{:.1f}" y="1" width="{:.1f}" height="12" rx="2"><title>{}</title></rect></svg>',
             label, kind, x, width, label)


def axis(total_ms: float, fmt: Callable[[float], str]) -> Html:
    """Tick labels under a waterfall header: 0, ¼, ½, ¾ and the whole duration."""
    label = (lambda v: f"{v:.1f} ms") if total_ms < 10 else fmt
    ticks = join(h('<span>{}</span>', label(total_ms * i / 4)) for i in range(5))
    return h('<div class="axis">{}</div>', ticks)


def stacked_bars(days: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], fmt: Callable[[float], str],
                 title: str) -> Html:
    """One bar per day, one coloured segment per series (each ``(label, value per day)``), with
    a y axis, day labels, a tooltip on every segment and a legend."""
    if not days:
        return Html("")
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    top = _nice(max(totals) if totals else 0.0)
    left, top_pad, bottom, height = 70, 12, 24, 220
    slot = (_WIDTH - left) / len(days)
    width = max(min(slot * 0.7, 48), 2)
    parts = []
    for step in range(5):
        value = top * step / 4
        y = top_pad + height - height * step / 4
        parts.append(h('<line class="grid" x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}"></line>'
                       '<text class="tick" x="{}" y="{:.1f}" text-anchor="end">{}</text>',
                       left, _WIDTH, y, y, left - 6, y + 4, fmt(value)))
    label_every = max(1, len(days) // 10)
    for i, day in enumerate(days):
        x = left + slot * i + (slot - width) / 2
        y = float(top_pad + height)
        for index, (label, values) in enumerate(series):
            value = values[i]
            if value <= 0 or top <= 0:
                continue
            size = height * value / top
            y -= size
            parts.append(h('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"><title>{}</title></rect>',
                           x, y, width, max(size, 0.5), PALETTE[index % len(PALETTE)], f"{day} · {label}: {fmt(value)}"))
        if i % label_every == 0:
            parts.append(h('<text class="tick" x="{:.1f}" y="{}" text-anchor="middle">{}</text>', x + width / 2,
                           top_pad + height + 16, day[5:]))
    legend = join(h('<span class="key"><svg viewBox="0 0 10 10" width="10" height="10" aria-hidden="true">'
                    '<rect width="10" height="10" rx="2" fill="{}"></rect></svg>{}</span>', PALETTE[i % len(PALETTE)], label)
                  for i, (label, _) in enumerate(series))
    return h('<figure class="chart"><svg viewBox="0 0 1000 {}" role="img" aria-label="{}">{}</svg>'
             '<figcaption class="legend">{}</figcaption></figure>', top_pad + height + bottom, title, join(parts), legend)


def _nice(value: float) -> float:
    """The smallest 1, 2, 4, 6 or 8 × 10ⁿ at or above ``value`` (its quarters are round too)."""
    if value <= 0:
        return 1.0
    scale = 10.0 ** len(str(int(value))) if value >= 1 else 1.0
    while scale / 10 >= value:
        scale /= 10
    while scale < value:
        scale *= 10
    for factor in (0.1, 0.2, 0.4, 0.6, 0.8):
        if scale * factor >= value:
            return scale * factor
    return scale


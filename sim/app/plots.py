"""Small SVG charts drawn as text: a redraw costs about a millisecond, not a matplotlib figure.

Labels and units come from :mod:`sim.catalog`; the x axis is always days.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .. import catalog

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
W, H = 420, 190
LEFT, RIGHT, TOP, BOTTOM = 56, 10, 26, 30


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    first = math.ceil(lo / step) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float, kind: str) -> str:
    if kind == "share":
        return f"{100 * v:.0f}%" if abs(v) >= 0.1 or v == 0 else f"{100 * v:.2g}%"
    if abs(v) >= 1000:
        return f"{v / 1000:,.0f}k" if abs(v) >= 10000 else f"{v:,.0f}"
    return f"{v:g}" if abs(v) >= 1 or v == 0 else f"{v:.2g}"


def line_chart(name: str, days: np.ndarray, lines: dict[str, np.ndarray], title: str | None = None,
               zero_line: bool = False) -> str:
    """An SVG chart of one outcome (``name`` in the catalog) over days, one line per label."""
    o = catalog.OUTCOMES.get(name)
    kind = o.kind if o else "count"
    title = title or (o.axis_label if o else name)
    values = [np.asarray(v, float) for v in lines.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 1, hi + 1
        if kind == "share":
            lo, hi = max(lo, -0.01) if not zero_line else lo, hi
    x0 = float(days[0]) if len(days) else 0.0
    x1 = float(days[-1]) if len(days) > 1 else x0 + 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def sx(x):
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y):
        return TOP + (hi - y) / (hi - lo) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
             f'height="{H}" class="cogov-chart" data-name="{html.escape(name)}" '
             f'style="font: 11px sans-serif; background: white">',
             f'<text x="{LEFT}" y="15" font-weight="bold">{html.escape(title)}</text>']
    for t in _ticks(lo, hi):
        y = sy(t)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
                     f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t, kind)}</text>')
    for t in _ticks(x0, x1, 5):
        x = sx(t)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + ph}" y2="{TOP + ph + 4}" stroke="#555"/>'
                     f'<text x="{x:.1f}" y="{TOP + ph + 15}" text-anchor="middle">{t:g}</text>')
    parts.append(f'<text x="{LEFT + pw / 2}" y="{H - 2}" text-anchor="middle" fill="#555">day</text>')
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    if zero_line and lo < 0 < hi or zero_line and (lo == 0 or hi == 0):
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
                     'stroke="#333" stroke-dasharray="3,3"/>')
    step = max(1, len(days) // 600)  # at most ~600 points a line: the chart stays light
    for i, (label, v) in enumerate(lines.items()):
        colour = COLOURS[i % len(COLOURS)]
        d, v = np.asarray(days)[::step], np.asarray(v, float)[::step]
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(d, v) if np.isfinite(y))
        if pts:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{pts}"/>')
        if len(lines) > 1:
            parts.append(f'<text x="{W - RIGHT - 4}" y="{TOP + 12 + 12 * i}" text-anchor="end" '
                         f'fill="{colour}">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, bars: list[tuple[str, float]], kind: str = "share") -> str:
    """Horizontal bars (participation by group)."""
    row = 18
    height = TOP + row * len(bars) + 8
    vmax = max([v for _, v in bars if np.isfinite(v)] + [1e-9])
    if kind == "share":
        vmax = max(vmax, 0.05)
    left, width = 120, W - 120 - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" '
             f'height="{height}" class="cogov-chart" style="font: 11px sans-serif; background: white">',
             f'<text x="8" y="15" font-weight="bold">{html.escape(title)}</text>']
    for i, (label, v) in enumerate(bars):
        y = TOP + i * row
        w = 0 if not np.isfinite(v) else v / vmax * width
        text = "n/a" if not np.isfinite(v) else (f"{100 * v:.1f}%" if kind == "share" else f"{v:,.1f}")
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{html.escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="#1f77b4"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + 12}">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""Charts drawn as SVG text: a redraw costs about a millisecond, not a matplotlib figure.

Each chart fills its column (a ``viewBox``, width 100%), names its axes with units
(:mod:`sim.catalog`, in the page's language), labels each tick once (as many decimals as
the step needs; whole steps for counts) and names its lines by scenario. Hovering shows
the values of the day under the pointer (an SVG ``<title>`` per band of days, read by the
browser: no script). Days before 0 are the spin-up's last year, drawn on a grey band.
"""

from __future__ import annotations

import html
import math

import numpy as np

from .. import catalog
from . import i18n

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
W, H = 560, 280
LEFT, RIGHT, TOP, BOTTOM = 78, 12, 46, 44
HOVER_BANDS = 160          # hover areas a chart has at most (one per day when fewer days)
INTEGER_KINDS = ("count",)


def ticks(lo: float, hi: float, n: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering lo-hi (about n of them; whole numbers when ``integer``)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    mults = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)  # 2.5 is never whole below 10
    step = min((m * mag for m in mults if m * mag >= raw), default=raw)
    if integer:
        step = max(1.0, float(round(step)))
    first = math.ceil(lo / step - 1e-9) * step
    out = [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]
    return [round(v, 12) for v in out]


def _decimals(step: float) -> int:
    """Decimals that tell ticks ``step`` apart (0.25 needs 2, 0.5 one, 5 none)."""
    if step <= 0 or not math.isfinite(step):
        return 0
    for d in range(0, 10):
        if abs(round(step, d) - step) < 1e-9 * max(1.0, abs(step)):
            return d
    return 10


def tick_labels(values: list[float], kind: str) -> list[str]:
    """Each tick's label, all different: shares as %, large numbers with separators."""
    scale = 100.0 if kind == "share" else 1.0
    vals = [v * scale for v in values]
    step = min((b - a for a, b in zip(vals, vals[1:])), default=1.0)
    d = _decimals(round(step, 9)) if len(vals) > 1 else 0
    suffix = "%" if kind == "share" else ""
    return [f"{v:,.{d}f}{suffix}".replace("-0%", "0%") if abs(v) > 1e-12 else f"0{suffix}"
            for v in vals]


def format_value(v: float, kind: str, signed: bool = False, lang: str = "en") -> str:
    """A value (or a difference, ``signed``) in its unit: shares in % (points for a
    difference), counts whole, yuan whole with separators, indices to three decimals."""
    if v is None or not np.isfinite(v):
        return i18n.t("na", lang)
    sign = "+" if signed else ""
    # a difference that rounds to zero is "+0", not "-0"
    shown = {"share": 100 * v, "count": v, "yuan": v, "meta": v, "hours": v}.get(kind, v)
    digits = {"share": 1, "index": 3, "days": 1}.get(kind, 0 if kind in ("count", "yuan", "meta",
                                                                          "hours") else 2)
    if round(shown, digits) == 0:
        v = 0.0
    if kind == "share":
        return f"{100 * v:{sign},.1f} {i18n.t('pts', lang)}" if signed else f"{100 * v:.1f}%"
    if kind in ("count", "yuan", "meta"):
        return f"{round(v):{sign},.0f}"
    if kind == "hours":
        return f"{v:{sign},.0f}"
    if kind == "index":
        return f"{v:{sign}.3f}"
    if kind == "days":
        return f"{v:{sign},.1f}"
    return f"{v:{sign},.2f}"


def line_chart(name: str, days: np.ndarray, lines: dict[str, np.ndarray], lang: str = "en",
               title: str | None = None, zero_line: bool = False, difference: bool = False) -> str:
    """An SVG chart of one outcome (``name`` in the catalog) over days, one line per label."""
    o = catalog.OUTCOMES.get(name)
    kind = o.kind if o else "count"
    axis = i18n.outcome_axis(name, lang)
    title = title or i18n.outcome_label(name, lang)
    days = np.asarray(days, float)
    values = [np.asarray(v, float) for v in lines.values()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if zero_line:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    integer = kind in INTEGER_KINDS
    if hi - lo < 1e-12:
        pad = 1.0 if integer or kind not in ("share", "index") else 0.01
        lo, hi = lo - pad, hi + pad
        if kind == "share" and not difference:
            lo = max(lo, 0.0)
    x0 = float(days[0]) if len(days) else 0.0
    x1 = float(days[-1]) if len(days) > 1 else x0 + 1
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    yt = ticks(lo, hi, 5, integer)
    if yt:
        lo, hi = min(lo, yt[0]), max(hi, yt[-1])

    def sx(x):
        return LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y):
        return TOP + (hi - y) / (hi - lo) * ph

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" '
             f'class="cogov-chart" data-name="{html.escape(name)}" data-kind="{kind}" '
             f'role="img" aria-label="{html.escape(title)}">',
             f'<text x="{LEFT}" y="16" class="t">{html.escape(title)}</text>']
    if x0 < 0:  # the spin-up's last year
        edge = sx(min(0.0, x1))
        parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{edge - LEFT:.1f}" height="{ph}" '
                     f'fill="#f0f0f0"/><text x="{LEFT + 4}" y="{TOP + ph - 5}" class="n">'
                     f'{html.escape(i18n.t("spinup", lang))}</text>')
    for t_, label in zip(yt, tick_labels(yt, kind)):
        y = sy(t_)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e4e4"/>'
                     f'<text x="{LEFT - 5}" y="{y + 4:.1f}" text-anchor="end" class="ytick">'
                     f'{html.escape(label)}</text>')
    xt = ticks(x0, x1, 6, integer=True)
    for t_, label in zip(xt, tick_labels(xt, "count")):
        x = sx(t_)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP + ph}" y2="{TOP + ph + 4}" stroke="#555"/>'
                     f'<text x="{x:.1f}" y="{TOP + ph + 16}" text-anchor="middle" class="xtick">'
                     f'{html.escape(label)}</text>')
    parts.append(f'<text x="{LEFT + pw / 2}" y="{H - 6}" text-anchor="middle" class="a">'
                 f'{html.escape(i18n.t("day_axis" if x0 < 0 else "day_word", lang))}</text>')
    parts.append(f'<text transform="translate(14,{TOP + ph / 2}) rotate(-90)" text-anchor="middle" '
                 f'class="a">{html.escape(axis if not difference else "A - B: " + axis)}</text>')
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>')
    if zero_line and lo <= 0 <= hi:
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
                     'stroke="#333" stroke-dasharray="3,3"/>')
    step = max(1, len(days) // 700)  # at most ~700 points a line: the chart stays light
    labels = list(lines)
    for i, (label, v) in enumerate(lines.items()):
        colour = COLOURS[i % len(COLOURS)]
        d, v = days[::step], np.asarray(v, float)[::step]
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in zip(d, v) if np.isfinite(y))
        if pts:
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{pts}"/>')
        if 0 < np.isfinite(v).sum() <= 2:  # a day or two: points, or nothing would show
            parts.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{colour}"/>'
                         for x, y in zip(d, v) if np.isfinite(y))
        if label:  # the legend: the scenarios by name, in their colours
            parts.append(f'<rect x="{LEFT + 4 + 200 * i}" y="{TOP - 16}" width="14" height="4" '
                         f'fill="{colour}"/><text x="{LEFT + 22 + 200 * i}" y="{TOP - 11}" '
                         f'class="legend">{html.escape(label[:32])}</text>')
    # hover: one band of days per <title>, giving the day and every line's value
    n = len(days)
    if n:
        bands = min(n, HOVER_BANDS)
        edges = np.linspace(0, n, bands + 1).astype(int)
        parts.append('<g class="hover">')
        for a, b in zip(edges[:-1], edges[1:]):
            if b <= a:
                continue
            j = (a + b - 1) // 2
            # each band reaches halfway to its neighbours' days
            xa = (sx(days[a - 1]) + sx(days[a])) / 2 if a else LEFT
            xb = (sx(days[b - 1]) + sx(days[b])) / 2 if b < n else W - RIGHT
            text = f"{i18n.t('day', lang, day=int(days[j]))}: " + "; ".join(
                f"{lab + ' ' if lab else ''}{format_value(float(np.asarray(lines[lab], float)[j]), kind, difference, lang)}"
                for lab in labels if j < len(lines[lab]))
            parts.append(f'<rect x="{xa:.1f}" y="{TOP}" width="{max(xb - xa, 0.5):.1f}" height="{ph}">'
                         f'<title>{html.escape(text)}</title></rect>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(title: str, bars: list[tuple[str, float]], kind: str = "share",
              lang: str = "en") -> str:
    """Horizontal bars (participation by group), each value printed at its bar."""
    row = 22
    height = 30 + row * len(bars) + 8
    vmax = max([v for _, v in bars if np.isfinite(v)] + [1e-9])
    if kind == "share":
        vmax = max(vmax, 0.05)
    left, width = 170, W - 170 - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" '
             f'class="cogov-chart cogov-bars" role="img" aria-label="{html.escape(title)}">',
             f'<text x="8" y="16" class="t">{html.escape(title)}</text>']
    for i, (label, v) in enumerate(bars):
        y = 30 + i * row
        w = 0 if not np.isfinite(v) else v / vmax * width
        text = format_value(v, kind, lang=lang)
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{html.escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row - 7}" fill="#1f77b4">'
                     f'<title>{html.escape(label)}: {text}</title></rect>'
                     f'<text x="{left + w + 4:.1f}" y="{y + 14}">{text}</text>')
    parts.append("</svg>")
    return "".join(parts)

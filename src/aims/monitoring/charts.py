"""Server-side SVG line charts for the trend pages: no JavaScript, no inline styles (colours and
dashes come from CSS classes in ``monitoring/monitoring.css``), every text escaped.

A chart is a list of `Series` (name, [(time, value)]) and `Threshold` lines (warning, critical,
or a reference line); each point carries a ``<title>`` tooltip, and the pages print the numbers in
a table next to each chart for screen readers and for copying."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 44
PALETTE = 8


@dataclass
class Series:
    name: str
    points: list[tuple[dt.datetime, float]] = field(default_factory=list)


@dataclass
class Threshold:
    value: float
    kind: str  # "warning", "critical" or "reference"
    label: str = ""


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.3g}"
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / (n - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    out = []
    value = start
    while value <= hi + step * 1e-9:
        if value >= lo - step * 1e-9:
            out.append(round(value, 12))
        value += step
    return out


def line_chart(
    title: str, series: Sequence[Series], thresholds: Sequence[Threshold] = (), *, y_label: str = ""
) -> SafeString:
    """An SVG line chart; an empty series list gives a short 'no data' figure."""
    series = [s for s in series if s.points]
    label = escape(title)
    if not series:
        return mark_safe(  # noqa: S308 - the only text is the escaped title  # nosec
            f'<svg class="trend-chart trend-empty" viewBox="0 0 {WIDTH} 60" role="img" aria-label="{label}">'
            f'<title>{label}</title><text x="{WIDTH / 2}" y="34" class="chart-note" text-anchor="middle">no data yet</text></svg>'
        )
    times = [t for s in series for t, _v in s.points]
    values = [v for s in series for _t, v in s.points] + [th.value for th in thresholds]
    t0, t1 = min(times), max(times)
    span = (t1 - t0).total_seconds() or 1.0
    lo, hi = min(values), max(values)
    if hi == lo:
        lo, hi = lo - (abs(lo) * 0.1 or 1), hi + (abs(hi) * 0.1 or 1)
    pad = (hi - lo) * 0.08
    lo, hi = lo - pad, hi + pad
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: dt.datetime) -> float:
        if t1 == t0:
            return LEFT + plot_w / 2
        return LEFT + (t - t0).total_seconds() / span * plot_w

    def y(v: float) -> float:
        return TOP + (hi - v) / (hi - lo) * plot_h

    parts = [
        f'<svg class="trend-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<rect class="chart-frame" x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"/>',
    ]
    for tick in _ticks(lo, hi):
        ty = y(tick)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
        )
        parts.append(
            f'<text class="chart-tick" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">{escape(_fmt(tick))}</text>'
        )
    parts.append(
        f'<text class="chart-tick" x="{LEFT}" y="{HEIGHT - 24}" text-anchor="start">{escape(f"{t0:%Y-%m-%d}")}</text>'
    )
    if t1 != t0:
        parts.append(
            f'<text class="chart-tick" x="{LEFT + plot_w}" y="{HEIGHT - 24}" text-anchor="end">{escape(f"{t1:%Y-%m-%d}")}</text>'
        )
    if y_label:
        parts.append(
            f'<text class="chart-tick" x="12" y="{TOP + plot_h / 2:.1f}" transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>'
        )
    for th in thresholds:
        ty = y(th.value)
        kind = th.kind if th.kind in ("warning", "critical") else "reference"
        text = escape(f"{th.label or th.kind} {_fmt(th.value)}")
        parts.append(
            f'<line class="threshold threshold-{kind}" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{ty:.1f}" y2="{ty:.1f}"><title>{text}</title></line>'
        )
        parts.append(
            f'<text class="threshold-label threshold-label-{kind}" x="{LEFT + plot_w - 4}" y="{ty - 4:.1f}" text-anchor="end">{text}</text>'
        )
    for i, s in enumerate(series):
        css = f"series-{i % PALETTE}"
        pts = sorted(s.points)
        coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in pts)
        parts.append(f'<polyline class="series {css}" points="{coords}"/>')
        for t, v in pts:
            tip = escape(f"{s.name}: {_fmt(v)} at {t:%Y-%m-%d %H:%M}")
            parts.append(
                f'<circle class="dot {css}" cx="{x(t):.1f}" cy="{y(v):.1f}" r="3"><title>{tip}</title></circle>'
            )
    # legend, along the bottom
    lx = LEFT
    for i, s in enumerate(series[:PALETTE]):
        name = escape(s.name[:28])
        parts.append(
            f'<rect class="legend-swatch series-fill-{i % PALETTE}" x="{lx}" y="{HEIGHT - 14}" width="10" height="10"/>'
        )
        parts.append(f'<text class="chart-legend" x="{lx + 14}" y="{HEIGHT - 5}">{name}</text>')
        lx += 24 + 7 * min(len(s.name), 28)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above  # nosec

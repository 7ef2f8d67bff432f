"""Charts a person can read at a glance: inline SVG line charts with round ticks in
readable units, concurrency on a log2 axis, a legend that never covers data, and one
colour per model that stays the same on every chart and page.

No scripts and no assets: a chart is a string of SVG that an HTML page embeds, so a
report stays one self-contained file.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Distinguishable on white and for the common colour-vision deficiencies (Okabe-Ito's
# hues, darkened a little so thin lines stay visible, and two more strong ones).
PALETTE = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#e69f00",
    "#56b4e9",
    "#8c2d04",
    "#5e3c99",
)


def colours(keys: Iterable[str]) -> dict[str, str]:
    """A colour per model key: each key's own palette slot (from a hash of the key, so the
    same model has the same colour on every page), the next free one on a clash, taken in
    sorted order so a given set of models always gets the same colours."""
    taken: dict[str, str] = {}
    for key in sorted(set(keys)):
        slot = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(PALETTE)
        for step in range(len(PALETTE)):
            colour = PALETTE[(slot + step) % len(PALETTE)]
            if colour not in taken.values() or len(taken) >= len(PALETTE):
                taken[key] = colour
                break
    return taken


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5 or 5 × a power of ten) up to the first one ≥ top."""
    if not top > 0 or math.isinf(top):
        return [0.0, 1.0]
    raw = top / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top * (1 - 1e-9):
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def format_ms(value: float, *, in_seconds: bool | None = None) -> str:
    """850 ms, 13.4 s; `in_seconds` forces one unit for every label of an axis."""
    seconds = value >= 1000 if in_seconds is None else in_seconds
    if seconds:
        return _trim(f"{value / 1000:.3g}") + " s" if value else "0"
    if value == 0:
        return "0"
    return _trim(f"{value:.3g}" if value < 100 else f"{value:.0f}") + " ms"


def format_number(value: float) -> str:
    """1,250 / 12.5 / 0.25: thousands separated, no exponent, no trailing zeros."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return _trim(f"{value:.3g}") if abs(value) >= 0.001 or value == 0 else f"{value:.1e}"


def _trim(text: str) -> str:
    if "e" in text:
        text = f"{float(text):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def axis_labels(ticks: Sequence[float], unit: str) -> list[str]:
    """A label per tick, one unit for the whole axis (all seconds once the top is ≥ 1 s)."""
    if unit == "ms":
        seconds = max(ticks, default=0) >= 1000
        return [format_ms(t, in_seconds=seconds) for t in ticks]
    return [format_number(t) for t in ticks]


@dataclass(frozen=True)
class Series:
    """One line: a model's values by concurrency."""

    key: str  # what picks the colour (the model's node/name)
    label: str
    points: tuple[tuple[int, float], ...]


Scale = Callable[[float], float]  # a value → its pixel position

# Layout of one chart, in pixels.
_W, _PLOT_H, _LEFT, _RIGHT, _TOP = 440, 200, 62, 16, 30
_AXIS_H, _LEGEND_ROW = 38, 16


def line_chart(
    title: str, series: Sequence[Series], unit: str, palette: Mapping[str, str] | None = None
) -> str:
    """Values against concurrency on a log2 axis, as one inline <svg>; the legend sits
    under the plot, a row per series, so it never covers a line."""
    palette = palette or colours(s.key for s in series)
    xs = sorted({x for s in series for x, _ in s.points}) or [1]
    ticks = nice_ticks(max((y for s in series for _, y in s.points), default=0.0))
    top = ticks[-1] or 1.0
    lo, hi = math.log2(xs[0]), math.log2(xs[-1])

    def px(x: float) -> float:
        if hi == lo:
            return _LEFT + (_W - _LEFT - _RIGHT) / 2
        return _LEFT + (math.log2(x) - lo) / (hi - lo) * (_W - _LEFT - _RIGHT)

    def py(y: float) -> float:
        return _TOP + _PLOT_H - y / top * _PLOT_H

    height = _TOP + _PLOT_H + _AXIS_H + _LEGEND_ROW * len(series) + 6
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{height}" role="img" '
        f'class="chart" aria-label="{_e(title)}">',
        f'<text x="{_W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="600">'
        f"{_e(title)}</text>",
        *_y_axis(ticks, unit, py),
        *_x_axis(xs, px),
    ]
    for i, one in enumerate(series):
        parts += _line(one, palette[one.key], px, py)
        parts += _legend_row(one, palette[one.key], _TOP + _PLOT_H + _AXIS_H + _LEGEND_ROW * i)
    parts.append("</svg>")
    return "".join(parts)


def _y_axis(ticks: Sequence[float], unit: str, py: Scale) -> list[str]:
    out = []
    for tick, label in zip(ticks, axis_labels(ticks, unit), strict=True):
        y = py(tick)
        out.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_W - _RIGHT}" y2="{y:.1f}" '
                   f'stroke="{"#999" if tick == 0 else "#e4e4e4"}"/>')  # fmt: skip
        out.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="10" '
                   f'class="ytick">{_e(label)}</text>')  # fmt: skip
    return out


def _x_axis(xs: Sequence[int], px: Scale) -> list[str]:
    base = _TOP + _PLOT_H
    out = [f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{base}" stroke="#999"/>']
    for x in xs:
        out.append(f'<line x1="{px(x):.1f}" y1="{base}" x2="{px(x):.1f}" y2="{base + 4}" '
                   'stroke="#999"/>')  # fmt: skip
        out.append(f'<text x="{px(x):.1f}" y="{base + 15}" text-anchor="middle" font-size="10" '
                   f'class="xtick">{x}</text>')  # fmt: skip
    out.append(f'<text x="{(_LEFT + _W - _RIGHT) / 2}" y="{base + 30}" text-anchor="middle" '
               'font-size="10" class="xlabel">concurrency (log₂ scale)</text>')  # fmt: skip
    return out


def _line(one: Series, colour: str, px: Scale, py: Scale) -> list[str]:
    pts = sorted(one.points)
    path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
    out = [f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>']
    for x, y in pts:
        out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}">'
                   f"<title>{_e(one.label)}: {x} → {format_number(y)}</title></circle>")  # fmt: skip
    return out


def _legend_row(one: Series, colour: str, y: float) -> list[str]:
    return [
        f'<line x1="{_LEFT}" y1="{y + 8}" x2="{_LEFT + 18}" y2="{y + 8}" stroke="{colour}" '
        'stroke-width="3"/>',
        f'<text x="{_LEFT + 24}" y="{y + 12}" font-size="11" class="legend">{_e(one.label)}</text>',
    ]


def _e(text: str) -> str:
    return html.escape(text, quote=True)

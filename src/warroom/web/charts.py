"""Server-rendered SVG charts: numbers and labels in, accessible SVG markup out. Pure: no request, no clock.

Every text is escaped (markupsafe) before it joins the markup, so a label such as `<script>` stays text.
Colours come from CSS classes and `currentColor` (see web.css, "Reports charts"), so a chart follows the
page's light or dark scheme. Each bar carries `data-value` so tests (and curious readers) can check it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 260
LEFT = 56
RIGHT = 12
TOP = 16
BOTTOM = 44
MAX_X_LABELS = 12
SERIES_CLASSES = 6  # chart-s0 .. chart-s5 in web.css; further series reuse them

Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One named row of values, one value per label (a severity's incidents per week)."""

    name: str
    values: Sequence[float]


def plain_number(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def axis_scale(maximum: float) -> tuple[float, float]:
    """(top, step) of a value axis: a 1, 2 or 5 times a power of ten step, about four steps to the top."""
    if maximum <= 0:
        return 1.0, 0.25
    rough = maximum / 4
    power = 10 ** math.floor(math.log10(rough))
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)  # 2.5 only where it stays a whole number
    step = float(next(m * power for m in steps if m * power >= rough))
    if maximum >= 1 and step < 1:
        step = 1.0  # whole counts get whole ticks
    return step * math.ceil(maximum / step - 1e-9), step


def nice_ceiling(value: float) -> float:
    """The axis top for values up to `value`."""
    return axis_scale(value)[0]


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(title: str, description: str, width: int = WIDTH, height: int = HEIGHT) -> str:
    label = escape(title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{label}</title><desc>{escape(description)}</desc>"
    )


def no_data(title: str, description: str = "No data in this period.") -> Markup:
    """The empty chart: same frame, a plain "No data" in the middle."""
    return Markup(
        _open(title, description)
        + f'<rect class="chart-frame" x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.3"/>'
        f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="currentColor">No data</text></svg>'
    )


def _y_axis(top: float, fmt: Format) -> str:
    """A gridline with its value at each step of the axis, and the axis lines."""
    plot = HEIGHT - TOP - BOTTOM
    step_size = axis_scale(top)[1]
    parts = []
    for step in range(round(top / step_size) + 1):
        value = step * step_size
        y = HEIGHT - BOTTOM - plot * value / top
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_n(y)}" y2="{_n(y)}" '
            'stroke="currentColor" stroke-opacity="0.15"/>'
            f'<text x="{LEFT - 6}" y="{_n(y + 4)}" text-anchor="end" font-size="11" fill="currentColor">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="currentColor"/>'
        f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM}" '
        'stroke="currentColor"/>'
    )
    return "".join(parts)


def _x_labels(labels: Sequence[str], centre: Callable[[int], float]) -> str:
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))  # 53 weeks would overlap: show every k-th
    return "".join(
        f'<text x="{_n(centre(index))}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" font-size="11" '
        f'fill="currentColor">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if index % every == 0
    )


def _legend(series: Sequence[Series]) -> str:
    parts = []
    x = float(LEFT)
    for index, one in enumerate(series):
        parts.append(
            f'<rect class="chart-s{index % SERIES_CLASSES}" x="{_n(x)}" y="{HEIGHT - 14}" width="10" height="10"/>'
            f'<text x="{_n(x + 14)}" y="{HEIGHT - 5}" font-size="11" fill="currentColor">{escape(one.name)}</text>'
        )
        x += 24 + 7 * len(one.name)
    return "".join(parts)


def stacked_bars(
    title: str, description: str, labels: Sequence[str], series: Sequence[Series], fmt: Format = plain_number
) -> Markup:
    """Vertical bars, one per label, each stacked from the series' values (all >= 0)."""
    if any(len(one.values) != len(labels) for one in series):
        raise ValueError("every series needs one value per label")
    if any(value < 0 for one in series for value in one.values):
        raise ValueError("bar values must not be negative")
    totals = [sum(one.values[index] for one in series) for index in range(len(labels))]
    if not labels or not any(totals):
        return no_data(title)
    top = nice_ceiling(max(totals))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(labels)
    bar_width = max(1.0, slot * 0.7)
    parts = [_open(title, description), _y_axis(top, fmt)]
    for index, label in enumerate(labels):
        x = LEFT + slot * index + (slot - bar_width) / 2
        base = float(HEIGHT - BOTTOM)
        for number, one in enumerate(series):
            value = one.values[index]
            if value <= 0:
                continue
            height = value / top * plot_height
            base -= height
            parts.append(
                f'<rect class="chart-bar chart-s{number % SERIES_CLASSES}" x="{_n(x)}" y="{_n(base)}" '
                f'width="{_n(bar_width)}" height="{_n(height)}" data-value="{_n(value)}">'
                f"<title>{escape(label)}: {escape(one.name)} {escape(fmt(value))}</title></rect>"
            )
    parts.append(_x_labels(labels, lambda index: LEFT + slot * (index + 0.5)))
    if len(series) > 1:
        parts.append(_legend(series))
    parts.append("</svg>")
    return Markup("".join(parts))


def line(
    title: str, description: str, labels: Sequence[str], values: Sequence[float | None], fmt: Format = plain_number
) -> Markup:
    """A line through the known values (None: no point, the line breaks there), a dot on each."""
    if len(values) != len(labels):
        raise ValueError("one value per label")
    known = [value for value in values if value is not None]
    if not known:
        return no_data(title)
    if any(value < 0 for value in known):
        raise ValueError("line values must not be negative")
    top = nice_ceiling(max(known))
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(labels)
    parts = [_open(title, description), _y_axis(top, fmt)]
    runs: list[list[str]] = [[]]
    dots = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            runs.append([])
            continue
        x = LEFT + slot * (index + 0.5)
        y = HEIGHT - BOTTOM - value / top * plot_height
        runs[-1].append(f"{_n(x)},{_n(y)}")
        dots.append(
            f'<circle class="chart-dot chart-s0" cx="{_n(x)}" cy="{_n(y)}" r="4" data-value="{_n(value)}">'
            f"<title>{escape(label)}: {escape(fmt(value))}</title></circle>"
        )
    for run in runs:
        if len(run) > 1:
            parts.append(
                f'<polyline class="chart-line" fill="none" stroke="currentColor" stroke-width="2" '
                f'points="{" ".join(run)}"/>'
            )
    parts.extend(dots)
    parts.append(_x_labels(labels, lambda index: LEFT + slot * (index + 0.5)))
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(
    title: str, description: str, labels: Sequence[str], values: Sequence[float], fmt: Format = plain_number
) -> Markup:
    """One horizontal bar per label (a person's pages), the value written after the bar."""
    if len(values) != len(labels):
        raise ValueError("one value per label")
    if any(value < 0 for value in values):
        raise ValueError("bar values must not be negative")
    if not labels or not any(values):
        return no_data(title)
    row = 24
    left, right = 140, 48
    height = TOP + row * len(labels) + 8
    top = nice_ceiling(max(values))
    plot_width = WIDTH - left - right
    parts = [_open(title, description, height=height)]
    parts.append(
        f'<line class="chart-axis" x1="{left}" x2="{left}" y1="{TOP - 4}" y2="{height - 4}" stroke="currentColor"/>'
    )
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = TOP + row * index
        width = value / top * plot_width
        shown = label if len(label) <= 20 else label[:19] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="currentColor">'
            f"{escape(shown)}</text>"
            f'<rect class="chart-bar chart-s0" x="{left}" y="{y + 3}" width="{_n(width)}" height="{row - 6}" '
            f'data-value="{_n(value)}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
            f'<text x="{_n(left + width + 4)}" y="{y + 15}" font-size="12" fill="currentColor">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))

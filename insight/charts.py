"""Charts as inline SVG: pure functions from numbers to markup, no JavaScript, no styles.

Every chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` (referenced by
``aria-labelledby``) saying what it shows and its main numbers; the report always puts
the same numbers in a table next to it, so a chart is never the only way to read a figure.
Only presentation attributes are used (no ``style``), so the charts pass a Content
Security Policy of ``style-src 'self'``. Bars and marks have at least 3:1 contrast with
the white background, text at least 4.5:1.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

BACKGROUND = "#ffffff"
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"  # 7:1 on white
BAR = "#1d70b8"  # 5.2:1 on white
BAR_ALT = "#003078"  # 13:1 on white, used to mark weekends in the daily chart
GRID = "#b1b4b6"  # decorative lines only
# Heatmap: from a pale to a dark blue; cell borders keep pale cells distinguishable.
HEAT_LOW = "#f3f8fc"
HEAT_HIGH = "#0b2f5b"
CELL_BORDER = "#6f777b"  # 4.6:1 on white
FONT = "Arial, Helvetica, sans-serif"


def _hex(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = _hex(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(low: str, high: str, t: float) -> str:
    t = min(1.0, max(0.0, t))
    a, b = _hex(low), _hex(high)
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def text_on(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (one of them always has at least
    4.58:1 contrast)."""
    return "#000000" if contrast("#000000", fill) >= contrast("#ffffff", fill) else "#ffffff"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _nice_max(value: float) -> float:
    """A round number at or above ``value`` for the top of an axis."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(1, chars - 1)] + "\u2026"


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{cid}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="chart" '
        f'font-family="{FONT}" font-size="13">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{BACKGROUND}"/>',
    ]


def bar_chart(
    items: Sequence[tuple[str, float]],
    title: str,
    desc: str,
    chart_id: str,
    value_label: Callable[[float], str] = _number,
    width: int = 640,
) -> str:
    """Horizontal bars, one per (label, value), in the order given, each with its value."""
    bar_height, gap, top = 22, 8, 8
    longest = max((len(label) for label, _ in items), default=0)
    label_width = min(300, max(80, round(longest * 7.6) + 16))
    value_space = 90
    plot = width - label_width - value_space
    height = top * 2 + max(1, len(items)) * (bar_height + gap)
    top_value = max((v for _, v in items), default=0) or 1
    out = _open(chart_id, width, height, title, desc)
    out.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - top + 4}" '
        f'stroke="{SECONDARY_TEXT}" stroke-width="1"/>'
    )
    for i, (label, value) in enumerate(items):
        y = top + i * (bar_height + gap)
        length = 0 if value <= 0 else max(2, round(plot * value / top_value, 1))
        out.append(
            f'<text x="{label_width - 8}" y="{y + bar_height / 2 + 4.5}" text-anchor="end" '
            f'fill="{TEXT}">{escape(_clip(label, longest if label_width < 300 else 37))}</text>'
        )
        out.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="{BAR}"/>')
        out.append(
            f'<text x="{label_width + length + 6}" y="{y + bar_height / 2 + 4.5}" fill="{TEXT}">'
            f"{escape(value_label(value))}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def column_chart(
    items: Sequence[tuple[str, float]],
    title: str,
    desc: str,
    chart_id: str,
    highlight: Sequence[bool] | None = None,
    legend: tuple[str, str] = ("Weekdays", "Weekends"),
    axis_label: str = "",
    width: int = 680,
) -> str:
    """Vertical columns (e.g. one per day) with a y axis; ``highlight`` marks some columns
    (weekends) in a darker colour, explained by ``legend`` (plain, highlighted)."""
    left, right, top, bottom = 48, 8, 24, 40
    height = 260
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((v for _, v in items), default=0))
    out = _open(chart_id, width, height, title, desc)
    for step in range(5):
        value = top_value * step / 4
        y = top + plot_h - plot_h * step / 4
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{SECONDARY_TEXT}">{escape(_number(value))}</text>'
        )
    if axis_label:
        out.append(
            f'<text x="{left}" y="{top - 10}" font-size="11" fill="{SECONDARY_TEXT}">{escape(axis_label)}</text>'
        )
    slot = plot_w / max(1, len(items))
    bar_w = max(2.0, slot * 0.7)
    for i, (label, value) in enumerate(items):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * value / top_value if value > 0 else 0
        colour = BAR_ALT if highlight and highlight[i] else BAR
        out.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}"/>'
        )
        out.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14}" text-anchor="middle" font-size="10" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{SECONDARY_TEXT}" stroke-width="1"/>'
    )
    if highlight and any(highlight):
        y = height - 10
        out.append(
            f'<rect x="{left}" y="{y - 9}" width="10" height="10" fill="{BAR}"/>'
            f'<text x="{left + 14}" y="{y}" font-size="11" fill="{TEXT}">{escape(legend[0])}</text>'
            f'<rect x="{left + 110}" y="{y - 9}" width="10" height="10" fill="{BAR_ALT}"/>'
            f'<text x="{left + 124}" y="{y}" font-size="11" fill="{TEXT}">{escape(legend[1])}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def heatmap(
    grid: Sequence[Sequence[float]],
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    title: str,
    desc: str,
    chart_id: str,
) -> str:
    """A grid of cells shaded by value (darker = more), each with its number written in it."""
    cell_w, cell_h, left, top = 26, 24, 44, 22
    columns = max((len(row) for row in grid), default=0)
    width = left + columns * cell_w + 8
    height = top + len(grid) * cell_h + 34
    top_value = max((v for row in grid for v in row), default=0) or 1
    out = _open(chart_id, width, height, title, desc)
    for j, label in enumerate(column_labels):
        out.append(
            f'<text x="{left + j * cell_w + cell_w / 2}" y="{top - 7}" text-anchor="middle" font-size="10" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
    for i, row in enumerate(grid):
        y = top + i * cell_h
        out.append(
            f'<text x="{left - 6}" y="{y + cell_h / 2 + 4}" text-anchor="end" font-size="11" '
            f'fill="{TEXT}">{escape(row_labels[i])}</text>'
        )
        for j, value in enumerate(row):
            fill = BACKGROUND if value <= 0 else mix(HEAT_LOW, HEAT_HIGH, (value / top_value) ** 0.8)
            x = left + j * cell_w
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" fill="{fill}" '
                f'stroke="{CELL_BORDER}" stroke-width="0.5"/>'
            )
            out.append(
                f'<text x="{x + cell_w / 2}" y="{y + cell_h / 2 + 3.5}" text-anchor="middle" font-size="9.5" '
                f'fill="{text_on(fill)}">{escape(_number(value))}</text>'
            )
    y = top + len(grid) * cell_h + 12
    for k in range(6):
        fill = mix(HEAT_LOW, HEAT_HIGH, k / 5)
        out.append(
            f'<rect x="{left + 60 + k * 18}" y="{y}" width="18" height="12" fill="{fill}" '
            f'stroke="{CELL_BORDER}" stroke-width="0.5"/>'
        )
    out.append(
        f'<text x="{left + 54}" y="{y + 10}" text-anchor="end" font-size="11" fill="{TEXT}">Fewer</text>'
        f'<text x="{left + 60 + 6 * 18 + 6}" y="{y + 10}" font-size="11" fill="{TEXT}">More</text>'
    )
    out.append("</svg>")
    return "".join(out)

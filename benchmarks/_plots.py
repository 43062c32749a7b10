"""A `Scaling` drawn as a small SVG line chart: sizes on a logarithmic axis, one line per side.

Written by hand rather than with a plotting library, so the benchmarks need nothing that the picture would be the
only use of, and the files stay a few kilobytes of text that a diff can read.
"""

from __future__ import annotations

import html
import math

from benchmarks._harness import Scaling

WIDTH, HEIGHT = 640, 380
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 40, 80
INSET = 12  # keeps the first and last points off the axes
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


def _ticks(top: float) -> list[float]:
    """About five round values from 0 to at least ``top``."""
    raw = top / 5 if top > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def _label(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == 0 else f"{value:g}"


def svg(scaling: Scaling) -> str:
    """The chart of ``scaling`` as an SVG document."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = math.log10(min(scaling.sizes)), math.log10(max(scaling.sizes))
    ticks = _ticks(max(max(figures) for figures in scaling.lines.values()))

    def x(size: int) -> float:
        inner = plot_width - 2 * INSET
        return LEFT + INSET + (inner * (math.log10(size) - low) / (high - low) if high > low else inner / 2)

    def y(value: float) -> float:
        return TOP + plot_height * (1 - value / ticks[-1])

    text = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">{text(scaling.title)}</text>',
    ]
    for value in ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_label(value)}</text>')
    for size in scaling.sizes:
        parts.append(f'<text x="{x(size):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle">{size:,}</text>')
    parts.append(
        f'<text x="{LEFT + plot_width / 2}" y="{HEIGHT - BOTTOM + 40}" text-anchor="middle">{text(scaling.size_name)}'
        f"{' (logarithmic)' if len(scaling.sizes) > 2 else ''}</text>"
    )
    parts.append(
        f'<text transform="translate(16 {TOP + plot_height / 2}) rotate(-90)" text-anchor="middle">'
        f"{text(scaling.unit)}</text>"
    )
    legend_x = LEFT
    for index, (name, figures) in enumerate(scaling.lines.items()):
        colour = COLOURS[index % len(COLOURS)]
        points = " ".join(f"{x(size):.1f},{y(value):.1f}" for size, value in zip(scaling.sizes, figures, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(
            f'<circle cx="{x(size):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>'
            for size, value in zip(scaling.sizes, figures, strict=True)
        )
        # The legend is one row under the axis, where no line can run through it.
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT - 18}" width="14" height="4" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 20}" y="{HEIGHT - 12}">{text(name)}</text>')
        legend_x += 44 + 7 * len(name)  # about 7 pixels a character at this size
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

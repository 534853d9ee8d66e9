"""SVG drawn at build time: results charts, sparklines and status badges.

No JavaScript and nothing fetched: every figure is text in the page. Met and missed periods
differ by shape (a filled circle, a hollow diamond) as well as colour, and colours come from
CSS classes (`generator/assets/kept.css`) so that charts read in light and dark palettes.
Standalone badges carry their own colours, since they are embedded on other sites.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from html import escape

from generator.compute import Attainment, Row, Status
from generator.model import Commitment
from generator.words import qty

WIDTH, HEIGHT = 640, 260
RIGHT, TOP, BOTTOM = 16, 24, 48
_AXIS_CHAR = 7.2  # advance of a 12px axis label character, generously


@functools.lru_cache(maxsize=1 << 14)
def _fmt(value: float) -> str:
    """Coordinates with two decimals at most, for compact and deterministic output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@dataclass(frozen=True)
class _Scale:
    low: float
    high: float
    top: float
    bottom: float

    def __call__(self, value: float) -> float:
        if self.high == self.low:
            return (self.top + self.bottom) / 2
        return self.bottom - (value - self.low) / (self.high - self.low) * (self.bottom - self.top)


def _nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about four intervals."""
    raw = span / 4 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _scale(values: list[float], top: float, bottom: float) -> _Scale:
    low, high = min(values), max(values)
    step = _nice_step(high - low or abs(high) or 1)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high == low:
        high += step
    return _Scale(low, high, top, bottom)


def _ticks(scale: _Scale) -> list[float]:
    step = _nice_step(scale.high - scale.low)
    count = round((scale.high - scale.low) / step)
    return [round(scale.low + i * step, 10) for i in range(count + 1)]


def _marker(x: float, y: float, state: Status, size: float = 5) -> str:
    if state is Status.MET:
        return f'<circle class="kept-met" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(size)}"/>'
    s = size * 1.3
    points = f"{_fmt(x)},{_fmt(y - s)} {_fmt(x + s)},{_fmt(y)} {_fmt(x)},{_fmt(y + s)} {_fmt(x - s)},{_fmt(y)}"
    return f'<polygon class="kept-missed" points="{points}"/>'


def _value_paths(points: list[tuple[float, float] | None]) -> list[str]:
    """Line segments through measured periods, broken where a period was not measured."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [" ".join(f"{'M' if i == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for i, (x, y) in enumerate(run))
            for run in runs if len(run) > 1]


def describe(commitment: Commitment, rows: list[Row]) -> str:
    """The chart in words, for screen readers and search: one clause per period."""
    parts = []
    unit = commitment.metric.unit if commitment.metric else ""
    for row in rows:
        value = qty(row.value, unit) if row.value is not None else "not measured"
        parts.append(f"{row.period.id}: {value}, {row.status.value.lower()} "
                     f"(target {qty(row.target, unit)})")
    return "; ".join(parts) + "."


def chart(commitment: Commitment, rows: list[Row]) -> str:
    """The results of a commitment per period against the target in force, as inline SVG;
    nothing for a promise in words (its results table says met or missed)."""
    if not rows or commitment.metric is None:
        return ""
    unit, unit_target = commitment.metric.unit, commitment.metric.target
    measured = [r.value for r in rows if r.value is not None]
    scale = _scale(measured + [r.target for r in rows if r.target is not None], TOP, HEIGHT - BOTTOM)
    labels = {value: qty(value, unit) for value in _ticks(scale)}
    # Room on the left for the longest axis label ("4 working days"), so none is cut off.
    left = max(48, round(max(len(text) for text in labels.values()) * _AXIS_CHAR) + 12)
    step = (WIDTH - left - RIGHT) / len(rows)
    xs = [left + step * (i + 0.5) for i in range(len(rows))]
    title = escape(f"{commitment.title}: results per period")
    parts = [
        f'<svg class="kept-chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{title}</title>',
        f'<desc id="chart-desc">{escape(describe(commitment, rows))}</desc>',
    ]
    for value, label in labels.items():
        y = scale(value)
        parts.append(f'<line class="kept-grid" x1="{left}" y1="{_fmt(y)}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_fmt(y)}"/>')
        parts.append(f'<text class="kept-axis" x="{left - 6}" y="{_fmt(y + 4)}" '
                     f'text-anchor="end">{escape(label)}</text>')
    target_path = []
    for i, row in enumerate(rows):
        ty = _fmt(scale(row.target if row.target is not None else unit_target))
        x0, x1 = _fmt(xs[i] - step / 2), _fmt(xs[i] + step / 2)
        target_path.append(f"{'M' if i == 0 else 'L'}{x0},{ty} L{x1},{ty}")
    parts.append(f'<path class="kept-target" d="{" ".join(target_path)}"><title>Target</title></path>')
    points = [(x, scale(r.value)) if r.value is not None else None for x, r in zip(xs, rows, strict=True)]
    for d in _value_paths(points):
        parts.append(f'<path class="kept-line" d="{d}"/>')
    label_every = max(1, -(-len(rows) // 8))
    for i, (x, row) in enumerate(zip(xs, rows, strict=True)):
        if row.value is not None:
            parts.append(_marker(x, scale(row.value), row.status))
        if i % label_every == 0 or i == len(rows) - 1:
            parts.append(f'<text class="kept-axis" x="{_fmt(x)}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle">{escape(row.period.id)}</text>')
    legend_y = HEIGHT - 10
    parts += [
        _marker(left + 6, legend_y - 4, Status.MET, 4),
        f'<text class="kept-axis" x="{left + 16}" y="{legend_y}">Met</text>',
        _marker(left + 66, legend_y - 4, Status.MISSED, 4),
        f'<text class="kept-axis" x="{left + 76}" y="{legend_y}">Missed</text>',
        f'<path class="kept-target" d="M{left + 140},{legend_y - 4} L{left + 164},{legend_y - 4}"/>',
        f'<text class="kept-axis" x="{left + 170}" y="{legend_y}">Target</text>',
        "</svg>",
    ]
    return "".join(parts)


def sparkline(rows: list[Row], label: str) -> str:
    """A small trend of the last periods, for tables."""
    values = [r for r in rows[-8:] if r.value is not None]
    target = values[-1].target if values else None
    if len(values) < 2 or target is None:  # too few figures, or a promise in words
        return ""
    width, height = 80, 20
    figures = [r.value for r in values if r.value is not None]
    scale = _scale(figures + [target], 3, height - 3)
    step = (width - 8) / (len(values) - 1)
    points = [(4 + step * i, scale(v)) for i, v in enumerate(figures)]
    d = " ".join(f"{'M' if i == 0 else 'L'}{_fmt(x)},{_fmt(y)}" for i, (x, y) in enumerate(points))
    last_x, last_y = points[-1]
    return (f'<svg class="kept-spark" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(label)}</title>"
            f'<path class="kept-target" d="M0,{_fmt(scale(target))} '
            f'L{width},{_fmt(scale(target))}"/>'
            f'<path class="kept-line" d="{d}"/>{_marker(last_x, last_y, values[-1].status, 2.5)}</svg>')


_BADGE_COLOURS = {Status.MET: "#2e7d32", Status.MISSED: "#c62828"}
_CHAR = 6.2  # average advance of an 11px sans-serif character


def badge(title: str, state: Status, score: Attainment) -> str:
    """A standalone status badge: the commitment, this period's status, and periods met."""
    label = title if len(title) <= 48 else title[:47].rstrip() + "…"
    value = state.value + (f" · met {score.met} of {score.measured}" if score.measured else "")
    left = int(len(label) * _CHAR + 12)
    right = int(len(value) * _CHAR + 12)
    width = left + right
    colour = _BADGE_COLOURS.get(state, "#616161")
    text = escape(f"{title}: {value}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{text}" viewBox="0 0 {width} 20">'
        f"<title>{text}</title>"
        f'<rect width="{left}" height="20" fill="#455a64"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}</text>'
        f'<text x="{left + 6}" y="14">{escape(value)}</text></g></svg>\n'
    )

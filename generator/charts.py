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

from generator.compute import Attainment, Row, Status
from generator.i18n import tr
from generator.markup import xml_text as escape
from generator.model import Commitment
from generator.words import num, qty


@dataclass(frozen=True)
class _Layout:
    """A drawing of the results chart for one range of rendered widths (see kept.css)."""

    name: str
    width: int
    height: int
    font: float  # size of its labels, in its own units
    right: int
    top: int
    bottom: int


# Drawn 640 wide, shown at 640 CSS px and wider: its 12px labels never render smaller. Below
# that the narrow drawing is shown, never narrower than its 280 units (kept.css): its labels
# are 12px or larger at any width.
WIDE = _Layout("wide", 640, 260, 12, 16, 24, 48)
NARROW = _Layout("narrow", 280, 230, 12, 10, 18, 48)
_AXIS_CHAR = 0.6  # advance of an axis label character, in ems, generously


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
    """A round step (1, 2 or 5 times a power of ten) giving about four intervals; the quarter
    itself when no power of ten is as small (a figure such as 2e-323, whose power of ten is
    0.0 as a float)."""
    raw = span / 4 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next((m * power for m in (1, 2, 5, 10) if m * power >= raw), raw)


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
        value = qty(row.value, unit) if row.value is not None else tr("not measured")
        parts.append(tr("{period}: {result}, {status} (target {target})", period=row.period.id,
                        result=value, status=row.status.label.lower(), target=qty(row.target, unit)))
    return "; ".join(parts) + "."


def chart(commitment: Commitment, rows: list[Row]) -> str:
    """The results of a commitment per period against the target in force, as inline SVG, in
    two drawings: wide, and narrow for phones (kept.css shows the one that fits, the other
    is not displayed, so read by no one); nothing for a promise in words (its results table
    says met or missed)."""
    if not rows or commitment.metric is None:
        return ""
    return _draw(commitment, rows, WIDE) + _draw(commitment, rows, NARROW)


def _draw(commitment: Commitment, rows: list[Row], layout: _Layout) -> str:
    assert commitment.metric is not None
    width, height, font = layout.width, layout.height, layout.font
    unit, unit_target = commitment.metric.unit, commitment.metric.target
    measured = [r.value for r in rows if r.value is not None]
    scale = _scale(measured + [r.target for r in rows if r.target is not None], layout.top,
                   height - layout.bottom)
    labels = {value: qty(value, unit) for value in _ticks(scale)}
    char = _AXIS_CHAR * font
    # Room on the left for the longest axis label ("4 working days"), so none is cut off.
    left = max(4 * font, round(max(len(text) for text in labels.values()) * char) + font)
    step = (width - left - layout.right) / len(rows)
    xs = [left + step * (i + 0.5) for i in range(len(rows))]
    if layout is WIDE:
        title = escape(tr("{promise}: results per period", promise=commitment.title))
        parts = [
            f'<svg class="kept-chart kept-chart--wide" role="img" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg" aria-labelledby="chart-title chart-desc">',
            f'<title id="chart-title">{title}</title>',
            f'<desc id="chart-desc">{escape(describe(commitment, rows))}</desc>',
        ]
    else:  # named by the wide drawing's title and description, not repeated
        parts = [f'<svg class="kept-chart kept-chart--{layout.name}" role="img" '
                 f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
                 f'aria-labelledby="chart-title chart-desc">']
    for value, label in labels.items():
        y = scale(value)
        parts.append(f'<line class="kept-grid" x1="{_fmt(left)}" y1="{_fmt(y)}" '
                     f'x2="{width - layout.right}" y2="{_fmt(y)}"/>')
        parts.append(f'<text class="kept-axis" x="{_fmt(left - font / 2)}" y="{_fmt(y + font / 3)}" '
                     f'text-anchor="end">{escape(label)}</text>')
    target_path = []
    for i, row in enumerate(rows):
        ty = _fmt(scale(row.target if row.target is not None else unit_target))
        x0, x1 = _fmt(xs[i] - step / 2), _fmt(xs[i] + step / 2)
        target_path.append(f"{'M' if i == 0 else 'L'}{x0},{ty} L{x1},{ty}")
    target = escape(tr("Target"))
    parts.append(f'<path class="kept-target" d="{" ".join(target_path)}"><title>{target}</title></path>')
    points = [(x, scale(r.value)) if r.value is not None else None for x, r in zip(xs, rows, strict=True)]
    for d in _value_paths(points):
        parts.append(f'<path class="kept-line" d="{d}"/>')
    for x, row in zip(xs, rows, strict=True):
        if row.value is not None:
            parts.append(_marker(x, scale(row.value), row.status))
    parts += _period_labels(xs, rows, width, height - layout.bottom + 1.5 * font, char, font)
    parts += _legend(left if layout is WIDE else font / 2, height - 10, font)
    parts.append("</svg>")
    return "".join(parts)


def _period_labels(xs: list[float], rows: list[Row], width: int, y: float, char: float,
                   font: float) -> list[str]:
    """As many period labels as fit side by side, from the newest back; each under its
    period, or moved in just enough to stay inside the drawing."""
    widest = max(len(row.period.id) for row in rows) * char + font
    labels: list[str] = []
    last = math.inf
    for x, row in reversed(list(zip(xs, rows, strict=True))):
        x = min(max(x, widest / 2), width - widest / 2)
        if last - x >= widest:
            labels.append(f'<text class="kept-axis" x="{_fmt(x)}" y="{_fmt(y)}" '
                          f'text-anchor="middle">{escape(row.period.id)}</text>')
            last = x
    return labels[::-1]


def _legend(x: float, y: float, font: float) -> list[str]:
    """What the markers and the dashed line stand for, on one line from x, each label given
    the room its words take in the page's language."""
    em = font / 12
    char = _AXIS_CHAR * font
    parts: list[str] = []
    start = x
    for offset, mark, label in ((6, Status.MET, Status.MET.label), (66, Status.MISSED, Status.MISSED.label),
                                (140, None, tr("Target"))):
        x = max(x, start + offset * em)  # as far as the words before need, at least as in English
        if mark is None:
            parts.append(f'<path class="kept-target" d="M{_fmt(x)},{_fmt(y - 4 * em)} '
                         f'L{_fmt(x + 24 * em)},{_fmt(y - 4 * em)}"/>')
            text_x = x + 30 * em
        else:
            parts.append(_marker(x, y - 4 * em, mark, 4))
            text_x = x + 10 * em
        parts.append(f'<text class="kept-axis" x="{_fmt(text_x)}" y="{_fmt(y)}">{escape(label)}</text>')
        x = text_x + len(label) * char + 14 * em
    return parts


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
    value = state.label
    if score.measured:
        value += " · " + tr("met {met} of {count}", met=num(score.met), count=num(score.measured))
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

"""Numbers, quantities and dates in plain words, shared by pages, charts, feeds and badges."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re

from generator import compute
from generator.model import Direction, Metric


@functools.lru_cache(maxsize=8192)  # the same figures recur in every edition
def num(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=8192)
def qty(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{num(value)}{unit}" if unit in ("%", "‰") else f"{num(value)} {unit}"


def target_text(metric: Metric, target: float | None = None) -> str:
    target = metric.target if target is None else target
    side = "or less" if metric.direction is Direction.LOWER else "or more"
    return f"{qty(target, metric.unit)} {side}"


def change_text(metric: Metric, change: float | None) -> str:
    better = compute.improved(metric, change)
    if better is None or change is None:
        return "no change" if change == 0 else ""
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {qty(abs(change), metric.unit)} {'better' if better else 'worse'}"


def date_text(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def plain(text: str | None, limit: int = 200) -> str:
    """A short plain-text summary of Markdown, for descriptions."""
    if not text:
        return ""
    flat = re.sub(r"[*_`#>\[\]]|\(https?://[^)]*\)", "", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"

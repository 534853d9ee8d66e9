"""Numbers, quantities and dates in plain words, shared by pages, charts, feeds and badges."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re

from generator import compute
from generator.model import Direction, Metric, Threshold


@functools.lru_cache(maxsize=8192)  # the same figures recur in every edition
def num(value: float | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


# Units that are money: ISO 4217 codes and the symbols written for them. A money figure is
# written with its symbol first and two decimals ($149.90), as English writes it.
CURRENCIES = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "CA$", "NZD": "NZ$",
              "IEP": "£", "CHF": "CHF ", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ",
              "INR": "₹", "ZAR": "R", "SGD": "S$", "HKD": "HK$",
              "£": "£", "$": "$", "€": "€", "₹": "₹"}


def money(unit: str) -> str | None:
    """The symbol of a unit that is money (GBP, £, USD, $...), else None."""
    return CURRENCIES.get(unit.strip().upper() if len(unit.strip()) == 3 else unit.strip())


@functools.lru_cache(maxsize=8192)
def qty(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if (symbol := money(unit)) is not None:
        sign = "-" if value < 0 else ""
        return f"{sign}{symbol}{abs(value):,.2f}"
    if not unit:
        return num(value)
    return f"{num(value)}{unit}" if unit in ("%", "‰") else f"{num(value)} {unit}"


# A threshold said in the largest unit it is a whole number of: 180 seconds -> 3 minutes.
_LARGER = {"seconds": ("minutes", 60), "minutes": ("hours", 60)}


def threshold_text(threshold: Threshold) -> str:
    value, unit = threshold.value, threshold.unit
    while unit.lower() in _LARGER and value and value % _LARGER[unit.lower()][1] == 0:
        unit, factor = _LARGER[unit.lower()]
        value = value / factor
    if value == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return qty(value, unit)


# The most a share can be: a target there is that figure, not "100% or more".
_WHOLE = {"%": 100, "‰": 1000}


def target_text(metric: Metric | None, target: float | None = None) -> str:
    """'4 hours or less', '80% or more within 3 minutes', '100%', 'none' (0 complaints or
    fewer); '—' for a promise in words."""
    if metric is None:
        return "—"
    target = metric.target if target is None else target
    unit = metric.unit.strip()
    within = f" within {threshold_text(metric.threshold)}" if metric.threshold else ""
    if metric.direction is Direction.HIGHER and unit in _WHOLE and target >= _WHOLE[unit]:
        return f"{qty(target, metric.unit)}{within}"
    if metric.direction is Direction.LOWER and target == 0:
        return f"{qty(target, metric.unit)}{within}" if unit in _WHOLE else "none"
    side = "or less" if metric.direction is Direction.LOWER else "or more"
    return f"{qty(target, metric.unit)} {side}{within}"


def difference_text(value: float, unit: str) -> str:
    """A difference of two figures: of percentages it is in points ('8 points')."""
    if unit == "%":
        return f"{num(value)} point" + ("" if value == 1 else "s")
    return qty(value, unit)


def cases_text(sample: int | None) -> str:
    """How many cases a figure was measured on: '1,200 cases', '1 case', 'sample not given'."""
    if sample is None:
        return "sample not given"
    return f"{num(sample)} {'case' if sample == 1 else 'cases'}"


def cases_cell(sample: int | None) -> str:
    """The cases of a figure in a column headed Cases: '1,200', 'not given'."""
    return "not given" if sample is None else num(sample)


def change_text(metric: Metric | None, change: float | None) -> str:
    if metric is None:
        return ""
    better = compute.improved(metric, change)
    if better is None or change is None:
        return "no change" if change == 0 else ""
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {difference_text(abs(change), metric.unit)} {'better' if better else 'worse'}"


def date_text(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def plain(text: str | None, limit: int = 200) -> str:
    """A short plain-text summary of Markdown, for descriptions."""
    if not text:
        return ""
    flat = re.sub(r"[*_`#>\[\]]|\(https?://[^)]*\)", "", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def excerpts(old: str, new: str, context: int = 24, width: int = 72) -> tuple[str, str]:
    """What differs between two texts, each side with a little context around it:
    ('…fixed **98%** of…', '…fixed **99%** of…'). Whitespace is folded first."""
    a, b = " ".join(old.split()), " ".join(new.split())
    if len(a) <= width and len(b) <= width:
        return a, b
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    lo = max(0, start - context)
    if lo:
        lo = a.rfind(" ", 0, start - context // 2) + 1 or lo

    def cut(text: str) -> str:
        hi = min(len(text), len(text) - end + context)
        if hi < len(text):
            space = text.find(" ", len(text) - end + context // 2)
            hi = space if 0 <= space < hi + context else hi
        middle = text[lo:hi]
        if len(middle) > width:
            space = middle.rfind(" ", width // 2, width)
            middle = middle[: space if space > 0 else width - 1].rstrip() + "…"
        return ("…" if lo else "") + middle + ("…" if hi < len(text) and not middle.endswith("…") else "")

    return cut(a), cut(b)

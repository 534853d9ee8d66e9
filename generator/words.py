"""Numbers, quantities and dates in plain words, shared by pages, charts, feeds and badges."""

from __future__ import annotations

import datetime as dt
import math
import re

from generator import compute, i18n
from generator.i18n import N_, ntr, tr
from generator.model import Direction, Metric, Threshold


def num(value: float | None) -> str:
    """A figure as the current language writes it: 1,234.5 (en), 1 234,5 (fr)."""
    if value is None:
        return "—"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return i18n.current().number(value)


# Units that are money: ISO 4217 codes and the symbols written for them (the code of a symbol
# several currencies write, $ or £, is the one most organisations mean).
CURRENCIES = {"GBP": "£", "USD": "$", "EUR": "€", "AUD": "A$", "CAD": "CA$", "NZD": "NZ$",
              "IEP": "£", "CHF": "CHF ", "SEK": "SEK ", "NOK": "NOK ", "DKK": "DKK ",
              "INR": "₹", "ZAR": "R", "SGD": "S$", "HKD": "HK$",
              "£": "£", "$": "$", "€": "€", "₹": "₹"}
_CODES = {"£": "GBP", "$": "USD", "€": "EUR", "₹": "INR"}


def money(unit: str) -> str | None:
    """The symbol of a unit that is money (GBP, £, USD, $...), else None."""
    return CURRENCIES.get(unit.strip().upper() if len(unit.strip()) == 3 else unit.strip())


def _currency(unit: str) -> str:
    """The ISO 4217 code of a unit that is money."""
    code = unit.strip()
    return _CODES.get(code, code.upper())


def qty(value: float | None, unit: str) -> str:
    """A figure with its unit, as the current language writes it: 97.2% (97,2 % in French),
    £1,260.00, 3.5 hours."""
    if value is None:
        return "—"
    language = i18n.current()
    if money(unit) is not None:
        written = unit.strip()
        return language.money(value, _currency(unit), written if written in _CODES else None)
    if unit == "%":
        return language.percent(value)
    if not unit:
        return num(value)
    return f"{num(value)}{unit}" if unit == "‰" else f"{num(value)} {unit}"


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
    figure = qty(target, metric.unit)
    within = threshold_text(metric.threshold) if metric.threshold else None
    exact = (metric.direction is Direction.HIGHER and unit in _WHOLE and target >= _WHOLE[unit]
             or metric.direction is Direction.LOWER and target == 0 and unit in _WHOLE)
    if metric.direction is Direction.LOWER and target == 0 and not exact:
        return tr("none")
    if exact:
        return tr("{target} within {threshold}", target=figure, threshold=within) if within else figure
    if metric.direction is Direction.LOWER:
        if within:
            return tr("{target} or less within {threshold}", target=figure, threshold=within)
        return tr("{target} or less", target=figure)
    if within:
        return tr("{target} or more within {threshold}", target=figure, threshold=within)
    return tr("{target} or more", target=figure)


def difference_text(value: float, unit: str) -> str:
    """A difference of two figures: of percentages it is in points ('8 points')."""
    if unit == "%":
        if float(value).is_integer():
            return ntr("{count} point", "{count} points", int(value))
        return tr("{figure} points", figure=num(value))
    return qty(value, unit)


_EVERY = {"month": N_("every month"), "quarter": N_("every quarter"),
          "half-year": N_("every half-year"), "year": N_("every year")}


def review_every(every: str) -> str:
    """How often a commitment is reviewed, in words: 'every quarter'."""
    return tr(_EVERY[every]) if every in _EVERY else every


def cases_text(sample: int | None) -> str:
    """How many cases a figure was measured on: '1,200 cases', '1 case', 'sample not given'."""
    if sample is None:
        return tr("sample not given")
    return ntr("{count} case", "{count} cases", sample)


def cases_cell(sample: int | None) -> str:
    """The cases of a figure in a column headed Cases: '1,200', 'not given'."""
    return tr("not given") if sample is None else num(sample)


def change_text(metric: Metric | None, change: float | None) -> str:
    if metric is None:
        return ""
    better = compute.improved(metric, change)
    if better is None or change is None:
        return tr("no change") if change == 0 else ""
    arrow = "▲" if change > 0 else "▼"
    difference = difference_text(abs(change), metric.unit)
    if better:
        return tr("{arrow} {difference} better", arrow=arrow, difference=difference)
    return tr("{arrow} {difference} worse", arrow=arrow, difference=difference)


def date_text(day: dt.date | None) -> str:
    """A day in words, as the current language writes it: 5 September 2026."""
    return i18n.current().date(day) if day else ""


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

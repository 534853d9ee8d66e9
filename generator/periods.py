"""The calendar of reporting periods: what a period id means, where it starts and ends, and
what it is called.

An organisation reports by month, quarter or year, and its year may start in any month
(`year_starts`; 4 for April). Ids follow the contract:

| period  | year_starts 1 | other year_starts (years named by the years they span) |
|---------|---------------|--------------------------------------------------------|
| month   | 2026-09       | 2026-09                                                |
| quarter | 2026-Q3       | 2024-25-Q3 (the third quarter of the year from April 2024) |
| year    | 2025          | 2024-25                                                |

An id means something only in a calendar: `2011-12` is December 2011 to a monthly
organisation and the year from April 2011 to a yearly one that starts its years in April.
The default calendar (no kind) reads the ids of calendar years of every kind, as Kept did
before fiscal years.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from generator import i18n

KINDS = ("month", "quarter", "year")
# The years Kept handles: a site's files carry their time as seconds since 1970 in 32 bits
# (gzip, the sitemap's compression), which end on 2106-02-07; 2105 is the last whole year.
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2105, 12, 31)
YEAR = r"(?:19[7-9][0-9]|20[0-9][0-9]|210[0-5])"
DAYS = f"{FIRST_DAY} to {LAST_DAY}"
YEARS = f"{FIRST_DAY.year} to {LAST_DAY.year}"
# Any id of any calendar, of any year: what a file named after a period looks like.
SHAPE_RE = re.compile(r"^[0-9]{4}(?:-(?:0[1-9]|1[0-2]|[0-9]{2}(?:-Q[1-4])?|Q[1-4]))?$")
MONTHS = [calendar.month_name[i] for i in range(13)]

_FORMS = {
    ("month", False): re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$"),
    ("month", True): re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$"),
    ("quarter", False): re.compile(r"^([0-9]{4})-Q([1-4])$"),
    ("quarter", True): re.compile(r"^([0-9]{4})-([0-9]{2})-Q([1-4])$"),
    ("year", False): re.compile(r"^([0-9]{4})$"),
    ("year", True): re.compile(r"^([0-9]{4})-([0-9]{2})$"),
}


@dataclass(frozen=True)
class Calendar:
    """The periods of an organisation: their kind (None: any kind of calendar years, told
    from the id), and the month its year starts in."""

    kind: str | None = None
    year_starts: int = 1

    @property
    def fiscal(self) -> bool:
        return self.year_starts != 1

    def kind_of(self, pid: str) -> str | None:
        """The kind of period the id names in this calendar (any year), or None."""
        kinds = (self.kind,) if self.kind else KINDS
        for kind in kinds:
            match = _FORMS[(kind, self.fiscal)].fullmatch(pid)
            if match and (not self.fiscal or kind == "month" or _spans(match)):
                return kind
        return None

    def bounds(self, pid: str) -> tuple[dt.date, dt.date]:
        """First and last day of a period; ValueError for an id this calendar has no period
        of (or one outside the years Kept handles)."""
        return _bounds(self, pid)

    def valid(self, pid: str) -> bool:
        try:
            self.bounds(pid)
        except ValueError:
            return False
        return True

    def out_of_range(self, pid: str) -> str | None:
        """For an id shaped like a period, of a year Kept does not handle (or, in this
        calendar, ending after the last day it handles), why; else None."""
        if not SHAPE_RE.fullmatch(pid):
            return None
        if not FIRST_DAY.year <= int(pid[:4]) <= LAST_DAY.year or (
                self.kind_of(pid) and not self.valid(pid)):
            return f"is in the year {pid[:4]}, outside the years Kept handles ({YEARS})"
        return None

    def label(self, pid: str, language: i18n.Language | None = None) -> str:
        """Plain words, in the language given (default: the current one): 'September 2026',
        'July to September 2026', '2025', '2024/25 Q3, October to December 2024', '2024/25,
        April 2024 to March 2025'."""
        return _label(self, pid, language or i18n.current())

    def period_of(self, day: dt.date) -> str:
        """The id of the period of this calendar's kind that day falls in."""
        kind = self.kind or "month"
        if kind == "month":
            return f"{day.year}-{day.month:02d}"
        months = (day.month - self.year_starts) % 12
        year = day.year if day.month >= self.year_starts else day.year - 1
        name = f"{year}-{(year + 1) % 100:02d}" if self.fiscal else f"{year}"
        return f"{name}-Q{months // 3 + 1}" if kind == "quarter" else name

    @property
    def example(self) -> str:
        """An id of this calendar, for messages."""
        if self.kind is None:
            return "2026-Q3 or 2026-09"
        return self.period_of(dt.date(2026, 9, 1) if self.kind != "year" else dt.date(2025, 6, 1))

    @property
    def words(self) -> str:
        """How the periods are named, for messages: 'quarters such as 2024-25-Q3'."""
        plural = {"month": "months", "quarter": "quarters", "year": "years"}.get(self.kind or "", "periods")
        return f"{plural} such as {self.example}"


def _spans(match: re.Match[str]) -> bool:
    """Whether a fiscal id's second year follows its first: 2024-25, not 2024-27."""
    return (int(match.group(1)) + 1) % 100 == int(match.group(2))


@functools.lru_cache(maxsize=8192)
def _bounds(cal: Calendar, pid: str) -> tuple[dt.date, dt.date]:
    kind = cal.kind_of(pid)
    if kind is None:
        raise ValueError(f"not a period id of this calendar: {pid!r}")
    year = int(pid[:4])
    if not FIRST_DAY.year <= year <= LAST_DAY.year:
        raise ValueError(f"a period of a year Kept does not handle: {pid!r}")
    if kind == "month":
        first, count = dt.date(year, int(pid[5:7]), 1), 1
    elif kind == "quarter":
        index = int(pid[-1]) - 1
        first, count = _month(year, cal.year_starts + 3 * index), 3
    else:
        first, count = _month(year, cal.year_starts), 12
    last = _month(first.year, first.month + count - 1)
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    if end > LAST_DAY:
        raise ValueError(f"a period that ends after {LAST_DAY}: {pid!r}")
    return first, end


def _month(year: int, month: int) -> dt.date:
    """The first day of a month counted from January of year (13 is January of the next)."""
    return dt.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@functools.lru_cache(maxsize=8192)
def _label(cal: Calendar, pid: str, lang: i18n.Language) -> str:
    start, end = cal.bounds(pid)
    kind = cal.kind_of(pid)
    if kind == "month":
        return lang.month_year(start)
    if kind == "year" and not cal.fiscal:
        return str(start.year)
    if start.year == end.year:
        span = lang.tr("{first} to {last} {year}", first=lang.month(start), last=lang.month(end),
                       year=start.year)
    else:
        span = lang.tr("{first} {first_year} to {last} {last_year}", first=lang.month(start),
                       first_year=start.year, last=lang.month(end), last_year=end.year)
    if not cal.fiscal:
        return span
    name = f"{pid[:4]}/{pid[5:7]}"
    if kind == "quarter":
        return lang.tr("{year} {quarter}, {span}", year=name, quarter=lang.quarter(int(pid[-1])),
                       span=span)
    return lang.tr("{year}, {span}", year=name, span=span)

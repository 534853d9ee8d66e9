"""Typed, immutable objects for validated data, and the calendar of reporting periods."""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# The years Kept handles: a site's files carry their time as seconds since 1970 in 32 bits
# (gzip, the sitemap's compression), which end on 2106-02-07 (see schema.LAST_DAY).
YEAR = r"(?:19[7-9][0-9]|20[0-9][0-9]|210[0-5])"
# A period's id: YYYY-Qn for a quarter, YYYY-MM for a month.
PERIOD_RE = re.compile(rf"^({YEAR})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")

_MONTHS = [calendar.month_name[i] for i in range(13)]


class Direction(enum.Enum):
    LOWER = "lower"
    HIGHER = "higher"


class Visibility(enum.Enum):
    PUBLIC = "public"
    INTERNAL = "internal"


EMPTY: Mapping[str, Any] = MappingProxyType({})


def _empty() -> Mapping[str, Any]:
    return EMPTY


@dataclass(frozen=True)
class Organization:
    name: str
    period: str  # "quarter" | "month"
    url: str | None = None
    min_sample: int = 30
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Value:
    id: str
    title: str
    description: str | None = None
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Location:
    id: str
    name: str
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    direction: Direction
    target: float
    definition: str | None = None


@dataclass(frozen=True)
class Review:
    every: str  # month | quarter | half-year | year
    last: dt.date | None = None


@dataclass(frozen=True)
class Revision:
    date: dt.date
    reason: str
    target: float | None = None  # the values in force before `date`, where they changed
    title: str | None = None
    promise: str | None = None
    name: str | None = None  # the metric's name
    definition: str | None = None  # the metric's definition
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Commitment:
    id: str
    title: str
    promise: str
    metric: Metric
    since: dt.date
    why: str | None = None
    value: str | None = None
    retired: dt.date | None = None
    locations: tuple[str, ...] = ()
    review: Review | None = None
    revisions: tuple[Revision, ...] = ()  # oldest first
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)

    def begun_by(self, day: dt.date) -> bool:
        return self.since <= day

    def retired_by(self, day: dt.date) -> bool:
        return self.retired is not None and self.retired < day

    def active_during(self, start: dt.date, end: dt.date) -> bool:
        return out_of_force(self.since, self.retired, start, end) is None


def out_of_force(since: dt.date, retired: dt.date | None, start: dt.date,
                 end: dt.date) -> str | None:
    """Why a promise applying from since to retired does not apply in the period start..end:
    "not yet" (it begins after the period ends) or "retired" (it ended before the period
    began); None when it applies. A promise retired during a period applies in it."""
    if since > end:
        return "not yet"
    if retired is not None and retired < start:
        return "retired"
    return None


@dataclass(frozen=True)
class LocationFigure:
    value: float | None
    sample: int | None = None


@dataclass(frozen=True)
class Measurement:
    value: float | None
    sample: int | None = None
    locations: Mapping[str, LocationFigure] = field(default_factory=_empty)
    explanation: str | None = None
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Improvement:
    id: str
    date: dt.date
    title: str
    you_said: str
    we_did: str
    period: str
    commitments: tuple[str, ...] = ()
    feedback_source: str | None = None
    feedback_count: int | None = None
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Amendment:
    """One published fact a correction changed: what the period's record says, and what the
    data says now. `subject` is the name the correction's `changes` gives it (a commitment id,
    `commitment@location`, `summary`, `highlights` or an improvement id); `field` is the fact
    (`value`, `sample`, `explanation`, `title`, `target`, ... or `summary`, `highlights`)."""

    subject: str
    field: str
    old: Any
    new: Any
    commitment: str | None = None
    location: str | None = None
    improvement: str | None = None


@dataclass(frozen=True)
class Correction:
    date: dt.date
    note: str
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)
    changes: tuple[str, ...] = ()  # what it changes, as named in the data
    amended: tuple[Amendment, ...] = ()  # what it changed, old and new (from the record)


@dataclass(frozen=True)
class Period:
    id: str
    published: dt.date | None = None
    summary: str | None = None
    measurements: Mapping[str, Measurement] = field(default_factory=_empty)
    highlights: tuple[str, ...] = ()
    improvements: tuple[Improvement, ...] = ()
    corrections: tuple[Correction, ...] = ()
    internal: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def draft(self) -> bool:
        return self.published is None

    @property
    def start(self) -> dt.date:
        return period_bounds(self.id)[0]

    @property
    def end(self) -> dt.date:
        return period_bounds(self.id)[1]

    @property
    def label(self) -> str:
        return period_label(self.id)


@dataclass(frozen=True)
class Dataset:
    organization: Organization
    values: tuple[Value, ...] = ()
    locations: tuple[Location, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    periods: tuple[Period, ...] = field(default=())  # oldest first
    # The records of published periods (results/records/PERIOD.json), by period id: what each
    # edition stated when it was published.
    records: Mapping[str, Mapping[str, Any]] = field(default_factory=_empty)

    @functools.cached_property
    def _by_id(self) -> tuple[dict[str, Commitment], dict[str, Location]]:
        return {c.id: c for c in self.commitments}, {x.id: x for x in self.locations}

    def commitment(self, cid: str) -> Commitment | None:
        return self._by_id[0].get(cid)

    def location(self, lid: str) -> Location | None:
        return self._by_id[1].get(lid)

    def value(self, vid: str) -> Value | None:
        return next((v for v in self.values if v.id == vid), None)


def period_kind(pid: str) -> str | None:
    match = PERIOD_RE.fullmatch(pid)
    if not match:
        return None
    return "quarter" if match.group(2) else "month"


@functools.lru_cache(maxsize=4096)
def period_bounds(pid: str) -> tuple[dt.date, dt.date]:
    """First and last day of a period id such as 2026-Q3 or 2026-09."""
    match = PERIOD_RE.fullmatch(pid)
    if not match:
        raise ValueError(f"not a period id: {pid!r}")
    year = int(match.group(1))
    if match.group(2):
        first_month = (int(match.group(2)) - 1) * 3 + 1
        last_month = first_month + 2
    else:
        first_month = last_month = int(match.group(3))
    last_day = calendar.monthrange(year, last_month)[1]
    return dt.date(year, first_month, 1), dt.date(year, last_month, last_day)


@functools.lru_cache(maxsize=4096)
def period_label(pid: str) -> str:
    """Plain words for a period: 'July to September 2026' or 'September 2026'."""
    start, end = period_bounds(pid)
    if start.month == end.month:
        return f"{_MONTHS[start.month]} {start.year}"
    return f"{_MONTHS[start.month]} to {_MONTHS[end.month]} {start.year}"


def period_of(day: dt.date, kind: str) -> str:
    if kind == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"

"""Typed, immutable objects for validated data (the calendar of periods is in `periods`)."""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from generator.periods import Calendar

DEFAULT_CALENDAR = Calendar()


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
    period: str  # "month" | "quarter" | "year"
    url: str | None = None
    min_sample: int = 30
    internal: Mapping[str, Any] = field(default_factory=_empty)
    year_starts: int = 1  # the month a reporting year starts (4: April)
    require_explanations: bool = True  # a miss needs an explanation (--strict, publish)
    currency: str | None = None  # ISO 4217, for guarantee payments
    languages: tuple[str, ...] = ("en",)  # the site's languages, the main one first

    @property
    def calendar(self) -> Calendar:
        return Calendar(self.period, self.year_starts)


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
class Threshold:
    """What a share is counted within: the 180 seconds of "80% answered within 180 seconds"."""

    value: float
    unit: str


@dataclass(frozen=True)
class Guarantee:
    """What a customer gets when the promise is broken for them."""

    remedy: str
    automatic: bool = False


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    direction: Direction
    target: float
    definition: str | None = None
    threshold: Threshold | None = None
    method: str | None = None


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
    threshold: Threshold | None = None
    # The guarantee before the revision, when it changed: (None,) when there was none.
    guarantee: tuple[Guarantee | None] | None = None
    internal: Mapping[str, Any] = field(default_factory=_empty)


@dataclass(frozen=True)
class Commitment:
    id: str
    title: str
    promise: str
    metric: Metric | None  # None for a promise in words (kind "words")
    since: dt.date
    why: str | None = None
    value: str | None = None
    retired: dt.date | None = None
    locations: tuple[str, ...] = ()
    review: Review | None = None
    revisions: tuple[Revision, ...] = ()  # oldest first
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)
    announced: dt.date | None = None  # before `since`: shown as starting then
    guarantee: Guarantee | None = None

    @property
    def words(self) -> bool:
        """A promise kept or not, with no figure: each period says met or missed."""
        return self.metric is None

    def begun_by(self, day: dt.date) -> bool:
        return self.since <= day

    def shown_by(self, day: dt.date) -> bool:
        """Whether an edition ending on day has the promise: begun, or announced by then."""
        return self.since <= day or (self.announced is not None and self.announced <= day)

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

    def __repr__(self) -> str:
        # What dataclass writes, without its guard against a figure that holds itself: a
        # build digests every figure of every period by its repr (plan.Digests), hundreds of
        # thousands in a long history, and the guard took half the time.
        return f"LocationFigure(value={self.value!r}, sample={self.sample!r})"


@dataclass(frozen=True)
class Benchmark:
    value: float
    label: str


@dataclass(frozen=True)
class GuaranteeFigures:
    """What a guarantee cost in a period: customers let down, payments made, total paid."""

    breaches: int
    paid: int
    amount: float | None = None


@dataclass(frozen=True)
class Recovery:
    """For a missed target: what is done about it, and the period it will be met again by."""

    action: str
    by: str  # a period id


@dataclass(frozen=True)
class Measurement:
    value: float | None
    sample: int | None = None
    locations: Mapping[str, LocationFigure] = field(default_factory=_empty)
    explanation: str | None = None
    internal: Mapping[str, Any] = field(default_factory=_empty)
    status: str | None = None  # a words commitment's: "met" | "missed" | "not-measured"
    margin: float | None = None  # ± in the metric's unit
    benchmark: Benchmark | None = None
    guarantee: GuaranteeFigures | None = None
    recovery: Recovery | None = None


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
    delivers: str | None = None  # the planned item it completes
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)

    @property
    def from_staff(self) -> bool:
        """Whether the team suggested it (feedback source staff, team or employees; in another
        language than the main one, see Dataset.staff)."""
        return (self.feedback_source or "").strip().lower() in STAFF_SOURCES


# Feedback sources that mean the team itself suggested an improvement.
STAFF_SOURCES = ("staff", "team", "employees")


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
class Planned:
    """You said, we will: a change announced, expected done by period `by`."""

    id: str
    title: str
    you_said: str
    we_will: str
    by: str
    period: str  # the period that announced it
    commitments: tuple[str, ...] = ()
    visibility: Visibility = Visibility.PUBLIC
    internal: Mapping[str, Any] = field(default_factory=_empty)


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
    calendar: Calendar = DEFAULT_CALENDAR
    planned: tuple[Planned, ...] = ()  # the organisation's: what the id means

    @property
    def draft(self) -> bool:
        return self.published is None

    @property
    def start(self) -> dt.date:
        return self.calendar.bounds(self.id)[0]

    @property
    def end(self) -> dt.date:
        return self.calendar.bounds(self.id)[1]

    @property
    def label(self) -> str:
        return self.calendar.label(self.id)


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
    # The improvements the team suggested, by id, as the main language's data says (a source
    # translated, 'personnel', would not say it); None: as this dataset says.
    staff_ids: frozenset[str] | None = None

    @property
    def staff(self) -> frozenset[str]:
        if self.staff_ids is not None:
            return self.staff_ids
        return frozenset(i.id for p in self.periods for i in p.improvements if i.from_staff)

    @functools.cached_property
    def _by_id(self) -> tuple[dict[str, Commitment], dict[str, Location]]:
        return {c.id: c for c in self.commitments}, {x.id: x for x in self.locations}

    def commitment(self, cid: str) -> Commitment | None:
        return self._by_id[0].get(cid)

    def location(self, lid: str) -> Location | None:
        return self._by_id[1].get(lid)

    def improvements_by_id(self) -> dict[str, Improvement]:
        """Every improvement of every period, by id (ids are unique across periods)."""
        return {i.id: i for p in self.periods for i in p.improvements}

    def value(self, vid: str) -> Value | None:
        return next((v for v in self.values if v.id == vid), None)

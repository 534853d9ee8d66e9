"""Pure functions over the model: commitments as they stood, statuses, attainment, streaks, reviews."""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass, replace

from generator.i18n import N_, tr
from generator.model import Commitment, Dataset, Direction, Measurement, Metric, Period, out_of_force


class Status(enum.Enum):
    MET = "Met"
    MISSED = "Missed"
    NOT_MEASURED = "Not measured"
    NOT_YET = "Not yet"
    RETIRED = "Retired"

    @property
    def css(self) -> str:
        return self.name.lower().replace("_", "-")

    @property
    def label(self) -> str:
        """The status in the current language (its value is the English, and the catalogs'
        message: see _LABELS)."""
        return tr(self.value)


# The statuses as the catalogs know them (their values are the messages).
_LABELS = (N_("Met"), N_("Missed"), N_("Not measured"), N_("Not yet"), N_("Retired"))


def as_of(commitment: Commitment, day: dt.date) -> Commitment:
    """The commitment as it stood on day: every revision dated after it undone, newest first."""
    current = commitment
    for revision in reversed(commitment.revisions):
        if revision.date <= day:
            break
        if revision.title is not None:
            current = replace(current, title=revision.title)
        if revision.promise is not None:
            current = replace(current, promise=revision.promise)
        if revision.guarantee is not None:
            current = replace(current, guarantee=revision.guarantee[0])
        if current.metric is not None:  # a promise in words has no measure to revise
            metric = current.metric
            for key in ("target", "name", "definition", "threshold"):
                if (before := getattr(revision, key)) is not None:
                    metric = replace(metric, **{key: before})
            current = replace(current, metric=metric)
    return current


def is_met(metric: Metric, value: float) -> bool:
    if metric.direction is Direction.LOWER:
        return value <= metric.target
    return value >= metric.target


def status(commitment: Commitment, period: Period) -> Status:
    """How the commitment did in the period, judged against the target in force on its last day."""
    outside = out_of_force(commitment.since, commitment.retired, period.start, period.end)
    if outside is not None:
        return Status.NOT_YET if outside == "not yet" else Status.RETIRED
    measurement = period.measurements.get(commitment.id)
    metric = as_of(commitment, period.end).metric
    if metric is None:  # a promise in words: the period says whether it was kept
        said = measurement.status if measurement is not None else None
        return {"met": Status.MET, "missed": Status.MISSED}.get(said or "", Status.NOT_MEASURED)
    if measurement is None or measurement.value is None:
        return Status.NOT_MEASURED
    return Status.MET if is_met(metric, measurement.value) else Status.MISSED


@dataclass(frozen=True)
class Row:
    """One period of a commitment's results."""

    period: Period
    status: Status
    target: float | None  # None for a promise in words
    measurement: Measurement | None
    change: float | None  # against the previous measured period

    @property
    def value(self) -> float | None:
        return self.measurement.value if self.measurement else None


def history(commitment: Commitment, periods: tuple[Period, ...]) -> list[Row]:
    """A row per period in which the commitment applied (oldest first)."""
    rows: list[Row] = []
    previous: float | None = None
    for period in periods:
        state = status(commitment, period)
        if state in (Status.NOT_YET, Status.RETIRED):
            continue
        measurement = period.measurements.get(commitment.id)
        value = measurement.value if measurement else None
        change = value - previous if value is not None and previous is not None else None
        metric = as_of(commitment, period.end).metric
        rows.append(Row(period, state, metric.target if metric else None, measurement, change))
        if value is not None:
            previous = value
    return rows


@dataclass(frozen=True)
class Attainment:
    met: int
    measured: int

    @property
    def ratio(self) -> float | None:
        return self.met / self.measured if self.measured else None


@dataclass(frozen=True)
class Score:
    """How many promises were met of those measured in a period, and how many were not
    measured (counted apart: they are neither kept nor broken)."""

    met: int
    measured: int
    not_measured: int


def score(rows: list[Row]) -> Score:
    states = [r.status for r in rows]
    measured = sum(s in (Status.MET, Status.MISSED) for s in states)
    return Score(states.count(Status.MET), measured, states.count(Status.NOT_MEASURED))


def attainment(rows: list[Row]) -> Attainment:
    measured = [r for r in rows if r.status in (Status.MET, Status.MISSED)]
    return Attainment(sum(r.status is Status.MET for r in measured), len(measured))


def streak(rows: list[Row]) -> int:
    """Periods met in a row, counting back from the newest measured period."""
    count = 0
    for row in reversed([r for r in rows if r.status in (Status.MET, Status.MISSED)]):
        if row.status is not Status.MET:
            break
        count += 1
    return count


def improved(metric: Metric, change: float | None) -> bool | None:
    """Whether a change of value is for the better, given the metric's direction."""
    if change is None or change == 0:
        return None
    return (change < 0) == (metric.direction is Direction.LOWER)


_REVIEW_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReviewState:
    commitment: Commitment
    due: dt.date | None  # None: never reviewed
    overdue: bool


def reviews(dataset: Dataset, day: dt.date) -> list[ReviewState]:
    """Commitments in force on day whose review is due by then or that were never reviewed."""
    states: list[ReviewState] = []
    for commitment in dataset.commitments:
        if not commitment.begun_by(day) or commitment.retired_by(day):
            continue
        review = commitment.review
        if review is None or review.last is None:
            states.append(ReviewState(commitment, None, True))
            continue
        due = add_months(review.last, _REVIEW_MONTHS[review.every])
        if due <= day:
            states.append(ReviewState(commitment, due, due < day))
    return sorted(states, key=lambda s: (s.due or dt.date.min, s.commitment.id))

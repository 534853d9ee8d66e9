from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator import compute
from generator.compute import Status
from generator.model import (
    Commitment,
    Dataset,
    Direction,
    Measurement,
    Metric,
    Organization,
    Period,
    Review,
    Revision,
)
from generator.periods import Calendar
from generator.validate import load_dataset

D = dt.date


def commitment(direction: Direction = Direction.LOWER, target: float = 4, **kw: object) -> Commitment:
    base = dict(id="c", title="Now", promise="Now promise",
                metric=Metric("m", "hours", direction, target), since=D(2025, 1, 1))
    base.update(kw)
    return Commitment(**base)  # type: ignore[arg-type]


def period(pid: str, value: float | None = None, cid: str = "c") -> Period:
    measurements = {} if value is None else {cid: Measurement(value)}
    return Period(pid, published=Calendar().bounds(pid)[1], measurements=measurements)


def test_revisions_are_undone_newest_first() -> None:
    c = commitment(target=2, revisions=(
        Revision(D(2025, 7, 1), "first", target=8, title="Eight"),
        Revision(D(2026, 1, 1), "second", target=4, title="Four", promise="Four promise"),
    ))
    assert compute.as_of(c, D(2025, 6, 30)).metric.target == 8
    assert compute.as_of(c, D(2025, 6, 30)).title == "Eight"
    assert compute.as_of(c, D(2025, 7, 1)).metric.target == 4  # the first took effect that day
    assert compute.as_of(c, D(2025, 12, 31)).title == "Four"
    assert compute.as_of(c, D(2025, 12, 31)).promise == "Four promise"
    assert compute.as_of(c, D(2026, 1, 1)) == c


@pytest.mark.parametrize("direction, value, expected", [
    (Direction.LOWER, 3.9, Status.MET), (Direction.LOWER, 4, Status.MET),
    (Direction.LOWER, 4.1, Status.MISSED), (Direction.HIGHER, 3.9, Status.MISSED),
    (Direction.HIGHER, 4, Status.MET), (Direction.HIGHER, 5, Status.MET),
])
def test_status_in_both_directions(direction: Direction, value: float, expected: Status) -> None:
    assert compute.status(commitment(direction), period("2025-Q2", value)) is expected


def test_status_uses_the_target_in_force_on_the_last_day() -> None:
    c = commitment(target=4, revisions=(Revision(D(2025, 10, 1), "tighter", target=8),))
    assert compute.status(c, period("2025-Q3", 6)) is Status.MET  # target 8 then
    assert compute.status(c, period("2025-Q4", 6)) is Status.MISSED  # target 4 from October


def test_other_statuses() -> None:
    c = commitment(since=D(2025, 4, 1), retired=D(2025, 9, 30))
    assert compute.status(c, period("2025-Q1", 1)) is Status.NOT_YET
    assert compute.status(c, period("2025-Q2")) is Status.NOT_MEASURED
    assert compute.status(c, Period("2025-Q2", measurements={"c": Measurement(None)})) is \
        Status.NOT_MEASURED
    assert compute.status(c, period("2025-Q3", 1)) is Status.MET  # retires on its last day
    assert compute.status(c, period("2025-Q4", 1)) is Status.RETIRED


def test_history_attainment_streak_and_change() -> None:
    c = commitment(target=4)
    periods = (period("2025-Q1", 5), period("2025-Q2", 3), period("2025-Q3"), period("2025-Q4", 2.5))
    rows = compute.history(c, periods)
    assert [r.status for r in rows] == [Status.MISSED, Status.MET, Status.NOT_MEASURED, Status.MET]
    assert [r.change for r in rows] == [None, -2, None, -0.5]
    assert compute.attainment(rows) == compute.Attainment(2, 3)
    assert compute.streak(rows) == 2
    assert compute.improved(c.metric, -0.5) is True
    assert compute.improved(commitment(Direction.HIGHER).metric, -0.5) is False


def test_reviews_due() -> None:
    org = Organization("O", "quarter")
    data = Dataset(org, commitments=(
        commitment(id="fresh", review=Review("year", D(2025, 6, 1))),
        commitment(id="overdue", review=Review("quarter", D(2025, 6, 1))),
        commitment(id="never"),
        commitment(id="later", since=D(2026, 1, 1)),
    ))
    states = compute.reviews(data, D(2025, 12, 31))
    assert [(s.commitment.id, s.due, s.overdue) for s in states] == [
        ("never", None, True), ("overdue", D(2025, 9, 1), True)]


def test_period_calendar() -> None:
    assert Calendar().bounds("2026-Q3") == (D(2026, 7, 1), D(2026, 9, 30))
    assert Calendar().bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))
    assert Calendar().label("2026-Q3") == "July to September 2026"
    assert Calendar().label("2026-09") == "September 2026"


def test_model_from_files(project: Path) -> None:
    data, _ = load_dataset(project)
    email = data.commitment("email-reply")
    assert email is not None and email.metric.target == 4
    assert email.revisions[0].target == 8
    assert data.periods[-1].draft and not data.periods[0].draft

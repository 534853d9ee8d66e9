"""The calendar of periods: months, quarters and years, of calendar years or of years that
start in another month (fiscal years)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.periods import Calendar

D = dt.date
APRIL = 4


@pytest.mark.parametrize(("calendar", "pid", "bounds", "label"), [
    (Calendar("month"), "2026-09", (D(2026, 9, 1), D(2026, 9, 30)), "September 2026"),
    (Calendar("quarter"), "2026-Q3", (D(2026, 7, 1), D(2026, 9, 30)), "July to September 2026"),
    (Calendar("year"), "2025", (D(2025, 1, 1), D(2025, 12, 31)), "2025"),
    (Calendar("month", APRIL), "2026-09", (D(2026, 9, 1), D(2026, 9, 30)), "September 2026"),
    (Calendar("quarter", APRIL), "2024-25-Q1", (D(2024, 4, 1), D(2024, 6, 30)),
     "2024/25 Q1, April to June 2024"),
    (Calendar("quarter", APRIL), "2024-25-Q3", (D(2024, 10, 1), D(2024, 12, 31)),
     "2024/25 Q3, October to December 2024"),
    (Calendar("quarter", APRIL), "2024-25-Q4", (D(2025, 1, 1), D(2025, 3, 31)),
     "2024/25 Q4, January to March 2025"),
    (Calendar("quarter", 2), "2024-25-Q4", (D(2024, 11, 1), D(2025, 1, 31)),
     "2024/25 Q4, November 2024 to January 2025"),
    (Calendar("year", APRIL), "2016-17", (D(2016, 4, 1), D(2017, 3, 31)),
     "2016/17, April 2016 to March 2017"),
    (Calendar("year", 7), "2099-00", (D(2099, 7, 1), D(2100, 6, 30)),
     "2099/00, July 2099 to June 2100"),
])
def test_ids_bounds_and_labels(calendar: Calendar, pid: str, bounds: tuple[D, D], label: str) -> None:
    assert calendar.bounds(pid) == bounds
    assert calendar.label(pid) == label
    assert calendar.period_of(bounds[0]) == pid and calendar.period_of(bounds[1]) == pid


@pytest.mark.parametrize(("calendar", "pid"), [
    (Calendar("quarter"), "2024-25-Q3"),  # a fiscal id in a calendar-year organisation
    (Calendar("quarter", APRIL), "2024-Q3"),  # and the other way round
    (Calendar("year", APRIL), "2024-26"),  # the second year must follow the first
    (Calendar("year", APRIL), "2025"),
    (Calendar("year"), "2024-25"),
    (Calendar("month"), "2026-Q3"),
    (Calendar("quarter"), "2026-Q5"),
])
def test_ids_of_another_calendar(calendar: Calendar, pid: str) -> None:
    assert calendar.kind_of(pid) is None and not calendar.valid(pid)
    with pytest.raises(ValueError):
        calendar.bounds(pid)


def test_an_id_means_what_the_calendar_says() -> None:
    """2011-12 is December 2011 to a monthly organisation, and the year from April 2011 to a
    yearly one whose years start in April."""
    assert Calendar("month", APRIL).bounds("2011-12") == (D(2011, 12, 1), D(2011, 12, 31))
    assert Calendar("year", APRIL).bounds("2011-12") == (D(2011, 4, 1), D(2012, 3, 31))


def test_years_kept_handles() -> None:
    assert Calendar("quarter").out_of_range("0000-Q1") is not None
    assert Calendar("year", APRIL).out_of_range("2105-06") is not None  # ends in 2106
    assert Calendar("year", APRIL).valid("2104-05")


def test_examples_and_words() -> None:
    assert Calendar("quarter", APRIL).words == "quarters such as 2026-27-Q2"
    assert Calendar("year").example == "2025"
    assert Calendar("year", APRIL).example == "2025-26"
    assert Calendar().example == "2026-Q3 or 2026-09"

from datetime import date

import pytest

from lms_bridge.domain.calendar import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 11, 1), True),  # a Saturday made working by decree (moved from 2025-11-03)
        (date(2025, 11, 3), False),  # the moved day off
        (date(2025, 11, 4), False),  # Unity Day
        (date(2026, 1, 9), False),  # moved day off (from 2026-01-03)
        (date(2026, 1, 12), True),
        (date(2026, 11, 21), False),  # an ordinary Saturday
        (date(2026, 11, 23), True),
    ],
)
def test_production_calendar(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_ten_working_days_across_new_year_holidays() -> None:
    # Mon 2025-12-29: 30 Dec is day 1; 31 Dec and 1–9 Jan are off, 10–11 Jan a weekend; 12–22 Jan days 2–10
    assert add_working_days(date(2025, 12, 29), 10) == date(2026, 1, 22)


def test_working_saturday_counts() -> None:
    # Fri 2025-10-31 + 1 working day = Sat 2025-11-01 (working by decree)
    assert add_working_days(date(2025, 10, 31), 1) == date(2025, 11, 1)
    # and then Mon 3 Nov and Tue 4 Nov are off
    assert add_working_days(date(2025, 11, 1), 1) == date(2025, 11, 5)


def test_working_days_between_is_inverse() -> None:
    start = date(2026, 4, 27)
    end = add_working_days(start, 5)
    assert working_days_between(start, end) == 5
    assert working_days_between(end, start) == -5


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError, match="days must be >= 0"):
        add_working_days(date(2026, 1, 1), -1)

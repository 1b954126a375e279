"""Planned dates of drafted activities inside the route period (pure).

* Formal courses run one after another in the order of the recommendation (low-level blocks first,
  002). A course with planned dates in the course map keeps them; one with a duration in ``weeks``
  (or, failing that, one week per ``HOURS_PER_WEEK`` hours of study, at least ``MIN_WEEKS``) starts
  the day after the previous one ends. A course that no longer fits before the route's end gets what
  is left of the period (the developer reviews the draft before it goes to agreement).
* Events keep their own dates; an event without dates is planned undated (its organiser announces
  them). An entry whose planned dates fall outside the route period is not recommended at all
  (``in_period``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from math import ceil

from course_map.models import CourseEntry

HOURS_PER_WEEK = 18  # a typical pace of a ПК course taken alongside teaching
MIN_WEEKS = 2

Period = tuple[date | None, date | None]


def in_period(entry: CourseEntry, start: date, end: date) -> bool:
    """Whether the entry may be recommended for a route from ``start`` to ``end``."""
    if entry.start is None or entry.end is None:
        return True
    return start <= entry.start and entry.end <= end


def course_weeks(entry: CourseEntry) -> int:
    return entry.weeks or max(MIN_WEEKS, ceil(entry.hours / HOURS_PER_WEEK))


def schedule_courses(courses: Sequence[CourseEntry], start: date, end: date) -> list[Period]:
    """Dates of each course, in the given order, one after another from ``start``."""
    cursor = start
    out: list[Period] = []
    for c in courses:
        if c.start is not None and c.end is not None:
            out.append((c.start, c.end))
            cursor = max(cursor, c.end + timedelta(days=1))
            continue
        begin = min(cursor, end)
        until = min(begin + timedelta(weeks=course_weeks(c), days=-1), end)
        out.append((begin, until))
        cursor = until + timedelta(days=1)
    return out


def event_period(entry: CourseEntry) -> Period:
    return entry.start, entry.end

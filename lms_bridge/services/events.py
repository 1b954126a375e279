"""Upcoming events of the routes a viewer may see (the «Мероприятия региона» placement).

An event is a route activity that is neither done nor closed and has not ended yet; the same event in
many routes is one row. No names and no counts: a row says what, when and who organises it, so it tells
nothing about who takes part (a count from fewer than five people would be a report cell).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import ActivityLevel


@dataclass(frozen=True, order=True)
class Event:
    start: date
    end: date | None
    title: str
    organiser: str
    level: ActivityLevel


def upcoming_events(routes: Iterable[Route], today: date, limit: int = 200) -> list[Event]:
    """Dated, open activities ending today or later, soonest first, at most ``limit``."""
    found: set[Event] = set()
    for route in routes:
        for a in route.activities:
            if a.done or a.closed or a.start is None:
                continue
            if (a.end or a.start) < today:
                continue
            found.add(Event(a.start, a.end, a.title, a.organiser, a.level))
    return sorted(found, key=lambda e: (e.start, e.title))[:limit]

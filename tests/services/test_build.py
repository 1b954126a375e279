from dataclasses import replace
from datetime import date

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.people import Curator
from lms_bridge.domain.vocabulary import ActivityCategory, Block, CuratorKind, Level
from lms_bridge.services.build import DraftRules, draft_route
from tests.conftest import make_diagnostic, make_teacher

MAP = [
    CourseEntry("DPP-1", "Курс по предмету", deficit_codes=("П1.1",), blocks=(Block.SUBJECT,), hours=72),
    CourseEntry("DPP-2", "Курс по методике", deficit_codes=("М2.3",), blocks=(Block.METHODICAL,), hours=36),
    CourseEntry(
        "EV-1",
        "Методический семинар",
        kind=EntryKind.EVENT,
        deficit_codes=("М2.3",),
        blocks=(Block.METHODICAL,),
    ),
]
CURATOR = Curator("m@ipk.ru", "Смирнова О.В.", CuratorKind.METHODIST)


def test_draft_schedules_courses_in_turn_and_events_at_their_dates() -> None:
    today = date(2026, 9, 18)  # Friday
    r = draft_route("74-2026-000001", make_teacher(), make_diagnostic(), MAP, CURATOR, today)
    assert r.start == date(2026, 9, 21)
    assert r.end == date(2027, 9, 21)
    assert r.developed_on == today
    assert [(a.key, a.lms_course, a.category) for a in r.activities] == [
        ("1", "DPP-1", ActivityCategory.KNOWLEDGE),
        ("2", "DPP-2", ActivityCategory.KNOWLEDGE),
        ("3", None, ActivityCategory.EXCHANGE),
    ]
    first, second, event = r.activities
    # 72 h at 18 h a week = 4 weeks; 36 h = 2 weeks, starting the day after the first ends
    assert (first.start, first.end) == (date(2026, 9, 21), date(2026, 10, 18))
    assert (second.start, second.end) == (date(2026, 10, 19), date(2026, 11, 1))
    assert (event.start, event.end) == (None, None)  # an undated event is not stretched over the route
    assert r.final_events == ()  # the teacher and the curator plan the final event(s)
    assert r.next_diagnostic_on == date(2029, 9, 15)  # 3 years after the diagnostic (003 App. 2 §5.6.1)
    assert r.curator_name == "Смирнова О.В."


def test_planned_dates_and_weeks_from_the_course_map() -> None:
    entries = [
        replace(MAP[0], start=date(2026, 11, 2), end=date(2026, 12, 18)),
        replace(MAP[1], weeks=6),
        replace(MAP[2], start=date(2027, 3, 24), end=date(2027, 3, 24)),
    ]
    r = draft_route("74-2026-000003", make_teacher(), make_diagnostic(), entries, None, date(2026, 9, 18))
    first, second, event = r.activities
    assert (first.start, first.end) == (date(2026, 11, 2), date(2026, 12, 18))  # the provider's dates
    assert (second.start, second.end) == (date(2026, 12, 19), date(2027, 1, 29))  # then 6 weeks
    assert (event.start, event.end) == (date(2027, 3, 24), date(2027, 3, 24))  # a 1-day seminar stays 1 day


def test_entries_dated_outside_the_route_period_are_not_recommended() -> None:
    entries = [MAP[0], MAP[1], replace(MAP[2], start=date(2028, 3, 24), end=date(2028, 3, 24))]
    r = draft_route("74-2026-000004", make_teacher(), make_diagnostic(), entries, None, date(2026, 9, 18))
    assert [a.lms_course for a in r.activities] == ["DPP-1", "DPP-2"]


def test_next_diagnostic_follows_the_setting() -> None:
    rules = DraftRules(next_diagnostic_years=1)
    r = draft_route("74-2026-000005", make_teacher(), make_diagnostic(), MAP, None, date(2026, 9, 18), rules)
    assert r.next_diagnostic_on == date(2027, 9, 15)


def test_hour_cap_keeps_the_low_block_course() -> None:
    d = make_diagnostic(levels={Block.SUBJECT: Level.LOW, Block.METHODICAL: Level.BASIC})
    r = draft_route(
        "74-2026-000002", make_teacher(), d, MAP, None, date(2026, 9, 18), DraftRules(max_hours=80)
    )
    assert [a.lms_course for a in r.activities if a.formal] == ["DPP-1"]  # 72 h fits, 72 + 36 does not
    assert r.curator_email == ""

from datetime import date

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.people import Curator
from lms_bridge.domain.vocabulary import ActivityCategory, Block, CuratorKind, Level
from lms_bridge.services.build import draft_route
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


def test_draft_has_courses_events_final_event_and_dates() -> None:
    today = date(2026, 9, 18)  # Friday
    r = draft_route("74-2026-000001", make_teacher(), make_diagnostic(), MAP, CURATOR, today, 12, None)
    assert r.start == date(2026, 9, 21)
    assert r.developed_on == today
    assert [(a.key, a.lms_course, a.category) for a in r.activities] == [
        ("1", "DPP-1", ActivityCategory.KNOWLEDGE),
        ("2", "DPP-2", ActivityCategory.KNOWLEDGE),
        ("3", None, ActivityCategory.EXCHANGE),
    ]
    course, _, event = r.activities
    assert r.start
    assert r.end
    assert course.end
    assert event.end == r.end
    assert course.end < r.end  # courses fit in the first half
    assert r.final_event is not None
    assert r.final_event.on is not None
    assert r.final_event.on < r.end
    assert r.curator_name == "Смирнова О.В."


def test_hour_cap_keeps_the_low_block_course() -> None:
    d = make_diagnostic(levels={Block.SUBJECT: Level.LOW, Block.METHODICAL: Level.BASIC})
    r = draft_route("74-2026-000002", make_teacher(), d, MAP, None, date(2026, 9, 18), 12, 80)
    assert [a.lms_course for a in r.activities if a.formal] == ["DPP-1"]  # 72 h fits, 72 + 36 does not
    assert r.curator_email == ""

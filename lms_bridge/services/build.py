"""Drafting routes for diagnosed teachers (003 §4.3): recommended courses, curator, number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from course_map.models import CourseEntry, EntryKind
from course_map.recommend import recommend
from lms_bridge.domain.calendar import add_working_days
from lms_bridge.domain.curators import choose_curator
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.keeping import DEFAULT_KEEPING, KeepingPolicy, expiry_reason, is_current
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.route import Activity, FinalEvent, Route
from lms_bridge.domain.vocabulary import ActivityCategory, ActivityLevel, RouteStatus
from lms_bridge.ports import RouteStore


@dataclass(frozen=True)
class Skipped:
    """A diagnosed teacher who got no route, and why (in Russian, for the report)."""

    email: str
    teacher: str
    school: str
    diagnostic_on: date
    reason: str


@dataclass(frozen=True)
class BuildSummary:
    built: int
    without_courses: int  # routes whose deficits no course covers (go to the «банк запросов»)
    without_curator: int
    skipped: tuple[Skipped, ...] = ()


def split_current(
    pending: list[tuple[Teacher, Diagnostic]], today: date, policy: KeepingPolicy
) -> tuple[list[tuple[Teacher, Diagnostic]], tuple[Skipped, ...]]:
    """Diagnostics still valid (000 §1.8), and the expired ones as skipped teachers."""
    current = [(t, d) for t, d in pending if is_current(d, today, policy)]
    skipped = tuple(
        Skipped(t.email, t.full_name, t.school, d.date, expiry_reason(d, policy))
        for t, d in pending
        if not is_current(d, today, policy)
    )
    return current, skipped


# long: the route is one constructor call, field by field as in the card
def draft_route(
    number: str,
    teacher: Teacher,
    diagnostic: Diagnostic,
    entries: list[CourseEntry],
    curator: Curator | None,
    today: date,
    months: int,
    max_hours: int | None,
) -> Route:
    """A draft route for the developer to finish.

    - formal part: one activity per recommended ДПП course (category «получение дополнительных
      знаний»), scheduled in the first half of the route so the rest is left for practice;
    - non-formal part: the recommended events of the course map that cover deficits the courses
      leave open or deepen (category «профессиональное развитие и обмен опытом»), across the route;
    - the final public event (004) two weeks before the end, at school level.
    """
    start = add_working_days(today, 1)
    end = start + timedelta(days=round(months * 30.44))
    middle = start + (end - start) / 2
    courses = recommend(diagnostic, entries, max_hours=max_hours).entries
    events = recommend(diagnostic, entries, kinds=(EntryKind.EVENT,)).entries
    planned = [(e, ActivityCategory.KNOWLEDGE, middle) for e in courses]
    planned += [(e, ActivityCategory.EXCHANGE, end) for e in events]
    activities = tuple(
        Activity(
            key=str(i),
            category=category,
            title=e.title,
            level=e.level,
            organiser=e.organiser,
            start=start,
            end=until,
            deficit_codes=tuple(c for c in e.deficit_codes if c in diagnostic.deficit_codes),
            lms_course=e.lms_course if e.formal else None,
            hours=e.hours or None,
        )
        for i, (e, category, until) in enumerate(planned, start=1)
    )
    return Route(
        number=number,
        teacher=teacher,
        diagnostic=diagnostic,
        status=RouteStatus.DRAFT,
        curator_email=curator.email if curator else "",
        curator_name=curator.full_name if curator else "",
        developed_on=today,
        start=start,
        end=end,
        activities=activities,
        final_event=FinalEvent(
            form="открытый урок или мастер-класс",
            title="Представление результатов прохождения ИОМ",
            level=ActivityLevel.SCHOOL,
            on=end - timedelta(days=14),
        ),
        next_diagnostic_on=end + timedelta(days=1),
        self_education_theme=teacher.self_education_theme,  # as the diagnostics import gave it
    )


def build_routes(
    store: RouteStore,
    *,
    region: str,
    today: date,
    actor: Actor,
    months: int = 12,
    max_hours: int | None = None,
    keeping: KeepingPolicy = DEFAULT_KEEPING,
) -> BuildSummary:
    """Draft a route for every diagnosed teacher who has none and whose diagnostic is still valid.

    One transaction; running it again does nothing (expired diagnostics are listed each time).
    """
    with store.transaction():
        pending, skipped = split_current(store.list_unrouted(), today, keeping)
        if not pending:
            return BuildSummary(0, 0, 0, skipped)
        entries = store.list_course_map()
        curators = store.list_curators()
        load = store.curator_load()
        numbers = store.allocate_numbers(region, today.year, len(pending))
        routes = []
        for number, (teacher, diagnostic) in zip(numbers, pending, strict=True):
            curator = choose_curator(teacher, diagnostic, curators, load)
            if curator:
                load[curator.email] = load.get(curator.email, 0) + 1
            routes.append(
                draft_route(number, teacher, diagnostic, entries, curator, today, months, max_hours)
            )
        store.add_routes(routes, actor)
        return BuildSummary(
            built=len(routes),
            without_courses=sum(1 for r in routes if not r.formal_activities),
            without_curator=sum(1 for r in routes if not r.curator_email),
            skipped=skipped,
        )

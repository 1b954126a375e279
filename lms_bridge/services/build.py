"""Drafting routes for diagnosed teachers (003 §4.3): recommended courses, curator, number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from course_map.models import CourseEntry, EntryKind
from course_map.recommend import alternatives, recommend
from course_map.schedule import event_period, in_period, schedule_courses
from lms_bridge.domain.calendar import add_months, add_working_days
from lms_bridge.domain.card_details import CardDetails, academic_year, draft_stages
from lms_bridge.domain.curators import choose_curator
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.keeping import DEFAULT_KEEPING, KeepingPolicy, expiry_reason, is_current
from lms_bridge.domain.people import Actor, Curator, Teacher
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, RouteStatus
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


@dataclass(frozen=True)
class DraftRules:
    """What shapes a draft (``Settings.route_months``, ``max_route_hours``, ``next_diagnostic_years``)."""

    months: int = 12
    max_hours: int | None = None
    next_diagnostic_years: int = 3  # 003 App. 2 §5.6.1: the comprehensive diagnostic once in 3 years
    curator_rule: str = "ladder"  # the profile's (domain/curators.py)
    region_name: str = ""  # the profile's region, printed by the Bashkortostan card
    stages: bool = False  # draft 001's four stages with dates (the Buryatia card prints them)


DEFAULT_RULES = DraftRules()


# long: the route is one constructor call, field by field as in the card
def draft_route(
    number: str,
    teacher: Teacher,
    diagnostic: Diagnostic,
    entries: list[CourseEntry],
    curator: Curator | None,
    today: date,
    rules: DraftRules = DEFAULT_RULES,
    previous_number: str = "",
) -> Route:
    """A draft route for the developer to finish.

    - formal part: one activity per recommended ДПП course (category «получение дополнительных
      знаний»), one after another in the order of the recommendation (``course_map.schedule``);
    - each ДПП offers the catalogue's alternatives for the same deficits (``Activity.options``): the
      teacher chooses one during the agreement (``domain.choice``; 000 §2.1 b);
    - non-formal part: the recommended events and internships of the catalogue that cover deficits the
      courses leave open or deepen (events: «профессиональное развитие и обмен опытом»; internships:
      «получение дополнительных знаний, опыта»), at their own dates;
      entries whose planned dates fall outside the route period are not recommended;
    - no final public event: the teacher and the curator plan it (004: one or several);
    - the next diagnostic ``next_diagnostic_years`` after this one (003 App. 2 §5.6.1).
    """
    start = add_working_days(today, 1)
    end = add_months(start, rules.months)
    fitting = [e for e in entries if in_period(e, start, end)]
    courses = recommend(diagnostic, fitting, max_hours=rules.max_hours).entries
    events = recommend(diagnostic, fitting, kinds=(EntryKind.EVENT, EntryKind.INTERNSHIP)).entries
    planned = [
        (e, ActivityCategory.KNOWLEDGE, period)
        for e, period in zip(courses, schedule_courses(courses, start, end), strict=True)
    ]
    planned += [(e, _category(e), event_period(e)) for e in events]
    taken = [e.lms_course for e in courses]
    formal = [e for e in fitting if e.formal]
    activities = tuple(
        Activity(
            key=str(i),
            category=category,
            title=e.title,
            level=e.level,
            organiser=e.organiser,
            start=begin,
            end=until,
            deficit_codes=tuple(c for c in e.deficit_codes if c in diagnostic.deficit_codes),
            lms_course=e.lms_course if e.formal else None,
            hours=e.hours or None,
            options=alternatives(e, diagnostic, formal, taken) if e.formal else (),
        )
        for i, (e, category, (begin, until)) in enumerate(planned, start=1)
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
        next_diagnostic_on=add_months(diagnostic.date, 12 * rules.next_diagnostic_years),
        self_education_theme=teacher.self_education_theme,  # as the diagnostics import gave it
        previous_number=previous_number,
        details=CardDetails(
            region=rules.region_name,
            academic_year=academic_year(start),
            stages=draft_stages(diagnostic.date, today, start, end) if rules.stages else (),
        ),
    )


def _category(e: CourseEntry) -> ActivityCategory:
    """Events go to «профессиональное развитие и обмен опытом»; an internship is «получение
    дополнительных знаний, опыта» (003 §5.6: the category's hint names the internship)."""
    return ActivityCategory.KNOWLEDGE if e.kind is EntryKind.INTERNSHIP else ActivityCategory.EXCHANGE


def build_routes(
    store: RouteStore,
    *,
    region: str,
    today: date,
    actor: Actor,
    rules: DraftRules = DEFAULT_RULES,
    keeping: KeepingPolicy = DEFAULT_KEEPING,
) -> BuildSummary:
    """Draft a route for every teacher whose latest diagnostic starts no route yet, is still valid, and
    who has no open route: the first route, or the next one after a completed or cancelled route
    (linked to it as ``previous_number``). One transaction; running it again does nothing (expired
    diagnostics are listed each time).
    """
    with store.transaction():
        pending, skipped = split_current(store.list_unrouted(), today, keeping)
        if not pending:
            return BuildSummary(0, 0, 0, skipped)
        entries = store.list_course_map()
        curators = store.list_curators()
        load = store.curator_load()
        numbers = store.allocate_numbers(region, today.year, len(pending))
        previous = store.latest_route_numbers([t.email for t, _ in pending])
        routes = []
        for number, (teacher, diagnostic) in zip(numbers, pending, strict=True):
            curator = choose_curator(teacher, diagnostic, curators, load, rules.curator_rule)
            if curator:
                load[curator.email] = load.get(curator.email, 0) + 1
            routes.append(
                draft_route(
                    number,
                    teacher,
                    diagnostic,
                    entries,
                    curator,
                    today,
                    rules,
                    previous_number=previous.get(teacher.email, ""),
                )
            )
        store.add_routes(routes, actor)
        return BuildSummary(
            built=len(routes),
            without_courses=sum(1 for r in routes if not r.formal_activities),
            without_curator=sum(1 for r in routes if not r.curator_email),
            skipped=skipped,
        )

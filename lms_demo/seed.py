"""The demo's registry: a fresh SQLite database filled from examples/ and moved through the workflow.

Steps (each is what a person would do with the CLI): db upgrade; course-map and curators import; the
diagnostics imported as they came in, day by day, each batch drafted into routes the next working day
(``routes build``), submitted by the developer, its ДПП chosen by the teacher (the recommended ones),
finalised and approved by the head of the school that day; enrolment applications of the demo school
confirmed by the head and by the ЦНППМ; then the first part of the story (``lms_demo.story``). The
registry's clock is the story's (``story.DemoClock``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from course_map.loading import load_course_map
from lms_bridge.bootstrap import draft_rules
from lms_bridge.config import Settings
from lms_bridge.domain.calendar import add_working_days
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import ConfigError
from lms_bridge.importers.curators import read_curators
from lms_bridge.importers.diagnostics import ParsedDiagnostics, read_diagnostics
from lms_bridge.importers.formats import read_file
from lms_bridge.services import applications, choices, route_actions
from lms_bridge.services.build import build_routes
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine
from lms_demo import story
from lms_demo.people import DemoPerson, demo_people, head_name, pick_route

DEVELOPER = Actor(Role.DEVELOPER, "Разработчик ИОМ ЦНППМ")
CENTRE = Actor(Role.CENTRE, "Специалист ЦНППМ")
COURSE_ADMIN = Actor(Role.COURSE_ADMIN, "Администратор курсов ЦНППМ")


@dataclass(frozen=True)
class Seeded:
    settings: Settings
    store: SqlRouteStore
    people: dict[str, DemoPerson]
    route_number: str
    clock: story.DemoClock
    completed_number: str = ""  # the route the story completes honestly (after the LMS sync)


def example(examples: Path, stem: str) -> Path:
    for ext in ("csv", "xlsx", "xml"):
        path = examples / f"{stem}.{ext}"
        if path.is_file():
            return path
    raise ConfigError(f"нет файла примера {examples / stem}.csv")


def fresh_database(workdir: Path) -> str:
    db = workdir / "demo.sqlite3"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    upgrade(url)
    return url


def fill_registry(
    settings: Settings,
    store: SqlRouteStore,
    examples: Path,
    clock: story.DemoClock,
    today: date,
    say: Callable[[str], None],
) -> None:
    """The course map and curators, then the diagnostics batch by batch (by the day they were held):
    each batch imported, drafted the next working day and approved the same day."""
    path = example(examples, "diagnostics")
    parsed = read_diagnostics(read_file(path), str(path), today=today)
    first = min((d.date for _, d in parsed.rows), default=today)
    clock.at(min(first, today))
    path = example(examples, "course_map")
    entries = load_course_map(read_file(path), str(path))
    with store.transaction():
        store.replace_course_map(entries, COURSE_ADMIN)
    path = example(examples, "curators")
    curators = read_curators(read_file(path), str(path))
    with store.transaction():
        store.save_curators(curators)
    added = built = 0
    for day in sorted({d.date for _, d in parsed.rows}):
        batch = [(t, d) for t, d in parsed.rows if d.date == day]
        draft_day = clock.at(min(add_working_days(day, 1), today))
        added += import_diagnostics(store, ParsedDiagnostics(parsed.source, rows=batch)).added
        rules = draft_rules(settings)
        built += build_routes(
            store, region=settings.region, today=draft_day, actor=DEVELOPER, rules=rules
        ).built
        approve_routes(store, draft_day)
    say(
        f"реестр: курсов и мероприятий в карте {len(entries)}, кураторов {len(curators)}, "
        f"диагностик {added}, маршрутов составлено {built}"
    )


def approve_routes(store: SqlRouteStore, today: date) -> int:
    """Developer submits and finalises, the head of the teacher's school approves: every route that has
    a curator."""
    moved = 0
    for route in store.list_routes():
        if route.status is not RouteStatus.DRAFT or not route.curator_email:
            continue
        head = Actor(Role.HEAD, head_name(route.teacher.school), school=route.teacher.school)
        route_actions.move(store, route.number, "submit", DEVELOPER, today)
        choose_recommended(store, route.number, today)
        route_actions.move(store, route.number, "finalise", DEVELOPER, today)
        route_actions.move(store, route.number, "approve", head, today)
        moved += 1
    return moved


def choose_recommended(store: SqlRouteStore, number: str, today: date) -> None:
    """During the agreement the teacher chooses among the offered ДПП (000 §2.1 b): the demo's teachers
    take the recommended one of each item."""
    route = store.get_route(number)
    t = route.teacher
    teacher = Actor(Role.TEACHER, t.full_name, t.email, t.school)
    for a in route.formal_activities:
        if a.awaits_choice:
            choices.choose(store, number, a.key, a.options[0], teacher, today)


def confirm_applications(store: SqlRouteStore, school: str) -> int:
    """The head of ``school`` confirms all their staff's applications, then the ЦНППМ confirms each."""
    head = Actor(Role.HEAD, head_name(school), school=school)
    confirmed = applications.confirm_school(store, school, head).confirmed
    for number in sorted({a.number for a in confirmed}):
        applications.confirm(store, number, CENTRE)
    return len(confirmed)


def pick_completed(routes: list[Route], demo: Route, today: date) -> Route | None:
    """The route the story completes honestly: another teacher of the demo route's school and curator,
    with ДПП courses that have all ended in time for the story (the one with the fullest roadmap)."""
    candidates = [
        r
        for r in routes
        if r.number != demo.number
        and r.status is RouteStatus.APPROVED
        and r.teacher.school == demo.teacher.school
        and r.curator_email == demo.curator_email
        and r.formal_activities
        and story.can_finish(r, today)
    ]
    return max(candidates, key=lambda r: (len(r.activities), r.number), default=None)


def pick_pair(routes: list[Route], today: date) -> tuple[Route, Route | None]:
    """The demo route and the route the story completes (``pick_completed``): of the routes
    ``pick_route`` accepts, the one whose partner has the fullest roadmap to show."""
    pairs = []
    for r in routes:
        try:
            pick_route([r])
        except ConfigError:
            continue
        if (completed := pick_completed(routes, r, today)) is not None:
            pairs.append((r, completed))
    if not pairs:
        return pick_route(routes), None
    return max(pairs, key=lambda p: (len(p[1].activities), len(p[0].formal_activities), p[0].number))


def prepare(workdir: Path, examples: Path, base: Settings, today: date, say: Callable[[str], None]) -> Seeded:
    url = fresh_database(workdir)
    settings = base.model_copy(update={"database_url": url})
    clock = story.DemoClock()
    store = SqlRouteStore(make_engine(url), clock=clock.now)
    fill_registry(settings, store, examples, clock, today, say)
    routes = store.list_routes()
    route, completed = pick_pair(routes, today)
    clock.at(max(r.developed_on or today for r in routes))
    confirmed = confirm_applications(store, route.teacher.school)
    approved = sum(1 for r in routes if r.status is RouteStatus.APPROVED)
    say(
        f"утверждено маршрутов: {approved}; заявок на курсы подтверждено: {confirmed} "
        f"({route.teacher.school}); демонстрационный маршрут № {route.number}"
    )
    if completed is not None:
        story.begin_honestly(
            store, clock, completed, story.Cast.of(completed, head_name(completed.teacher.school))
        )
    story.plan_waiting(store, clock, route, story.Cast.of(route, head_name(route.teacher.school)), today)
    clock.at(today)
    people = demo_people(store, route)
    return Seeded(settings, store, people, route.number, clock, completed.number if completed else "")

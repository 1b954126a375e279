"""The demo's registry: a fresh SQLite database filled from examples/ and moved through the workflow.

Steps (each is what a person would do with the CLI): db upgrade; course-map, curators and diagnostics
import; routes build; every route with a curator submitted by the developer, its ДПП chosen by the
teacher (the recommended ones), finalised and approved by the head of its school; enrolment
applications of the demo route's school confirmed by the head and by the ЦНППМ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from course_map.loading import load_course_map
from lms_bridge.bootstrap import draft_rules
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import ConfigError
from lms_bridge.importers.curators import read_curators
from lms_bridge.importers.diagnostics import read_diagnostics
from lms_bridge.importers.formats import read_file
from lms_bridge.services import applications, choices, route_actions
from lms_bridge.services.build import build_routes
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine
from lms_demo.people import DemoPerson, demo_people, pick_route

DEVELOPER = Actor(Role.DEVELOPER, "Разработчик ИОМ ЦНППМ")
CENTRE = Actor(Role.CENTRE, "Специалист ЦНППМ")
COURSE_ADMIN = Actor(Role.COURSE_ADMIN, "Администратор курсов ЦНППМ")


@dataclass(frozen=True)
class Seeded:
    settings: Settings
    store: SqlRouteStore
    people: dict[str, DemoPerson]
    route_number: str


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
    settings: Settings, store: SqlRouteStore, examples: Path, today: date, say: Callable[[str], None]
) -> None:
    path = example(examples, "course_map")
    entries = load_course_map(read_file(path), str(path))
    with store.transaction():
        store.replace_course_map(entries, COURSE_ADMIN)
    path = example(examples, "curators")
    curators = read_curators(read_file(path), str(path))
    with store.transaction():
        store.save_curators(curators)
    path = example(examples, "diagnostics")
    imported = import_diagnostics(store, read_diagnostics(read_file(path), str(path), today=today))
    built = build_routes(
        store,
        region=settings.region,
        today=today,
        actor=DEVELOPER,
        rules=draft_rules(settings),
    )
    say(
        f"реестр: курсов и мероприятий в карте {len(entries)}, кураторов {len(curators)}, "
        f"диагностик {imported.added}, маршрутов составлено {built.built}"
    )


def approve_routes(store: SqlRouteStore, today: date) -> int:
    """Developer submits and finalises, the head of the teacher's school approves: every route that has
    a curator."""
    moved = 0
    for route in store.list_routes():
        if route.status is not RouteStatus.DRAFT or not route.curator_email:
            continue
        head = Actor(Role.HEAD, f"Руководитель {route.teacher.school}", school=route.teacher.school)
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
    head = Actor(Role.HEAD, f"Руководитель {school}", school=school)
    confirmed = applications.confirm_school(store, school, head).confirmed
    for number in sorted({a.number for a in confirmed}):
        applications.confirm(store, number, CENTRE)
    return len(confirmed)


def prepare(workdir: Path, examples: Path, base: Settings, today: date, say: Callable[[str], None]) -> Seeded:
    url = fresh_database(workdir)
    settings = base.model_copy(update={"database_url": url})
    store = SqlRouteStore(make_engine(url))
    fill_registry(settings, store, examples, today, say)
    approved = approve_routes(store, today)
    route = pick_route(store.list_routes())
    confirmed = confirm_applications(store, route.teacher.school)
    say(
        f"утверждено маршрутов: {approved}; заявок на курсы подтверждено: {confirmed} "
        f"({route.teacher.school}); демонстрационный маршрут № {route.number}"
    )
    return Seeded(settings, store, demo_people(store, route), route.number)

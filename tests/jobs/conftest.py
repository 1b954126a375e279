"""A small world for the sync jobs: routes in the registry, matching users and courses in InMemoryLms."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pytest

from course_map.models import CourseEntry, DecidedBy
from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Role, RouteStatus
from lms_bridge.ports import LmsCourse, LmsUser
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import make_engine
from lms_bridge.storage.sync_store import SqlSyncStore
from tests.conftest import make_diagnostic, make_teacher

NOW = datetime(2026, 10, 1, 9, 0)
DEV = Actor(Role.DEVELOPER, "Разработчик Р.Р.")
CURATOR = "methodist@ipk.ru"
COURSE_MAP = [
    # graded by a named item whose gradepass the LMS knows (60)
    CourseEntry(
        "PK-MATH",
        "Предметные компетенции учителя математики",
        deficit_codes=("П1.1",),
        hours=36,
        final_item="final",
    ),
    # graded by the course total: the LMS cannot tell its pass grade, the map does
    CourseEntry("PK-METH", "Современный урок", deficit_codes=("М2.3", "П1.1"), hours=72, pass_grade=70),
    CourseEntry(
        "PK-DIG", "Цифровая школа", deficit_codes=("Ц3.1",), hours=24, decided_by=DecidedBy.COMPLETION
    ),
]


def formal(key: str, course: str, *, confirmed: bool = True) -> Activity:
    return Activity(
        key=key,
        category=ActivityCategory.KNOWLEDGE,
        title=f"Курс {course}",
        start=date(2026, 10, 5),
        end=date(2026, 11, 30),
        lms_course=course,
        hours=36,
        head_confirmed_by="Петрова А.А." if confirmed else "",
        centre_confirmed_by="Сидоров Б.Б." if confirmed else "",
    )


@dataclass
class World:
    store: SqlSyncStore
    lms: InMemoryLms
    users: dict[str, LmsUser]  # teacher e-mail -> LMS user
    courses: dict[str, LmsCourse]  # course map ref -> LMS course
    curator: LmsUser

    def route(self, n: int) -> Route:
        return self.store.get_route(number(n))

    def user(self, n: int) -> LmsUser:
        return self.users[f"teacher{n}@school.ru"]


def number(n: int) -> str:
    return f"74-2026-{n:06d}"


def make_world(
    tmp_path: Path,
    n: int = 4,
    courses: tuple[str, ...] = ("PK-MATH", "PK-METH"),
    status: RouteStatus = RouteStatus.APPROVED,
    name: str = "w",
) -> World:
    store = make_store(tmp_path, n, courses, status, name)
    lms = InMemoryLms()
    users = {f"teacher{i}@school.ru": lms.add_user(f"t{i}", f"teacher{i}@school.ru") for i in range(1, n + 1)}
    curator = lms.add_user("methodist", CURATOR)
    lms_courses = {}
    for entry in COURSE_MAP:
        c = lms.add_course(entry.lms_course, idnumber=entry.lms_course)
        if entry.final_item:
            lms.add_grade_item(c.id, entry.final_item, pass_grade=60)
        lms_courses[entry.lms_course] = c
    return World(store, lms, users, lms_courses, curator)


def make_store(
    tmp_path: Path,
    n: int = 4,
    courses: tuple[str, ...] = ("PK-MATH", "PK-METH"),
    status: RouteStatus = RouteStatus.APPROVED,
    name: str = "w",
) -> SqlSyncStore:
    """The registry: ``n`` routes of teacher1..n@school.ru, each with these courses and a seminar."""
    url = f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
    upgrade(url)
    store = SqlSyncStore(make_engine(url), clock=lambda: NOW)
    store.save_diagnostics([(make_teacher(i), make_diagnostic(i)) for i in range(1, n + 1)])
    store.replace_course_map(COURSE_MAP, Actor(Role.COURSE_ADMIN, "Админ"))
    routes = []
    for i in range(1, n + 1):
        acts = [formal(str(k), c) for k, c in enumerate(courses, start=1)]
        acts.append(Activity(key=str(len(acts) + 1), category=ActivityCategory.EXCHANGE, title="Семинар"))
        routes.append(
            Route(
                number=number(i),
                teacher=make_teacher(i),
                diagnostic=make_diagnostic(i),
                status=status,
                curator_email=CURATOR,
                curator_name="Смирнова О.В.",
                start=date(2026, 10, 1),
                end=date(2027, 6, 30),
                activities=tuple(acts),
            )
        )
    store.add_routes(routes, DEV)
    return store


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path)
    yield w
    w.store.engine.dispose()


def set_route(store: SqlSyncStore, route: Route) -> None:
    store.save_route(route, DEV, "test")


def unconfirm(store: SqlSyncStore, n: int, key: str, *, centre_only: bool = True) -> None:
    route = store.get_route(number(n))
    a = route.activity(key)
    a = (
        replace(a, centre_confirmed_by="")
        if centre_only
        else replace(a, head_confirmed_by="", centre_confirmed_by="")
    )
    set_route(store, route.with_activity(a))

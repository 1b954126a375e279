from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import inspect

from course_map.models import CourseEntry, EntryKind
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.vocabulary import Block, CuratorKind, Role, RouteStatus
from lms_bridge.domain.workflow import transition
from lms_bridge.errors import RouteNotFound
from lms_bridge.ports import RouteFilter
from lms_bridge.services.build import build_routes
from lms_bridge.storage.store import SqlRouteStore
from tests.conftest import make_diagnostic, make_teacher

DEV = Actor(Role.DEVELOPER, "Разработчик Р.Р.")
COURSES = [
    CourseEntry(
        "PK-MATH",
        "Предметные компетенции учителя математики",
        deficit_codes=("П1.1",),
        blocks=(Block.SUBJECT,),
        hours=36,
    ),
    CourseEntry(
        "PK-METH", "Современный урок", deficit_codes=("М2.3", "П1.1"), blocks=(Block.METHODICAL,), hours=72
    ),
    CourseEntry("EV-1", "Семинар", kind=EntryKind.EVENT, deficit_codes=("М2.3",), blocks=(Block.METHODICAL,)),
]


def seed(store: SqlRouteStore, n: int = 3) -> None:
    store.save_diagnostics([(make_teacher(i), make_diagnostic(i)) for i in range(1, n + 1)])
    store.replace_course_map(COURSES, Actor(Role.COURSE_ADMIN, "Админ"))
    store.save_curators([Curator("methodist@ipk.ru", "Смирнова О.В.", CuratorKind.METHODIST)])


@pytest.mark.usefixtures("db_url")
def test_migrations_create_every_table(store: SqlRouteStore) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {"teachers", "diagnostics", "routes", "route_items", "corrections", "audit", "course_map"} <= names


def test_diagnostics_reimport_changes_nothing(store: SqlRouteStore) -> None:
    rows = [(make_teacher(i), make_diagnostic(i)) for i in range(1, 4)]
    assert store.save_diagnostics(rows).added == 3
    again = store.save_diagnostics(rows)
    assert (again.added, again.unchanged) == (0, 3)


def test_build_assigns_numbers_courses_and_curator_once(store: SqlRouteStore) -> None:
    seed(store)
    summary = build_routes(store, region="74", today=date(2026, 9, 20), actor=DEV)
    assert summary.built == 3
    routes = store.list_routes()
    assert [r.number for r in routes] == ["74-2026-000001", "74-2026-000002", "74-2026-000003"]
    first = routes[0]
    # the low subject block goes first; PK-MATH then leaves only М2.3, which PK-METH covers
    assert [a.lms_course for a in first.formal_activities] == ["PK-MATH", "PK-METH"]
    assert [a.title for a in first.activities if not a.formal] == ["Семинар"]
    assert first.curator_name == "Смирнова О.В."  # a low block: high deficit level → regional methodist
    assert build_routes(store, region="74", today=date(2026, 9, 21), actor=DEV).built == 0


def test_save_route_round_trips_and_audits(store: SqlRouteStore) -> None:
    seed(store, 1)
    build_routes(store, region="74", today=date(2026, 9, 20), actor=DEV)
    r = store.get_route("74-2026-000001")
    moved = transition(r, "submit", DEV, date(2026, 9, 21))
    store.save_route(moved, DEV, "submit")
    back = store.get_route(r.number)
    assert back.status is RouteStatus.AGREEMENT
    assert back.submitted_on == date(2026, 9, 21)
    assert back.activities == r.activities
    assert [e.action for e in store.list_audit(r.number)] == ["create", "submit"]


def test_failed_unit_of_work_leaves_nothing(store: SqlRouteStore) -> None:
    seed(store, 1)
    build_routes(store, region="74", today=date(2026, 9, 20), actor=DEV)
    r = store.get_route("74-2026-000001")

    def submit_then_fail() -> None:
        with store.transaction():
            store.save_route(replace(r, status=RouteStatus.AGREEMENT), DEV, "submit")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        submit_then_fail()
    assert store.get_route(r.number).status is RouteStatus.DRAFT
    assert [e.action for e in store.list_audit(r.number)] == ["create"]


def test_filters_and_missing_route(store: SqlRouteStore) -> None:
    seed(store, 2)
    build_routes(store, region="74", today=date(2026, 9, 20), actor=DEV)
    assert len(store.list_routes(RouteFilter(teacher_email="teacher2@school.ru"))) == 1
    assert store.list_routes(RouteFilter(status=RouteStatus.APPROVED)) == []
    with pytest.raises(RouteNotFound):
        store.get_route("74-2026-999999")


def test_numbers_never_reused(store: SqlRouteStore) -> None:
    assert store.allocate_numbers("74", 2026, 2) == ["74-2026-000001", "74-2026-000002"]
    assert store.allocate_numbers("74", 2026, 1) == ["74-2026-000003"]
    assert store.allocate_numbers("74", 2027, 1) == ["74-2027-000001"]

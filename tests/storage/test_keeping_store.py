"""Signatures, the archive filter and depersonalising in the registry (SQLite and PostgreSQL), and
migration 0005 dating routes closed before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from alembic import command
from sqlalchemy import select

from lms_bridge.domain.keeping import KeepingPolicy, depersonalised, to_archive
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Correction, Signature
from lms_bridge.domain.vocabulary import Role, RouteStatus, SignatureParty
from lms_bridge.ports import RouteFilter
from lms_bridge.services.build import build_routes
from lms_bridge.storage.migrate import alembic_config, upgrade
from lms_bridge.storage.store import SqlRouteStore, make_engine
from lms_bridge.storage.tables import routes, teachers
from tests.conftest import make_diagnostic, make_teacher

DEV = Actor(Role.DEVELOPER, "Р")
POLICY = KeepingPolicy(keep_years=1, purge_after_years=0)


def _one_route(store: SqlRouteStore, n: int = 1) -> str:
    store.save_diagnostics([(make_teacher(n), make_diagnostic(n, on=date(2025, 3, 1)))])
    build_routes(store, region="74", today=date(2025, 3, 3), actor=DEV)
    return store.list_routes()[-1].number


def test_signatures_round_trip(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlRouteStore(engine)
    number = _one_route(store)
    sig = Signature(SignatureParty.HEAD, "Петрова А.А.", date(2025, 5, 2))
    fix = Correction(datetime(2025, 5, 1, 9, 0), "перенос", "К (куратор)", signatures=(sig,))
    teacher_ack = Signature(SignatureParty.TEACHER, "Иванова М.П.", date(2025, 6, 2))
    route = replace(
        store.get_route(number),
        status=RouteStatus.IN_PROGRESS,
        corrections=(fix,),
        conclusion="итог",
        conclusion_signatures=(teacher_ack,),
    )
    store.save_route(route, DEV, "x")
    assert store.get_route(number) == route
    engine.dispose()


def test_the_archive_filter_and_depersonalising(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlRouteStore(engine)
    number = _one_route(store)
    other = _one_route(store, 2)
    done = replace(store.get_route(number), status=RouteStatus.COMPLETED, closed_on=date(2025, 6, 1))
    store.save_route(to_archive(done, date(2026, 6, 1), POLICY), DEV, "archive")
    assert [r.number for r in store.list_routes()] == [other]
    assert [r.number for r in store.list_routes(RouteFilter(archived=True))] == [number]
    assert len(store.list_routes(RouteFilter(archived=None))) == 2
    assert store.get_route(number).archived_on == date(2026, 6, 1)
    store.purge_route(depersonalised(store.get_route(number), date(2026, 6, 1), POLICY), DEV)
    purged = store.get_route(number)
    assert purged.purged_on == date(2026, 6, 1)
    assert purged.teacher.email == f"purged-{number}@invalid"
    assert store.find_teacher("teacher1@school.ru") is None  # no other route or diagnostic of hers
    assert store.find_teacher("teacher2@school.ru") is not None
    engine.dispose()


def test_migration_dates_routes_closed_before_it(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlRouteStore(engine, clock=lambda: datetime(2025, 7, 15, 12, 0))
    number = _one_route(store)
    store.save_route(replace(store.get_route(number), status=RouteStatus.COMPLETED), DEV, "complete")
    engine.dispose()
    command.downgrade(alembic_config(db_url), "0004_teacher_information")
    upgrade(db_url)
    engine = make_engine(db_url)
    with engine.connect() as c:
        assert c.execute(select(routes.c.closed_on).where(routes.c.number == number)).scalar() == date(
            2025, 7, 15
        )
        assert c.execute(select(teachers.c.email)).scalar() == "teacher1@school.ru"
    engine.dispose()

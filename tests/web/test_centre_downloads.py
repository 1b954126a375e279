"""The ЦНППМ's downloads and the demand bank on the dashboard; the card's flag for an uncovered deficit."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook

from course_map.models import CourseEntry
from lms_bridge.config import Settings
from lms_bridge.domain.codifier import DeficitEntry
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Role, RouteStatus
from lms_bridge.ports import Transmission, TransmissionKind, TransmissionState
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.storage.sync_store import SqlSyncStore
from tests.web.conftest import CURATOR_EMAIL, HEAD_EMAIL, SCHOOL_1, Launcher, _route


def _with_uncovered(store: SqlRouteStore, count: int, first: int = 200) -> list[Route]:
    """``count`` teachers whose diagnostic names Пс3.4, which neither their route nor the catalogue covers."""
    routes = []
    for n in range(count):
        r = _route(f"74-2026-{first + n:05d}", first + n, SCHOOL_1, RouteStatus.IN_PROGRESS, CURATOR_EMAIL)
        routes.append(replace(r, diagnostic=replace(r.diagnostic, deficit_codes=("М2.3", "Пс3.4"))))
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in routes])
    store.add_routes(routes, Actor(Role.DEVELOPER, "разработчик"))
    return routes


@pytest.mark.usefixtures("seeded")
def test_the_card_flags_a_deficit_no_activity_of_the_route_covers(
    launcher: Launcher, store: SqlRouteStore
) -> None:
    (route,) = _with_uncovered(store, 1)
    teacher = launcher.session(route.teacher.email)
    html = launcher.client.get(f"/card/{route.number}?lid={teacher}").get_data(as_text=True)
    assert "Не закрыты мероприятиями маршрута:</strong> Пс3.4" in html
    head = launcher.session(HEAD_EMAIL)  # the head sees no deficits at all (003 App. 2 §6.3)
    html = launcher.client.get(f"/card/{route.number}?lid={head}").get_data(as_text=True)
    assert "Не закрыты мероприятиями маршрута" not in html
    assert "Пс3.4" not in html


@pytest.mark.usefixtures("seeded")
def test_the_centre_sees_the_demand_bank_and_downloads_it(
    launcher: Launcher, store: SqlRouteStore, settings: Settings
) -> None:
    centre = launcher.session("centre@cnppm.ru")
    covering = [CourseEntry("DPP-MET-01", "Методика", deficit_codes=("М2.3", "П1.1"), hours=36)]
    store.replace_course_map(covering, Actor(Role.COURSE_ADMIN, "Админ"))
    _with_uncovered(store, 1)
    html = launcher.client.get(f"/dashboard?lid={centre}").get_data(as_text=True)
    bank = html.split('id="h-demand"')[1].split("</section>")[0]
    assert "Пс3.4" in bank
    assert "менее 5" in bank  # 1 of 4 teachers
    _with_uncovered(store, 5, first=300)
    others = [_route(f"74-2026-{400 + n:05d}", 400 + n, SCHOOL_1, RouteStatus.IN_PROGRESS) for n in range(2)]
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in others])
    store.add_routes(others, Actor(Role.DEVELOPER, "разработчик"))  # now 6 of 11 teachers: shown
    resp = launcher.client.get(f"/dashboard/demand.xlsx?lid={centre}")
    assert resp.status_code == 200
    rows = [
        tuple(c.value for c in r) for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=4)
    ]
    assert rows == [("Пс3.4", None, None, 6)]
    codifier = [DeficitEntry("Пс3.4", "Профилактика профессионального выгорания", Block.PSYCHOLOGICAL)]
    store.replace_codifier(settings.profile.name, codifier, Actor(Role.COURSE_ADMIN, "Админ"))
    html = launcher.client.get(f"/dashboard?lid={centre}").get_data(as_text=True)
    assert "Профилактика профессионального выгорания" in html.split('id="h-demand"')[1].split("</section>")[0]
    resp = launcher.client.get(f"/dashboard/demand.xlsx?lid={centre}")
    rows = [
        tuple(c.value for c in r) for r in load_workbook(io.BytesIO(resp.data)).active.iter_rows(min_row=4)
    ]
    assert rows == [("Пс3.4", "Профилактика профессионального выгорания", "психолого-педагогические", 6)]
    head = launcher.session(HEAD_EMAIL)
    assert 'id="h-demand"' not in launcher.client.get(f"/dashboard?lid={head}").get_data(as_text=True)
    assert launcher.client.get(f"/dashboard/demand.xlsx?lid={head}").status_code == 403


@pytest.mark.usefixtures("seeded")
def test_the_study_office_report_is_for_centre_staff_only(launcher: Launcher, store: SqlRouteStore) -> None:
    sync = SqlSyncStore(store.engine, clock=lambda: datetime(2026, 10, 2, 10, 0))
    done = Transmission("74-2026-00001", "1", "DPP-MET-01", TransmissionKind.ENROL, TransmissionState.DONE, 7)
    sync.save_transmissions([done])
    centre = launcher.session("centre@cnppm.ru")
    resp = launcher.client.get(f"/reports/study-office.csv?lid={centre}&from=2026-09-01&to=2026-12-31")
    assert resp.status_code == 200
    text = resp.data.decode("utf-8-sig")
    assert "74-2026-00001" in text
    assert "02.10.2026" in text
    assert "Курс ПК «Методика»" in text
    bad = launcher.client.get(f"/reports/study-office.xlsx?lid={centre}&from=2026-12-31&to=2026-09-01")
    assert bad.status_code == 422
    assert "конец периода раньше начала" in bad.get_data(as_text=True)
    for who in (HEAD_EMAIL, CURATOR_EMAIL, "teacher1@school.ru"):
        lid = launcher.session(who)
        got = launcher.client.get(f"/reports/study-office.xlsx?lid={lid}&from=2026-09-01&to=2026-12-31")
        assert got.status_code == 403, who

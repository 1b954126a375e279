"""The teacher's choice on the card and the applications screens: who sees and does what (access.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from course_map.models import CourseEntry, Education, Prerequisites
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import API_TOKEN, CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, Launcher, csrf_of

ADMIN = Actor(Role.COURSE_ADMIN, "Администратор")
CATALOGUE = [
    CourseEntry("DPP-MET-01", "Курс ПК «Методика»", deficit_codes=("М2.3",), hours=36),
    CourseEntry(
        "DPP-ALT-02",
        "Современный урок",
        deficit_codes=("М2.3", "П1.1"),
        hours=24,
        organiser="ИРО",
        prerequisites=Prerequisites(Education.HIGHER),
    ),
]


@pytest.fixture
def offered(store: SqlRouteStore, seeded: dict[str, Route]) -> dict[str, Route]:
    """t2 (agreement) offers two ДПП for item 1; t1 (in progress) has a plain application."""
    store.replace_course_map(CATALOGUE, ADMIN)
    t2 = seeded["t2"]
    store.save_route(
        t2.with_activity(replace(t2.activity("1"), options=("DPP-MET-01", "DPP-ALT-02"))), ADMIN, "test"
    )
    return {k: store.get_route(r.number) for k, r in seeded.items()}


def _post(client: FlaskClient, lid: str, path: str, page: str, **form: object) -> tuple[int, str]:
    csrf = csrf_of(client, f"{page}?lid={lid}")
    resp = client.post(path, data={"lid": lid, "csrf": csrf, **form})
    return resp.status_code, resp.get_data(as_text=True)


def test_the_teacher_chooses_on_the_card_and_the_choice_is_audited(
    launcher: Launcher, offered: dict[str, Route], store: SqlRouteStore
) -> None:
    number = offered["t2"].number
    lid = launcher.session("teacher2@school.ru")
    page = launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)
    assert "Выберите курс ДПП из рекомендуемых" in page
    assert "ждёт выбора педагога из 2 рекомендуемых" in page
    # the registry has no education for the teacher: the option says so before the choice
    assert "нужно образование не ниже «высшее», а в реестре оно не указано" in page
    status, _ = _post(
        launcher.client, lid, f"/card/{number}/choose", f"/card/{number}", key="1", course="DPP-ALT-02"
    )
    assert status == 303
    a = store.get_route(number).activity("1")
    assert (a.lms_course, a.title) == ("DPP-ALT-02", "Современный урок")
    assert a.chosen_by == "Иванова2 Мария Петровна"
    assert [e.action for e in store.list_audit(number)][-1] == "choose"
    after = launcher.client.get(f"/card/{number}?lid={lid}&msg=choose").get_data(as_text=True)
    assert "Курс выбран: заявку на обучение подаёт руководитель ОО." in after


def test_nobody_else_chooses(launcher: Launcher, offered: dict[str, Route], store: SqlRouteStore) -> None:
    number = offered["t2"].number
    other = launcher.session("teacher3@school.ru")  # a teacher of another school
    assert launcher.client.get(f"/card/{number}?lid={other}").status_code == 404
    own = f"/card/{offered['t3'].number}"
    status, _ = _post(launcher.client, other, f"/card/{number}/choose", own, key="1", course="DPP-ALT-02")
    assert status == 404
    for lid in (launcher.session(HEAD_EMAIL), launcher.session(CURATOR_EMAIL, [INSTRUCTOR])):
        page = launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)
        assert "Выберите курс ДПП из рекомендуемых" not in page
        status, _ = _post(
            launcher.client, lid, f"/card/{number}/choose", f"/card/{number}", key="1", course="DPP-ALT-02"
        )
        assert status == 403
    assert store.get_route(number).activity("1").lms_course == "DPP-MET-01"


def test_the_head_sees_only_their_school_and_files_for_several_staff(
    launcher: Launcher, offered: dict[str, Route], store: SqlRouteStore
) -> None:
    t4 = replace(
        offered["t1"], number="74-2026-00004", teacher=replace(offered["t1"].teacher, email="t4@school.ru")
    )
    store.save_diagnostics([(t4.teacher, replace(t4.diagnostic, teacher_email="t4@school.ru"))])
    store.add_routes([replace(t4, diagnostic=replace(t4.diagnostic, teacher_email="t4@school.ru"))], ADMIN)
    lid = launcher.session(HEAD_EMAIL)
    page = launcher.client.get(f"/applications?lid={lid}").get_data(as_text=True)
    assert offered["t1"].number in page
    assert "74-2026-00004" in page
    assert offered["t3"].number not in page  # school 2
    status, _ = _post(
        launcher.client, lid, "/applications/confirm", "/applications", pick=[f"{offered['t3'].number}|1"]
    )
    assert status == 404  # another school's application answers as missing
    status, html = _post(
        launcher.client,
        lid,
        "/applications/confirm",
        "/applications",
        pick=[f"{offered['t1'].number}|1", "74-2026-00004|1"],
    )
    assert status == 200
    assert "Подтверждено заявок: 2" in html
    assert store.get_route(offered["t1"].number).activity("1").head_confirmed_by
    assert store.get_route("74-2026-00004").activity("1").head_confirmed_by
    assert not store.get_route(offered["t3"].number).activity("1").head_confirmed_by


@pytest.mark.usefixtures("offered")
def test_teachers_and_curators_have_no_applications_screen(launcher: Launcher) -> None:
    for lid in (launcher.session("teacher1@school.ru"), launcher.session(CURATOR_EMAIL, [INSTRUCTOR])):
        assert launcher.client.get(f"/applications?lid={lid}").status_code == 403


def test_the_centre_rejects_with_a_reason_the_head_and_the_teacher_see(
    launcher: Launcher, offered: dict[str, Route]
) -> None:
    number = offered["t1"].number
    head = launcher.session(HEAD_EMAIL)
    _post(launcher.client, head, "/applications/confirm", "/applications", pick=[f"{number}|1"])
    centre = launcher.session("centre@cnppm.ru", [INSTRUCTOR])
    page = launcher.client.get(f"/applications?lid={centre}").get_data(as_text=True)
    assert offered["t3"].number in page  # the ЦНППМ sees every school
    status, html = _post(
        launcher.client,
        centre,
        "/applications/reject",
        "/applications",
        number=number,
        key="1",
        reason="нет мест",
    )
    assert status == 200
    assert "Заявка отклонена" in html
    assert "отклонена специалистом ЦНППМ: нет мест" in launcher.client.get(
        f"/applications?lid={head}"
    ).get_data(as_text=True)
    teacher = launcher.session("teacher1@school.ru")
    card = launcher.client.get(f"/card/{number}?lid={teacher}").get_data(as_text=True)
    assert "отклонена специалистом ЦНППМ: нет мест" in card
    status, _ = _post(
        launcher.client, head, "/applications/reject", "/applications", number=number, key="1", reason="x"
    )
    assert status == 403  # only the ЦНППМ rejects


def test_api_lists_and_confirms_with_refusals(
    client: FlaskClient, offered: dict[str, Route], store: SqlRouteStore
) -> None:
    auth = {"Authorization": f"Bearer {API_TOKEN}"}  # the service token acts as a ЦНППМ specialist
    listed = client.get("/api/v1/applications", headers=auth).get_json()
    assert {i["number"] for i in listed["items"]} == {offered["t1"].number, offered["t3"].number}
    body = {"applications": [{"number": offered["t1"].number, "key": "1"}]}
    resp = client.post("/api/v1/applications/confirm", json=body, headers=auth)
    assert resp.status_code == 200
    assert resp.get_json()["refused"][0]["reason"] == "заявку сначала подтверждает руководитель ОО"
    choices = client.get(f"/api/v1/routes/{offered['t2'].number}/choices", headers=auth).get_json()
    assert choices == {}  # the ЦНППМ does not choose for the teacher
    assert store.get_route(offered["t2"].number).status is RouteStatus.AGREEMENT

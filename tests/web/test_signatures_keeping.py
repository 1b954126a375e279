"""The pages and the API for acknowledgements (003 §5.11, 004 Прил. 2–3) and for the archive
(003 §4.5.4): each party signs on their own view; an archived card stays with the teacher and the ЦНППМ."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from flask.testing import FlaskClient

from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus, SignatureParty
from lms_bridge.domain.workflow import change_activity
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import API_TOKEN, CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, Launcher, csrf_of

CURATOR = Actor(Role.CURATOR, "Куратор К.К.", CURATOR_EMAIL)


def _post(client: FlaskClient, lid: str, number: str, what: str, **form: str) -> tuple[int, str]:
    csrf = csrf_of(client, f"/card/{number}?lid={lid}")
    resp = client.post(f"/card/{number}/{what}", data={"lid": lid, "csrf": csrf, **form})
    return resp.status_code, resp.headers.get("Location", resp.get_data(as_text=True))


def _page(launcher: Launcher, lid: str, number: str) -> str:
    return launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)


def corrected(store: SqlRouteStore, number: str) -> Route:
    route = store.get_route(number)
    fixed = change_activity(
        route, CURATOR, datetime(2026, 11, 2, 10, 0), new=None, replaces="3", reason="перенос"
    )
    store.save_route(fixed, CURATOR, "correct")
    return fixed


def test_each_party_acknowledges_a_correction_on_their_own_view(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    corrected(store, number)
    teacher = launcher.session("teacher1@school.ru")
    page = _page(launcher, teacher, number)
    assert "Ознакомлен(а) — подписать корректировку № 1" in page
    assert page.count("не подписано") == 3
    status, _ = _post(launcher.client, teacher, number, "sign", correction="1")
    assert status == 303
    head = launcher.session(HEAD_EMAIL)
    assert _post(launcher.client, head, number, "sign", correction="1")[0] == 303
    (c,) = store.get_route(number).corrections
    teacher_sig, head_sig = c.signature(SignatureParty.TEACHER), c.signature(SignatureParty.HEAD)
    assert teacher_sig is not None
    assert head_sig is not None
    assert (teacher_sig.name, head_sig.name) == ("Иванова1 Мария Петровна", "Петрова Анна Андреевна")
    page = _page(launcher, teacher, number)
    assert f"педагогический работник: Иванова1 Мария Петровна, {teacher_sig.on:%d.%m.%Y}" in page
    assert f"руководитель ОО: Петрова Анна Андреевна, {head_sig.on:%d.%m.%Y}" in page
    assert "Ознакомлен(а) — подписать корректировку № 1" not in page  # signed: the button is gone
    assert page.count("не подписано") == 1  # the curator's line is still empty
    docx = launcher.client.get(f"/card/{number}/card.docx?lid={teacher}")
    assert docx.status_code == 200
    centre = launcher.session("centre@cnppm.ru")  # the ЦНППМ does not sign corrections
    assert "подписать корректировку" not in _page(launcher, centre, number)
    assert _post(launcher.client, centre, number, "sign", correction="1")[0] == 403
    status, body = _post(launcher.client, teacher, number, "sign", correction="x")
    assert status == 422
    assert "«x» — не номер корректировки" in body


def test_the_api_signs_for_the_curator(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    corrected(store, number)
    lid = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    me = launcher.client.get("/api/v1/me", headers={"X-Launch-Id": lid}).get_json()
    h = {"X-Launch-Id": lid, "X-CSRF-Token": me["csrf_token"]}
    resp = launcher.client.post(f"/api/v1/routes/{number}/signatures", json={"correction": 1}, headers=h)
    assert resp.status_code == 200
    (sig,) = resp.get_json()["corrections"][0]["signatures"]
    assert (sig["party"], sig["party_label"], sig["name"]) == (
        "curator",
        "куратор ИОМ",
        "Куратор Ксения Константиновна",
    )
    bad = launcher.client.post(f"/api/v1/routes/{number}/signatures", json={"correction": 7}, headers=h)
    assert bad.status_code == 404
    service = {"Authorization": f"Bearer {API_TOKEN}"}  # a ЦНППМ specialist: not a signing party
    resp = launcher.client.post(
        f"/api/v1/routes/{number}/signatures", json={"correction": 1}, headers=service
    )
    assert resp.status_code == 403


def test_teacher_acknowledges_the_conclusions(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    assert _post(launcher.client, curator, number, "conclude", conclusion="Дефициты устранены")[0] == 303
    teacher = launcher.session("teacher1@school.ru")
    page = _page(launcher, teacher, number)
    assert "С выводами ознакомлен(а) (педагогический работник)" in page
    assert "<dt>Куратор ИОМ</dt>" in page  # abbreviations keep their capitals
    assert "<dt>Руководитель ОО</dt>" in page
    assert '<button type="submit">С выводами ознакомлен(а)</button>' in page
    assert _post(launcher.client, teacher, number, "sign", correction="")[0] == 303
    (sig,) = store.get_route(number).conclusion_signatures
    page = _page(launcher, teacher, number)
    assert f"Иванова1 Мария Петровна, {sig.on:%d.%m.%Y}" in page
    assert '<button type="submit">С выводами ознакомлен(а)</button>' not in page
    card = launcher.client.get(f"/api/v1/routes/{number}", headers={"X-Launch-Id": teacher}).get_json()
    assert card["conclusion_acknowledged_on"] == sig.on.isoformat()


def test_edited_conclusions_ask_for_a_new_acknowledgement_and_the_audit_keeps_the_old_one(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    assert _post(launcher.client, curator, number, "conclude", conclusion="Дефициты устранены")[0] == 303
    teacher = launcher.session("teacher1@school.ru")
    assert _post(launcher.client, teacher, number, "sign", correction="")[0] == 303
    (sig,) = store.get_route(number).conclusion_signatures
    # the same text saved again (the form sends it back as shown) keeps the acknowledgement
    assert _post(launcher.client, curator, number, "conclude", conclusion="Дефициты устранены ")[0] == 303
    assert store.get_route(number).conclusion_signatures == (sig,)
    assert _post(launcher.client, curator, number, "conclude", conclusion="Маршрут продлить")[0] == 303
    assert store.get_route(number).conclusion_signatures == ()
    page = _page(launcher, teacher, number)
    assert '<button type="submit">С выводами ознакомлен(а)</button>' in page  # asked again
    lines = [(e.action, e.details) for e in store.list_audit(number) if e.action in ("sign", "conclude")]
    assert ("sign", f"выводы: ознакомлен(а) {sig.on:%d.%m.%Y}") in lines
    withdrawn = [d for a, d in lines if a == "conclude" and "ознакомление снято" in d]
    assert withdrawn == [
        f"Маршрут продлить; выводы изменены, ознакомление снято: педагогический работник "
        f"{sig.name} ({sig.on:%d.%m.%Y})"
    ]


def archive(store: SqlRouteStore, number: str) -> None:
    route = store.get_route(number)
    done = replace(
        route, status=RouteStatus.COMPLETED, closed_on=date(2025, 1, 10), archived_on=date(2026, 1, 10)
    )
    store.save_route(done, Actor(Role.CENTRE, "Ц"), "archive")


def test_an_archived_card_stays_with_the_teacher_and_the_centre_only(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    archive(store, number)
    landed = launcher.launch("teacher1@school.ru")  # no working route: the launch opens the portfolio
    assert landed.status_code == 303
    assert "/dashboard" in landed.headers["Location"]
    teacher = launcher.session("teacher1@school.ru")
    page = _page(launcher, teacher, number)
    assert "в архиве с 10.01.2026" in page
    assert "Действия с маршрутом" not in page
    assert launcher.client.get(f"/card/{number}/card.docx?lid={teacher}").status_code == 200
    dash = launcher.client.get(f"/dashboard?lid={teacher}").get_data(as_text=True)
    assert "Архив: завершённые маршруты (портфолио)" in dash
    assert f"ИОМ № {number}" in dash
    for email, roles in ((CURATOR_EMAIL, [INSTRUCTOR]), (HEAD_EMAIL, None)):
        lid = launcher.session(email, roles)
        assert launcher.client.get(f"/card/{number}?lid={lid}").status_code == 404
        assert number not in launcher.client.get(f"/dashboard?lid={lid}").get_data(as_text=True)
    centre = launcher.session("centre@cnppm.ru")
    assert number not in launcher.client.get(f"/dashboard?lid={centre}").get_data(as_text=True)
    archive_page = launcher.client.get(f"/dashboard?lid={centre}&archived=1").get_data(as_text=True)
    assert "Архив маршрутов" in archive_page
    assert number in archive_page
    assert launcher.client.get(f"/card/{number}?lid={centre}").status_code == 200
    service = {"Authorization": f"Bearer {API_TOKEN}"}
    working = launcher.client.get("/api/v1/routes", headers=service).get_json()
    assert number not in [i["number"] for i in working["items"]]
    archived = launcher.client.get("/api/v1/routes?archived=1", headers=service).get_json()
    assert [i["number"] for i in archived["items"]] == [number]

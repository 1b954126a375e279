"""The card's forms: each role's action goes through the workflow and lands in the registry."""

from __future__ import annotations

from flask.testing import FlaskClient

from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Level, RouteStatus
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, Launcher, csrf_of


def _post(client: FlaskClient, lid: str, number: str, what: str, **form: str) -> tuple[int, str]:
    csrf = csrf_of(client, f"/card/{number}?lid={lid}")
    resp = client.post(f"/card/{number}/{what}", data={"lid": lid, "csrf": csrf, **form})
    return resp.status_code, resp.headers.get("Location", resp.get_data(as_text=True))


def test_card_shows_every_part(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session("teacher1@school.ru")
    html = launcher.client.get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
    for part in (
        'Индивидуальный образовательный маршрут № <span class="nowrap">74-2026-00001',
        "1. Информация о педагоге",
        "2. Входная диагностика",
        "3. Дорожная карта",
        "Получение дополнительных знаний",
        "Профилактика профессионального выгорания",
        "4. Корректировки маршрута",
        "5. Итоговое публичное мероприятие",
        "6. Итоговая диагностика и динамика",
        "7. Выводы",
        "<svg",
        "формальная часть: 0 из 1",
        "/course/search.php?search=DPP-MET-01",
    ):
        assert part in html, part
    assert "<script" not in html


def test_teacher_marks_and_proposes(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    lid = launcher.session("teacher1@school.ru")
    number = seeded["t1"].number
    status, where = _post(
        launcher.client, lid, number, "mark", key="2", done="1", result="конспект", result_form="доклад"
    )
    assert status == 303
    assert f"lid={lid}" in where
    a = store.get_route(number).activity("2")
    assert (a.done, a.result, a.result_form, a.result_source) == (True, "конспект", "доклад", "teacher")
    status, _ = _post(launcher.client, lid, number, "propose", text="заменить вебинар на стажировку")
    assert status == 303
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{number}?lid={curator}").get_data(as_text=True)
    assert "заменить вебинар на стажировку" in page


def test_curator_corrects_with_reason_and_concludes(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    lid = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    number = seeded["t1"].number
    form = {
        "replaces": "3",
        "title": "Стажировка в школе-лидере",
        "category": "exchange",
        "level": "municipal",
    }
    status, body = _post(launcher.client, lid, number, "correct", **form)
    assert status == 409
    assert "причину" in body  # after approval every change needs a reason
    status, _ = _post(launcher.client, lid, number, "correct", reason="курс перенесён", **form)
    assert status == 303
    route = store.get_route(number)
    assert [c.reason for c in route.corrections] == ["курс перенесён"]
    assert route.corrections[0].replaced == "Тренинг профилактики выгорания"
    assert "Стажировка в школе-лидере" in [a.title for a in route.activities]
    status, _ = _post(
        launcher.client, lid, number, "conclude", level_subject="basic", conclusion="маршрут выполнен успешно"
    )
    assert status == 303
    route = store.get_route(number)
    assert route.conclusion == "маршрут выполнен успешно"
    assert route.final_levels == {Block.SUBJECT: Level.BASIC}


def test_head_approves_and_teacher_cannot(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t2"].number  # in agreement
    head = launcher.session(HEAD_EMAIL)
    status, body = _post(launcher.client, head, number, "transition", action="approve")
    assert status == 409
    assert "сначала разработчик оформляет" in body
    dev = launcher.session("dev@cnppm.ru")
    status, _ = _post(launcher.client, dev, number, "transition", action="finalise")
    assert status == 303
    assert store.get_route(number).status is RouteStatus.FINALISED
    teacher = launcher.session("teacher2@school.ru")
    status, _ = _post(launcher.client, teacher, number, "transition", action="approve")
    assert status == 403
    status, _ = _post(launcher.client, head, number, "transition", action="approve")
    assert status == 303
    route = store.get_route(number)
    assert route.status is RouteStatus.APPROVED
    assert route.approved_by == "Петрова Анна Андреевна"


def test_developer_edits_a_draft(launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore) -> None:
    number = seeded["t2"].number
    dev = launcher.session("dev@cnppm.ru")
    status, _ = _post(launcher.client, dev, number, "transition", action="return")  # agreement → draft
    assert status == 303
    assert store.get_route(number).status is RouteStatus.DRAFT
    status, _ = _post(launcher.client, dev, number, "correct", title="Семинар ИРО", category="exchange")
    assert status == 303
    route = store.get_route(number)
    assert "Семинар ИРО" in [a.title for a in route.activities]
    assert route.corrections == ()  # a draft edit is not a correction
    centre = launcher.session("centre@cnppm.ru")  # ЦНППМ specialists do not edit drafts
    status, _ = _post(launcher.client, centre, number, "correct", title="Ещё", category="exchange")
    assert status == 403


def test_repeat_view_reflects_a_change_at_once(launcher: Launcher, seeded: dict[str, Route]) -> None:
    """Cards are cached per session and route version: a change must show on the very next view."""
    lid = launcher.session("teacher1@school.ru")
    number = seeded["t1"].number
    before = launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)
    assert "доклад на педсовете" not in before
    _post(launcher.client, lid, number, "mark", key="2", done="1", result="доклад на педсовете")
    after = launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)
    assert "доклад на педсовете" in after
    _post(launcher.client, lid, number, "propose", text="добавить стажировку")
    assert "добавить стажировку" in launcher.client.get(f"/card/{number}?lid={lid}").get_data(as_text=True)


def test_course_link_points_at_the_lms_course_when_the_lms_knows_it(
    settings: Settings, store: SqlRouteStore, seeded: dict[str, Route], launcher: Launcher
) -> None:
    lms = InMemoryLms()
    course = lms.add_course("ДПП-МЕТ-01", idnumber="DPP-MET-01")
    app = build_web_app(settings, store=store, lms=lms)
    with_lms = Launcher(app.test_client(use_cookies=False), launcher.template, launcher.key)
    lid = with_lms.session("teacher1@school.ru")
    html = with_lms.client.get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
    assert f"/course/view.php?id={course.id}" in html


def test_a_refused_action_offers_the_way_back(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    number = seeded["t1"].number
    status, body = _post(launcher.client, lid, number, "transition", action="start")
    assert status == 409
    assert f"/card/{number}?lid={lid}" in body


def test_a_teacher_cannot_return_a_finalised_route_on_the_page_or_the_api(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    """003 §4.3.7–4.3.10: once the developer has finalised the route only the head (who approves) or
    the developer sends it back; the teacher's button is gone and a forged request is refused."""
    from tests.web.test_api import _session

    number = seeded["t2"].number  # in agreement: the teacher may still return it
    teacher = launcher.session("teacher2@school.ru")
    page = launcher.client.get(f"/card/{number}?lid={teacher}").get_data(as_text=True)
    assert "Вернуть на доработку" in page
    csrf = csrf_of(launcher.client, f"/card/{number}?lid={teacher}")  # the session's token, kept
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    curator_csrf = csrf_of(launcher.client, f"/card/{number}?lid={curator}")
    dev = launcher.session("dev@cnppm.ru")
    assert _post(launcher.client, dev, number, "transition", action="finalise")[0] == 303
    page = launcher.client.get(f"/card/{number}?lid={teacher}").get_data(as_text=True)
    assert "Вернуть на доработку" not in page
    forged = launcher.client.post(
        f"/card/{number}/transition", data={"lid": teacher, "csrf": csrf, "action": "return"}
    )
    assert forged.status_code == 403
    assert "вернуть на доработку могут" in forged.get_data(as_text=True)
    api = launcher.client.post(
        f"/api/v1/routes/{number}/transitions",
        json={"action": "return"},
        headers=_session(launcher, "teacher2@school.ru"),
    )
    assert api.status_code == 403
    by_curator = launcher.client.post(
        f"/card/{number}/transition", data={"lid": curator, "csrf": curator_csrf, "action": "return"}
    )
    assert by_curator.status_code == 403
    assert store.get_route(number).status is RouteStatus.FINALISED
    head = launcher.session(HEAD_EMAIL)
    assert "Вернуть на доработку" in launcher.client.get(f"/card/{number}?lid={head}").get_data(as_text=True)
    assert _post(launcher.client, head, number, "transition", action="return")[0] == 303
    assert store.get_route(number).status is RouteStatus.DRAFT

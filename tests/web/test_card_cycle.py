"""The card page's fourth stage for each role: the teacher's product and reflection, final events
proposed and confirmed, a refused completion naming every missing item, marks with dates, prolonging."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from flask.testing import FlaskClient

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Block, Level, Role, RouteStatus
from lms_bridge.importers.diagnostics import ParsedDiagnostics
from lms_bridge.services.imports import import_diagnostics
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, Launcher, csrf_of

PDF = b"%PDF-1.7\n" + b"1" * 3000


def _post(client: FlaskClient, lid: str, number: str, what: str, **form: object) -> tuple[int, str]:
    csrf = csrf_of(client, f"/card/{number}?lid={lid}")
    resp = client.post(f"/card/{number}/{what}", data={"lid": lid, "csrf": csrf, **form})
    return resp.status_code, resp.get_data(as_text=True)


def test_teacher_enters_product_and_reflection_curator_sees_them_head_not_the_reflection(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    teacher = launcher.session("teacher1@school.ru")
    page = launcher.client.get(f"/card/{number}?lid={teacher}").get_data(as_text=True)
    assert "Внести образовательный продукт" in page
    assert "Какие профессиональные дефициты удалось преодолеть?" in page
    product = {
        "kind": "lesson",
        "title": "Технологическая карта урока «Дроби»",
        "description": "6 класс",
        "file": (io.BytesIO(PDF), "карта урока.pdf"),
    }
    status, _ = _post(launcher.client, teacher, number, "product", **product)
    assert status == 303
    status, _ = _post(
        launcher.client, teacher, number, "reflection", overcome="П1.1 — решаю задачи", needs_met="да"
    )
    assert status == 303
    route = store.get_route(number)
    assert route.product is not None
    assert route.product.file is not None
    assert route.reflection is not None
    assert route.reflection.overcome == "П1.1 — решаю задачи"

    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{number}?lid={curator}").get_data(as_text=True)
    seen = ("конспект/технологическая карта урока", "Технологическая карта урока «Дроби»", "карта урока.pdf")
    for text in (*seen, "П1.1 — решаю задачи"):
        assert text in page
    assert "Внести образовательный продукт" not in page  # the product is the teacher's own
    got = launcher.client.get(f"/card/{number}/product-file?lid={curator}")
    assert (got.status_code, got.data, got.mimetype) == (200, PDF, "application/pdf")

    head = launcher.session(HEAD_EMAIL)
    page = launcher.client.get(f"/card/{number}?lid={head}").get_data(as_text=True)
    assert "Технологическая карта урока «Дроби»" in page
    assert "П1.1 — решаю задачи" not in page  # the self-analysis names deficits: not for the school
    other = launcher.session("teacher2@school.ru")
    assert launcher.client.get(f"/card/{number}/product-file?lid={other}").status_code == 404


def test_a_bad_product_file_is_refused_with_a_russian_reason(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    teacher = launcher.session("teacher1@school.ru")
    form = {"kind": "other", "title": "x", "file": (io.BytesIO(b"MZ\x90"), "setup.exe")}
    status, body = _post(launcher.client, teacher, number, "product", **form)
    assert status == 422
    assert "тип «exe» не принимается" in body
    assert store.get_route(number).product is None


def test_teacher_proposes_and_reports_an_event_curator_confirms_it(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    teacher = launcher.session("teacher1@school.ru")
    today = date.today()
    status, _ = _post(launcher.client, teacher, number, "event_add", form="открытый урок", title="Дроби",
                      level="school", start=today.isoformat())  # fmt: skip
    assert status == 303
    status, _ = _post(launcher.client, teacher, number, "event_held", key="1", held_on=today.isoformat(),
                      link="https://school.ru/urok")  # fmt: skip
    assert status == 303
    assert not store.get_route(number).final_events[0].held  # waits for the curator
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{number}?lid={curator}").get_data(as_text=True)
    assert "Подтвердить проведение" in page
    status, _ = _post(launcher.client, curator, number, "event_confirm", key="1")
    assert status == 303
    event = store.get_route(number).final_events[0]
    assert event.held
    assert event.held_on == today
    page = launcher.client.get(f"/card/{number}?lid={teacher}").get_data(as_text=True)
    assert f"проведено {today:%d.%m.%Y}" in page


def test_curator_marks_an_event_held_directly(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    _post(
        launcher.client, curator, number, "event_add", form="мастер-класс", title="Дроби", level="municipal"
    )
    status, _ = _post(launcher.client, curator, number, "event_held", key="1", note="МО учителей математики")
    assert status == 303
    assert store.get_route(number).final_events[0].held


def test_a_refused_completion_shows_every_missing_item(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{number}?lid={curator}").get_data(as_text=True)
    assert "Для завершения маршрута не хватает (6)" in page
    status, body = _post(launcher.client, curator, number, "transition", action="complete")
    assert status == 409
    for missing in (
        "<li>мероприятие 1 «Курс ПК «Методика»»: нет результата итоговой аттестации в СДО",
        "<li>мероприятие 2 «Вебинар по ФГОС»: не выполнено</li>",
        "<li>мероприятие 3 «Тренинг профилактики выгорания»: не выполнено</li>",
        "<li>итоговое публичное мероприятие не проведено",
        "<li>нет итоговой диагностики",
        "<li>не написаны выводы куратора</li>",
    ):
        assert missing in body, missing
    assert store.get_route(number).status is RouteStatus.IN_PROGRESS


def test_marks_carry_their_date_and_formal_items_offer_no_mark(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    teacher = launcher.session("teacher1@school.ru")
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    status, body = _post(launcher.client, teacher, number, "mark", key="2", done="1", done_on=tomorrow)
    assert status == 409
    assert "ещё не наступила" in body
    status, _ = _post(launcher.client, teacher, number, "mark", key="2", done="1", done_on="2026-10-05")
    assert status == 303
    assert store.get_route(number).activity("2").done_on == date(2026, 10, 5)
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    status, body = _post(launcher.client, curator, number, "mark", key="1", done="1")
    assert status == 403
    assert "итоговой аттестации в СДО" in body
    status, _ = _post(launcher.client, curator, number, "close", key="1", reason="курс не набран")
    assert status == 303
    assert store.get_route(number).activity("1").closed


def test_prolong_on_the_page_takes_the_new_end(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{number}?lid={curator}").get_data(as_text=True)
    assert 'name="new_end"' in page
    status, body = _post(launcher.client, curator, number, "transition", action="prolong")
    assert status == 409
    assert "новой даты окончания" in body
    status, _ = _post(launcher.client, curator, number, "transition", action="prolong", new_end="2028-03-31")
    assert status == 303
    route = store.get_route(number)
    assert (route.status, route.end) == (RouteStatus.PROLONGED, date(2028, 3, 31))


def test_an_imported_rediagnostic_shows_on_the_card_with_the_route_history(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    """The final diagnostic is the imported re-diagnostic (kind, date, levels, deficits gone, the chart
    from those levels), and the card lists the teacher's earlier route with its dynamics."""
    route = seeded["t1"]
    first = replace(route.diagnostic, date=date(2024, 12, 20))
    store.save_diagnostics([(route.teacher, first)])
    earlier = replace(
        route,
        number="74-2025-00009",
        diagnostic=first,
        status=RouteStatus.COMPLETED,
        start=date(2025, 1, 10),
        end=date(2025, 12, 10),
        final_levels={Block.SUBJECT: Level.BASIC},
        final_diagnostic_on=date(2025, 12, 1),
        completed_on=date(2025, 12, 5),
        closed_on=date(2025, 12, 5),
    )
    store.add_routes([earlier], Actor(Role.DEVELOPER, "разработчик"))
    store.save_route(replace(route, previous_number=earlier.number), Actor(Role.ADMIN, "A"), "link")
    again = replace(
        route.diagnostic,
        date=date(2026, 11, 16),
        levels={Block.SUBJECT: Level.ADVANCED, Block.METHODICAL: Level.ADVANCED, Block.ICT: Level.HIGH},
        deficit_codes=("М2.3",),
    )
    result = import_diagnostics(store, ParsedDiagnostics("повторная.csv", rows=[(route.teacher, again)]))
    assert result.finals == (route.number,)
    curator = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    page = launcher.client.get(f"/card/{route.number}?lid={curator}").get_data(as_text=True)
    assert "Дата итоговой диагностики: 16.11.2026" in page
    assert "(повторная диагностика)" in page
    assert "<strong>Преодолённые дефициты:</strong> П1.1" in page
    assert "<strong>Сохраняющиеся дефициты:</strong> М2.3" in page
    assert "предметные: вход 1 из 4, итог 3 из 4." in page  # the chart's text, from the import
    assert "ИКТ-компетенции: вход 3 из 4, итог 4 из 4." in page
    assert "Итоговая диагностика загружена (16.11.2026): уровни вручную не меняются." in page
    assert "Маршруты педагога и динамика" in page
    assert f"<dt>Предыдущий маршрут</dt><dd>{earlier.number}</dd>" in page
    history = page[page.index("Маршруты педагога и динамика") :]
    assert earlier.number in history
    assert "завершён" in history


def test_dates_on_the_page_are_the_lms_time_zone_not_utc(
    settings: Settings,
    store: SqlRouteStore,
    launcher: Launcher,
    seeded: dict[str, Route],
) -> None:
    """20:30 UTC on 1 December is already 2 December in Yekaterinburg (UTC+5): the mark form offers
    the LMS's date, and a mark dated 2 December is not «in the future»."""
    # the app's clock reads naive server-local time: the same instant, whatever the server's zone
    late = datetime(2026, 12, 1, 20, 30, tzinfo=UTC).astimezone().replace(tzinfo=None)
    for zone, day in (("Asia/Yekaterinburg", "2026-12-02"), ("Europe/London", "2026-12-01")):
        local = settings.model_copy(update={"lms_timezone": zone})
        now: list[datetime] = []  # the launch runs on the real clock (token times), the view at ``late``
        app = build_web_app(local, store=store, clock=lambda now=now: now[0] if now else datetime.now())
        timed = Launcher(app.test_client(use_cookies=False), launcher.template, launcher.key)
        lid = timed.session("teacher1@school.ru")
        now.append(late)
        page = timed.client.get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
        assert f'name="done_on" type="date" value="{day}" max="{day}"' in page, zone

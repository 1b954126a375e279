"""A 1 MB proposal (or an over-long conclusion) is refused on the API and the page, naming field and limit."""

from __future__ import annotations

from lms_bridge.domain.route import Route
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import CURATOR_EMAIL, INSTRUCTOR, Launcher, csrf_of

MEGABYTE_TEXT = "a" * 1_000_000  # ASCII: the request stays under the 1 MiB body cap
LIMIT_MESSAGE = "не более 4\u00a0000 знаков, а введено 1\u00a0000\u00a0000"


def _headers(launcher: Launcher, email: str, roles: list[str] | None = None) -> dict[str, str]:
    lid = launcher.session(email, roles)
    me = launcher.client.get("/api/v1/me", headers={"X-Launch-Id": lid}).get_json()
    return {"X-Launch-Id": lid, "X-CSRF-Token": me["csrf_token"]}


def test_api_refuses_a_megabyte_proposal_and_stores_nothing(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    before = store.list_audit(number)
    sent = launcher.client.post(
        f"/api/v1/routes/{number}/proposals",
        json={"text": MEGABYTE_TEXT},
        headers=_headers(launcher, "teacher1@school.ru"),
    )
    assert sent.status_code == 422
    assert sent.get_json()["error"]["message"] == f"text: слишком длинный текст: {LIMIT_MESSAGE}"
    assert store.list_audit(number) == before


def test_api_schema_states_the_domain_limits(launcher: Launcher) -> None:
    doc = launcher.client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert schemas["ProposalBody"]["properties"]["text"]["maxLength"] == 4000
    assert schemas["ConclusionBody"]["properties"]["conclusion"]["maxLength"] == 10_000
    assert schemas["NoteBody"]["properties"]["text"]["maxLength"] == 4000


def test_page_refuses_a_megabyte_proposal_and_stores_nothing(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    before = store.list_audit(number)
    lid = launcher.session("teacher1@school.ru")
    csrf = csrf_of(launcher.client, f"/card/{number}?lid={lid}")
    resp = launcher.client.post(
        f"/card/{number}/propose", data={"lid": lid, "csrf": csrf, "text": MEGABYTE_TEXT}
    )
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "поле «Предложение о корректировке»" in page
    assert LIMIT_MESSAGE in page
    assert store.list_audit(number) == before


def test_page_refuses_an_over_long_conclusion_and_keeps_the_route(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    number = seeded["t1"].number
    before = store.get_route(number)
    lid = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    csrf = csrf_of(launcher.client, f"/card/{number}?lid={lid}")
    form = {"lid": lid, "csrf": csrf, "conclusion": "в" * 10_001, "level_subject": "высокий"}
    resp = launcher.client.post(f"/card/{number}/conclude", data=form)
    assert resp.status_code == 422
    assert "поле «Выводы куратора»: слишком длинный текст: не более 10\u00a0000 знаков" in resp.get_data(
        as_text=True
    )
    assert store.get_route(number) == before


def test_a_body_over_the_request_cap_is_refused_in_russian(
    launcher: Launcher, seeded: dict[str, Route]
) -> None:
    number = seeded["t1"].number
    sent = launcher.client.post(
        f"/api/v1/routes/{number}/proposals",
        json={"text": "ж" * 1_000_000},  # 2 MB of UTF-8
        headers=_headers(launcher, "teacher1@school.ru"),
    )
    assert sent.status_code == 413
    assert sent.get_json()["error"]["message"] == "запрос слишком велик: не более 1 МБ"

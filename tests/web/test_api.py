"""The JSON API: scope, CSRF, service token, and the OpenAPI document staying in sync."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms_bridge.domain.route import Route
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import API_TOKEN, CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, Launcher

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}


def _session(launcher: Launcher, email: str, roles: list[str] | None = None) -> dict[str, str]:
    lid = launcher.session(email, roles)
    me = launcher.client.get("/api/v1/me", headers={"X-Launch-Id": lid}).get_json()
    return {"X-Launch-Id": lid, "X-CSRF-Token": me["csrf_token"]}


def test_teacher_gets_own_record_and_404_for_another(launcher: Launcher, seeded: dict[str, Route]) -> None:
    h = _session(launcher, "teacher1@school.ru")
    listed = launcher.client.get("/api/v1/routes", headers=h).get_json()
    assert [i["number"] for i in listed["items"]] == [seeded["t1"].number]
    own = launcher.client.get(f"/api/v1/routes/{seeded['t1'].number}", headers=h)
    assert own.status_code == 200
    assert own.get_json()["teacher"]["email"] == "teacher1@school.ru"
    other = launcher.client.get(f"/api/v1/routes/{seeded['t2'].number}", headers=h)
    assert other.status_code == 404
    body = other.get_data(as_text=True)
    assert "teacher2" not in body
    assert "Иванова2" not in body
    assert set(other.get_json()) == {"error"}


def test_head_record_withholds_diagnostics_and_other_schools(
    launcher: Launcher, seeded: dict[str, Route]
) -> None:
    h = _session(launcher, HEAD_EMAIL)
    card = launcher.client.get(f"/api/v1/routes/{seeded['t1'].number}", headers=h).get_json()
    # withheld, and saying so: null where the results were (an empty list would say «none»), and why
    assert card["withheld"].startswith("Результаты диагностики не передаются")
    assert card["diagnostic"]["levels"] is None
    assert card["diagnostic"]["deficit_codes"] is None
    assert all(a["deficit_codes"] is None for a in card["activities"])
    assert launcher.client.get(f"/api/v1/routes/{seeded['t3'].number}", headers=h).status_code == 404
    numbers = {i["number"] for i in launcher.client.get("/api/v1/routes", headers=h).get_json()["items"]}
    assert numbers == {seeded["t1"].number, seeded["t2"].number}


def test_curator_cannot_write_to_a_non_assigned_route(launcher: Launcher, seeded: dict[str, Route]) -> None:
    h = _session(launcher, CURATOR_EMAIL, [INSTRUCTOR])
    resp = launcher.client.post(
        f"/api/v1/routes/{seeded['t3'].number}/activities/2/note", json={"text": "x"}, headers=h
    )
    assert resp.status_code == 404
    ok = launcher.client.post(
        f"/api/v1/routes/{seeded['t1'].number}/activities/2/note", json={"text": "участвует"}, headers=h
    )
    assert ok.status_code == 200
    assert ok.get_json()["activities"][1]["curator_note"] == "участвует"


def test_api_write_needs_the_csrf_token(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    h = _session(launcher, "teacher1@school.ru")
    url = f"/api/v1/routes/{seeded['t1'].number}/activities/2/mark"
    no_csrf = {"X-Launch-Id": h["X-Launch-Id"]}
    assert launcher.client.post(url, json={"done": True}, headers=no_csrf).status_code == 403
    resp = launcher.client.post(url, json={"done": True, "result": "доклад"}, headers=h)
    assert resp.status_code == 200
    assert store.get_route(seeded["t1"].number).activity("2").result == "доклад"


def test_teacher_cannot_mark_a_formal_course(launcher: Launcher, seeded: dict[str, Route]) -> None:
    h = _session(launcher, "teacher1@school.ru")
    resp = launcher.client.post(f"/api/v1/routes/{seeded['t1'].number}/activities/1/mark", json={}, headers=h)
    assert resp.status_code == 403
    assert "итоговой аттестации" in resp.get_json()["error"]["message"]


def test_bad_body_is_422_and_wrong_state_is_409(launcher: Launcher, seeded: dict[str, Route]) -> None:
    h = _session(launcher, CURATOR_EMAIL, [INSTRUCTOR])
    number = seeded["t1"].number
    bad = launcher.client.post(f"/api/v1/routes/{number}/transitions", json={"nope": 1}, headers=h)
    assert bad.status_code == 422
    wrong = launcher.client.post(f"/api/v1/routes/{number}/transitions", json={"action": "start"}, headers=h)
    assert wrong.status_code == 409  # already in progress


@pytest.mark.usefixtures("seeded")
def test_service_token_sees_everything_and_a_wrong_one_nothing(client: FlaskClient) -> None:
    listed = client.get("/api/v1/routes", headers=SERVICE).get_json()
    assert listed["count"] == 3
    assert client.get("/api/v1/routes?school=МБОУ «СОШ № 2»", headers=SERVICE).get_json()["count"] == 1
    assert client.get("/api/v1/routes", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/v1/routes").status_code == 401


def test_openapi_lists_every_api_rule(app: Flask, client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        assert path in doc["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in doc["paths"][path], (path, method)
    for path_item in doc["paths"].values():  # every $ref resolves
        for ref in re.findall(r'"\$ref": "#/components/schemas/(\w+)"', str(path_item).replace("'", '"')):
            assert ref in doc["components"]["schemas"]


def test_proposal_reaches_the_curator_through_the_api(launcher: Launcher, seeded: dict[str, Route]) -> None:
    number = seeded["t1"].number
    teacher = _session(launcher, "teacher1@school.ru")
    sent = launcher.client.post(
        f"/api/v1/routes/{number}/proposals", json={"text": "стажировка"}, headers=teacher
    )
    assert sent.status_code == 201
    curator = _session(launcher, CURATOR_EMAIL, [INSTRUCTOR])
    card = launcher.client.get(f"/api/v1/routes/{number}", headers=curator).get_json()
    assert [p["text"] for p in card["proposals"]] == ["стажировка"]

"""Scope and request-forgery rules of the pages: who sees which card, CSRF, CSP."""

from __future__ import annotations

from flask.testing import FlaskClient

from lms_bridge.domain.route import Route
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import CURATOR_EMAIL, HEAD_EMAIL, INSTRUCTOR, ISSUER, Launcher, csrf_of


def _hidden(client: FlaskClient, path: str, route: Route) -> None:
    """Refused as if the route did not exist, and nothing about it in the body."""
    resp = client.get(path)
    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert route.teacher.last_name not in body
    assert route.teacher.email not in body
    assert route.number in body  # only the number the caller typed


def test_teacher_cannot_open_another_teachers_card(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session("teacher1@school.ru")
    other = seeded["t2"]
    _hidden(launcher.client, f"/card/{other.number}?lid={lid}", other)
    assert launcher.client.get(f"/card/{seeded['t1'].number}?lid={lid}").status_code == 200


def test_head_sees_own_school_only_and_no_diagnostics(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session(HEAD_EMAIL)
    other = seeded["t3"]
    resp = launcher.client.get(f"/card/{other.number}?lid={lid}")
    assert resp.status_code == 404
    assert other.teacher.last_name not in resp.get_data(as_text=True)
    own = launcher.client.get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
    assert seeded["t1"].teacher.full_name in own
    assert "П1.1" not in own  # deficit codes are individual diagnostic results
    assert "Результаты диагностики не передаются в образовательную организацию (прил. 2, п. 6.3)" in own


def test_curator_sees_assigned_teachers_only(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session(CURATOR_EMAIL, [INSTRUCTOR])
    _hidden(launcher.client, f"/card/{seeded['t3'].number}?lid={lid}", seeded["t3"])
    dash = launcher.client.get(f"/dashboard?lid={lid}").get_data(as_text=True)
    assert seeded["t1"].number in dash
    assert seeded["t2"].number in dash
    assert seeded["t3"].number not in dash


def test_no_session_is_401(client: FlaskClient, seeded: dict[str, Route]) -> None:
    assert client.get(f"/card/{seeded['t1'].number}").status_code == 401
    assert client.get(f"/card/{seeded['t1'].number}?lid=guessed").status_code == 401


def test_post_without_or_with_wrong_csrf_is_refused(
    launcher: Launcher, seeded: dict[str, Route], store: SqlRouteStore
) -> None:
    lid = launcher.session("teacher1@school.ru")
    number = seeded["t1"].number
    form = {"lid": lid, "key": "2", "done": "1", "result": "конспект"}
    assert launcher.client.post(f"/card/{number}/mark", data=form).status_code == 403
    assert launcher.client.post(f"/card/{number}/mark", data={**form, "csrf": "wrong"}).status_code == 403
    assert not store.get_route(number).activity("2").done
    token = csrf_of(launcher.client, f"/card/{number}?lid={lid}")
    resp = launcher.client.post(f"/card/{number}/mark", data={**form, "csrf": token})
    assert resp.status_code == 303
    assert store.get_route(number).activity("2").done


def test_csp_limits_framing_to_registered_platforms(launcher: Launcher, seeded: dict[str, Route]) -> None:
    lid = launcher.session("teacher1@school.ru")
    resp = launcher.client.get(f"/card/{seeded['t1'].number}?lid={lid}")
    csp = resp.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {ISSUER}" in csp
    assert "script-src" not in csp
    assert "default-src 'none'" in csp  # no scripts at all
    assert "X-Frame-Options" not in resp.headers
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["Cache-Control"] == "no-store"

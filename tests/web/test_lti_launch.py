"""The LTI 1.3 launch: the happy path without cookies, and every check refusing a bad id_token."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from flask.testing import FlaskClient

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.route import Route
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import (
    AUTH_URL,
    CLIENT_ID,
    ISSUER,
    JWKS_URL,
    LTI,
    TOOL,
    Launcher,
    PlatformKey,
    sign,
)


def _refused(resp: Any, words: str) -> None:
    assert resp.status_code == 401, resp.get_data(as_text=True)
    body = resp.get_data(as_text=True)
    assert words in body
    assert "Location" not in resp.headers


def test_login_redirects_to_the_platform_with_state_and_nonce(launcher: Launcher) -> None:
    q = launcher.login()
    assert q["scope"] == "openid"
    assert q["response_type"] == "id_token"
    assert q["response_mode"] == "form_post"
    assert q["prompt"] == "none"
    assert q["client_id"] == CLIENT_ID
    assert q["redirect_uri"] == TOOL + "/lti/launch"
    assert q["login_hint"] == "6"
    assert q["lti_message_hint"] == '{"cmid":8,"launchid":"x"}'
    assert len(q["state"]) >= 32
    assert len(q["nonce"]) >= 32


def test_login_by_get_works_too(client: FlaskClient) -> None:
    resp = client.get("/lti/login", query_string={"iss": ISSUER, "login_hint": "6", "client_id": CLIENT_ID})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith(AUTH_URL + "?")


def test_login_from_an_unregistered_platform_is_refused(client: FlaskClient) -> None:
    resp = client.post("/lti/login", data={"iss": "http://evil.example", "login_hint": "6"})
    assert resp.status_code == 401
    assert "не зарегистрирована" in resp.get_data(as_text=True)


def test_teacher_launch_without_cookies_opens_own_card(launcher: Launcher, seeded: dict[str, Route]) -> None:
    """Platform on 127.0.0.1:8081, tool on localhost:5000, and a client that never sends cookies."""
    resp = launcher.launch("teacher1@school.ru")
    assert resp.status_code == 303
    location = urlsplit(resp.headers["Location"])
    assert location.path == f"/card/{seeded['t1'].number}"
    lid = parse_qs(location.query)["lid"][0]
    page = launcher.client.get(f"{location.path}?{location.query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Иванова1 Мария Петровна" in html
    assert f'name="lid" value="{lid}"' in html  # forms carry the launch id


@pytest.mark.usefixtures("seeded")
def test_cookie_is_samesite_none_secure_only_over_https(launcher: Launcher) -> None:
    resp = launcher.launch("teacher1@school.ru")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http: browsers refuse Secure
    q = launcher.login()
    token = sign(launcher.claims(q["nonce"], "teacher1@school.ru"), launcher.key)
    over_https = launcher.client.post(
        "/lti/launch", data={"id_token": token, "state": q["state"]}, base_url="https://localhost"
    )
    assert over_https.status_code == 303
    assert "SameSite=None" in over_https.headers["Set-Cookie"]
    assert "Secure" in over_https.headers["Set-Cookie"]


@pytest.mark.usefixtures("seeded")
def test_forged_signature_is_refused(launcher: Launcher, other_key: PlatformKey) -> None:
    q = launcher.login()
    forged = sign(launcher.claims(q["nonce"], "teacher1@school.ru"), other_key)
    _refused(launcher.post(forged, q["state"]), "подпись id_token неверна")


@pytest.mark.usefixtures("seeded")
def test_expired_token_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    old = int(time.time()) - 600
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", iat=old, exp=old + 60)
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "истёк")


@pytest.mark.usefixtures("seeded")
def test_token_from_the_future_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    later = int(time.time()) + 3600
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", iat=later, exp=later + 60)
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "в будущем")


@pytest.mark.usefixtures("seeded")
def test_wrong_audience_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", aud="another-tool")
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "не для этого инструмента")


@pytest.mark.usefixtures("seeded")
def test_audience_list_needs_our_azp(launcher: Launcher) -> None:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", aud=[CLIENT_ID, "other"])
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "azp")
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", aud=[CLIENT_ID, "other"], azp=CLIENT_ID)
    assert launcher.post(sign(claims, launcher.key), q["state"]).status_code == 303


@pytest.mark.usefixtures("seeded")
def test_wrong_issuer_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", iss="http://127.0.0.1:9999")
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "iss/aud не зарегистрированы")


@pytest.mark.usefixtures("seeded")
def test_replayed_launch_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    token = sign(launcher.claims(q["nonce"], "teacher1@school.ru"), launcher.key)
    assert launcher.post(token, q["state"]).status_code == 303
    _refused(launcher.post(token, q["state"]), "повторный запуск")


@pytest.mark.usefixtures("seeded")
def test_nonce_must_be_the_one_issued_with_the_state(launcher: Launcher) -> None:
    q = launcher.login()
    token = sign(launcher.claims("some-other-nonce", "teacher1@school.ru"), launcher.key)
    _refused(launcher.post(token, q["state"]), "nonce")


@pytest.mark.usefixtures("seeded")
def test_missing_and_unknown_state_are_refused(launcher: Launcher) -> None:
    q = launcher.login()
    token = sign(launcher.claims(q["nonce"], "teacher1@school.ru"), launcher.key)
    _refused(launcher.post(token, ""), "нет id_token или state")
    _refused(launcher.post(token, "made-up-state"), "state неизвестен")


@pytest.mark.usefixtures("seeded")
def test_unregistered_deployment_is_refused(launcher: Launcher) -> None:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", **{LTI + "deployment_id": "99"})
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "deployment_id")


@pytest.mark.usefixtures("seeded")
def test_wrong_message_type_and_version_are_refused(launcher: Launcher) -> None:
    q = launcher.login()
    claims = launcher.claims(
        q["nonce"], "teacher1@school.ru", **{LTI + "message_type": "LtiSubmissionReviewRequest"}
    )
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "LtiResourceLinkRequest")
    q = launcher.login()  # a deep linking request must say where the answer goes
    claims = launcher.claims(
        q["nonce"], "teacher1@school.ru", **{LTI + "message_type": "LtiDeepLinkingRequest"}
    )
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "deep_linking_settings")
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", **{LTI + "version": "1.1"})
    _refused(launcher.post(sign(claims, launcher.key), q["state"]), "1.3.0")


@pytest.mark.usefixtures("seeded")
def test_rotated_platform_key_is_fetched_again_at_most_once_a_minute(
    settings: Settings,
    store: SqlRouteStore,
    launcher: Launcher,
    jwks_server: responses.RequestsMock,
) -> None:
    clock = Clock()
    timed = Launcher(
        build_web_app(settings, store=store, clock=clock).test_client(use_cookies=False),
        launcher.template,
        launcher.key,
    )
    assert timed.session("teacher1@school.ru")  # caches the published set
    rotated = PlatformKey(launcher.key.private, "new-kid")
    jwks_server.replace(responses.GET, JWKS_URL, json=rotated.jwks())

    def fetches() -> int:
        return len([c for c in jwks_server.calls if c.request.url == JWKS_URL])

    for _ in range(3):  # forged kids in a burst: the platform is not asked again
        q = timed.login()
        token = sign(timed.claims(q["nonce"], "teacher1@school.ru"), rotated)
        _refused(timed.post(token, q["state"]), "ключ подписи id_token неизвестен платформе")
    assert fetches() == 1
    clock.now += timedelta(seconds=61)
    q = timed.login()
    token = sign(timed.claims(q["nonce"], "teacher1@school.ru"), rotated)
    assert timed.post(token, q["state"]).status_code == 303
    assert fetches() == 2


@pytest.mark.usefixtures("seeded")
def test_unknown_person_is_refused(launcher: Launcher) -> None:
    resp = launcher.launch("stranger@school.ru")
    assert resp.status_code == 403
    assert "нет маршрута" in resp.get_data(as_text=True)


def test_later_launch_without_email_finds_the_person_by_platform_user(
    launcher: Launcher, seeded: dict[str, Route]
) -> None:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "teacher1@school.ru", sub="42")
    assert launcher.post(sign(claims, launcher.key), q["state"]).status_code == 303
    q = launcher.login()
    claims = launcher.claims(q["nonce"], "", sub="42")
    del claims["email"]
    resp = launcher.post(sign(claims, launcher.key), q["state"])
    assert resp.status_code == 303
    assert urlsplit(resp.headers["Location"]).path == f"/card/{seeded['t1'].number}"


def test_tool_jwks_is_empty_without_a_key(client: FlaskClient) -> None:
    resp = client.get("/lti/jwks")
    assert resp.status_code == 200
    assert resp.get_json() == {"keys": []}


@pytest.mark.usefixtures("seeded")
def test_behind_a_tls_proxy_the_cookie_is_secure(
    settings: Settings, store: SqlRouteStore, launcher: Launcher
) -> None:
    app = build_web_app(settings.model_copy(update={"web_proxy_hops": 1, "public_url": TOOL}), store=store)
    proxied = Launcher(app.test_client(use_cookies=False), launcher.template, launcher.key)
    q = proxied.login()
    token = sign(proxied.claims(q["nonce"], "teacher1@school.ru"), proxied.key)
    resp = proxied.client.post(
        "/lti/launch", data={"id_token": token, "state": q["state"]}, headers={"X-Forwarded-Proto": "https"}
    )
    assert resp.status_code == 303
    assert "Secure" in resp.headers["Set-Cookie"]
    assert "SameSite=None" in resp.headers["Set-Cookie"]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now()

    def __call__(self) -> datetime:
        return self.now


def test_expired_state_and_expired_session_are_refused(
    settings: Settings, store: SqlRouteStore, launcher: Launcher, seeded: dict[str, Route]
) -> None:
    clock = Clock()
    app = build_web_app(settings, store=store, clock=clock)
    timed = Launcher(app.test_client(use_cookies=False), launcher.template, launcher.key)
    q = timed.login()
    token = sign(timed.claims(q["nonce"], "teacher1@school.ru"), timed.key)
    clock.now += timedelta(minutes=settings.lti_state_minutes + 1)
    _refused(timed.post(token, q["state"]), "state устарел")
    clock.now = datetime.now()  # tokens are signed with the real time
    lid = timed.session("teacher1@school.ru")
    card = f"/card/{seeded['t1'].number}?lid={lid}"
    assert timed.client.get(card).status_code == 200
    clock.now += timedelta(hours=settings.web_session_hours, minutes=1)
    assert timed.client.get(card).status_code == 401


def test_login_accepts_the_bare_tool_url_but_not_another_site(launcher: Launcher) -> None:
    assert launcher.login(target_link_uri=TOOL + "/")["state"]
    resp = launcher.client.post(
        "/lti/login",
        data={"iss": ISSUER, "login_hint": "6", "target_link_uri": "http://localhost:5000.evil.ru/x"},
    )
    assert resp.status_code == 401

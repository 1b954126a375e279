"""LTI Deep Linking 2.0 at the tool: the selection page a course editor gets from an
LtiDeepLinkingRequest (claims as recorded from Moodle 5.1), the signed LtiDeepLinkingResponse each choice
posts back, and the launch of a placed resource."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory
from lms_bridge.services.events import upcoming_events
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.web.lti.keys import generate_pem
from tests.web.conftest import (
    CLIENT_ID,
    INSTRUCTOR,
    ISSUER,
    LEARNER,
    LTI,
    MOODLE_BODIES,
    TOOL,
    Launcher,
    sign,
)

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
RETURN_URL = ISSUER + "/mod/lti/contentitem_return.php?course=5&id=2&sesskey=abc"
CONTENT_DEVELOPER = "http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper"
PEM = generate_pem()


@pytest.fixture
def app(settings: Settings, store: SqlRouteStore, jwks_server: responses.RequestsMock) -> Flask:  # noqa: ARG001
    return build_web_app(
        settings.model_copy(update={"lti_private_key": SecretStr(PEM.decode())}), store=store
    )


def _deep_linking_claims(launcher: Launcher, nonce: str, roles: list[str], **settings: Any) -> dict[str, Any]:
    recorded = json.loads(
        (MOODLE_BODIES / "lti_id_token__deep_linking_request_claims.json").read_text(encoding="utf-8")
    )["payload"]
    claims = launcher.claims(nonce, "olga.smirnova@example.com", roles)
    for key in list(claims):
        if key.startswith(LTI) and key not in (LTI + "roles", LTI + "target_link_uri"):
            del claims[key]
    for key, value in recorded.items():
        if key.startswith((LTI, DL, "https://purl.imsglobal.org/spec/lti-ags")) and key != LTI + "roles":
            claims[key] = value
    claims[LTI + "deployment_id"] = "1"
    dl = claims[DL + "deep_linking_settings"]
    dl["deep_link_return_url"] = RETURN_URL
    dl.update(settings)
    return claims


def _request(launcher: Launcher, roles: list[str], **settings: Any) -> Any:
    q = launcher.login()
    claims = _deep_linking_claims(launcher, q["nonce"], roles, **settings)
    return launcher.post(sign(claims, launcher.key), q["state"])


def _choices(html: str) -> dict[str, str]:
    """view → the signed response its form posts."""
    found = re.findall(r'name="JWT" value="([^"]+)">\s*<button type="submit" name="view" value="(\w+)"', html)
    return {view: token for token, view in found}


def _tool_key(client: FlaskClient) -> Any:
    jwk = client.get("/lti/jwks").get_json()["keys"][0]
    return jwk["kid"], jwt.PyJWK(jwk).key


def test_editor_is_offered_the_four_placements_posting_to_the_return_url(launcher: Launcher) -> None:
    resp = _request(launcher, [INSTRUCTOR])
    assert resp.status_code == 200, resp.get_data(as_text=True)
    html = unescape(resp.get_data(as_text=True))
    for title in ("Мой маршрут (ИОМ)", "Маршруты педагогов", "Сводный отчёт", "Мероприятия региона"):
        assert title in html
    assert html.count(f'action="{RETURN_URL}"') == 4
    assert set(_choices(html)) == {"card", "dashboard", "report", "events"}
    # the page may post to Moodle, and only there besides itself
    assert f"form-action 'self' {ISSUER};" in resp.headers["Content-Security-Policy"]


def test_each_choice_is_a_response_signed_by_the_tool_for_the_platform(launcher: Launcher) -> None:
    html = unescape(_request(launcher, [CONTENT_DEVELOPER]).get_data(as_text=True))
    token = _choices(html)["card"]
    kid, key = _tool_key(launcher.client)
    assert jwt.get_unverified_header(token)["kid"] == kid
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER)
    assert claims["iss"] == CLIENT_ID
    assert claims[LTI + "deployment_id"] == "1"
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "version"] == "1.3.0"
    assert DL + "data" not in claims  # Moodle sent none: nothing to echo
    assert claims["exp"] - claims["iat"] == 3600
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == "Мой маршрут (ИОМ)"
    assert item["url"] == TOOL + "/lti/launch"
    assert item["custom"] == {"iom_view": "card"}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert item["lineItem"]["label"] == "Прохождение ИОМ"
    report = jwt.decode(_choices(html)["report"], key, algorithms=["RS256"], audience=ISSUER)
    assert report[DL + "content_items"][0]["custom"] == {"iom_view": "report"}
    assert "lineItem" not in report[DL + "content_items"][0]  # only the route has a grade column


def test_data_of_the_request_is_echoed(launcher: Launcher) -> None:
    html = unescape(_request(launcher, [INSTRUCTOR], data="opaque-платформы-42").get_data(as_text=True))
    claims = jwt.decode(
        _choices(html)["events"], _tool_key(launcher.client)[1], algorithms=["RS256"], audience=ISSUER
    )
    assert claims[DL + "data"] == "opaque-платформы-42"


def test_a_signature_with_another_key_does_not_verify(launcher: Launcher) -> None:
    """What Moodle checks against /lti/jwks: a response made with any other key fails."""
    html = unescape(_request(launcher, [INSTRUCTOR]).get_data(as_text=True))
    other = rsa.generate_private_key(65537, 2048).public_key()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(_choices(html)["card"], other, algorithms=["RS256"], audience=ISSUER)


@pytest.mark.parametrize("roles", [[LEARNER], ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]])
def test_only_course_editors_may_deep_link(launcher: Launcher, roles: list[str]) -> None:
    resp = _request(launcher, roles)
    assert resp.status_code == 403
    body = resp.get_data(as_text=True)
    assert "редакторы курса" in body
    assert "JWT" not in body


def test_a_request_for_other_content_types_is_refused(launcher: Launcher) -> None:
    resp = _request(launcher, [INSTRUCTOR], accept_types=["file"])
    assert resp.status_code == 401
    assert "ltiResourceLink" in resp.get_data(as_text=True)


def _landing(launcher: Launcher, email: str, view: str | None, roles: list[str] | None = None) -> Any:
    q = launcher.login()
    claims = launcher.claims(q["nonce"], email, roles)
    claims[LTI + "custom"] = {"iom_view": view} if view else {}
    resp = launcher.post(sign(claims, launcher.key), q["state"])
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return urlsplit(resp.headers["Location"])


def test_a_placed_resource_opens_what_was_placed(launcher: Launcher, seeded: dict[str, Route]) -> None:
    assert _landing(launcher, "teacher1@school.ru", "card").path == f"/card/{seeded['t1'].number}"
    assert _landing(launcher, "teacher1@school.ru", None).path == f"/card/{seeded['t1'].number}"
    assert _landing(launcher, "teacher1@school.ru", "dashboard").path == "/dashboard"
    report = _landing(launcher, "centre@cnppm.ru", "report", [INSTRUCTOR])
    assert (report.path, report.fragment) == ("/dashboard", "h-report")
    events = _landing(launcher, "teacher1@school.ru", "events")
    assert events.path == "/events"
    page = launcher.client.get(f"/events?{events.query}")
    assert page.status_code == 200
    assert "Ближайшие мероприятия" in page.get_data(as_text=True)
    lid = parse_qs(events.query)["lid"][0]
    assert launcher.client.get("/events").status_code == 401  # no launch, no page
    assert lid


def test_upcoming_events_are_open_dated_and_not_over(seeded: dict[str, Route]) -> None:
    today = date(2026, 11, 1)
    route = seeded["t1"]
    acts = (
        Activity("1", ActivityCategory.KNOWLEDGE, "Прошло", start=date(2026, 10, 1), end=date(2026, 10, 2)),
        Activity("2", ActivityCategory.KNOWLEDGE, "Идёт", start=date(2026, 10, 20), end=date(2026, 11, 5)),
        Activity("3", ActivityCategory.KNOWLEDGE, "Скоро", start=date(2026, 11, 10), organiser="ИРО"),
        Activity("4", ActivityCategory.KNOWLEDGE, "Выполнено", start=date(2026, 11, 10), done=True),
        Activity("5", ActivityCategory.KNOWLEDGE, "Без даты"),
    )
    routes = [replace(route, activities=acts), replace(seeded["t2"], activities=acts[2:3])]
    found = upcoming_events(routes, today)
    assert [e.title for e in found] == ["Идёт", "Скоро"]  # the same event in two routes is one row
    assert found[1].organiser == "ИРО"

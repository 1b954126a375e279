"""The simulator's LTI 1.3 platform: keys, the launch flow, and the id_token a real Moodle would send."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from moodle_sim.lti import (
    INSTITUTION_ADMIN,
    INSTRUCTOR,
    LEARNER,
    LTI,
    SYSTEM_ADMIN,
    LtiPlatform,
    PlatformCourse,
    PlatformUser,
    ToolActivity,
    lti_blueprint,
)

# Bodies recorded on a real Moodle 5.1 (tests/fixtures/moodle/NOTES.md).
BODIES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"
BASE = "http://127.0.0.1:8081"
TOOL = "http://localhost:8000"


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_374_658.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def platform(clock: Clock) -> LtiPlatform:
    p = LtiPlatform(issuer=BASE, clock=clock)
    tool = p.register_tool(
        "ИОМ педагога",
        login_url=f"{TOOL}/lti/login",
        redirect_uris=[f"{TOOL}/lti/launch"],
        jwks_url=f"{TOOL}/lti/jwks",
    )
    p.add_course(PlatformCourse(7, "ИОМ-2026", "Индивидуальные образовательные маршруты", "IOM-2026"))
    p.add_user(PlatformUser(10, "teacher1", "Мария", "Иванова", "teacher1@school.ru", "teacher", "T-1"))
    p.add_user(PlatformUser(11, "curator1", "Ольга", "Смирнова", "curator1@ipk.ru", "curator"))
    p.add_user(PlatformUser(12, "head1", "Анна", "Петрова", "head1@school.ru", "head"))
    p.add_user(PlatformUser(13, "centre1", "Игорь", "Волков", "centre1@ipk.ru", "centre"))
    p.add_activity(ToolActivity(21, 3, 7, tool.client_id, "Мой маршрут (ИОМ)", "Карта маршрута"))
    return p


@pytest.fixture
def client(platform: LtiPlatform) -> FlaskClient:
    app = Flask(__name__)
    app.register_blueprint(lti_blueprint(platform))
    return app.test_client()


def form_of(html: str) -> tuple[str, dict[str, str]]:
    """The auto-submitted form of a page: its action and hidden fields."""
    action = re.search(r'<form[^>]*action="([^"]*)"', html)
    assert action, html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}


def auth_params(login: dict[str, str], **overrides: str) -> dict[str, str]:
    """What a tool sends to auth.php after receiving the initiation ``login``."""
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": login["client_id"],
        "redirect_uri": f"{TOOL}/lti/launch",
        "login_hint": login["login_hint"],
        "lti_message_hint": login["lti_message_hint"],
        "state": "st123",
        "nonce": "nonce123",
    }
    params.update(overrides)
    return params


def initiate(client: FlaskClient, user: str = "teacher1", cmid: int = 21) -> dict[str, str]:
    resp = client.get(f"/mod/lti/launch.php?id={cmid}&user={user}")
    assert resp.status_code == 200
    action, fields = form_of(resp.get_data(as_text=True))
    assert action == f"{TOOL}/lti/login"
    return fields


def verify(platform_jwks: dict[str, Any], token: str, audience: str) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in platform_jwks["keys"] if k["kid"] == kid)
    decoded: dict[str, Any] = jwt.decode(
        token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=audience, issuer=BASE, leeway=10**10
    )
    return decoded


def launch(client: FlaskClient, user: str = "teacher1") -> tuple[str, dict[str, str], dict[str, str]]:
    login = initiate(client, user)
    resp = client.get("/mod/lti/auth.php?" + urlencode(auth_params(login)))
    assert resp.status_code == 200
    action, fields = form_of(resp.get_data(as_text=True))
    return action, fields, login


def test_jwks_and_openid_configuration_have_moodles_shape(client: FlaskClient, platform: LtiPlatform) -> None:
    recorded = json.loads((BODIES / "lti_certs__jwks_get.json").read_text())["response"]
    jwks = client.get("/mod/lti/certs.php").get_json()
    assert list(jwks["keys"][0]) == list(recorded["keys"][0])
    assert jwks["keys"][0]["kid"] == platform.kid
    assert jwks["keys"][0]["alg"] == "RS256"

    conf = client.get("/mod/lti/openid-configuration.php").get_json()
    assert conf["issuer"] == BASE
    assert conf["jwks_uri"] == f"{BASE}/mod/lti/certs.php"
    assert conf["authorization_endpoint"] == f"{BASE}/mod/lti/auth.php"


def test_launch_posts_the_oidc_initiation_moodle_sends(client: FlaskClient, platform: LtiPlatform) -> None:
    login = initiate(client)
    tool = next(iter(platform.tools.values()))
    assert login["iss"] == BASE
    assert login["login_hint"] == "10"
    assert login["client_id"] == tool.client_id
    assert login["lti_deployment_id"] == tool.deployment_id
    assert login["target_link_uri"] == f"{TOOL}/lti/launch"
    hint = json.loads(login["lti_message_hint"])
    assert set(hint) == {"cmid", "launchid"}
    assert hint["cmid"] == 21


def test_user_may_be_given_by_id_as_well_as_username(client: FlaskClient) -> None:
    assert initiate(client, user="12")["login_hint"] == "12"


def test_auth_posts_a_signed_id_token_with_the_claims_of_a_real_moodle(
    client: FlaskClient, platform: LtiPlatform
) -> None:
    action, fields, login = launch(client)
    assert action == f"{TOOL}/lti/launch"
    assert fields["state"] == "st123"
    token = fields["id_token"]
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": platform.kid, "typ": "JWT"}
    claims = verify(client.get("/mod/lti/certs.php").get_json(), token, login["client_id"])

    recorded = json.loads((BODIES / "lti_id_token__claims.json").read_text())["payload"]
    # Same claims as Moodle, less the grade service (the tool does not accept grades).
    assert set(claims) == set(recorded) - {"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"}
    for name in (LTI + "lis", LTI + "context", LTI + "resource_link", LTI + "ext", LTI + "tool_platform"):
        assert set(claims[name]) == set(recorded[name]), name
    assert claims["iss"] == BASE
    assert claims["aud"] == login["client_id"]
    assert claims["sub"] == "10"
    assert claims["nonce"] == "nonce123"
    assert claims["exp"] - claims["iat"] == 60
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert claims[LTI + "deployment_id"] == login["lti_deployment_id"]
    assert claims[LTI + "context"] == {
        "id": "7",
        "label": "ИОМ-2026",
        "title": "Индивидуальные образовательные маршруты",
        "type": ["CourseSection"],
    }
    assert claims[LTI + "resource_link"]["id"] == "3"
    assert claims[LTI + "lis"] == {"person_sourcedid": "T-1", "course_section_sourcedid": "IOM-2026"}
    assert (claims["given_name"], claims["family_name"], claims["name"]) == (
        "Мария",
        "Иванова",
        "Мария Иванова",
    )
    assert claims["email"] == "teacher1@school.ru"
    assert claims[LTI + "ext"] == {"user_username": "teacher1", "lms": "moodle-2"}
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"


@pytest.mark.parametrize(
    ("user", "roles"),
    [
        ("teacher1", [LEARNER]),
        ("curator1", [INSTRUCTOR]),
        ("head1", [INSTRUCTOR]),
        ("centre1", [INSTRUCTOR, SYSTEM_ADMIN, INSTITUTION_ADMIN]),
    ],
)
def test_roles_follow_moodles_mapping(client: FlaskClient, user: str, roles: list[str]) -> None:
    _, fields, login = launch(client, user)
    claims = verify(client.get("/mod/lti/certs.php").get_json(), fields["id_token"], login["client_id"])
    assert claims[LTI + "roles"] == roles


def test_a_token_signed_by_another_key_does_not_verify(client: FlaskClient) -> None:
    _, fields, login = launch(client)
    other = LtiPlatform(issuer=BASE).jwks()["keys"][0]
    forged = {"keys": [{**other, "kid": jwt.get_unverified_header(fields["id_token"])["kid"]}]}
    with pytest.raises(jwt.InvalidSignatureError):
        verify(forged, fields["id_token"], login["client_id"])


@pytest.mark.parametrize(
    ("override", "why"),
    [
        ({"client_id": "nope"}, "client_id"),
        ({"redirect_uri": "http://evil.example/lti/launch"}, "redirect_uri"),
    ],
)
def test_auth_refuses_unknown_clients_and_unregistered_redirects(
    client: FlaskClient, override: dict[str, str], why: str
) -> None:
    login = initiate(client)
    resp = client.get("/mod/lti/auth.php?" + urlencode(auth_params(login, **override)))
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert why in text
    assert "id_token" not in text


def test_auth_answers_a_wrong_login_hint_with_an_oidc_error(client: FlaskClient) -> None:
    login = initiate(client)
    resp = client.post("/mod/lti/auth.php", data=auth_params(login, login_hint="11"))
    action, fields = form_of(resp.get_data(as_text=True))
    assert action == f"{TOOL}/lti/launch"
    assert fields["error"] == "login_required"
    assert fields["state"] == "st123"
    assert "id_token" not in fields


def test_a_launch_is_redeemed_once_and_expires(client: FlaskClient, clock: Clock) -> None:
    login = initiate(client)
    client.get("/mod/lti/auth.php?" + urlencode(auth_params(login)))
    again = client.get("/mod/lti/auth.php?" + urlencode(auth_params(login)))
    assert form_of(again.get_data(as_text=True))[1]["error"] == "invalid_request"

    late = initiate(client)
    clock.now += 601
    resp = client.get("/mod/lti/auth.php?" + urlencode(auth_params(late)))
    assert form_of(resp.get_data(as_text=True))[1]["error"] == "invalid_request"


def test_auth_requires_a_nonce(client: FlaskClient) -> None:
    login = initiate(client)
    resp = client.get("/mod/lti/auth.php?" + urlencode(auth_params(login, nonce="")))
    assert form_of(resp.get_data(as_text=True))[1]["error"] == "invalid_request"


def test_unknown_user_or_module_is_a_clear_error(client: FlaskClient) -> None:
    assert client.get("/mod/lti/launch.php?id=21&user=nobody").status_code == 400
    assert "не найден" in client.get("/mod/lti/launch.php?id=99&user=teacher1").get_data(as_text=True)


def test_course_page_embeds_the_tool_for_the_chosen_user(client: FlaskClient) -> None:
    html = client.get("/course/view.php?id=7&user=curator1").get_data(as_text=True)
    assert "Индивидуальные образовательные маршруты" in html
    assert 'src="/mod/lti/launch.php?id=21&amp;user=11"' in html
    for who in ("педагог: Иванова М.", "куратор: Смирнова О.", "руководитель ОО: Петрова А."):
        assert who in html
    assert "Ольга Смирнова</strong> (куратор)" in html


def test_course_page_without_a_user_shows_the_switcher_and_no_launch(client: FlaskClient) -> None:
    html = client.get("/course/view.php?id=7").get_data(as_text=True)
    assert "launch.php" not in html
    assert "Войти как" in html
    assert client.get("/course/view.php?id=999").status_code == 404


def test_my_courses_lists_the_platform_courses_and_keeps_the_user(client: FlaskClient) -> None:
    html = client.get("/my/courses.php?user=teacher1").get_data(as_text=True)
    assert 'href="/course/view.php?id=7&amp;user=teacher1"' in html
    assert 'href="/my/courses.php?user=curator1"' in html  # the switcher stays on this page

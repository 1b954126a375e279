"""LTI Dynamic Registration at /lti/register, against a platform that answers as Moodle 5.1 does
(its OpenID configuration and registration answer are recordings from the real Moodle lab)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.platforms import REGION
from lms_bridge.domain.route import Route
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import (
    AUTH_URL,
    CLIENT_ID,
    ISSUER,
    JWKS_URL,
    MOODLE_BODIES,
    TOOL,
    Launcher,
    PlatformKey,
)

CONFIG_URL = ISSUER + "/mod/lti/openid-configuration.php"
REGISTRATION_URL = ISSUER + "/mod/lti/openid-registration.php"
TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.registration.token"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
RECORDED_LAB = "http://127.0.0.1:8080"
SDO = "https://sdo.example.ru"
OPENID = "/mod/lti/openid-configuration.php"


def _recorded(name: str) -> dict[str, Any]:
    """A recorded Moodle answer, moved from the lab's address to the test platform's."""
    text = (MOODLE_BODIES / f"{name}.json").read_text(encoding="utf-8")
    body: dict[str, Any] = json.loads(text.replace(RECORDED_LAB, ISSUER))
    return body


def openid_configuration(**changes: Any) -> dict[str, Any]:
    body = _recorded("lti_openid_configuration__dynreg_get_by_tool")["response"]
    body.update(changes)
    return body


def registration_answer(client_id: str = CLIENT_ID, deployment_id: str = "1") -> dict[str, Any]:
    answer = _recorded("lti_openid_registration__ok")["response"]
    answer["client_id"] = client_id
    answer[TOOL_CONFIGURATION]["deployment_id"] = deployment_id
    return answer


@pytest.fixture
def platform(jwks_server: responses.RequestsMock) -> responses.RequestsMock:
    jwks_server.get(CONFIG_URL, json=openid_configuration())
    jwks_server.post(REGISTRATION_URL, json=registration_answer())
    return jwks_server


@pytest.fixture
def app(settings: Settings, store: SqlRouteStore, platform: responses.RequestsMock) -> Flask:  # noqa: ARG001
    """The tool with no platform configured: dynamic registration must bring it."""
    return build_web_app(settings.model_copy(update={"lti_platforms": []}), store=store)


@pytest.fixture
def launches(store: SqlRouteStore) -> SqlLaunchStore:
    return SqlLaunchStore(store.engine)


def _query(code: str, **changes: str) -> dict[str, str]:
    return {"code": code, "openid_configuration": CONFIG_URL, "registration_token": TOKEN, **changes}


def _form_token(html: str) -> str:
    marker = 'name="form_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def _register(client: FlaskClient, code: str) -> Any:
    page = client.get("/lti/register", query_string=_query(code))
    assert page.status_code == 200, page.get_data(as_text=True)
    form = {**_query(code), "form_token": _form_token(page.get_data(as_text=True))}
    return client.post("/lti/register", data=form)


def _registration_posts(rsps: responses.RequestsMock) -> list[Any]:
    return [c.request for c in rsps.calls if c.request.url == REGISTRATION_URL]


def test_admin_sees_what_will_be_registered(client: FlaskClient, launches: SqlLaunchStore) -> None:
    code, _ = launches.new_registration_code(60)
    page = client.get("/lti/register", query_string=_query(code))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("ИОМ педагога (lms-bridge)", ISSUER, "moodle 5.1+", "журнал оценок", "Deep Linking"):
        assert words in html
    assert 'method="post"' in html
    # Moodle frames the page before it is a registered platform
    assert f"frame-ancestors 'self' {ISSUER}" in page.headers["Content-Security-Policy"]
    assert launches.list_platforms() == []  # nothing happens until the button is pressed


def test_registration_sends_the_client_registration_and_stores_the_platform(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    code, _ = launches.new_registration_code(60)
    done = _register(client, code)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Инструмент зарегистрирован" in done.get_data(as_text=True)
    assert "/static/lti-close.js" in done.get_data(as_text=True)
    assert "script-src 'self'" in done.headers["Content-Security-Policy"]

    (sent,) = _registration_posts(platform)
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    body = json.loads(sent.body)
    assert body["redirect_uris"] == [TOOL + "/lti/launch"]
    assert body["initiate_login_uri"] == TOOL + "/lti/login"
    assert body["jwks_uri"] == TOOL + "/lti/jwks"
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    scopes = body["scope"].split()
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in scopes
    assert "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly" in scopes
    tool = body[TOOL_CONFIGURATION]
    assert tool["domain"] == "localhost:5000"  # Moodle: host[:port] of target_link_uri, port included
    assert tool["target_link_uri"] == TOOL + "/lti/launch"
    assert set(tool["claims"]) == {"iss", "sub", "name", "given_name", "family_name", "email"}
    assert {m["type"] for m in tool["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}

    (stored,) = launches.list_platforms()
    assert (stored.issuer, stored.client_id, stored.deployment_ids) == (ISSUER, CLIENT_ID, ("1",))
    assert (stored.auth_url, stored.jwks_url) == (AUTH_URL, JWKS_URL)
    assert stored.token_url == ISSUER + "/mod/lti/token.php"


def test_the_close_script_posts_the_close_message(client: FlaskClient) -> None:
    script = client.get("/static/lti-close.js")
    assert script.status_code == 200
    text = script.get_data(as_text=True)
    assert 'subject: "org.imsglobal.lti.close"' in text
    assert "window.parent.postMessage" in text
    assert "window.opener.postMessage" in text


def test_a_registered_platform_can_launch(
    client: FlaskClient,
    launches: SqlLaunchStore,
    claims_template: dict[str, Any],
    platform_key: PlatformKey,
    seeded: dict[str, Route],
) -> None:
    code, _ = launches.new_registration_code(60)
    assert _register(client, code).status_code == 200
    (stored,) = launches.list_platforms()
    launches.add_platform(replace(stored, scope=REGION))  # what `lti add-platform --region` does
    client.application.extensions["lms_bridge"].forget_platforms()  # else re-read within 30 s
    resp = Launcher(client, claims_template, platform_key).launch("teacher1@school.ru")
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert resp.headers["Location"].startswith(f"/card/{seeded['t1'].number}?lid=")


@pytest.mark.usefixtures("seeded")
def test_a_registered_platform_speaks_for_nobody_until_given_a_scope(
    client: FlaskClient,
    launches: SqlLaunchStore,
    claims_template: dict[str, Any],
    platform_key: PlatformKey,
) -> None:
    assert _register(client, launches.new_registration_code(60)[0]).status_code == 200
    refused = Launcher(client, claims_template, platform_key).launch("teacher1@school.ru")
    assert refused.status_code == 403
    assert "не связана ни с одной организацией" in refused.get_data(as_text=True)


def test_a_code_made_for_the_region_gives_the_platform_its_scope(
    client: FlaskClient,
    launches: SqlLaunchStore,
    claims_template: dict[str, Any],
    platform_key: PlatformKey,
    seeded: dict[str, Route],
) -> None:
    """`lti registration-url --region`: the platform may launch at once, and keeps its scope when a
    later registration of the same Moodle comes with a code that names none."""
    assert _register(client, launches.new_registration_code(60, REGION)[0]).status_code == 200
    (stored,) = launches.list_platforms()
    assert stored.scope == REGION
    assert "lti-ags/scope/score" in " ".join(stored.services or ())  # what Moodle granted is recorded
    resp = Launcher(client, claims_template, platform_key).launch("teacher1@school.ru")
    assert resp.headers["Location"].startswith(f"/card/{seeded['t1'].number}?lid=")
    assert _register(client, launches.new_registration_code(60)[0]).status_code == 200
    (again,) = launches.list_platforms()
    assert again.scope == REGION


def test_a_code_is_used_once(client: FlaskClient, launches: SqlLaunchStore) -> None:
    code, _ = launches.new_registration_code(60)
    assert _register(client, code).status_code == 200
    again = client.get("/lti/register", query_string=_query(code))
    assert again.status_code == 400
    assert "код регистрации уже использован" in again.get_data(as_text=True)


def test_registering_again_updates_not_duplicates(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    assert _register(client, launches.new_registration_code(60)[0]).status_code == 200
    platform.replace(responses.POST, REGISTRATION_URL, json=registration_answer(deployment_id="7"))
    assert _register(client, launches.new_registration_code(60)[0]).status_code == 200
    (stored,) = launches.list_platforms()
    assert stored.deployment_ids == ("7",)


def test_unknown_and_expired_codes_are_refused(
    client: FlaskClient, store: SqlRouteStore, platform: responses.RequestsMock
) -> None:
    bad = client.get("/lti/register", query_string=_query("guessed"))
    assert bad.status_code == 400
    assert "код регистрации (code) неверен" in bad.get_data(as_text=True)
    yesterday = SqlLaunchStore(store.engine, clock=lambda: datetime.now() - timedelta(days=1))
    old, _ = yesterday.new_registration_code(60)
    expired = client.get("/lti/register", query_string=_query(old))
    assert expired.status_code == 400
    assert "срок действия кода регистрации истёк" in expired.get_data(as_text=True)
    assert not [c for c in platform.calls if c.request.url == CONFIG_URL]  # no code, no contact


def test_a_forged_form_is_refused(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    code, _ = launches.new_registration_code(60)
    client.get("/lti/register", query_string=_query(code))
    forged = client.post("/lti/register", data={**_query(code), "form_token": "attacker"})
    assert forged.status_code == 400
    assert "форма регистрации устарела или подделана" in forged.get_data(as_text=True)
    assert _registration_posts(platform) == []
    assert launches.list_platforms() == []


def test_issuer_not_the_configuration_origin_is_refused(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    platform.replace(responses.GET, CONFIG_URL, json=openid_configuration(issuer="http://evil.example"))
    code, _ = launches.new_registration_code(60)
    resp = client.get("/lti/register", query_string=_query(code))
    assert resp.status_code == 400
    text = resp.get_data(as_text=True)
    assert "issuer платформы (http://evil.example) не совпадает" in text
    assert ISSUER in text


def test_a_configuration_that_is_not_an_lti_platform_is_refused(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    body = openid_configuration()
    del body["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    platform.replace(responses.GET, CONFIG_URL, json=body)
    resp = client.get("/lti/register", query_string=_query(launches.new_registration_code(60)[0]))
    assert resp.status_code == 400
    assert "не платформы LTI" in resp.get_data(as_text=True)


def test_the_platforms_refusal_is_shown_and_the_code_kept(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    recorded = _recorded("lti_openid_registration__domain_other_host_mismatch_error")
    platform.replace(
        responses.POST,
        REGISTRATION_URL,
        body=recorded["response"]["raw"],
        status=recorded["http_status"],
        content_type=recorded["content_type"],
    )
    code, _ = launches.new_registration_code(60)
    resp = _register(client, code)
    assert resp.status_code == 400
    refusal = "платформа отказала в регистрации (400): domain_targetlinkuri_mismatch"
    assert refusal in resp.get_data(as_text=True)
    assert launches.list_platforms() == []
    platform.replace(responses.POST, REGISTRATION_URL, json=registration_answer())
    assert _register(client, code).status_code == 200  # the refused attempt did not use the code up


def test_an_html_error_page_is_named_a_token_problem(
    client: FlaskClient, launches: SqlLaunchStore, platform: responses.RequestsMock
) -> None:
    page = "<!DOCTYPE html><html><head><title>Error | lmslab</title></head><body>Exception</body></html>"
    platform.replace(responses.POST, REGISTRATION_URL, body=page, status=404, content_type="text/html")
    resp = _register(client, launches.new_registration_code(60)[0])
    assert resp.status_code == 400
    assert "регистрационный токен не принят" in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("config_url", "issuer", "accepted"),
    [
        (f"{SDO}/moodle{OPENID}", f"{SDO}/moodle", True),
        (f"{SDO}{OPENID}", f"{SDO}/", True),
        (f"{SDO}/moodle{OPENID}", f"{SDO}/other", False),
        (f"{SDO}{OPENID}", f"{SDO}:8443", False),
        (f"{SDO}{OPENID}", "http://sdo.example.ru", False),
    ],
)
def test_issuer_is_the_configurations_site(config_url: str, issuer: str, *, accepted: bool) -> None:
    """Moodle's issuer is its wwwroot: the origin, or the origin and the folder Moodle lives in."""
    from lms_bridge.errors import RegistrationError
    from lms_bridge.web.lti.registration import fetch_configuration

    with responses.RequestsMock() as rsps:
        rsps.get(config_url, json=openid_configuration(issuer=issuer))
        if accepted:
            assert fetch_configuration(requests.Session(), config_url).issuer == issuer.rstrip("/")
        else:
            with pytest.raises(RegistrationError, match="не совпадает с адресом конфигурации"):
                fetch_configuration(requests.Session(), config_url)

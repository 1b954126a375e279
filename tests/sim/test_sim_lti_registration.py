"""The simulator's LTI platform answers Dynamic Registration as Moodle 5.1 does; the tool registers there."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from moodle_sim.lti import LtiPlatform, lti_blueprint
from moodle_sim.lti_registration import TOOL_CONFIGURATION
from moodle_sim.lti_registration import registration_token as new_token

BASE = "http://127.0.0.1:8081"
TOOL = "http://localhost:5000"


@pytest.fixture
def platform() -> LtiPlatform:
    return LtiPlatform(issuer=BASE)


@pytest.fixture
def sim(platform: LtiPlatform) -> FlaskClient:
    app = Flask(__name__)
    app.register_blueprint(lti_blueprint(platform))
    return app.test_client()


def _via(sim: FlaskClient) -> Any:
    """A ``responses`` callback that hands the tool's request to the simulator."""

    def forward(req: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(req.url or "")
        resp = sim.open(
            url.path, method=req.method, query_string=url.query, data=req.body, headers=dict(req.headers)
        )
        return resp.status_code, {"Content-Type": resp.content_type}, resp.get_data()

    return forward


def _body(**changes: Any) -> dict[str, Any]:
    from lms_bridge.web.lti.registration import client_registration

    body = client_registration(TOOL)
    body.update(changes)
    return body


def test_the_tool_registers_itself_with_the_simulator(
    sim: FlaskClient, platform: LtiPlatform, db_url: str, store: SqlRouteStore
) -> None:
    settings = Settings(database_url=db_url, public_url=TOOL, lti_private_key_path="/nonexistent/key.pem")
    tool_app = build_web_app(settings, store=store)
    tool = tool_app.test_client(use_cookies=False)
    code, _ = SqlLaunchStore(store.engine).new_registration_code(60)
    # the admin pastes the registration URL into «Add LTI Advantage»: Moodle redirects the frame to it
    start = sim.get(
        "/mod/lti/startltiadvregistration.php", query_string={"url": f"{TOOL}/lti/register?code={code}"}
    )
    assert start.status_code == 302
    target = urlsplit(start.headers["Location"])
    assert parse_qs(target.query)["openid_configuration"] == [f"{BASE}/mod/lti/openid-configuration.php"]
    with responses.RequestsMock() as rsps:
        rsps.add_callback(responses.GET, f"{BASE}/mod/lti/openid-configuration.php", _via(sim))
        rsps.add_callback(responses.POST, f"{BASE}/mod/lti/openid-registration.php", _via(sim))
        page = tool.get(f"{target.path}?{target.query}")
        assert page.status_code == 200, page.get_data(as_text=True)
        html = page.get_data(as_text=True)
        marker = 'name="form_token" value="'
        form_token = html[html.index(marker) + len(marker) :].split('"', 1)[0]
        form = {k: v[0] for k, v in parse_qs(target.query).items()} | {"form_token": form_token}
        done = tool.post("/lti/register", data=form)
    assert done.status_code == 200, done.get_data(as_text=True)
    (registered,) = platform.tools.values()
    (stored,) = SqlLaunchStore(store.engine).list_platforms()
    assert (stored.issuer, stored.client_id, stored.deployment_ids) == (
        BASE,
        registered.client_id,
        (registered.deployment_id,),
    )
    assert stored.auth_url == f"{BASE}/mod/lti/auth.php"
    assert registered.redirect_uris == (f"{TOOL}/lti/launch",)
    assert registered.login_url == f"{TOOL}/lti/login"
    assert registered.jwks_url == f"{TOOL}/lti/jwks"


def _post(sim: FlaskClient, body: Any, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return sim.post("/mod/lti/openid-registration.php", data=json.dumps(body), headers=headers)


def test_registration_errors_are_moodles(sim: FlaskClient, platform: LtiPlatform) -> None:
    token = new_token(platform)
    assert (_post(sim, _body(), None).status_code, _post(sim, _body(), None).get_data(as_text=True)) == (
        401,
        "missing_registration_token",
    )
    assert _post(sim, _body(), "not.a.jwt").status_code == 404
    bad_domain = _body()
    bad_domain[TOOL_CONFIGURATION] = {**bad_domain[TOOL_CONFIGURATION], "domain": "localhost"}
    refused = _post(sim, bad_domain, token)
    assert (refused.status_code, refused.get_data(as_text=True)) == (400, "domain_targetlinkuri_mismatch")
    missing = _post(sim, _body(jwks_uri=""), token)
    assert missing.get_data(as_text=True) == "missing required attribute jwks_uri"
    ok = _post(sim, _body(), token)  # failed attempts did not use the token up
    assert ok.status_code == 200
    answer = ok.get_json()
    assert answer[TOOL_CONFIGURATION]["deployment_id"] == "1"
    assert [m["type"] for m in answer[TOOL_CONFIGURATION]["messages"]] == ["LtiDeepLinkingRequest"]
    again = _post(sim, _body(), token)
    assert (again.status_code, again.get_data(as_text=True)) == (401, "token_already_used")

"""The simulator's token endpoint and AGS endpoints refuse what Moodle 5.1 refuses, the way it does."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from lms_bridge.web.lti.keys import generate_pem, public_jwks
from moodle_sim.lti import LtiPlatform, PlatformCourse, PlatformUser, Tool, ToolActivity, lti_blueprint
from moodle_sim.lti_claims import LineItem
from moodle_sim.lti_registration import SUPPORTED_SCOPES

BASE = "http://127.0.0.1:8081"
PEM = generate_pem()
JWKS = public_jwks(PEM)
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "/mod/lti/services.php/7/lineitems/55/lineitem"


@pytest.fixture
def platform() -> LtiPlatform:
    p = LtiPlatform(issuer=BASE)
    p.fetch_json = lambda _url: JWKS
    p.add_course(PlatformCourse(7, "ИОМ-2026", "Маршруты"))
    p.add_user(PlatformUser(10, "teacher1", "Мария", "Иванова", "teacher1@school.ru", "teacher"))
    return p


@pytest.fixture
def tool(platform: LtiPlatform) -> Tool:
    t = platform.register_tool(
        "ИОМ",
        login_url="http://t/lti/login",
        redirect_uris=["http://t/lti/launch"],
        jwks_url="http://t/lti/jwks",
        scopes=SUPPORTED_SCOPES,
    )
    platform.add_activity(
        ToolActivity(31, 31, 7, t.client_id, "Мой маршрут (ИОМ)", line_item=LineItem(55, 100.0))
    )
    return t


@pytest.fixture
def sim(platform: LtiPlatform) -> FlaskClient:
    app = Flask(__name__)
    app.register_blueprint(lti_blueprint(platform))
    return app.test_client()


def _assertion(client_id: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": "x",
        "iat": now,
        "exp": now + 300,
        "jti": "j",
        **changes,
    }
    return jwt.encode(claims, PEM, algorithm="RS256", headers={"kid": JWKS["keys"][0]["kid"]})


def _token(sim: FlaskClient, client_id: str, scope: str = SCORE, **changes: Any) -> Any:
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion(client_id, **changes),
        "scope": scope,
    }
    return sim.post("/mod/lti/token.php", data=form)


def test_token_answers_and_refusals(sim: FlaskClient, tool: Tool) -> None:
    ok = _token(sim, tool.client_id, f"{SCORE} openid")
    assert ok.status_code == 200
    assert ok.content_type.startswith("text/html")
    body = json.loads(ok.get_data())
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 3600, SCORE)
    assert json.loads(_token(sim, "nosuchclient").get_data()) == {"error": "invalid_client"}
    assert json.loads(_token(sim, tool.client_id, "openid").get_data()) == {"error": "invalid_scope"}
    expired = _token(sim, tool.client_id, exp=int(time.time()) - 10, iat=int(time.time()) - 400)
    assert json.loads(expired.get_data()) == {"error": "Expired token"}
    as_json = sim.post("/mod/lti/token.php", json={"grant_type": "client_credentials"})
    assert json.loads(as_json.get_data()) == {"error": "invalid_request"}


def _score(
    sim: FlaskClient, token: str, content_type: str = "application/vnd.ims.lis.v1.score+json", **body: Any
) -> Any:
    score = {
        "userId": "10",
        "scoreGiven": 40,
        "scoreMaximum": 100,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": "2026-12-02T00:22:28.009Z",
        "comment": "40 из 100",
        **body,
    }
    return sim.post(
        f"{LINEITEM}/scores?type_id=1",
        data=json.dumps({k: v for k, v in score.items() if v is not None}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )


def test_scores_as_moodle_takes_them(sim: FlaskClient, tool: Tool, platform: LtiPlatform) -> None:
    token = json.loads(_token(sim, tool.client_id).get_data())["access_token"]
    assert _score(sim, "wrong").status_code == 401
    assert _score(sim, token, content_type="application/json").get_data(as_text=True) == "No handler found"
    missing = _score(sim, token, timestamp=None)
    assert (missing.status_code, missing.get_data(as_text=True)) == (400, "[]")
    assert missing.status.startswith("400 Incorrect score received")
    ok = _score(sim, token)
    assert (ok.status_code, ok.get_data(as_text=True)) == (200, "")
    assert platform.grades[(55, 10)].raw == 40
    older = _score(sim, token, timestamp="2026-12-01T23:22:29.262Z")
    assert older.status == "409 Refusing score with an earlier timestamp for item 55 and user 10"
    scaled = _score(sim, token, scoreGiven=7.5, scoreMaximum=10, timestamp="2026-12-02T01:00:00Z")
    assert scaled.status_code == 200
    assert platform.grades[(55, 10)].raw == 75
    # results need result.readonly: the score-only token is refused
    assert (
        sim.get(f"{LINEITEM}/results?type_id=1", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )

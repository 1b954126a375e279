"""The AGS client against Moodle 5.1's recorded answers: the client-credentials token (a JWT client
assertion signed by the tool's key, cached until it expires), scores, and Moodle's odd error bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
import pytest
import requests
import responses

from lms_bridge.adapters.lti_ags import SCORE, AgsClient, AgsError, ToolKey
from lms_bridge.web.lti.keys import generate_pem, public_jwks

BODIES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"
ISSUER = "http://127.0.0.1:8080"
TOKEN_URL = ISSUER + "/mod/lti/token.php"
LINEITEM = ISSUER + "/mod/lti/services.php/5/lineitems/8/lineitem?type_id=2"
SCORES = ISSUER + "/mod/lti/services.php/5/lineitems/8/lineitem/scores?type_id=2"
PEM = generate_pem()
JWK = public_jwks(PEM)["keys"][0]


def recorded(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((BODIES / f"{name}.json").read_text(encoding="utf-8"))
    return body


class Clock:
    def __init__(self) -> None:
        self.now = 1_796_170_946.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> AgsClient:
    return AgsClient("2TosctidTGmw4Oa", TOKEN_URL, ToolKey(PEM, JWK["kid"]), requests.Session(), clock)


def _token_answer(rsps: responses.RequestsMock, **changes: Any) -> None:
    answer = recorded("lti_token__ok_all_scopes")
    body = {**answer["response"], "access_token": "tok-1", **changes}
    # Moodle answers JSON under text/html
    rsps.post(TOKEN_URL, body=json.dumps(body), content_type=answer["content_type"])


def test_token_request_is_a_signed_client_assertion_and_is_cached(client: AgsClient, clock: Clock) -> None:
    with responses.RequestsMock() as rsps:
        _token_answer(rsps)
        assert client.token((SCORE,)) == "tok-1"
        clock.now += 3000  # still inside expires_in (3600) less a minute
        assert client.token((SCORE,)) == "tok-1"
        assert len(rsps.calls) == 1
        form = {k: v[0] for k, v in parse_qs(str(rsps.calls[0].request.body)).items()}
        assert rsps.calls[0].request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert form["scope"] == SCORE
    assertion = form["client_assertion"]
    assert jwt.get_unverified_header(assertion)["kid"] == JWK["kid"]
    claims = jwt.decode(
        assertion, jwt.PyJWK(JWK).key, algorithms=["RS256"], audience=TOKEN_URL, options={"verify_exp": False}
    )
    assert claims["iss"] == claims["sub"] == "2TosctidTGmw4Oa"
    assert claims["jti"]


def test_an_expiring_token_is_renewed(client: AgsClient, clock: Clock) -> None:
    with responses.RequestsMock() as rsps:
        _token_answer(rsps)
        client.token((SCORE,))
        clock.now += 3560  # within the last minute of its hour
        client.token((SCORE,))
        assert len(rsps.calls) == 2


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("lti_token__error_unknown_client", "invalid_client"),
        ("lti_token__error_signed_with_unknown_key", "kid"),
    ],
)
def test_token_refusals_are_named(client: AgsClient, name: str, words: str) -> None:
    answer = recorded(name)
    response = answer["response"]
    raw = response["raw"] if "raw" in response else json.dumps(response)
    with responses.RequestsMock() as rsps:
        rsps.post(TOKEN_URL, body=raw, status=answer["http_status"], content_type="text/html")
        with pytest.raises(AgsError, match=words):
            client.token((SCORE,))


def test_score_is_posted_as_moodle_wants_it(client: AgsClient) -> None:
    with responses.RequestsMock() as rsps:
        _token_answer(rsps)
        rsps.post(SCORES, body="", status=200)
        client.post_score(LINEITEM, "3", 40.0, 100.0, "Маршрут: в работе")
        sent = rsps.calls[1].request
    assert sent.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert sent.headers["Authorization"] == "Bearer tok-1"
    body = json.loads(sent.body or b"")
    want = recorded("lti_ags_score__post_ok")["request"]
    assert set(body) == set(want)
    assert (body["activityProgress"], body["gradingProgress"]) == ("Completed", "FullyGraded")
    assert body["timestamp"].endswith("Z")


def test_a_refused_score_says_why_from_the_status_line(client: AgsClient) -> None:
    with responses.RequestsMock() as rsps:
        _token_answer(rsps)
        rsps.post(SCORES, body="[]", status=409)
        with pytest.raises(AgsError, match="409"):
            client.post_score(LINEITEM, "3", 40.0, 100.0, "")


def test_members_are_read_page_by_page(client: AgsClient) -> None:
    first = recorded("lti_nrps_memberships__get_role_learner_limit2")
    everyone = recorded("lti_nrps_memberships__get")["response"]
    url = ISSUER + "/mod/lti/services.php/CourseSection/5/bindings/2/memberships"
    rest = {**everyone, "members": everyone["members"][2:]}
    with responses.RequestsMock() as rsps:
        _token_answer(rsps)
        rsps.get(
            url,
            json=first["response"],
            headers={"Link": first["response_headers"]["Link"]},
            match=[responses.matchers.query_param_matcher({"limit": "100"})],
        )
        rsps.get(url, json=rest, match=[responses.matchers.query_param_matcher({"limit": "2", "from": "2"})])
        members = client.members(url)
    emails = [email for _, email in members]
    assert emails[:2] == ["head.school12@example.com", "aleksey.kuznetsov@example.com"]
    assert len(members) == len(everyone["members"])
    assert ("3", "ivan.petrov@example.com") in members

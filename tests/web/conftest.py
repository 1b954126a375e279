"""Fixtures for the web app: a registered fake platform (its own RSA key, JWKS served with
``responses``), a seeded registry, and a helper that runs the full OIDC login + signed launch."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from jwt.algorithms import RSAAlgorithm
from pydantic import SecretStr

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import LtiPlatformConfig, Settings
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, CuratorKind, Role, RouteStatus
from lms_bridge.ports import Head
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from tests.conftest import make_diagnostic, make_teacher

MOODLE_BODIES = Path(__file__).resolve().parents[1] / "fixtures" / "moodle"

ISSUER = "http://127.0.0.1:8081"  # the platform: a different site from the tool
TOOL = "http://localhost:5000"
CLIENT_ID = "PUlntWfGyAyjQre"
JWKS_URL = ISSUER + "/mod/lti/certs.php"
AUTH_URL = ISSUER + "/mod/lti/auth.php"
KID = "2befd7788dd7a94e66d4"
API_TOKEN = "service-token-for-tests"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CURATOR_EMAIL = "curator@ipk.ru"
HEAD_EMAIL = "head1@school.ru"
SCHOOL_1 = "МБОУ «СОШ № 1»"
SCHOOL_2 = "МБОУ «СОШ № 2»"


@dataclass
class PlatformKey:
    private: rsa.RSAPrivateKey
    kid: str

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}


@pytest.fixture(scope="session")
def platform_key() -> PlatformKey:
    return PlatformKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), KID)


@pytest.fixture(scope="session")
def other_key() -> PlatformKey:
    """A key the platform does not publish: tokens signed with it are forged."""
    return PlatformKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), KID)


@pytest.fixture(scope="session")
def claims_template() -> dict[str, Any]:
    # The claims of a real Moodle 5.1 launch, as recorded.
    recorded = json.loads((MOODLE_BODIES / "lti_id_token__claims.json").read_text(encoding="utf-8"))
    payload: dict[str, Any] = recorded["payload"]
    return payload


@pytest.fixture
def jwks_server(platform_key: PlatformKey) -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(JWKS_URL, json=platform_key.jwks())
        yield rsps


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(
        database_url=db_url,
        public_url=TOOL,
        moodle_url=ISSUER,
        lti_platforms=[
            LtiPlatformConfig(
                issuer=ISSUER, client_id=CLIENT_ID, deployment_ids=["1"], auth_url=AUTH_URL, jwks_url=JWKS_URL
            )
        ],
        lti_staff={"centre@cnppm.ru": "centre", "dev@cnppm.ru": "developer"},
        api_token=SecretStr(API_TOKEN),
        lti_private_key_path="/nonexistent/key.pem",
    )


def _route(number: str, n: int, school: str, status: RouteStatus, curator: str = "") -> Route:
    teacher = make_teacher(n, school=school)
    return Route(
        number=number,
        teacher=teacher,
        diagnostic=make_diagnostic(n),
        status=status,
        curator_email=curator,
        curator_name="Куратор К.К." if curator else "",
        developed_on=date(2026, 9, 20),
        start=date(2026, 10, 1),
        end=date(2027, 9, 30),
        activities=(
            Activity(
                "1",
                ActivityCategory.KNOWLEDGE,
                "Курс ПК «Методика»",
                lms_course="DPP-MET-01",
                deficit_codes=("М2.3",),
                hours=36,
            ),
            Activity(
                "2", ActivityCategory.EXCHANGE, "Вебинар по ФГОС", organiser="ИРО", deficit_codes=("П1.1",)
            ),
            Activity("3", ActivityCategory.BURNOUT, "Тренинг профилактики выгорания"),
        ),
    )


@pytest.fixture
def seeded(store: SqlRouteStore) -> dict[str, Route]:
    """teacher1 and teacher2 (school 1, curated by CURATOR_EMAIL), teacher3 (school 2, no curator)."""
    routes = {
        "t1": _route("74-2026-00001", 1, SCHOOL_1, RouteStatus.IN_PROGRESS, CURATOR_EMAIL),
        "t2": _route("74-2026-00002", 2, SCHOOL_1, RouteStatus.AGREEMENT, CURATOR_EMAIL),
        "t3": _route("74-2026-00003", 3, SCHOOL_2, RouteStatus.IN_PROGRESS),
    }
    store.save_diagnostics([(r.teacher, r.diagnostic) for r in routes.values()])
    store.add_routes(list(routes.values()), Actor(Role.DEVELOPER, "разработчик"))
    store.save_curators([Curator(CURATOR_EMAIL, "Куратор Ксения Константиновна", CuratorKind.METHODIST)])
    SqlLaunchStore(store.engine).add_head(
        Head(HEAD_EMAIL, "Петрова Анна Андреевна", SCHOOL_1, "г. Челябинск")
    )
    return routes


@pytest.fixture
def app(
    settings: Settings,
    store: SqlRouteStore,
    jwks_server: responses.RequestsMock,  # noqa: ARG001 (the platform keys served while the app runs)
) -> Flask:
    return build_web_app(settings, store=store)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client(use_cookies=False)  # the embedded case: no cookies at all


def sign(claims: dict[str, Any], key: PlatformKey, headers: dict[str, Any] | None = None) -> str:
    return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})})


@dataclass
class Launcher:
    client: FlaskClient
    template: dict[str, Any]
    key: PlatformKey

    def login(self, **extra: str) -> dict[str, str]:
        """Run the OIDC initiation as Moodle does (form POST); return the auth request's query."""
        form = {
            "iss": ISSUER,
            "login_hint": "6",
            "target_link_uri": TOOL + "/lti/launch",
            "lti_message_hint": '{"cmid":8,"launchid":"x"}',
            "client_id": CLIENT_ID,
            "lti_deployment_id": "1",
            **extra,
        }
        resp = self.client.post("/lti/login", data=form)
        assert resp.status_code == 302, resp.get_data(as_text=True)
        location = urlsplit(resp.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == AUTH_URL
        return {k: v[0] for k, v in parse_qs(location.query).items()}

    def claims(
        self, nonce: str, email: str, roles: list[str] | None = None, **changes: Any
    ) -> dict[str, Any]:
        now = int(time.time())
        c = copy.deepcopy(self.template)
        c.update(
            iss=ISSUER,
            aud=CLIENT_ID,
            nonce=nonce,
            iat=now,
            exp=now + 60,
            email=email,
            sub=str(abs(hash(email)) % 10000),
        )
        c[LTI + "target_link_uri"] = TOOL + "/lti/launch"
        c[LTI + "roles"] = roles or [LEARNER]
        c.update(changes)
        return c

    def post(self, id_token: str, state: str) -> Any:
        return self.client.post("/lti/launch", data={"id_token": id_token, "state": state})

    def launch(self, email: str, roles: list[str] | None = None, **changes: Any) -> Any:
        q = self.login()
        return self.post(sign(self.claims(q["nonce"], email, roles, **changes), self.key), q["state"])

    def session(self, email: str, roles: list[str] | None = None) -> str:
        """Launch and return the launch id from the redirect."""
        resp = self.launch(email, roles)
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return parse_qs(urlsplit(resp.headers["Location"]).query)["lid"][0]


@pytest.fixture
def launcher(client: FlaskClient, claims_template: dict[str, Any], platform_key: PlatformKey) -> Launcher:
    return Launcher(client, claims_template, platform_key)


def csrf_of(client: FlaskClient, path: str) -> str:
    """The CSRF token the page's forms carry."""
    html = client.get(path).get_data(as_text=True)
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]

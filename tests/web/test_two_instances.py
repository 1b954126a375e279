"""Several web instances behind one address (issue 12, §3): two apps built as ``lms-bridge serve`` builds
them (each its own engine over the one database), and a client that sends each request to the next
instance in turn, as a round-robin reverse proxy does. LTI states, launch sessions and platforms live in
the database; the /lti/login counters in Redis (``LMS_BRIDGE_RATE_LIMIT_STORAGE``)."""

from __future__ import annotations

import itertools
import os
import socket
from typing import Any

import pytest
import responses
from flask.testing import FlaskClient

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.route import Route
from tests.web.conftest import Launcher, PlatformKey


def _redis_url() -> str:
    """``LMS_BRIDGE_TEST_REDIS_URL``, else a Redis answering on its usual port (database 14), else none."""
    if os.environ.get("LMS_BRIDGE_TEST_REDIS_URL"):
        return os.environ["LMS_BRIDGE_TEST_REDIS_URL"]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return ""
    return "redis://127.0.0.1:6379/14"


REDIS = _redis_url()


class RoundRobin:
    """A client whose every request goes to the next instance (what the proxy in front does)."""

    def __init__(self, clients: list[FlaskClient]):
        self._next = itertools.cycle(clients)
        self.served: list[int] = []
        self._ids = {id(c): n for n, c in enumerate(clients)}

    def _pick(self) -> FlaskClient:
        client = next(self._next)
        self.served.append(self._ids[id(client)])
        return client

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._pick().get(*args, **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return self._pick().post(*args, **kwargs)


def instances(settings: Settings, n: int = 2) -> list[FlaskClient]:
    """``n`` apps as ``serve`` builds them after the fork: no shared store, engine or cache."""
    return [build_web_app(settings).test_client(use_cookies=False) for _ in range(n)]


@pytest.fixture
def pair(
    settings: Settings,
    seeded: dict[str, Route],  # noqa: ARG001 (the routes in the shared database)
    jwks_server: responses.RequestsMock,  # noqa: ARG001
) -> RoundRobin:
    return RoundRobin(instances(settings))


def test_a_login_answered_by_one_instance_launches_on_the_other(
    pair: RoundRobin, claims_template: dict[str, Any], platform_key: PlatformKey
) -> None:
    launcher = Launcher(pair, claims_template, platform_key)  # type: ignore[arg-type]
    lid = launcher.session("teacher1@school.ru")  # login on instance 0, launch POST on instance 1
    assert pair.served == [0, 1]
    card = pair.get(f"/card/74-2026-00001?lid={lid}")  # the session opened by 1, used on 0
    assert card.status_code == 200, card.get_data(as_text=True)
    assert "Иванова1" in card.get_data(as_text=True)
    other = pair.get(f"/card/74-2026-00003?lid={lid}")  # and its access rules hold there too
    assert other.status_code == 404  # another teacher's route does not exist for this session
    assert pair.served == [0, 1, 0, 1]


def test_a_state_is_used_once_whichever_instance_sees_it_again(
    pair: RoundRobin, claims_template: dict[str, Any], platform_key: PlatformKey
) -> None:
    launcher = Launcher(pair, claims_template, platform_key)  # type: ignore[arg-type]
    q = launcher.login()
    from tests.web.conftest import sign

    token = sign(launcher.claims(q["nonce"], "teacher1@school.ru"), platform_key)
    assert launcher.post(token, q["state"]).status_code == 303  # instance 1
    replay = launcher.post(token, q["state"])  # instance 0: the state was spent on the other one
    assert replay.status_code == 401


@pytest.mark.skipif(
    not REDIS, reason="no Redis: LMS_BRIDGE_TEST_REDIS_URL not set, nothing on 127.0.0.1:6379"
)
def test_the_login_limit_is_shared_by_the_instances(
    settings: Settings,
    seeded: dict[str, Route],  # noqa: ARG001
    jwks_server: responses.RequestsMock,  # noqa: ARG001
) -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    shared = settings.model_copy(update={"lti_login_rate": "3 per hour", "rate_limit_storage": REDIS})
    pair = RoundRobin(instances(shared))
    form = {
        "iss": settings.lti_platforms[0].issuer,
        "login_hint": "6",
        "target_link_uri": settings.public_url + "/lti/launch",
        "client_id": settings.lti_platforms[0].client_id,
        "lti_deployment_id": "1",
    }
    codes = [pair.post("/lti/login", data=form).status_code for _ in range(5)]
    assert codes == [302, 302, 302, 429, 429]  # 3 in all, not 3 per instance
    assert pair.served == [0, 1, 0, 1, 0]

"""Login flooding (issue 10, item 7): /lti/login was open to unlimited unauthenticated requests,
each storing a state kept until a day after expiry. Now: a limit per client address (429 in Russian),
a cap on stored states per platform, expired states purged as new ones are made."""

from __future__ import annotations

import socket
import uuid
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import Settings
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.storage.tables import lti_states
from tests.web.conftest import CLIENT_ID, ISSUER, TOOL

LOGIN = {
    "iss": ISSUER,
    "login_hint": "6",
    "target_link_uri": TOOL + "/lti/launch",
    "client_id": CLIENT_ID,
    "lti_deployment_id": "1",
}


def _app(settings: Settings, store: SqlRouteStore, **changes: object) -> Flask:
    return build_web_app(settings.model_copy(update=changes), store=store)


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client(use_cookies=False)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_login_is_limited_per_client_address(settings: Settings, store: SqlRouteStore) -> None:
    app = _app(settings, store, lti_login_rate="3 per day")  # a day: no test runs long enough to reset it
    flooder = _client(app, "10.0.0.1")
    assert [flooder.post("/lti/login", data=LOGIN).status_code for _ in range(3)] == [302, 302, 302]
    refused = flooder.post("/lti/login", data=LOGIN)
    assert refused.status_code == 429
    assert "Слишком много попыток входа с этого адреса" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert flooder.get("/lti/login", query_string=LOGIN).status_code == 429  # GET counts too
    assert _client(app, "10.0.0.2").post("/lti/login", data=LOGIN).status_code == 302
    assert _client(app, "10.0.0.1").get("/healthz").status_code == 200  # only the login is limited


def test_behind_a_proxy_the_forwarded_address_is_limited(settings: Settings, store: SqlRouteStore) -> None:
    app = _app(settings, store, lti_login_rate="1 per day", web_proxy_hops=1)
    proxy = _client(app, "127.0.0.1")
    first = {"X-Forwarded-For": "203.0.113.5"}
    assert proxy.post("/lti/login", data=LOGIN, headers=first).status_code == 302
    assert proxy.post("/lti/login", data=LOGIN, headers=first).status_code == 429
    other = {"X-Forwarded-For": "203.0.113.6"}
    assert proxy.post("/lti/login", data=LOGIN, headers=other).status_code == 302


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_workers_share_the_limit_through_redis(settings: Settings, store: SqlRouteStore) -> None:
    shared = {"lti_login_rate": "2 per day", "rate_limit_storage": "redis://127.0.0.1:6379/15"}
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    one, two = (_client(_app(settings, store, **shared), address) for _ in range(2))  # two workers
    assert one.post("/lti/login", data=LOGIN).status_code == 302
    assert two.post("/lti/login", data=LOGIN).status_code == 302
    assert one.post("/lti/login", data=LOGIN).status_code == 429
    assert two.post("/lti/login", data=LOGIN).status_code == 429


def _states(store: SqlRouteStore) -> int:
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).select_from(lti_states)).scalar_one())


def test_stored_states_are_capped_per_platform_keeping_the_newest(
    settings: Settings, store: SqlRouteStore
) -> None:
    app = _app(settings, store, lti_max_states=10, lti_login_rate="1000 per day")
    client = _client(app, "10.0.0.3")
    states = []
    for _ in range(15):
        location = client.post("/lti/login", data=LOGIN).headers["Location"]
        states.append(location.split("state=")[1].split("&")[0])
    assert _states(store) == 10
    launches = SqlLaunchStore(store.engine)
    assert launches.find_state(states[-1]) is not None  # a login in flight still completes
    assert launches.find_state(states[0]) is None  # the oldest were dropped


def test_expired_states_are_purged_when_new_ones_are_made(store: SqlRouteStore) -> None:
    now = [datetime(2026, 12, 1, 10, 0)]
    launches = SqlLaunchStore(store.engine, clock=lambda: now[0])
    old = launches.new_state(ISSUER, CLIENT_ID, minutes=10)
    other = launches.new_state("https://other.example.ru", "x", minutes=10)
    now[0] += timedelta(minutes=11)
    fresh = launches.new_state(ISSUER, CLIENT_ID, minutes=10)
    assert launches.find_state(old.state) is None
    assert launches.find_state(other.state) is None  # expired ones of every platform go
    assert launches.find_state(fresh.state) is not None
    assert _states(store) == 1


def test_a_bad_login_rate_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="60 per minute"):
        Settings(lti_login_rate="lots", _env_file=None)  # type: ignore[call-arg]

"""``lms-bridge serve`` builds its app in the one wiring place, with the LMS its settings name: the card's
formal activities link to the Moodle course itself (defect: serve built the LMS and never passed it)."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from click.testing import CliRunner
from flask import Flask
from pydantic import SecretStr

from lms_bridge.cli import serve
from lms_bridge.cli.context import AppContext
from lms_bridge.config import Settings
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import ConfigError
from lms_bridge.ports import Principal
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.web.server import BridgeServer
from tests.fakes.recorded import http_reply

MOODLE = "http://moodle.example.test"


def _served_app(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """Run ``serve`` with gunicorn's run loop replaced by building the app as a worker does."""
    built: list[Flask] = []
    monkeypatch.setattr(BridgeServer, "run", lambda self: built.append(self.load()))
    ctx = AppContext()
    ctx.__dict__["settings"] = settings  # what Settings() would read from the environment
    result = CliRunner().invoke(serve.group, [], obj=ctx)
    assert result.exit_code == 0, result.output
    [app] = built
    return app


def _moodle(rsps: responses.RequestsMock) -> None:
    def reply(request: Any) -> tuple[int, dict[str, str], str]:
        body = request.body or ""
        if "field=idnumber" in body and "DPP-MET-01" in body:
            return http_reply("core_course_get_courses_by_field__idnumber_found")
        return http_reply("core_course_get_courses_by_field__idnumber_missing_empty")

    rsps.add_callback(responses.POST, f"{MOODLE}/webservice/rest/server.php", callback=reply)


def test_served_card_links_the_lms_course(
    settings: Settings,
    store: SqlRouteStore,
    seeded: dict[str, Route],
    jwks_server: responses.RequestsMock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _moodle(jwks_server)
    configured = settings.model_copy(
        update={"moodle_url": MOODLE, "moodle_token": SecretStr("ws-token-for-tests")}
    )
    app = _served_app(configured, monkeypatch)
    teacher = seeded["t1"].teacher
    lid, _ = SqlLaunchStore(store.engine).open_session(Principal(Role.TEACHER, teacher.email), 1)
    html = app.test_client().get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
    # course id 2 is what the recorded Moodle 5.1 answer gives for idnumber DPP-MET-01
    assert f"{MOODLE}/course/view.php?id=2" in html


@pytest.mark.usefixtures("jwks_server")
def test_served_card_without_moodle_links_the_course_search(
    settings: Settings,
    store: SqlRouteStore,
    seeded: dict[str, Route],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _served_app(settings, monkeypatch)  # a Moodle address but no token: no LMS
    teacher = seeded["t1"].teacher
    lid, _ = SqlLaunchStore(store.engine).open_session(Principal(Role.TEACHER, teacher.email), 1)
    html = app.test_client().get(f"/card/{seeded['t1'].number}?lid={lid}").get_data(as_text=True)
    assert "/course/view.php?id=" not in html
    assert "DPP-MET-01" in html


def test_a_bad_moodle_setting_stops_serve_before_any_worker(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(BridgeServer, "run", lambda self: started.append(self))
    ctx = AppContext()
    ctx.__dict__["settings"] = settings.model_copy(
        update={"moodle_url": "moodle.example.test", "moodle_token": SecretStr("t")}
    )
    result = CliRunner().invoke(serve.group, [], obj=ctx)
    assert isinstance(result.exception, ConfigError)
    assert "LMS_BRIDGE_MOODLE_URL" in str(result.exception)
    assert started == []

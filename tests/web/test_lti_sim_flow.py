"""The tool and the simulator's Moodle-like platform together, browser steps played by hand: a course
editor places «Мой маршрут» by deep linking, a teacher launches the placed activity and lands on their
card. The platform fetches the tool's JWKS and the tool the platform's, each from the other app."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient
from pydantic import SecretStr

from lms_bridge.bootstrap import all_platforms, build_grade_services, build_web_app
from lms_bridge.config import Settings
from lms_bridge.domain.people import Actor
from lms_bridge.domain.platforms import REGION
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from lms_bridge.ports import Platform
from lms_bridge.services.progress_sync import ags_status, route_progress, sync_progress
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from lms_bridge.web.lti.keys import generate_pem
from moodle_sim.lti import LtiPlatform, PlatformCourse, PlatformUser, Tool, ToolActivity, lti_blueprint
from moodle_sim.lti_deep_linking import DL, accept_response
from moodle_sim.lti_registration import SUPPORTED_SCOPES

BASE = "http://127.0.0.1:8081"
TOOL = "http://localhost:5000"
PEM = generate_pem()


@pytest.fixture
def platform() -> LtiPlatform:
    p = LtiPlatform(issuer=BASE)
    p.add_course(PlatformCourse(7, "ИОМ-2026", "Индивидуальные образовательные маршруты", "IOM-2026"))
    p.add_user(PlatformUser(10, "teacher1", "Мария", "Иванова", "teacher1@school.ru", "teacher"))
    p.add_user(PlatformUser(11, "curator1", "Ольга", "Смирнова", "curator1@ipk.ru", "curator"))
    return p


@pytest.fixture
def sim(platform: LtiPlatform) -> FlaskClient:
    app = Flask(__name__)
    app.register_blueprint(lti_blueprint(platform))
    return app.test_client()


@pytest.fixture
def tool_app(settings: Settings, store: SqlRouteStore) -> Flask:
    s = settings.model_copy(
        update={"lti_platforms": [], "public_url": TOOL, "lti_private_key": SecretStr(PEM.decode())}
    )
    return build_web_app(s, store=store)


@pytest.fixture
def tool(tool_app: Flask) -> FlaskClient:
    return tool_app.test_client(use_cookies=False)


@pytest.fixture
def registered(platform: LtiPlatform, store: SqlRouteStore, tool: FlaskClient) -> Tool:
    """The tool registered as dynamic registration leaves it (deep linking, the grade scopes)."""
    t = platform.register_tool(
        "ИОМ педагога",
        login_url=f"{TOOL}/lti/login",
        redirect_uris=[f"{TOOL}/lti/launch"],
        jwks_url=f"{TOOL}/lti/jwks",
        deep_link_url=f"{TOOL}/lti/launch",
        scopes=SUPPORTED_SCOPES,
    )
    SqlLaunchStore(store.engine).add_platform(
        Platform(
            BASE,
            t.client_id,
            (t.deployment_id,),
            f"{BASE}/mod/lti/auth.php",
            f"{BASE}/mod/lti/certs.php",
            f"{BASE}/mod/lti/token.php",
            REGION,
        )
    )
    platform.fetch_json = lambda url: tool.get(urlsplit(url).path).get_json()
    return t


@pytest.fixture
def platform_keys(sim: FlaskClient) -> Iterator[responses.RequestsMock]:
    def certs(req: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        resp = sim.get(urlsplit(req.url or "").path)
        return resp.status_code, {"Content-Type": resp.content_type}, resp.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.GET, f"{BASE}/mod/lti/certs.php", certs)
        yield rsps


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]*)"', html)
    assert action, html
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))
    return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}


def _post(client: FlaskClient, url: str, fields: dict[str, str]) -> Any:
    parts = urlsplit(url)
    return client.post(parts.path, query_string=parts.query, data=fields)


def _oidc(sim: FlaskClient, tool: FlaskClient, start: str) -> Any:
    """From a platform page that starts a launch to the tool's answer to the id_token."""
    first = sim.get(start)
    assert first.status_code == 200, first.get_data(as_text=True)
    login_url, fields = _form(first.get_data(as_text=True))
    assert login_url == f"{TOOL}/lti/login"
    redirect = _post(tool, login_url, fields)
    assert redirect.status_code == 302, redirect.get_data(as_text=True)
    auth = urlsplit(redirect.headers["Location"])
    answer = sim.get(auth.path, query_string=auth.query)
    redirect_uri, token = _form(answer.get_data(as_text=True))
    assert "id_token" in token, answer.get_data(as_text=True)
    return _post(tool, redirect_uri, token)


def _choice(html: str, view: str) -> tuple[str, dict[str, str]]:
    m = re.search(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="JWT" value="([^"]+)">\s*'
        rf'<button type="submit" name="view" value="{view}">',
        html,
    )
    assert m, html
    return unescape(m.group(1)), {"JWT": m.group(2)}


@pytest.mark.usefixtures("platform_keys")
def test_editor_places_my_route_and_the_teacher_opens_their_card(
    sim: FlaskClient, tool: FlaskClient, platform: LtiPlatform, registered: Tool, seeded: dict[str, Route]
) -> None:
    page = _oidc(sim, tool, f"/mod/lti/contentitem.php?course=7&id={registered.deployment_id}&user=curator1")
    assert page.status_code == 200, page.get_data(as_text=True)
    action, fields = _choice(page.get_data(as_text=True), "card")
    assert action.startswith(f"{BASE}/mod/lti/contentitem_return.php?course=7&id={registered.deployment_id}")
    done = _post(sim, action, fields)
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Мой маршрут (ИОМ)" in done.get_data(as_text=True)
    (placed,) = platform.course_activities(7)
    assert placed.title == "Мой маршрут (ИОМ)"
    assert placed.custom == {"iom_view": "card"}
    assert placed.line_item is not None
    assert placed.line_item.score_maximum == 100
    # the teacher launches what was placed and lands on their own card
    card = _oidc(sim, tool, f"/mod/lti/launch.php?id={placed.cmid}&user=teacher1")
    assert card.status_code == 303, card.get_data(as_text=True)
    assert urlsplit(card.headers["Location"]).path == f"/card/{seeded['t1'].number}"


def test_a_learner_cannot_open_the_selection(sim: FlaskClient, registered: Tool) -> None:
    page = sim.get(f"/mod/lti/contentitem.php?course=7&id={registered.deployment_id}&user=teacher1")
    assert page.status_code == 400
    assert "нет прав" in page.get_data(as_text=True)


def _response(registered: Tool, key: Any, kid: str, **changes: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": registered.client_id,
        "aud": BASE,
        "iat": now,
        "exp": now + 600,
        DL + "content_items": [
            {"type": "ltiResourceLink", "title": "Подделка", "custom": {"iom_view": "card"}}
        ],
        **changes,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_the_platform_refuses_forged_and_expired_responses(
    platform: LtiPlatform, registered: Tool, tool: FlaskClient
) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from lms_bridge.errors import LaunchError

    kid = tool.get("/lti/jwks").get_json()["keys"][0]["kid"]
    forged = _response(registered, rsa.generate_private_key(65537, 2048), kid)
    with pytest.raises(LaunchError, match="Signature verification failed"):
        accept_response(platform, 7, registered.deployment_id, forged)
    expired = _response(registered, PEM, kid, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
    with pytest.raises(LaunchError, match="Expired token"):
        accept_response(platform, 7, registered.deployment_id, expired)
    other_client = _response(registered, PEM, kid, iss="someone-else")
    with pytest.raises(LaunchError, match="errorincorrectconsumerkey"):
        accept_response(platform, 7, registered.deployment_id, other_client)
    # like Moodle 5.1 the platform does not check aud: the tool is what sets it right
    wrong_aud = _response(registered, PEM, kid, aud="http://other.example")
    assert [a.title for a in accept_response(platform, 7, registered.deployment_id, wrong_aud)] == [
        "Подделка"
    ]
    assert len(platform.course_activities(7)) == 1


# --- route progress in the gradebook (AGS) ------------------------------------------------------------


def _forward_all(rsps: responses.RequestsMock, sim: FlaskClient) -> None:
    """Every request of the tool to the platform goes to the simulator app."""

    def forward(req: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(req.url or "")
        resp = sim.open(
            url.path, method=req.method, query_string=url.query, data=req.body, headers=dict(req.headers)
        )
        return resp.status_code, {"Content-Type": resp.content_type}, resp.get_data()

    for method in (responses.GET, responses.POST):
        rsps.add_callback(method, re.compile(re.escape(BASE) + r"/mod/lti/(token|services)\.php.*"), forward)


def _place_and_launch(
    sim: FlaskClient, tool: FlaskClient, registered: Tool, platform: LtiPlatform
) -> ToolActivity:
    page = _oidc(sim, tool, f"/mod/lti/contentitem.php?course=7&id={registered.deployment_id}&user=curator1")
    _post(sim, *_choice(page.get_data(as_text=True), "card"))
    (placed,) = platform.course_activities(7)
    assert _oidc(sim, tool, f"/mod/lti/launch.php?id={placed.cmid}&user=teacher1").status_code == 303
    return placed


def _mark_done(store: SqlRouteStore, route: Route, *keys: str) -> None:
    current = store.get_route(route.number)
    acts = tuple(replace(a, done=True) if a.key in keys else a for a in current.activities)
    store.save_route(replace(current, activities=acts), Actor(Role.CURATOR, "куратор"), "test")


def _sync(settings: Settings, store: SqlRouteStore, **kw: Any) -> Any:
    launches = SqlLaunchStore(store.engine)
    s = settings.model_copy(update={"lti_private_key": SecretStr(PEM.decode()), "lti_platforms": []})
    return sync_progress(
        store, launches, all_platforms(s, launches), build_grade_services(s, requests.Session()), **kw
    )


@pytest.mark.usefixtures("platform_keys")
def test_progress_reaches_the_gradebook_once_per_change(
    sim: FlaskClient,
    tool: FlaskClient,
    platform: LtiPlatform,
    registered: Tool,
    seeded: dict[str, Route],
    settings: Settings,
    store: SqlRouteStore,
    platform_keys: responses.RequestsMock,
) -> None:
    placed = _place_and_launch(sim, tool, registered, platform)
    assert placed.line_item is not None
    _forward_all(platform_keys, sim)
    _mark_done(store, seeded["t1"], "2")
    report = _sync(settings, store)
    assert report.counts["scores_sent"] == 1, report
    grade = platform.grades[(placed.line_item.item_id, 10)]
    assert grade.raw == 33.3
    assert f"Маршрут {seeded['t1'].number}" in grade.comment
    assert "выполнено 1 из 3 мероприятий" in grade.comment
    # nothing changed: nothing sent
    again = _sync(settings, store)
    assert (again.counts["scores_sent"], again.counts["unchanged"]) == (0, 1)
    assert platform.counters["score"] == 1
    _mark_done(store, seeded["t1"], "2", "3")
    third = _sync(settings, store)
    assert third.counts["scores_sent"] == 1
    assert platform.grades[(placed.line_item.item_id, 10)].raw == 66.7
    assert platform.counters["score"] == 2


@pytest.mark.usefixtures("platform_keys")
def test_a_run_killed_after_sending_does_not_send_again(
    sim: FlaskClient,
    tool: FlaskClient,
    platform: LtiPlatform,
    registered: Tool,
    seeded: dict[str, Route],
    settings: Settings,
    store: SqlRouteStore,
    platform_keys: responses.RequestsMock,
) -> None:
    placed = _place_and_launch(sim, tool, registered, platform)
    _forward_all(platform_keys, sim)
    launches = SqlLaunchStore(store.engine)
    (item,) = launches.list_line_items()
    # the last run recorded the pending score, sent it, and was killed before recording the send
    launches.mark_progress_pending(item.id, "10", seeded["t1"].number, 0.0, route_progress(seeded["t1"])[1])
    s = settings.model_copy(update={"lti_private_key": SecretStr(PEM.decode())})
    client = build_grade_services(s, requests.Session())(all_platforms(s, launches)[0])
    assert client is not None
    client.post_score(item.lineitem_url, "10", 0.0, 100.0, route_progress(seeded["t1"])[1])
    sent_before = platform.counters["score"]
    report = _sync(settings, store)
    assert report.counts["unchanged"] == 1, report
    assert platform.counters["score"] == sent_before  # looked up, not sent again
    (row,) = launches.list_progress(item.id)
    assert (row.score, row.pending_score) == (0.0, None)
    assert placed.line_item is not None


@pytest.mark.usefixtures("platform_keys")
def test_without_the_grade_service_nothing_is_sent(
    sim: FlaskClient,
    tool: FlaskClient,
    platform: LtiPlatform,
    registered: Tool,
    seeded: dict[str, Route],  # noqa: ARG001
    settings: Settings,
    store: SqlRouteStore,
) -> None:
    platform.tools[registered.client_id] = replace(registered, scopes=())  # the admin granted no AGS
    page = _oidc(sim, tool, f"/mod/lti/contentitem.php?course=7&id={registered.deployment_id}&user=curator1")
    _post(sim, *_choice(page.get_data(as_text=True), "card"))
    (placed,) = platform.course_activities(7)
    assert placed.line_item is None  # Moodle makes no grade item for a tool that takes no grades
    _oidc(sim, tool, f"/mod/lti/launch.php?id={placed.cmid}&user=teacher1")
    launches = SqlLaunchStore(store.engine)
    assert launches.list_line_items() == []
    report = _sync(settings, store)
    assert report.counts["scores_sent"] == 0
    assert platform.counters["token"] == 0
    (p,) = launches.list_platforms()
    assert "неизвестно" in ags_status(p, [])
    launches.add_platform(
        replace(p, services=("https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",))
    )
    (p,) = launches.list_platforms()
    assert "не выдан" in ags_status(p, [])


@pytest.mark.usefixtures("platform_keys")
def test_names_and_roles_bring_teachers_who_never_launched(
    sim: FlaskClient,
    tool: FlaskClient,
    platform: LtiPlatform,
    registered: Tool,
    seeded: dict[str, Route],
    settings: Settings,
    store: SqlRouteStore,
    platform_keys: responses.RequestsMock,
) -> None:
    page = _oidc(sim, tool, f"/mod/lti/contentitem.php?course=7&id={registered.deployment_id}&user=curator1")
    _post(sim, *_choice(page.get_data(as_text=True), "card"))
    (placed,) = platform.course_activities(7)
    # the editor opens the activity after saving it: not in the registry, refused, but the line item is known
    assert _oidc(sim, tool, f"/mod/lti/launch.php?id={placed.cmid}&user=curator1").status_code == 403
    (item,) = SqlLaunchStore(store.engine).list_line_items()
    assert item.memberships_url.endswith(f"/CourseSection/7/bindings/{registered.deployment_id}/memberships")
    _forward_all(platform_keys, sim)
    report = _sync(settings, store)
    assert report.counts["members_found"] == 1, report  # teacher1; the curator has no route
    assert report.counts["scores_sent"] == 1
    assert placed.line_item is not None
    assert platform.grades[(placed.line_item.item_id, 10)].raw == 0.0
    assert seeded["t1"].number in platform.grades[(placed.line_item.item_id, 10)].comment

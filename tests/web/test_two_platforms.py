"""Two LMS platforms (issue 10, item 6): platform B must not claim the people of platform A.

A is the regional Moodle (scope: the whole region); B is a school's own Moodle registered for
«СОШ № 2» only. Before the fix B logged in as any teacher, curator, head or ЦНППМ staff member by
sending their e-mail, and as admin of everything by sending the Administrator role. Every role is
tried from both platforms.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa

from lms_bridge.bootstrap import build_web_app
from lms_bridge.config import LtiPlatformConfig, Settings
from lms_bridge.domain.people import Actor, Curator
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import CuratorKind, Role
from lms_bridge.ports import Head
from lms_bridge.storage.launch_store import SqlLaunchStore
from lms_bridge.storage.store import SqlRouteStore
from tests.web.conftest import (
    CURATOR_EMAIL,
    HEAD_EMAIL,
    INSTRUCTOR,
    SCHOOL_1,
    SCHOOL_2,
    Launcher,
    PlatformKey,
)

ISSUER_B = "http://127.0.0.1:8082"
CLIENT_B = "client-of-school-2"
ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
HEAD_2 = "head2@school.ru"
ONLY_SCHOOL_1_CURATOR = "mentor1@school.ru"


@pytest.fixture(scope="module")
def key_b() -> PlatformKey:
    return PlatformKey(rsa.generate_private_key(public_exponent=65537, key_size=2048), "kid-of-b")


def _platform_b(**scope: object) -> LtiPlatformConfig:
    return LtiPlatformConfig(
        issuer=ISSUER_B,
        client_id=CLIENT_B,
        deployment_ids=["1"],
        auth_url=ISSUER_B + "/mod/lti/auth.php",
        jwks_url=ISSUER_B + "/mod/lti/certs.php",
        **scope,  # type: ignore[arg-type]
    )


def _launchers(
    settings: Settings,
    store: SqlRouteStore,
    jwks: responses.RequestsMock,
    template: dict[str, object],
    key_a: PlatformKey,
    key_b: PlatformKey,
    b: LtiPlatformConfig,
) -> tuple[Launcher, Launcher]:
    jwks.get(b.jwks_url, json=key_b.jwks())
    both = settings.model_copy(update={"lti_platforms": [*settings.lti_platforms, b]})
    client = build_web_app(both, store=store).test_client(use_cookies=False)
    return Launcher(client, dict(template), key_a), Launcher(
        client, dict(template), key_b, ISSUER_B, CLIENT_B
    )


@pytest.fixture
def platforms(
    settings: Settings,
    store: SqlRouteStore,
    seeded: dict[str, Route],
    jwks_server: responses.RequestsMock,
    claims_template: dict[str, object],
    platform_key: PlatformKey,
    key_b: PlatformKey,
) -> tuple[Launcher, Launcher]:
    """(A, B). Besides the seeded routes: t4 in school 2 curated by CURATOR_EMAIL, a head of school 2,
    and a curator of school 1 only."""
    t4 = replace(
        seeded["t3"], number="74-2026-00004", teacher=replace(seeded["t3"].teacher, email="t4@s2.ru")
    )
    t4 = replace(t4, curator_email=CURATOR_EMAIL)
    store.save_diagnostics([(t4.teacher, replace(t4.diagnostic, teacher_email="t4@s2.ru"))])
    store.add_routes([t4], Actor(Role.DEVELOPER, "разработчик"))
    store.save_curators(
        [
            Curator(CURATOR_EMAIL, "Куратор Ксения Константиновна", CuratorKind.METHODIST),
            Curator(ONLY_SCHOOL_1_CURATOR, "Наставник Н.Н.", CuratorKind.METHODIST, school=SCHOOL_1),
        ]
    )
    SqlLaunchStore(store.engine).add_head(Head(HEAD_2, "Сидорова С.С.", SCHOOL_2, "г. Челябинск"))
    b = _platform_b(schools=[SCHOOL_2])
    return _launchers(settings, store, jwks_server, claims_template, platform_key, key_b, b)


def _numbers(launcher: Launcher, email: str, roles: list[str] | None = None) -> set[str]:
    lid = launcher.session(email, roles)
    listed = launcher.client.get("/api/v1/routes", headers={"X-Launch-Id": lid}).get_json()
    return {i["number"] for i in listed["items"]}


def _refused(launcher: Launcher, email: str, roles: list[str] | None = None) -> str:
    resp = launcher.launch(email, roles)
    assert resp.status_code == 403, resp.get_data(as_text=True)
    return str(resp.get_data(as_text=True))


def test_teacher(platforms: tuple[Launcher, Launcher], seeded: dict[str, Route]) -> None:
    a, b = platforms
    assert _numbers(a, "teacher1@school.ru") == {seeded["t1"].number}
    assert "нет маршрута ИОМ и роли в реестре на этой платформе" in _refused(b, "teacher1@school.ru")
    assert _numbers(b, "teacher3@school.ru") == {seeded["t3"].number}  # school 2 is B's own


def test_head(platforms: tuple[Launcher, Launcher], seeded: dict[str, Route]) -> None:
    a, b = platforms
    assert _numbers(a, HEAD_EMAIL) == {seeded["t1"].number, seeded["t2"].number}
    _refused(b, HEAD_EMAIL)
    assert _numbers(b, HEAD_2) == {seeded["t3"].number, "74-2026-00004"}


def test_curator_sees_only_teachers_inside_the_platform(
    platforms: tuple[Launcher, Launcher], seeded: dict[str, Route]
) -> None:
    a, b = platforms
    everywhere = {seeded["t1"].number, seeded["t2"].number, "74-2026-00004"}
    assert _numbers(a, CURATOR_EMAIL, [INSTRUCTOR]) == everywhere
    assert _numbers(b, CURATOR_EMAIL, [INSTRUCTOR]) == {"74-2026-00004"}
    lid = b.session(CURATOR_EMAIL, [INSTRUCTOR])
    outside = b.client.get(f"/api/v1/routes/{seeded['t1'].number}", headers={"X-Launch-Id": lid})
    assert outside.status_code == 404
    _refused(b, ONLY_SCHOOL_1_CURATOR, [INSTRUCTOR])  # nothing of theirs in school 2


def test_centre_staff_only_from_their_platform(platforms: tuple[Launcher, Launcher]) -> None:
    a, b = platforms
    assert len(_numbers(a, "centre@cnppm.ru")) == 4
    _refused(b, "centre@cnppm.ru")  # LTI_STAFF names platform A
    _refused(b, "dev@cnppm.ru", [INSTRUCTOR])


def test_admin_of_a_platform_administers_its_scope_only(
    platforms: tuple[Launcher, Launcher], seeded: dict[str, Route]
) -> None:
    a, b = platforms
    assert len(_numbers(a, "root@region.ru", [ADMIN])) == 4
    assert _numbers(b, "teacher1@school.ru", [ADMIN]) == {seeded["t3"].number, "74-2026-00004"}
    lid = b.session("admin@school2.ru", [ADMIN])
    h = {"X-Launch-Id": lid}
    assert b.client.get(f"/api/v1/routes/{seeded['t1'].number}", headers=h).status_code == 404
    assert b.client.get(f"/card/{seeded['t1'].number}", headers=h).status_code == 404
    assert b.client.get(f"/api/v1/routes?school={SCHOOL_1}", headers=h).get_json()["count"] == 0
    assert b.client.get(f"/card/{seeded['t3'].number}", headers=h).status_code == 200


@pytest.mark.usefixtures("seeded")
def test_a_platform_registered_without_a_scope_speaks_for_nobody(
    settings: Settings,
    store: SqlRouteStore,
    jwks_server: responses.RequestsMock,
    claims_template: dict[str, object],
    platform_key: PlatformKey,
    key_b: PlatformKey,
) -> None:
    _a, b = _launchers(settings, store, jwks_server, claims_template, platform_key, key_b, _platform_b())
    for email, roles in (("teacher3@school.ru", None), ("x@b.ru", [ADMIN])):
        assert "не связана ни с одной организацией" in _refused(b, email, roles)


def test_stored_platform_keeps_its_scope(store: SqlRouteStore) -> None:
    from lms_bridge.domain.platforms import PlatformScope
    from lms_bridge.ports import Platform

    launches = SqlLaunchStore(store.engine)
    scope = PlatformScope.of(schools=[SCHOOL_2], municipalities=["Копейский ГО"])
    launches.add_platform(Platform(ISSUER_B, CLIENT_B, ("1",), "a", "j", "", scope))
    assert launches.list_platforms()[0].scope == scope

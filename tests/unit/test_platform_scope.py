"""Whom a platform speaks for (issue 10, item 6), in the domain: the scope and the access rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lms_bridge.domain.access import Recipient, RouteFilter, can_see, scope_filter
from lms_bridge.domain.platforms import NOBODY, REGION, PlatformScope
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role
from tests.exporters.sample import full_route

SCHOOL = "МБОУ «СОШ № 7»"
TOWN = "Копейский ГО"


@pytest.fixture
def route() -> Route:
    r = full_route()
    return replace(r, teacher=replace(r.teacher, school=SCHOOL, municipality=TOWN), curator_email="c@ipk.ru")


def test_scope_contains_by_school_or_municipality() -> None:
    by_school = PlatformScope.of(schools=[f" {SCHOOL} "])
    assert by_school.contains(SCHOOL, "другой")
    assert not by_school.contains("МБОУ «СОШ № 8»", TOWN)
    assert PlatformScope.of(municipalities=[TOWN]).contains("любая", TOWN)
    assert REGION.contains("", "")
    assert NOBODY.empty
    assert not NOBODY.contains(SCHOOL, TOWN)
    assert not PlatformScope.of(schools=[""]).contains("", "")  # an empty name matches nothing


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CENTRE, Role.TEACHER, Role.CURATOR, Role.HEAD])
def test_a_viewer_from_a_platform_sees_nothing_outside_it(route: Route, role: Role) -> None:
    viewer = Recipient(role, route.teacher.email if role is Role.TEACHER else "c@ipk.ru", SCHOOL)
    assert can_see(viewer, route)
    assert can_see(replace(viewer, within=PlatformScope.of(municipalities=[TOWN])), route)
    assert not can_see(replace(viewer, within=PlatformScope.of(schools=["МБОУ «СОШ № 8»"])), route)
    assert not can_see(replace(viewer, within=NOBODY), route)


def test_scope_filter_carries_the_platform_scope() -> None:
    within = PlatformScope.of(schools=[SCHOOL])
    assert scope_filter(Recipient(Role.ADMIN, within=within)) == RouteFilter(within=within)
    assert scope_filter(Recipient(Role.HEAD, school=SCHOOL, within=within)) == RouteFilter(
        school=SCHOOL, within=within
    )

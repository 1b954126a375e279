"""The access rules in the domain: scope, visibility, redaction and the actions a role may take."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest

from lms_bridge.domain.access import (
    DIAGNOSTIC_RESULTS,
    WITHHELD,
    Recipient,
    RouteFilter,
    can_see,
    redact_for,
    scope_filter,
    sees_diagnostics,
)
from lms_bridge.domain.route import Route
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.domain.workflow import TRANSITIONS, allowed_actions, may
from lms_bridge.errors import PermissionDenied
from tests.exporters.sample import full_route

SCHOOL = "МБОУ «СОШ № 7»"


@pytest.fixture
def route() -> Route:
    r = full_route()
    return replace(r, teacher=replace(r.teacher, school=SCHOOL), curator_email="Curator@ipk.ru")


def test_who_sees_which_route(route: Route) -> None:
    assert can_see(Recipient(Role.TEACHER, route.teacher.email.upper()), route)
    assert not can_see(Recipient(Role.TEACHER, "other@school.ru"), route)
    assert can_see(Recipient(Role.CURATOR, "curator@ipk.ru"), route)
    assert not can_see(Recipient(Role.CURATOR, "other@ipk.ru"), route)
    assert can_see(Recipient(Role.HEAD, school=SCHOOL), route)
    assert not can_see(Recipient(Role.HEAD, school="МБОУ «СОШ № 8»"), route)
    assert not can_see(Recipient(Role.HEAD), route)  # a head without a school sees nothing
    for role in (Role.CENTRE, Role.ADMIN, Role.DEVELOPER):
        assert can_see(Recipient(role), route)
    assert not can_see(Recipient(Role.COURSE_ADMIN), route)


def test_scope_filter_matches_can_see() -> None:
    assert scope_filter(Recipient(Role.HEAD, school=SCHOOL)) == RouteFilter(school=SCHOOL)
    assert scope_filter(Recipient(Role.TEACHER, "T@school.ru")) == RouteFilter(teacher_email="t@school.ru")
    assert scope_filter(Recipient(Role.CENTRE)) == RouteFilter()
    with pytest.raises(PermissionDenied, match="реестр маршрутов не показывается"):
        scope_filter(Recipient(Role.COURSE_ADMIN))
    with pytest.raises(PermissionDenied):
        scope_filter(Recipient(Role.HEAD))  # no school: no routes, not every route


def test_only_the_head_loses_the_results(route: Route) -> None:
    for role in Role:
        shown = redact_for(route, Recipient(role))
        assert (shown == route) is sees_diagnostics(Recipient(role))
    head = redact_for(route, Recipient(Role.HEAD))
    assert head.withheld == WITHHELD
    assert head.diagnostic.levels == {}
    assert head.diagnostic.deficit_codes == ()
    assert head.diagnostic.recommendations == ""
    assert head.final_levels == {}
    assert head.dynamics() == {}
    assert all(a.deficit_codes == () for a in head.activities)
    # what is not a diagnostic result stays: the roadmap, the marks, the diagnostic's kind and date
    assert [a.title for a in head.activities] == [a.title for a in route.activities]
    assert head.diagnostic.date == route.diagnostic.date
    assert head.conclusion == route.conclusion
    assert redact_for(head, Recipient(Role.HEAD)) == head


def test_every_listed_diagnostic_field_exists_and_is_blanked(route: Route) -> None:
    """Listing a field in DIAGNOSTIC_RESULTS is all it takes: a typo would fail here, not leak."""
    for record, names in DIAGNOSTIC_RESULTS.items():
        assert set(names) <= {f.name for f in fields(record)}, record
    head = redact_for(route, Recipient(Role.HEAD))
    for name in DIAGNOSTIC_RESULTS[Route]:
        assert getattr(head, name) in (None, {}, (), ""), name


def test_may_agrees_with_the_transitions_table(route: Route) -> None:
    for status in RouteStatus:
        r = replace(route, status=status)
        for role in Role:
            assert {a for a in TRANSITIONS if may(r, role, a)} == {t.action for t in allowed_actions(r, role)}


def test_may_for_the_other_actions(route: Route) -> None:
    going = replace(route, status=RouteStatus.IN_PROGRESS)
    assert may(going, Role.TEACHER, "mark")
    assert may(going, Role.CURATOR, "mark")
    assert not may(going, Role.HEAD, "mark")
    assert may(going, Role.CURATOR, "note")
    assert not may(going, Role.TEACHER, "note")
    assert may(going, Role.CURATOR, "conclude")
    assert not may(going, Role.CENTRE, "conclude")
    assert may(going, Role.TEACHER, "propose")
    assert not may(going, Role.CURATOR, "propose")
    assert not may(replace(route, status=RouteStatus.COMPLETED), Role.TEACHER, "propose")
    assert may(replace(route, status=RouteStatus.AGREEMENT), Role.HEAD, "correct")
    assert not may(replace(route, status=RouteStatus.DRAFT), Role.CURATOR, "mark")
    assert not may(going, Role.ADMIN, "no such action")

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
from lms_bridge.domain.diagnostics import Diagnostic
from lms_bridge.domain.route import Activity, Route
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


# Fields a head of school sees. A new field of these records must be put either here or, when it holds
# an individual diagnostic result (or one can be read from it), in domain/access.DIAGNOSTIC_RESULTS.
SHOWN_TO_THE_SCHOOL = {
    Route: {
        "number", "teacher", "diagnostic", "status", "curator_email", "curator_name", "developed_on", "start",
        "end", "activities", "corrections", "final_events", "conclusion", "next_diagnostic_on",
        "submitted_on", "approved_by", "approved_on", "self_education_theme", "withheld",
        # the cycle: actual dates, the previous route, the product (the head helps present it, 003 §4.4.6)
        "started_on", "completed_on", "previous_number", "product",
        # signatures (names and dates of acknowledgement) and the keeping dates: no diagnostic result
        "conclusion_signatures", "closed_on", "archived_on", "purged_on",
        # the regional card's region, additional information, school year, tutor and stages (profiles)
        "details",
    },
    Diagnostic: {"teacher_email", "kind", "date", "route_model"},
    Activity: {
        "key", "category", "title", "level", "organiser", "start", "end", "lms_course", "hours", "done",
        "done_on", "not_done_reason", "result", "result_form", "grade", "result_source", "curator_note",
        "head_confirmed_by", "centre_confirmed_by", "pass_grade", "closed",
        # the ДПП offered and chosen, the application's rejection: the catalogue's courses, like the title
        "options", "chosen_by", "chosen_on", "rejected_by", "rejection_reason",
    },
}  # fmt: skip


@pytest.mark.parametrize("record", [Route, Diagnostic, Activity], ids=lambda r: r.__name__)
def test_every_field_is_decided_diagnostic_or_not(record: type) -> None:
    """A field nobody classified would reach the school unredacted: classify it (see above)."""
    names = {f.name for f in fields(record)}
    withheld = set(DIAGNOSTIC_RESULTS[record])
    undecided = names - withheld - SHOWN_TO_THE_SCHOOL[record]
    assert not undecided, (
        f"{record.__name__}: {', '.join(sorted(undecided))} — a diagnostic result? list it in "
        "lms_bridge/domain/access.py DIAGNOSTIC_RESULTS; otherwise in SHOWN_TO_THE_SCHOOL in this test"
    )
    assert not withheld & SHOWN_TO_THE_SCHOOL[record]

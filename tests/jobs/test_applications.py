from __future__ import annotations

from pathlib import Path

import pytest

from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.errors import PermissionDenied, WorkflowError
from lms_bridge.services.applications import confirm, confirm_school, list_applications
from tests.jobs.conftest import World, make_world, number, unconfirm

SCHOOL = "МБОУ «СОШ № 1»"
HEAD = Actor(Role.HEAD, "Петрова А.А.", school=SCHOOL)
CENTRE = Actor(Role.CENTRE, "Сидоров Б.Б.")


@pytest.fixture
def fresh(tmp_path: Path) -> World:
    world = make_world(tmp_path, n=3)
    for n in range(1, 4):
        for key in ("1", "2"):
            unconfirm(world.store, n, key, centre_only=False)
    return world


def test_pending_applications_are_listed(fresh: World) -> None:
    apps = list_applications(fresh.store, pending_only=True)
    assert [(a.number, a.key, a.course) for a in apps[:2]] == [
        (number(1), "1", "PK-MATH"),
        (number(1), "2", "PK-METH"),
    ]
    assert len(apps) == 6
    assert apps[0].state == "ждёт руководителя ОО"


def test_head_then_centre_confirm_with_audit(fresh: World) -> None:
    with pytest.raises(WorkflowError, match="сначала подтверждает руководитель ОО"):
        confirm(fresh.store, number(1), CENTRE, key="1")  # the head comes first
    refused = confirm(fresh.store, number(1), CENTRE).refused  # the whole route: each refusal listed
    assert [(r.application.key, r.reason) for r in refused] == [
        ("1", "заявку сначала подтверждает руководитель ОО"),
        ("2", "заявку сначала подтверждает руководитель ОО"),
    ]
    assert [a.key for a in confirm(fresh.store, number(1), HEAD, key="1").confirmed] == ["1"]
    confirm(fresh.store, number(1), CENTRE, key="1")
    activity = fresh.route(1).activity("1")
    assert activity.head_confirmed_by == "Петрова А.А."
    assert activity.centre_confirmed_by == "Сидоров Б.Б."
    assert activity.application_confirmed
    assert not fresh.route(1).activity("2").application_confirmed
    assert [e.action for e in fresh.store.list_audit(number(1))].count("application-confirm") == 2
    assert confirm(fresh.store, number(1), CENTRE, key="1").confirmed == []  # twice changes nothing


def test_teacher_and_curator_cannot_confirm(fresh: World) -> None:
    for role in (Role.TEACHER, Role.CURATOR, Role.DEVELOPER):
        with pytest.raises(PermissionDenied):
            confirm(fresh.store, number(1), Actor(role, "Кто-то"))
    assert not fresh.route(1).activity("1").head_confirmed_by


def test_head_confirms_only_own_school(fresh: World) -> None:
    other = Actor(Role.HEAD, "Чужой В.В.", school="МБОУ «Лицей № 2»")
    with pytest.raises(PermissionDenied):
        confirm(fresh.store, number(1), other)
    with pytest.raises(PermissionDenied):
        confirm_school(fresh.store, SCHOOL, other)
    with pytest.raises(PermissionDenied):
        confirm(fresh.store, number(1), Actor(Role.HEAD, "Без школы"))


def test_head_confirms_the_whole_school_at_once(fresh: World) -> None:
    done = confirm_school(fresh.store, SCHOOL, HEAD).confirmed
    assert len(done) == 6
    assert list_applications(fresh.store, pending_only=True)[0].state == "ждёт специалиста ЦНППМ"
    assert confirm_school(fresh.store, SCHOOL, HEAD).confirmed == []


def test_only_approved_or_in_progress_routes_have_applications(tmp_path: Path) -> None:
    world = make_world(tmp_path, n=1, status=RouteStatus.AGREEMENT)
    assert list_applications(world.store) == []
    with pytest.raises(WorkflowError):
        confirm(world.store, number(1), HEAD)


def test_centre_confirms_what_the_head_confirmed_for_a_whole_school(fresh: World) -> None:
    confirm(fresh.store, number(1), HEAD)
    done = confirm_school(fresh.store, SCHOOL, CENTRE).confirmed
    assert [(a.number, a.key) for a in done] == [(number(1), "1"), (number(1), "2")]
    assert len(list_applications(fresh.store, pending_only=True)) == 4
    with pytest.raises(PermissionDenied):
        confirm_school(fresh.store, SCHOOL, Actor(Role.CURATOR, "Куратор"))

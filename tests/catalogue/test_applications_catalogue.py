"""Applications against the catalogue: the teacher's choice gates them, prerequisites refuse them per person
(in the applications and again in the enrol job), the ЦНППМ rejects with a reason, places are held."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from course_map.models import CourseEntry, Education, Prerequisites
from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role
from lms_bridge.errors import RouteNotFound, WorkflowError
from lms_bridge.ports import TransmissionKind
from lms_bridge.services import applications, choices
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import SyncOptions
from lms_bridge.services.sync_enrol import sync_enrol
from tests.jobs.conftest import COURSE_MAP, NOW, World, make_world, number, set_route, unconfirm

SCHOOL = "МБОУ «СОШ № 1»"
HEAD = Actor(Role.HEAD, "Петрова А.А.", school=SCHOOL)
CENTRE = Actor(Role.CENTRE, "Сидоров Б.Б.")
TODAY = date(2026, 10, 1)


@pytest.fixture
def fresh(tmp_path: Path) -> World:
    world = make_world(tmp_path, n=3)
    for n in range(1, 4):
        for key in ("1", "2"):
            unconfirm(world.store, n, key, centre_only=False)
    return world


def require(world: World, course: str, need: Prerequisites, capacity: int | None = None) -> None:
    entries = [
        replace(e, prerequisites=need, capacity=capacity) if e.lms_course == course else e for e in COURSE_MAP
    ]
    world.store.replace_course_map(entries, CENTRE)


def test_the_head_files_for_several_staff_and_unmet_prerequisites_are_refused_per_person(
    fresh: World,
) -> None:
    require(fresh, "PK-MATH", Prerequisites(Education.HIGHER))
    # the example teachers' registry has no education: nobody meets «высшее» until it is loaded
    teacher2 = replace(fresh.route(2).teacher, education="высшее, ЧГПУ, 2010")
    fresh.store.save_diagnostics([(teacher2, fresh.route(2).diagnostic)])
    listed = {(a.number, a.key): a for a in applications.list_applications(fresh.store, checked=True)}
    assert not listed[(number(1), "1")].check.met
    assert listed[(number(2), "1")].check.met
    assert listed[(number(1), "2")].check.met  # PK-METH has no requirement

    picks = [(number(1), "1"), (number(1), "2"), (number(2), "1"), (number(3), "2")]
    out = applications.confirm_selected(fresh.store, picks, HEAD)
    assert sorted((a.number, a.key) for a in out.confirmed) == [
        (number(1), "2"),
        (number(2), "1"),
        (number(3), "2"),
    ]
    assert [(r.application.number, r.reason) for r in out.refused] == [
        (number(1), "не выполнены требования: нужно образование не ниже «высшее», а в реестре оно не указано")
    ]
    assert not fresh.route(1).activity("1").head_confirmed_by
    with pytest.raises(WorkflowError, match="нужно образование не ниже «высшее»"):
        applications.confirm(fresh.store, number(1), HEAD, key="1")


def test_a_head_cannot_file_for_another_school(fresh: World) -> None:
    other = Actor(Role.HEAD, "Чужой В.В.", school="МБОУ «Лицей № 2»")
    with pytest.raises(Exception, match="только своей организации"):
        applications.confirm_selected(fresh.store, [(number(1), "1")], other)
    assert not fresh.route(1).activity("1").head_confirmed_by


def test_the_centre_rejects_with_a_reason_and_the_head_may_file_again(fresh: World) -> None:
    applications.confirm(fresh.store, number(1), HEAD, key="1")
    rejected = applications.reject(
        fresh.store, number(1), "1", CENTRE, "группа набрана, следующий поток в марте"
    )
    assert rejected.state == "отклонена специалистом ЦНППМ: группа набрана, следующий поток в марте"
    a = fresh.route(1).activity("1")
    assert (a.rejected_by, a.head_confirmed_by) == ("Сидоров Б.Б.", "")
    assert "application-reject" in [e.action for e in fresh.store.list_audit(number(1))]
    with pytest.raises(WorkflowError, match="заявка отклонена; руководитель ОО может подать её снова"):
        applications.confirm(fresh.store, number(1), CENTRE, key="1")
    assert (number(1), "1") not in {
        (x.number, x.key) for x in applications.list_applications(fresh.store, pending_only=True)
    }
    applications.confirm(fresh.store, number(1), HEAD, key="1")  # filed again
    a = fresh.route(1).activity("1")
    assert (a.head_confirmed_by, a.rejected_by, a.rejection_reason) == ("Петрова А.А.", "", "")
    applications.confirm(fresh.store, number(1), CENTRE, key="1")
    assert fresh.route(1).activity("1").application_confirmed


def test_the_centre_confirms_no_more_than_the_places(fresh: World) -> None:
    require(fresh, "PK-MATH", Prerequisites(), capacity=2)
    applications.confirm_school(fresh.store, SCHOOL, HEAD)
    out = applications.confirm_school(fresh.store, SCHOOL, CENTRE)
    math = [a for a in out.confirmed if a.course == "PK-MATH"]
    assert len(math) == 2
    assert [(r.application.course, r.reason) for r in out.refused] == [
        ("PK-MATH", "мест нет: подтверждено 2 из 2")
    ]


def test_an_item_waiting_for_the_teachers_choice_has_no_application(fresh: World) -> None:
    route = fresh.route(1)
    offered = replace(route.activity("2"), options=("PK-METH", "PK-DIG"))
    set_route(fresh.store, route.with_activity(offered))
    keys = {(a.number, a.key) for a in applications.list_applications(fresh.store)}
    assert (number(1), "2") not in keys
    awaiting = applications.list_awaiting_choice(fresh.store, applications.RouteFilter(school=SCHOOL))
    assert [(w.number, w.key, w.options) for w in awaiting] == [(number(1), "2", 2)]
    out = applications.confirm_school(fresh.store, SCHOOL, HEAD)
    assert (number(1), "2") not in {(a.number, a.key) for a in out.confirmed}

    teacher = Actor(Role.TEACHER, "Иванова1 Мария Петровна", "teacher1@school.ru")
    stranger = Actor(Role.TEACHER, "Иванова2 Мария Петровна", "teacher2@school.ru")
    with pytest.raises(RouteNotFound):  # another teacher's route answers as missing
        choices.choose(fresh.store, number(1), "2", "PK-DIG", stranger, TODAY)
    offer = choices.options(fresh.store, fresh.route(1))
    assert [(o.entry.lms_course, o.chosen) for o in offer["2"]] == [("PK-METH", True), ("PK-DIG", False)]
    choices.choose(fresh.store, number(1), "2", "PK-DIG", teacher, TODAY)
    a = fresh.route(1).activity("2")
    assert (a.lms_course, a.chosen_by) == ("PK-DIG", teacher.name)
    line = [e for e in fresh.store.list_audit(number(1)) if e.action == "choose"]
    assert "«Цифровая школа» (PK-DIG) из 2 рекомендуемых; был «Курс PK-METH» (PK-METH)" in line[0].details
    assert (number(1), "2") in {(x.number, x.key) for x in applications.list_applications(fresh.store)}


def test_the_enrol_job_checks_prerequisites_again(tmp_path: Path) -> None:
    world = make_world(tmp_path)
    # confirmed earlier, then the catalogue asks for an earlier course teacher 1 has not done
    require(world, "PK-METH", Prerequisites(courses=("PK-MATH",)))
    done = world.route(2).activity("1")
    set_route(world.store, world.route(2).with_activity(replace(done, done=True, result_source="lms")))
    sync_attach(world.lms, world.store, now=NOW, options=SyncOptions())
    report = sync_enrol(world.lms, world.store, now=NOW, options=SyncOptions())
    unmet = [p for p in report.problems if p.code == "prerequisites"]
    assert sorted(p.subject for p in unmet) == [number(1), number(3), number(4)]
    assert "сначала нужно пройти: PK-MATH" in unmet[0].message
    meth = world.courses["PK-METH"]
    enrolled = {e.user_id for e in world.lms.list_enrolled(meth.id)}
    assert enrolled == {world.user(2).id}  # teacher 2 has done PK-MATH
    failed = [
        t
        for t in world.store.list_transmissions(TransmissionKind.ENROL).values()
        if t.error_code == "prerequisites"
    ]
    assert len(failed) == 3
    again = sync_enrol(world.lms, world.store, now=NOW, options=SyncOptions())  # tried again, still refused
    assert sum(p.code == "prerequisites" for p in again.problems) == 3


def test_an_unknown_entry_is_no_obstacle() -> None:
    assert CourseEntry("X", "Курс").prerequisites == Prerequisites()

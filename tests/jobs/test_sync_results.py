from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from lms_bridge.domain.people import Actor
from lms_bridge.domain.vocabulary import Role, RouteStatus
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import SyncOptions
from lms_bridge.services.sync_enrol import sync_enrol
from lms_bridge.services.sync_results import sync_results
from tests.jobs.conftest import COURSE_MAP, NOW, World, make_world, number

OPTS = SyncOptions(batch=2)


def enrolled(world: World) -> World:
    sync_attach(world.lms, world.store, now=NOW, options=OPTS)
    sync_enrol(world.lms, world.store, now=NOW, options=OPTS)
    return world


def test_grades_below_at_and_above_the_pass_mark(world: World) -> None:
    enrolled(world)
    math = world.courses["PK-MATH"].id
    graded_at = int(datetime(2026, 10, 25, 23, 30, tzinfo=OPTS.tz).timestamp())  # the LMS's local date
    world.lms.set_grade(math, world.user(1).id, 59.5, item="final", graded_at=graded_at)
    world.lms.set_grade(math, world.user(2).id, 60, item="final", graded_at=graded_at)
    world.lms.set_grade(math, world.user(3).id, 95, item="final")
    # teacher 4 not graded yet
    calls_before = world.lms.calls.copy()
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert report.exit_code == 0
    assert (report.counts["passed"], report.counts["below_pass"], report.counts["waiting"]) == (2, 1, 5)
    below = world.route(1).activity("1")
    assert not below.done
    # the card says why, with the grade and the pass mark the LMS gave (000 §2.6)
    assert below.mark_label == "не выполнено: итоговая аттестация не пройдена (оценка 59.5 при проходном 60)"
    tx = world.store.list_transmissions("result")[(number(1), "1", "PK-MATH", "result")]
    assert (tx.state, tx.grade) == ("pending", 59.5)
    at_pass = world.route(2).activity("1")
    assert at_pass.done
    assert at_pass.grade == 60
    assert at_pass.result_source == "lms"
    assert at_pass.done_on is not None
    assert at_pass.done_on.isoformat() == "2026-10-25"
    assert world.route(3).activity("1").done_on == NOW.date()  # no grading date: the run's date
    # one grade report per course; the pass grade read once for PK-MATH, PK-METH's comes from the map
    assert world.lms.calls["list_grades"] - calls_before["list_grades"] == 2
    assert world.lms.calls["find_pass_grade"] - calls_before["find_pass_grade"] == 1
    assert any(e.action == "mark" and "60" in e.details for e in world.store.list_audit(number(2)))


def test_second_run_changes_nothing(world: World) -> None:
    enrolled(world)
    math = world.courses["PK-MATH"].id
    world.lms.set_grade(math, world.user(1).id, 30, item="final")
    world.lms.set_grade(math, world.user(2).id, 80, item="final")
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    audit = world.store.list_audit()
    tx = world.store.list_transmissions("result")
    routes = [world.route(i) for i in range(1, 5)]
    again = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert again.counts["passed"] == 0
    assert world.store.list_audit() == audit
    assert world.store.list_transmissions("result") == tx
    assert [world.route(i) for i in range(1, 5)] == routes


def test_only_courses_with_pending_items_are_read(world: World) -> None:
    enrolled(world)
    math = world.courses["PK-MATH"].id
    for i in range(1, 5):
        world.lms.set_grade(math, world.user(i).id, 90, item="final")
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    before = world.lms.calls["list_grades"]
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.calls["list_grades"] == before + 1  # PK-METH only: PK-MATH has nothing pending


def test_course_total_needs_a_pass_grade_from_the_course_map(tmp_path: Path) -> None:
    world = enrolled(make_world(tmp_path))
    meth = world.courses["PK-METH"].id
    world.lms.set_grade(meth, world.user(1).id, 70)
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert world.route(1).activity("2").done
    assert world.route(1).activity("2").grade == 70

    no_pass = [replace(e, pass_grade=None) for e in COURSE_MAP]
    world.store.replace_course_map(no_pass, Actor(Role.COURSE_ADMIN, "Админ"))
    world.lms.set_grade(meth, world.user(2).id, 99)
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert ("PK-METH", "nopassgrade") in {(p.subject, p.code) for p in report.problems}
    assert report.exit_code == 1
    assert not world.route(2).activity("2").done


def test_a_recorded_pass_is_never_undone_and_the_disagreement_is_recorded_once(world: World) -> None:
    enrolled(world)
    math = world.courses["PK-MATH"].id
    world.lms.set_grade(math, world.user(1).id, 90, item="final")
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    world.lms.set_grade(math, world.user(1).id, 20, item="final")  # a later glitch or re-grade
    for _ in range(2):
        report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    first = world.route(1).activity("1")
    assert first.done
    assert first.grade == 90
    (d,) = world.store.list_disagreements()
    assert (d.route_number, d.item_key, d.recorded_grade, d.lms_grade, d.pass_grade) == (
        number(1),
        "1",
        90,
        20,
        60,
    )
    assert report.counts["disagreements"] == 0  # already recorded by the first of the two runs


def test_completion_decided_course(tmp_path: Path) -> None:
    world = enrolled(make_world(tmp_path, n=3, courses=("PK-DIG",)))
    dig = world.courses["PK-DIG"].id
    world.lms.complete(dig, world.user(1).id, at=1_793_000_000)
    del world.lms.enrolments[(dig, world.user(3).id)]  # unenrolled in the LMS meanwhile
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert world.route(1).activity("1").done
    assert world.route(1).activity("1").grade is None
    assert not world.route(2).activity("1").done
    assert "notenroled" in {p.code for p in report.problems}
    assert world.lms.calls["list_completions"] == 3  # one call per pending user
    assert world.lms.calls["list_grades"] == 0

    world.lms.courses[dig].completion_tracked = False
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert ("PK-DIG", "nocriteriaset") in {(p.subject, p.code) for p in report.problems}


def test_curator_is_told_once_when_every_formal_activity_is_done(world: World) -> None:
    enrolled(world)
    math, meth = world.courses["PK-MATH"].id, world.courses["PK-METH"].id
    world.lms.set_grade(math, world.user(1).id, 90, item="final")
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert world.lms.messages == []
    world.lms.set_grade(meth, world.user(1).id, 75)
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert report.counts["curators_told"] == 1
    ((to, text),) = world.lms.messages
    assert to == world.curator.id
    assert number(1) in text
    route = world.route(1)
    assert route.status is RouteStatus.IN_PROGRESS  # waits for the curator's conclusions
    assert any(e.action == "formal-done" for e in world.store.list_audit(number(1)))
    sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert len(world.lms.messages) == 1


@pytest.mark.parametrize("parallel", [1, 4])
def test_results_are_the_same_in_parallel(tmp_path: Path, parallel: int) -> None:
    world = enrolled(make_world(tmp_path, n=6))
    for i in range(1, 7):
        world.lms.set_grade(world.courses["PK-MATH"].id, world.user(i).id, 50 + 5 * i, item="final")
        world.lms.set_grade(world.courses["PK-METH"].id, world.user(i).id, 40 + 10 * i)
    sync_results(world.lms, world.store, now=NOW, options=SyncOptions(parallel=parallel))
    done = [(i, a.key) for i in range(1, 7) for a in world.route(i).formal_activities if a.done]
    assert done == [(2, "1"), (3, "1"), (3, "2"), (4, "1"), (4, "2"), (5, "1"), (5, "2"), (6, "1"), (6, "2")]


def test_unconfirmed_applications_are_not_looked_for(world: World) -> None:
    from tests.jobs.conftest import unconfirm

    enrolled(world)
    unconfirm(world.store, 1, "1")
    report = sync_results(world.lms, world.store, now=NOW, options=OPTS)
    assert report.counts["no_application"] == 1
    assert report.problems == []

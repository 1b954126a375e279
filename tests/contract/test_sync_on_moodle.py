"""End to end on a real Moodle (the lab): attach, enrol, a teacher's grade, results → the route item is done.

Skipped with the reason when no lab is configured (``tests/moodle_lab.py``). The teachers are new accounts
with e-mails unique to this run (deleted at the end, dropping their enrolments); the course is the lab's
ДПП «DPP-MET-01», whose final attestation is the manual grade item ``DPP-MET-01-FINAL`` (no course module, so
its pass mark comes from the course map). The grade is set the way a teacher would, by the lab's
``set_grade.php``. Enrolments start yesterday: Moodle hides the grades of an enrolment that has not started.
"""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from course_map.models import CourseEntry
from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient
from lms_bridge.domain.people import Actor
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory, Role, RouteStatus
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import SyncOptions
from lms_bridge.services.sync_enrol import sync_enrol
from lms_bridge.services.sync_results import sync_results
from lms_bridge.storage.migrate import upgrade
from lms_bridge.storage.store import make_engine
from lms_bridge.storage.sync_store import SqlSyncStore
from tests import moodle_lab
from tests.conftest import make_diagnostic, make_teacher

COURSE = "DPP-MET-01"
CODES = ("П1.1", "М2.3")
DEV = Actor(Role.DEVELOPER, "Разработчик Р.Р.")


@pytest.fixture
def lab(lab_seeder: moodle_lab.Seeder) -> Iterator[tuple[moodle_lab.LabSite, moodle_lab.LabSeed]]:
    seed = moodle_lab.LabSeed(lab_seeder)
    try:
        yield moodle_lab.site(), seed
    finally:
        seed.retire()


def registry(tmp_path: Path, emails: list[str], today: date) -> SqlSyncStore:
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    upgrade(url)
    store = SqlSyncStore(make_engine(url))
    pairs = [
        (replace(make_teacher(i), email=e), replace(make_diagnostic(i, codes=CODES), teacher_email=e))
        for i, e in enumerate(emails, start=1)
    ]
    store.save_diagnostics(pairs)
    entry = CourseEntry(
        COURSE, "Методология", deficit_codes=CODES, hours=36, final_item=f"{COURSE}-FINAL", pass_grade=60
    )
    store.replace_course_map([entry], Actor(Role.COURSE_ADMIN, "Админ"))
    course = Activity(
        key="1",
        category=ActivityCategory.KNOWLEDGE,
        title="Методология",
        start=today - timedelta(days=1),
        end=today + timedelta(days=60),
        lms_course=COURSE,
        hours=36,
        head_confirmed_by="Петрова А.А.",
        centre_confirmed_by="Сидоров Б.Б.",
    )
    routes = [
        Route(
            number=f"74-2026-{900000 + i:06d}",
            teacher=teacher,
            diagnostic=diagnostic,
            status=RouteStatus.APPROVED,
            curator_email="",
            curator_name="",
            start=today - timedelta(days=1),
            end=today + timedelta(days=200),
            activities=(course,),
        )
        for i, (teacher, diagnostic) in enumerate(pairs, start=1)
    ]
    store.add_routes(routes, DEV)
    return store


def call(lms: MoodleLms, fn: str, **params: Any) -> Any:
    return lms.client.call(fn, **params)


def test_attach_enrol_grade_results_on_a_real_moodle(
    tmp_path: Path, lab: tuple[moodle_lab.LabSite, moodle_lab.LabSeed]
) -> None:
    site, seed = lab
    run = uuid.uuid4().hex[:8]
    emails = [f"e2e-{run}-{i}@example.com" for i in (1, 2)]
    users = [
        seed.add_user(f"e2e-{run}-{i}", e, full_name=f"Мария Иванова{i}") for i, e in enumerate(emails, 1)
    ]
    now = datetime.now()
    store = registry(tmp_path, emails, now.date())
    lms = MoodleLms(MoodleClient(site.url, site.token), parallel=2)
    options = SyncOptions(public_url="https://iom.example.ru", batch=10, parallel=2, timezone="UTC")

    attach = sync_attach(lms, store, now=now, options=options)
    assert attach.exit_code == 0, attach.problems
    numbers = [r.number for r in store.list_routes()]
    assert seed.route_link(users[0].id) == f"https://iom.example.ru/card/{numbers[0]}"
    (plan,) = [
        p
        for p in call(lms, "core_competency_list_user_plans", userid=users[0].id)
        if p["name"] == f"ИОМ {numbers[0]}"
    ]
    plan_codes = {
        c["competency"]["idnumber"]
        for c in call(lms, "core_competency_list_plan_competencies", id=plan["id"])
    }
    assert plan_codes == set(CODES)
    assert plan["status"] == 1
    # the ДПП course is linked to the same competencies, outcome "complete": completing it rates the plan
    course_id = lms.find_course(COURSE).id  # type: ignore[union-attr]
    links = call(lms, "core_competency_list_course_competencies", id=course_id)
    linked = {c["competency"]["idnumber"]: c["coursecompetency"]["ruleoutcome"] for c in links}
    assert {code: linked.get(code) for code in CODES} == {code: 3 for code in CODES}

    enrol = sync_enrol(lms, store, now=now, options=options)
    assert enrol.exit_code == 0, enrol.problems
    assert enrol.counts["enrolled"] == 2
    assert {u.id for u in users} <= {e.user_id for e in lms.list_enrolled(course_id) if not e.suspended}

    subprocess.run(
        ["php", str(site.script("set_grade.php")), COURSE, emails[0], "85"], check=True, capture_output=True
    )
    subprocess.run(
        ["php", str(site.script("set_grade.php")), COURSE, emails[1], "40"], check=True, capture_output=True
    )
    results = sync_results(lms, store, now=now, options=options)
    assert results.exit_code == 0, results.problems
    assert (results.counts["passed"], results.counts["below_pass"]) == (1, 1)
    passed, below = (store.get_route(n).activity("1") for n in numbers)
    assert (passed.done, passed.grade, passed.result_source) == (True, 85.0, "lms")
    assert not below.done  # below the pass mark: not done, reported as below_pass

    again = [job(lms, store, now=now, options=options) for job in (sync_attach, sync_enrol, sync_results)]
    assert [r.exit_code for r in again] == [0, 0, 0]
    assert again[0].counts["course_competencies"] == 0
    assert again[1].counts["enrolled"] == 0

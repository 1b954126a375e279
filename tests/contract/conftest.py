"""Targets of the Lms contract: the same behavioural tests run on each.

A target is a ``World``: the ``lms`` under test and a ``seed`` that puts users, courses, grade items, grades
and completions into the LMS behind it (the seeding names are InMemoryLms's). Adding a target is one more
builder in ``BUILDERS``. The fourth target, ``real``, is a real Moodle (``tests/moodle_lab.py``): it runs
when ``LMS_BRIDGE_TEST_MOODLE_URL``, ``LMS_BRIDGE_TEST_MOODLE_TOKEN`` and ``LMS_BRIDGE_TEST_MOODLE_LAB`` name
one and is skipped with the reason otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

import pytest
import requests
import responses

from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.ports import Lms, LmsCourse, LmsUser
from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.seed import seed_staff
from moodle_sim.state import IOM_URL_FIELD, Activity
from moodle_sim.state import Course as SimCourse
from moodle_sim.state import User as SimUser
from tests import moodle_lab
from tests.fakes.moodle import BASE, TOKEN, FakeMoodle


class Seed(Protocol):
    def add_user(
        self, username: str, email: str = "", idnumber: str = "", full_name: str = ""
    ) -> LmsUser: ...
    def add_course(
        self,
        shortname: str,
        idnumber: str = "",
        full_name: str = "",
        *,
        manual_enrol: bool = True,
        completion_tracked: bool = True,
        grade_max: float = 100.0,
    ) -> LmsCourse: ...
    def add_grade_item(
        self, course_id: int, idnumber: str, *, grade_max: float = 100.0, pass_grade: float | None = None
    ) -> None: ...
    def set_grade(
        self, course_id: int, user_id: int, grade: float | None, *, item: str = "", graded_at: int = 0
    ) -> None: ...
    def complete(self, course_id: int, user_id: int, at: int = 1) -> None: ...
    def suspend(self, course_id: int, user_id: int) -> None: ...
    def route_link(self, user_id: int) -> str | None:
        """The card link shown in the user's LMS profile, if any."""
        ...


@dataclass
class World:
    lms: Lms
    seed: Seed


@contextmanager
def memory_world() -> Iterator[World]:
    lms = InMemoryLms()
    yield World(lms, lms)


@contextmanager
def moodle_fake_world() -> Iterator[World]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeMoodle().install(rsps)
        client = MoodleClient(BASE, TOKEN, retry=RetryPolicy(attempts=2), sleep=lambda _s: None)
        yield World(MoodleLms(client, parallel=2), fake)


# --- the Flask Moodle simulator (moodle_sim), reached by requests through its test client ---------------
SIM_BASE = "http://sim.example.org/moodle"


class SimSeed:
    """InMemoryLms's seeding names on the simulator's state."""

    def __init__(self, state: SimState):
        self.state = state
        state.reserve_ids("course", 1)  # id 1 is the site course

    def add_user(self, username: str, email: str = "", idnumber: str = "", full_name: str = "") -> LmsUser:
        first, _, last = (full_name or username).partition(" ")
        with self.state.lock:
            user = self.state.add_user(
                SimUser(self.state.new_id("user"), username, first, last, email, idnumber)
            )
        return LmsUser(user.id, username, email, idnumber, user.fullname)

    def add_course(
        self,
        shortname: str,
        idnumber: str = "",
        full_name: str = "",
        *,
        manual_enrol: bool = True,
        completion_tracked: bool = True,
        grade_max: float = 100.0,
    ) -> LmsCourse:
        with self.state.lock:
            cid = self.state.new_id("course")
            course = SimCourse(cid, shortname, full_name or shortname, idnumber, manual_enrol=manual_enrol)
            self.state.add_course(course)
        if completion_tracked:  # a graded activity (no idnumber) as the completion criterion
            self._activity(cid, "", grade_max, 0.0, criterion=True)
        return LmsCourse(cid, shortname, idnumber, full_name or shortname)

    def add_grade_item(
        self, course_id: int, idnumber: str, *, grade_max: float = 100.0, pass_grade: float | None = None
    ) -> None:
        self._activity(course_id, idnumber, grade_max, pass_grade or 0.0, criterion=False)

    def _activity(
        self, course_id: int, name: str, grade_max: float, pass_grade: float, *, criterion: bool
    ) -> None:
        with self.state.lock:
            item, cmid = self.state.new_id("grade_item"), self.state.new_id("cm")
            activity = Activity(
                cmid, course_id, name or "Задание", item, instance=self.state.new_id("assign"), idnumber=name
            )
            activity.grademax, activity.gradepass = grade_max, pass_grade
            self.state.add_activity(activity, criterion=criterion)

    def set_grade(
        self, course_id: int, user_id: int, grade: float | None, *, item: str = "", graded_at: int = 0
    ) -> None:
        if grade is None:
            return
        at = graded_at or None
        with self.state.lock:
            if not item:  # the course total, as a teacher's override
                self.state.override_course_total(course_id, user_id, grade, at=at)
                return
            activity = next(a for a in self.state.course_activities(course_id) if a.idnumber == item)
            self.state.set_grade(activity, user_id, grade, at=at)

    def complete(self, course_id: int, user_id: int, at: int = 1) -> None:
        with self.state.lock:
            self.state.course_completions[(course_id, user_id)] = at

    def suspend(self, course_id: int, user_id: int) -> None:
        with self.state.lock:
            self.state.enrolments[(course_id, user_id)].suspended = True

    def route_link(self, user_id: int) -> str | None:
        with self.state.lock:
            return self.state.users[user_id].customfields.get(IOM_URL_FIELD[0])


@contextmanager
def sim_world() -> Iterator[World]:
    state = SimState()
    seed_staff(state)
    app = create_sim_app(SimConfig(token=TOKEN, site_url=SIM_BASE, sleep=lambda _s: None), state)
    web = app.test_client()

    def forward(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        answer = web.post(
            urlsplit(request.url or "").path.removeprefix("/moodle"),
            data=request.body,
            content_type=request.headers["Content-Type"],
        )
        return answer.status_code, {"Content-Type": answer.content_type}, answer.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, SIM_BASE + "/webservice/rest/server.php", callback=forward)
        client = MoodleClient(SIM_BASE, TOKEN, retry=RetryPolicy(attempts=2), sleep=lambda _s: None)
        yield World(MoodleLms(client, parallel=2), SimSeed(state))


BUILDERS: dict[str, Callable[[], AbstractContextManager[World]]] = {
    "memory": memory_world,
    "moodle": moodle_fake_world,
    "sim": sim_world,
}


# --- a real Moodle (the moodle-lab), when LMS_BRIDGE_TEST_MOODLE_URL/_TOKEN/_LAB name one ------------------
@pytest.fixture(scope="session")
def lab_seeder() -> Iterator[moodle_lab.Seeder]:
    why = moodle_lab.missing()
    if why and os.environ.get("LMS_BRIDGE_TEST_MOODLE_REQUIRED"):
        pytest.fail(f"CI stood a Moodle lab up but: {why}")
    if why:
        pytest.skip(why)
    seeder = moodle_lab.Seeder(moodle_lab.site().lab)
    yield seeder
    seeder.close()


@contextmanager
def real_world(seeder: moodle_lab.Seeder) -> Iterator[World]:
    site = moodle_lab.site()
    seed = moodle_lab.LabSeed(seeder)
    try:
        yield World(
            MoodleLms(MoodleClient(site.url, site.token, retry=RetryPolicy(attempts=2)), parallel=2), seed
        )
    finally:
        seed.retire()  # the next test (and the next run) finds the site as the lab left it


@pytest.fixture(params=[*sorted(BUILDERS), "real"])
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    if request.param == "real":
        with real_world(request.getfixturevalue("lab_seeder")) as w:
            yield w
        return
    with BUILDERS[request.param]() as w:
        yield w

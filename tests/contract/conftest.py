"""Targets of the Lms contract: the same behavioural tests run on each.

A target is a ``World``: the ``lms`` under test and a ``seed`` that puts users, courses, grade items, grades
and completions into the LMS behind it (the seeding names are InMemoryLms's). Adding a target is one more
builder in ``BUILDERS``. The third target, ``real``, is a real Moodle (``tests/moodle_lab.py``): it runs
when ``LMS_BRIDGE_TEST_MOODLE_URL``, ``LMS_BRIDGE_TEST_MOODLE_TOKEN`` and ``LMS_BRIDGE_TEST_MOODLE_LAB`` name
one and is skipped with the reason otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

import pytest
import responses

from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.ports import Lms, LmsCourse, LmsUser
from tests import moodle_lab
from tests.fakes.sim_http import BASE, TOKEN, SimMoodle


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

    def delete_user(self, user_id: int) -> None: ...
    def block_messages(self, user_id: int) -> None: ...
    def messages_to(self, user_id: int) -> list[str]:
        """The texts the user received, oldest first."""
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
def sim_world() -> Iterator[World]:
    """``MoodleLms`` over HTTP to the Moodle simulator (in-process, through ``responses``)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        sim = SimMoodle().install(rsps)
        client = MoodleClient(BASE, TOKEN, retry=RetryPolicy(attempts=2), sleep=lambda _s: None)
        yield World(MoodleLms(client, parallel=2), sim)


BUILDERS: dict[str, Callable[[], AbstractContextManager[World]]] = {
    "memory": memory_world,
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

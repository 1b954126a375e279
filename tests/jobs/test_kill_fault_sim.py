"""20 kills and a 0.3 fault rate on the Moodle simulator, then the LMS compared with an uninterrupted run:
nothing lost and nothing doubled, per object kind (enrolments, plans, frameworks and competencies, course
competencies, messages, profile values).

Deterministic, not timing-based: the jobs run with one worker, the simulator draws its faults from one seeded
generator in request order, and the kills land at chosen calls (the n-th call of a function over all runs) —
half before the simulator runs the call, half after it ran and before its answer reaches the adapter. Chosen
creates (framework, competency, plan, approval, message) also lose their answer after they ran: the case that
doubled learning plans when a retry did not look first. A simulator "timeout" fault does the same at random.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
import responses

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.services.sync_attach import sync_attach
from lms_bridge.services.sync_common import JobReport, SyncOptions
from lms_bridge.services.sync_enrol import sync_enrol
from lms_bridge.services.sync_results import sync_results
from lms_bridge.storage.sync_store import SqlSyncStore
from moodle_sim import SimConfig, SimState, create_sim_app, sim_context
from moodle_sim.seed import seed_staff
from moodle_sim.state import IOM_URL_FIELD
from tests.fakes.sim_http import SimSeed
from tests.jobs.conftest import COURSE_MAP, CURATOR, NOW, make_store

BASE = "http://sim.example.org/moodle"
ROUTE_NUMBER = re.compile(r"\b\d{2}-\d{4}-\d{6}\b")
TOKEN = "kill-fault-token"
COURSES = ("PK-MATH", "PK-METH", "PK-DIG")
TEACHERS = 6
OPTS = SyncOptions(batch=2, parallel=1)  # one worker: the request order, so the faults, are fixed
JOBS: tuple[Callable[..., JobReport], ...] = (sync_attach, sync_enrol, sync_results)


class Killed(BaseException):
    """The process dies: nothing in the jobs may catch it."""


Point = tuple[str, int]  # the n-th call of a web-service function, counted over all runs
# 20 kills: 10 before the call runs, 10 after it ran and before its answer arrives; creates first
KILLS_AFTER: frozenset[Point] = frozenset(
    {
        ("core_competency_create_competency", 1),
        ("core_competency_create_plan", 1),
        ("core_competency_create_plan", 4),
        ("core_competency_approve_plan", 2),
        ("core_competency_add_competency_to_plan", 3),
        ("core_user_update_users", 1),
        ("enrol_manual_enrol_users", 1),
        ("core_competency_add_competency_to_course", 1),
        ("core_competency_set_course_competency_ruleoutcome", 1),
        ("gradereport_user_get_grade_items", 2),
    }
)
KILLS_BEFORE: frozenset[Point] = frozenset(
    {
        ("core_user_get_users_by_field", 2),
        ("core_competency_create_plan", 3),
        ("core_competency_approve_plan", 1),
        ("core_competency_add_competency_to_plan", 1),
        ("core_user_update_users", 2),
        ("enrol_manual_enrol_users", 3),
        ("gradereport_user_get_grade_items", 1),
        ("core_enrol_get_users_courses", 1),
        ("core_competency_list_course_competencies", 1),
        ("core_message_get_messages", 1),
    }
)
# answers lost after the call ran (read timeouts), on top of the simulator's own seeded faults
TIMEOUTS: frozenset[Point] = frozenset(
    {
        ("core_competency_create_competency_framework", 1),
        ("core_competency_create_competency", 2),
        ("core_competency_create_plan", 2),
        ("core_competency_create_plan", 5),
        ("core_competency_approve_plan", 3),
        ("core_message_send_instant_messages", 1),
    }
)


class SimLms:
    """The simulator behind ``MoodleLms``, requests forwarded in-process; kills and lost answers at chosen
    calls."""

    def __init__(self, *, fault_rate: float = 0.0, faults: bool = False):
        self.state = SimState()
        seed_staff(self.state)
        self.seed = SimSeed(self.state)
        self.faults = faults
        self.seen: Counter[str] = Counter()
        self.kills_done = 0
        self.timed_out = self.dead = False
        config = SimConfig(
            token=TOKEN, site_url=BASE, fault_rate=fault_rate, random_seed=7, sleep=self._sleep
        )
        self.timeout_s = config.timeout_sleep_s
        self.web = create_sim_app(config, self.state).test_client()
        client = MoodleClient(BASE, TOKEN, retry=RetryPolicy(attempts=3), sleep=lambda _s: None)
        self.lms = MoodleLms(client, parallel=1)

    def _sleep(self, seconds: float) -> None:
        if seconds >= self.timeout_s:  # the simulator holds the answer past the client's read timeout
            self.timed_out = True

    def forward(self, request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        if self.dead:  # a dead process sends nothing more (a call already queued on a worker thread)
            raise Killed("the process was killed")
        fn = parse_qs(str(request.body))["wsfunction"][0]
        self.seen[fn] += 1
        point, self.timed_out = (fn, self.seen[fn]), False
        if self.faults and point in KILLS_BEFORE:
            self._kill(f"killed before {point}")
        path = urlsplit(request.url or "").path.removeprefix("/moodle")
        answer = self.web.post(path, data=request.body, content_type=request.headers["Content-Type"])
        if self.faults and point in KILLS_AFTER:
            self._kill(f"killed after {point} ran")
        if self.timed_out or (self.faults and point in TIMEOUTS):
            raise requests.ReadTimeout(f"read timeout after {point} ran")
        return answer.status_code, {"Content-Type": answer.content_type}, answer.get_data()

    def _kill(self, why: str) -> None:
        self.dead = True
        self.kills_done += 1
        raise Killed(why)


def populate(sim: SimLms) -> None:
    """Teachers, the curator and the three courses; grades and completions are there from the start."""
    users = [sim.seed.add_user(f"t{i}", f"teacher{i}@school.ru") for i in range(1, TEACHERS + 1)]
    sim.seed.add_user("methodist", CURATOR)
    for entry in COURSE_MAP:
        course = sim.seed.add_course(entry.lms_course, idnumber=entry.lms_course)
        if entry.final_item:
            sim.seed.add_grade_item(course.id, entry.final_item, pass_grade=60)
        for i, user in enumerate(users, start=1):
            if entry.lms_course == "PK-MATH":
                sim.seed.set_grade(course.id, user.id, 40 + 10 * i, item="final")
            elif entry.lms_course == "PK-METH":
                sim.seed.set_grade(course.id, user.id, 100 - 5 * i)
            elif i % 2:
                sim.seed.complete(course.id, user.id, at=1_790_000_000)


def sync_all(sim: SimLms, store: SqlSyncStore) -> bool:
    """One `sync all` (a new process); True when it ran to the end with nothing failed."""
    sim.dead, ok = False, True
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, BASE + "/webservice/rest/server.php", callback=sim.forward)
        try:
            for job in JOBS:
                ok = job(sim.lms, store, now=NOW, options=OPTS).exit_code == 0 and ok
        except Killed:
            assert sim.dead
    return ok and not sim.dead


def lms_objects(state: SimState) -> dict[str, Counter[Any]]:
    """Every object kind the jobs write, by what identifies it (not by id): a count above 1 is a double."""
    comp = state.competencies
    return {
        "enrolments": Counter(
            (e.course_id, e.user_id, tuple(sorted(e.roles)), e.timestart, e.timeend, e.suspended)
            for e in state.enrolments.values()
        ),
        "plans": Counter((pl.userid, pl.name) for pl in state.plans.values()),
        "plan contents": Counter(
            (
                pl.userid,
                pl.name,
                pl.description,
                pl.status,
                tuple(sorted(comp[c].idnumber for c in pl.competency_ids)),
            )
            for pl in state.plans.values()
        ),
        "frameworks": Counter(f.idnumber for f in state.frameworks.values()),
        "competencies": Counter(
            (state.frameworks[c.frameworkid].idnumber, c.idnumber) for c in comp.values()
        ),
        "course competencies": Counter(
            (cc.course_id, comp[cc.competency_id].idnumber, cc.ruleoutcome)
            for cc in state.course_competencies.values()
        ),
        # each finished route told to its curator once; which run (so which message) depends on the faults
        "messages": Counter(
            (m.useridto, number) for m in state.messages for number in set(ROUTE_NUMBER.findall(m.text))
        ),
        "profile values": Counter(
            (u.id, u.customfields[IOM_URL_FIELD[0]])
            for u in state.users.values()
            if IOM_URL_FIELD[0] in u.customfields
        ),
    }


def test_twenty_kills_and_faults_leave_the_lms_as_an_uninterrupted_run(tmp_path: Path) -> None:
    reference = SimLms()
    populate(reference)
    store = make_store(tmp_path, n=TEACHERS, courses=COURSES, name="reference")
    assert sync_all(reference, store)
    assert sync_all(reference, store)
    expected = lms_objects(reference.state)
    assert all(expected.values()), expected  # every kind is there to be compared
    assert all(n == 1 for kind in expected.values() for n in kind.values())

    faulty = SimLms(fault_rate=0.3, faults=True)
    populate(faulty)
    store = make_store(tmp_path, n=TEACHERS, courses=COURSES, name="faulty")
    runs = 0
    while runs < 60:
        runs += 1
        if sync_all(faulty, store) and faulty.kills_done == len(KILLS_BEFORE | KILLS_AFTER):
            break
    assert faulty.kills_done == 20, f"{faulty.kills_done} kills in {runs} runs"
    assert all(faulty.seen[fn] >= n for fn, n in TIMEOUTS)  # every chosen answer was lost
    faults = sum(sim_context(faulty.web.application).stats.snapshot()["faults"].values())
    assert faults > 20  # the faults really happened

    got = lms_objects(faulty.state)
    for kind, objects in expected.items():
        lost = objects - got[kind]
        doubled = Counter({k: n - 1 for k, n in got[kind].items() if n > 1})
        assert (kind, lost, doubled) == (kind, Counter(), Counter())
        assert got[kind] == objects, kind

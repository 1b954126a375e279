"""The Moodle simulator (``moodle_sim``) behind ``responses``: ``MoodleLms`` talks HTTP to it in-process.

This is the HTTP-level Moodle of the adapter tests and of the contract suite (there is no separate fake):
requests go through ``requests`` and ``responses`` to the simulator's Flask test client. Seeding uses
``InMemoryLms``'s names (``SimSeed``), so the contract suite drives it like the in-memory fake.

``queue(wsfunction, reply)`` answers the next call of that function with a recorded body instead (a case
name in tests/fixtures/moodle, or a ``(status, headers, body)`` triple) or raises the given exception (a
timeout, a refused connection): the transport's answers to what a simulator cannot be asked to produce.
Every request's form fields are kept in ``requests``, and counted by function in ``calls``.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from urllib.parse import urlsplit

import requests
import responses

from lms_bridge.ports import LmsCourse, LmsUser
from moodle_sim import SimConfig, SimState, create_sim_app
from moodle_sim.seed import seed_staff
from moodle_sim.state import IOM_URL_FIELD, Activity
from moodle_sim.state import Course as SimCourse
from moodle_sim.state import User as SimUser
from tests.fakes.recorded import form_pairs, http_reply, recorded

BASE = "https://lms.example.org/moodle"
TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed"
ENDPOINT = BASE + "/webservice/rest/server.php"
Reply = tuple[int, dict[str, str], str | bytes]


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

    def delete_user(self, user_id: int) -> None:
        with self.state.lock:
            del self.state.users[user_id]

    def block_messages(self, user_id: int) -> None:
        with self.state.lock:
            self.state.users[user_id].messageable = False

    def messages_to(self, user_id: int) -> list[str]:
        with self.state.lock:
            return [m.text for m in self.state.messages if m.useridto == user_id]

    def route_link(self, user_id: int) -> str | None:
        with self.state.lock:
            return self.state.users[user_id].customfields.get(IOM_URL_FIELD[0])


class SimMoodle(SimSeed):
    """The simulator seeded with the lab's staff (admin = 2, the token's user), served at ``BASE``."""

    def __init__(self, *, max_input_vars: int = 1000):
        state = SimState()
        seed_staff(state)
        super().__init__(state)
        config = SimConfig(token=TOKEN, site_url=BASE, max_input_vars=max_input_vars, sleep=lambda _s: None)
        self.web = create_sim_app(config, state).test_client()
        self.requests: list[list[tuple[str, str]]] = []  # every request's form fields, in order
        self.calls: Counter[str] = Counter()
        self._queued: dict[str, deque[str | Reply | Exception]] = {}
        self._lock = threading.Lock()  # MoodleLms may call from a thread pool

    @property
    def functions(self) -> frozenset[str] | None:
        """The functions of the token's service (None: the recorded service, all 70)."""
        return self.state.service

    @functions.setter
    def functions(self, names: frozenset[str] | None) -> None:
        self.state.service = names

    def install(self, rsps: responses.RequestsMock, url: str = ENDPOINT) -> SimMoodle:
        rsps.add_callback(responses.POST, url, callback=self.callback)
        return self

    def queue(self, wsfunction: str, reply: str | Reply | Exception) -> None:
        self._queued.setdefault(wsfunction, deque()).append(reply)

    def callback(self, request: requests.PreparedRequest) -> Reply:
        body = request.body or ""
        pairs = form_pairs(body)
        fn = dict(pairs).get("wsfunction", "")
        with self._lock:
            self.requests.append(pairs)
            self.calls[fn] += 1
            queued = self._queued.get(fn)
            reply = queued.popleft() if queued else None
        if isinstance(reply, Exception):
            raise reply
        if reply is not None:
            return http_reply(reply) if isinstance(reply, str) else reply
        answer = self.web.post(
            urlsplit(request.url or "").path.removeprefix(urlsplit(BASE).path),
            data=body,
            content_type=request.headers.get("Content-Type", "application/x-www-form-urlencoded"),
        )
        return answer.status_code, {"Content-Type": answer.content_type}, answer.get_data()


def recorded_request(name: str) -> list[tuple[str, str]]:
    """The form fields of a recorded case, token excluded (to compare with what we sent)."""
    return [(k, v) for k, v in recorded(name)["request"].items() if k != "wstoken"]

"""The real Moodle adapter (``MoodleLms`` over HTTP) works against the simulator unchanged."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from lms_bridge.adapters.moodle.lms import MoodleLms
from lms_bridge.adapters.moodle.transport import MoodleClient, RetryPolicy
from lms_bridge.ports import Enrolment
from moodle_sim import SimConfig, SimState, create_sim_app, sim_context
from moodle_sim.lab import seed_lab
from moodle_sim.seed import add_final_course
from moodle_sim.state import STUDENT
from moodle_sim.state import Enrolment as StateEnrolment


@pytest.fixture
def served() -> Iterator[tuple[MoodleLms, SimState]]:
    state = SimState()
    seed_lab(state)
    app = create_sim_app(SimConfig(token="tok", site_url="http://127.0.0.1"), state)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield MoodleLms(MoodleClient(f"http://127.0.0.1:{server.server_port}", "tok")), state
    finally:
        server.shutdown()
        thread.join()


def test_moodle_adapter_round_trip(served: tuple[MoodleLms, SimState]) -> None:
    lms, state = served
    site = lms.get_site_info()
    assert site.user_id == 2
    assert "enrol_manual_enrol_users" in site.functions
    found = lms.find_users("email", ["olga.smirnova@example.com", "nobody@example.com"])
    assert [u.id for u in found["olga.smirnova@example.com"]] == [6]
    assert found["nobody@example.com"] == []
    course = lms.find_course("DPP-QUA-03")
    assert course is not None
    assert course.id == 4
    failures = lms.enrol([Enrolment(8, 4), Enrolment(9, 4), Enrolment(99999, 4)])
    assert [(f.row.user_id, f.errorcode) for f in failures] == [(99999, "invalidrecordunknown")]
    assert {e.user_id for e in lms.list_enrolled(4)} == {5, 8, 9}
    lms.client.call(
        "core_grades_update_grades",
        source="t",
        courseid=4,
        component="mod_assign",
        activityid=6,
        itemnumber=0,
        grades=[{"studentid": 8, "grade": 50}, {"studentid": 9, "grade": 80}],
    )
    assert {(g.user_id, g.grade) for g in lms.list_grades(4)} == {(8, 50.0), (9, 80.0)}
    assert lms.list_completions(9)[4].completed is True
    assert lms.list_completions(8)[4].completed is False
    failures = lms.set_route_links(
        [(9, "https://iom.example.org/r/1"), (99999, "https://iom.example.org/r/2")]
    )
    assert [(f.user_id, f.errorcode, f.message) for f in failures] == [
        (99999, "invaliduserid", "Invalid user ID")
    ]
    assert state.users[9].customfields == {"iom_url": "https://iom.example.org/r/1"}


def test_named_final_item_pass_grade_and_an_overridden_course_total(
    served: tuple[MoodleLms, SimState],
) -> None:
    lms, state = served
    with state.lock:
        course = add_final_course(state, "ДПП-Т", "Тест", "DPP-T", gradepass=70, item_idnumber="final")
        state.enrolments[(course.id, 9)] = StateEnrolment(9, course.id, {STUDENT})
        final = next(a for a in state.course_activities(course.id) if a.idnumber == "final")
        state.set_grade(final, 9, 65, at=1700000000)
    assert lms.find_pass_grade(course.id, "final") == 70.0
    assert lms.find_pass_grade(course.id) is None  # the course total's gradepass is not readable
    assert [(g.grade, g.graded_at) for g in lms.list_grades(course.id, "final")] == [(65.0, 1700000000)]
    with state.lock:
        state.override_course_total(course.id, 9, 72, at=1700000001)
    assert [(g.grade, g.graded_at) for g in lms.list_grades(course.id)] == [(72.0, 1700000001)]


def test_injected_faults_are_transient_for_the_adapter() -> None:
    state = SimState()
    seed_lab(state)
    config = SimConfig(token="tok", fault_rate=0.4, random_seed=3, fault_kinds=("http_503", "html_error"))
    app = create_sim_app(config, state)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = MoodleClient(
            f"http://127.0.0.1:{server.server_port}",
            "tok",
            retry=RetryPolicy(attempts=8),
            sleep=lambda _s: None,
        )
        lms = MoodleLms(client, parallel=1)
        for _ in range(10):  # every call gets through after retries
            assert lms.find_course("DPP-MET-01") is not None
        faults = sim_context(app).stats.snapshot()["faults"]
        assert sum(faults.values()) > 0
    finally:
        server.shutdown()
        thread.join()

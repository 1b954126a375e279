"""InMemoryLms behaves like the recorded Moodle 5.1 (tests/fixtures/moodle/NOTES.md)."""

from __future__ import annotations

import pytest

from lms_bridge.adapters.memory import InMemoryLms
from lms_bridge.errors import LmsNotFound, LmsUnavailable
from lms_bridge.ports import Enrolment


@pytest.fixture
def lms() -> InMemoryLms:
    return InMemoryLms()


def test_user_lookup_is_exact_and_keeps_every_value(lms: InMemoryLms) -> None:
    a = lms.add_user("anna", "anna@school.ru")
    found = lms.find_users("email", ["anna@school.ru", "ANNA@school.ru", "nobody@school.ru"])
    assert found == {"anna@school.ru": [a], "ANNA@school.ru": [], "nobody@school.ru": []}


def test_several_users_may_share_an_email(lms: InMemoryLms) -> None:
    a = lms.add_user("a1", "same@school.ru")
    b = lms.add_user("a2", "same@school.ru")
    assert lms.find_users("email", ["same@school.ru"]) == {"same@school.ru": [a, b]}


def test_find_course_by_idnumber_then_shortname(lms: InMemoryLms) -> None:
    c = lms.add_course("ДПП-МЕТ-01", "DPP-MET-01")
    assert lms.find_course("DPP-MET-01") == c
    assert lms.find_course("ДПП-МЕТ-01") == c
    assert lms.find_course("dpp-met-01") is None


def test_bad_rows_are_isolated_with_moodle_error_codes(lms: InMemoryLms) -> None:
    u = lms.add_user("u", "u@school.ru")
    c = lms.add_course("C1")
    noman = lms.add_course("C2", manual_enrol=False)
    rows = [
        Enrolment(u.id, c.id),
        Enrolment(99999, c.id),
        Enrolment(u.id, 99999),
        Enrolment(u.id, noman.id),
        Enrolment(u.id, c.id, role_id=999),
    ]
    failures = lms.enrol(rows)
    assert {(f.row, f.errorcode) for f in failures} == {
        (rows[1], "invalidrecordunknown"),
        (rows[2], "invalidparameter"),
        (rows[3], "wsnoinstance"),
        (rows[4], "wsusercannotassign"),
    }
    assert [e.user_id for e in lms.list_enrolled(c.id)] == [u.id]
    assert lms.calls["enrol"] == 1
    assert lms.ws_calls["enrol_manual_enrol_users"] > 1  # each wire call was all-or-nothing


def test_reenrol_semantics(lms: InMemoryLms) -> None:
    u = lms.add_user("u", "u@school.ru")
    c = lms.add_course("C1")
    lms.enrol([Enrolment(u.id, c.id, start=100, end=200)])
    lms.suspend(c.id, u.id)
    lms.enrol([Enrolment(u.id, c.id, role_id=4)])
    (e,) = lms.list_enrolled(c.id)
    assert e.role_ids == frozenset({4, 5})  # a role is added
    assert (e.start, e.end) == (0, 0)  # dates cleared
    assert not e.suspended  # reactivated


def test_grade_report_lists_students_only_and_pass_grade_only_for_items(lms: InMemoryLms) -> None:
    s = lms.add_user("s", "s@school.ru")
    t = lms.add_user("t", "t@school.ru")
    ungraded = lms.add_user("n", "n@school.ru")
    c = lms.add_course("C1")
    lms.add_grade_item(c.id, "final", pass_grade=60)
    lms.enrol([Enrolment(s.id, c.id), Enrolment(t.id, c.id, role_id=3), Enrolment(ungraded.id, c.id)])
    lms.set_grade(c.id, s.id, 150, item="final")
    lms.set_grade(c.id, t.id, 90, item="final")
    suspended = lms.add_user("x", "x@school.ru")
    lms.enrol([Enrolment(suspended.id, c.id)])
    lms.suspend(c.id, suspended.id)
    rows = {r.user_id: r.grade for r in lms.list_grades(c.id, "final")}
    assert rows == {s.id: 100, ungraded.id: None}  # clamped to grademax; teacher and suspended left out
    assert lms.find_pass_grade(c.id, "final") == 60
    assert lms.find_pass_grade(c.id) is None
    with pytest.raises(LmsNotFound):
        lms.list_grades(99999)


def test_completion_is_never_revoked_and_untracked_courses_say_so(lms: InMemoryLms) -> None:
    u = lms.add_user("u", "u@school.ru")
    c = lms.add_course("C1")
    none = lms.add_course("C2", completion_tracked=False)
    lms.enrol([Enrolment(u.id, c.id), Enrolment(u.id, none.id)])
    lms.set_grade(c.id, u.id, 80)
    lms.complete(c.id, u.id, at=1000)
    lms.set_grade(c.id, u.id, 10)
    got = lms.list_completions(u.id)
    assert got[c.id].completed
    assert got[c.id].completed_at == 1000
    assert not got[none.id].tracked
    assert not got[none.id].completed


def test_injected_failures_after_good_calls(lms: InMemoryLms) -> None:
    c = lms.add_course("C1")
    lms.fail("list_enrolled", LmsUnavailable("timeout"), after=1)
    lms.list_enrolled(c.id)
    with pytest.raises(LmsUnavailable):
        lms.list_enrolled(c.id)
    lms.list_enrolled(c.id)
    assert lms.calls["list_enrolled"] == 3

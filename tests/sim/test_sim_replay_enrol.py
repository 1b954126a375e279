"""Manual enrolment: one transaction per call, re-enrol semantics, unenrol; replayed in the recorded order."""

from __future__ import annotations

import pytest

from moodle_sim.state import STUDENT, TEACHER
from tests.sim.conftest import Lab


def test_course2_enrolment_story(lab: Lab) -> None:
    lab.replay("core_enrol_get_enrolled_users__course2")
    lab.replay("core_enrol_get_enrolled_users__course2_onlyactive_userfields")
    lab.replay("enrol_manual_enrol_users__one_row_ok")
    lab.replay("enrol_manual_enrol_users__several_rows_ok")
    lab.replay("core_enrol_get_enrolled_users__course2_after_enrol")
    lab.replay("enrol_manual_enrol_users__reenrol_already_enrolled")
    lab.replay("core_enrol_get_enrolled_users__course2_final_state")


def test_course3_dates_suspension_and_rollback(lab: Lab) -> None:
    lab.replay("enrol_manual_enrol_users__one_row_ok")  # user 7 is in course 2 by then
    lab.replay("enrol_manual_enrol_users__with_timestart_timeend")
    assert (lab.state.enrolments[(3, 7)].timestart, lab.state.enrolments[(3, 7)].timeend) == (
        1795289236,
        1797967636,
    )
    lab.replay("core_enrol_get_enrolled_users__course3_with_dates")
    lab.replay("enrol_manual_enrol_users__reenrol_without_dates")
    assert (lab.state.enrolments[(3, 7)].timestart, lab.state.enrolments[(3, 7)].timeend) == (0, 0)
    lab.replay("enrol_manual_enrol_users__suspend_1")
    lab.replay("core_enrol_get_enrolled_users__course3_onlyactive_excludes_suspended")
    for failing in (
        "enrol_manual_enrol_users__batch_valid_then_missing_user",
        "enrol_manual_enrol_users__batch_valid_then_missing_course",
        "enrol_manual_enrol_users__batch_valid_then_bad_role",
    ):
        lab.replay(failing)
        # the valid first row (user 8 → course 3) was rolled back with the rest
        lab.replay("core_enrol_get_enrolled_users__course3_after_failed_batch")
    assert (3, 8) not in lab.state.enrolments
    lab.replay("enrol_manual_enrol_users__reenrol_suspended_without_suspend")
    active = lab.call(
        "core_enrol_get_enrolled_users",
        courseid="3",
        **{
            "options[0][name]": "onlyactive",
            "options[0][value]": "1",
            "options[1][name]": "userfields",
            "options[1][value]": "id",
        },
    )
    assert [u["id"] for u in active] == [4, 6, 7, 9]
    lab.replay("enrol_manual_enrol_users__reenrol_other_role")
    assert lab.state.enrolments[(3, 7)].roles == {TEACHER, STUDENT}
    lab.replay("enrol_manual_unenrol_users__ok")
    assert (3, 7) not in lab.state.enrolments
    lab.replay("enrol_manual_unenrol_users__user_not_enrolled_noop")


@pytest.mark.parametrize(
    "name",
    [
        "enrol_manual_enrol_users__missing_course_99999",
        "enrol_manual_enrol_users__missing_user_99999",
        "enrol_manual_enrol_users__roleid_999_wsusercannotassign",
        "enrol_manual_enrol_users__course_without_manual_instance_wsnoinstance",
        "enrol_manual_unenrol_users__course_without_manual_instance_wsnoinstance",
        "enrol_manual_unenrol_users__missing_course_99999",
        "enrol_manual_unenrol_users__missing_user_99999",
        "core_enrol_get_enrolled_users__course_missing_error",
    ],
)
def test_enrol_errors(lab: Lab, name: str) -> None:
    before = dict(lab.state.enrolments)
    lab.replay(name)
    assert lab.state.enrolments == before


def test_users_courses_with_completion_and_progress(lab: Lab) -> None:
    lab.replay("core_enrol_get_users_courses__user6")
    lab.replay("core_enrol_get_users_courses__user6_returnusercount_0")
    lab.replay("enrol_manual_enrol_users__one_row_ok")
    lab.replay("enrol_manual_enrol_users__several_rows_ok")
    lab.replay("enrol_manual_enrol_users__with_timestart_timeend")
    lab.replay("enrol_manual_enrol_users__suspend_1")
    # enrolledusercount counts active enrolments: course 3 = teacher 4, users 6, 7 (9 is suspended)
    lab.replay("core_enrol_get_users_courses__bool_param_1_ok")


def test_enrolled_users_paging_and_sorting(lab: Lab) -> None:
    lab.replay("enrol_manual_enrol_users__several_rows_ok")
    opts = {
        "options[0][name]": "userfields",
        "options[0][value]": "id",
        "options[1][name]": "sortby",
        "options[1][value]": "lastname",
        "options[2][name]": "limitfrom",
        "options[2][value]": "1",
        "options[3][name]": "limitnumber",
        "options[3][value]": "2",
    }
    page = lab.call("core_enrol_get_enrolled_users", courseid="2", **opts)
    # by last name: Козлова (8), Орлов (9), Петров (3), Смирнова (6) → the 2nd and 3rd
    assert [u["id"] for u in page] == [9, 3]

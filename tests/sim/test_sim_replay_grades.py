"""Grade report, grade updates, activity and course completion: recorded answers, replayed."""

from __future__ import annotations

import pytest

from tests.sim.conftest import Lab

GRADED_C2 = 1795375703  # when the lab graded course 2
GRADED_C4 = 1795375733


def _enrol(lab: Lab, course: int, *users: int) -> None:
    rows = {}
    for i, user in enumerate(users):
        rows |= {
            f"enrolments[{i}][roleid]": "5",
            f"enrolments[{i}][userid]": str(user),
            f"enrolments[{i}][courseid]": str(course),
        }
    assert lab.call("enrol_manual_enrol_users", **rows) is None


def test_course2_grade_report(lab: Lab) -> None:
    _enrol(lab, 2, 7, 8, 9)
    lab.replay("gradereport_user_get_grade_items__course2_user6")
    lab.replay("core_grades_update_grades__two_grades_with_feedback_ok", at=GRADED_C2)
    lab.replay("gradereport_user_get_grade_items__course2_user7_feedback_dropped")
    lab.replay("gradereport_user_get_grade_items__course2_all_users_userid0")
    lab.replay("core_grades_update_grades__grade_above_max_accepted", at=GRADED_C2)
    lab.replay("gradereport_user_get_grade_items__course2_user9_after_grade_150")


def test_course4_pass_fail_and_completion(lab: Lab) -> None:
    lab.replay("enrol_manual_enrol_users__one_row_course4")
    lab.replay("gradereport_user_get_grade_items__course4_nobody_graded_userid0")
    _enrol(lab, 4, 9)
    lab.replay("core_grades_update_grades__course4_fail50_pass80", at=GRADED_C4)
    lab.replay("gradereport_user_get_grade_items__course4_with_gradepass_userid0")
    lab.replay("core_completion_get_activities_completion_status__course4_user8_grade50_fail")
    lab.replay("core_completion_get_activities_completion_status__course4_user9_grade80_pass")
    lab.replay("core_completion_get_course_completion_status__not_completed_after_fail_course4_user8")
    # Real Moodle needs two cron runs; the simulator completes the course at grading time.
    lab.replay("core_completion_get_course_completion_status__completed_after_pass_course4_user9")
    lab.replay("core_grades_update_grades__course4_user8_regrade_90", at=1795375798)
    lab.replay("core_completion_get_course_completion_status__course4_user8_after_regrade_90")


def test_course_completion_is_never_revoked(lab: Lab) -> None:
    _enrol(lab, 4, 9)
    lab.call(
        "core_grades_update_grades",
        source="t",
        courseid="4",
        component="mod_assign",
        activityid="6",
        itemnumber="0",
        **{"grades[0][studentid]": "9", "grades[0][grade]": "80"},
    )
    lab.call(
        "core_grades_update_grades",
        source="t",
        courseid="4",
        component="mod_assign",
        activityid="6",
        itemnumber="0",
        **{"grades[0][studentid]": "9", "grades[0][grade]": "40"},
    )
    status = lab.call("core_completion_get_course_completion_status", courseid="4", userid="9")
    assert status["completionstatus"]["completed"] is True
    activity = lab.call("core_completion_get_activities_completion_status", courseid="4", userid="9")
    assert activity["statuses"][0]["state"] == 3


def test_fail_without_completionpassgrade_still_completes(lab: Lab) -> None:
    _enrol(lab, 3, 9)
    lab.replay("core_grades_update_grades__course3_user9_grade50_gradepass_no_passrequired", at=1795376163)
    lab.replay(
        "core_completion_get_activities_completion_status__course3_user9_fail_without_completionpassgrade"
    )
    lab.replay(
        "core_completion_get_course_completion_status__course3_user9_after_fail_without_completionpassgrade"
    )


def test_course2_completion(lab: Lab) -> None:
    _enrol(lab, 2, 8)
    lab.replay("core_completion_get_activities_completion_status__course2_user6")
    lab.replay("core_completion_get_activities_completion_status__course2_user8_ungraded")
    lab.replay("core_completion_get_course_completion_status__completed_course2_user6")
    lab.replay("core_completion_get_course_completion_status__enrolled_not_completed_course2_user8")


def test_completion_errors(lab: Lab) -> None:
    _enrol(lab, 5, 8)
    for name in (
        "core_completion_get_course_completion_status__no_criteria_nocriteriaset_course5",
        "core_completion_get_course_completion_status__other_user_not_enrolled_usernotenroled",
        "core_completion_get_course_completion_status__self_not_enrolled_notenroled",
        "core_completion_get_course_completion_status__teacher_enrolled_not_tracked",
        "core_completion_get_course_completion_status__missing_course_error",
        "core_completion_get_course_completion_status__missing_user_error",
    ):
        lab.replay(name)


@pytest.mark.parametrize(
    "name",
    [
        "gradereport_user_get_grade_items__course6_no_students_userid0",
        "gradereport_user_get_grade_items__missing_course_error",
        "gradereport_user_get_grade_items__user_not_enrolled_no_error",
        "core_grades_update_grades__bad_activityid_invalidcoursemodule",
        "core_grades_update_grades__component_mismatch_invalidcoursemodule",
        "core_grades_update_grades__student_not_enrolled_in_course",
        "core_grades_update_grades__courseid_mismatch_creates_stray_item",
    ],
)
def test_grade_edge_cases(lab: Lab, name: str) -> None:
    lab.replay(name)

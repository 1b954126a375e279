"""Handlers for the grade report, grade updates and activity / course completion."""

from __future__ import annotations

from typing import Any

from moodle_sim import views
from moodle_sim.registry import Call, Params, handler
from moodle_sim.registry import get_course as _course
from moodle_sim.registry import get_user as _user
from moodle_sim.state import STUDENT
from moodle_sim.wserrors import moodle_error

# --- grades and completion --------------------------------------------------------------------------


@handler("gradereport_user_get_grade_items")
def get_grade_items(call: Call, p: Params) -> Any:
    state = call.state
    c = _course(state, p["courseid"])
    if p["userid"]:
        # No enrolment check for a given user (an unenrolled user gets an empty row).
        users = [_user(state, p["userid"])]
    else:
        users = [
            state.users[e.user_id]
            for e in state.course_enrolments(c.id)
            if STUDENT in e.roles and not e.suspended
        ]
        users.sort(key=lambda u: (u.lastname, u.firstname, u.id))
    call.rows = len(users)
    return {
        "usergrades": [
            {
                "courseid": c.id,
                "courseidnumber": c.idnumber,
                "userid": u.id,
                "userfullname": u.fullname,
                "useridnumber": u.idnumber,
                "maxdepth": 2,
                "gradeitems": views.grade_items(state, c, u.id),
            }
            for u in users
        ],
        "warnings": [],
    }


@handler("core_grades_update_grades")
def update_grades(call: Call, p: Params) -> Any:
    state = call.state
    a = state.activities.get(p["activityid"])
    if a is None or p["component"] != f"mod_{a.modname}":
        raise moodle_error("invalidcoursemodule", "Invalid course module ID")
    if p["courseid"] != a.course_id:
        # Real Moodle creates a stray grade item in the other course and prints a PHP notice; the sim
        # does not store anything but keeps the non-JSON body.
        call.notes.append("The instance of this module does not exist")
        return 0
    call.rows = len(p["grades"])
    for g in p["grades"]:
        state.set_grade(a, g["studentid"], g["grade"])  # str_feedback is ignored, as in Moodle 5.1
    return 0


@handler("core_completion_get_activities_completion_status")
def get_activities_completion_status(call: Call, p: Params) -> Any:
    state = call.state
    _course(state, p["courseid"])
    _user(state, p["userid"])
    statuses = []
    for a in state.course_activities(p["courseid"]):
        if not a.completion:
            continue  # activities without completion tracking are not listed
        state_value, met = state.activity_state(a, p["userid"])
        grade = state.grades.get((a.item_id, p["userid"]))
        statuses.append(
            {
                "cmid": a.cmid,
                "modname": a.modname,
                "instance": a.instance,
                "state": state_value,
                "timecompleted": grade.graded_at if grade else 0,
                "tracking": 2,
                "overrideby": None,
                "valueused": False,
                "hascompletion": True,
                "isautomatic": True,
                "istrackeduser": True,
                "uservisible": True,
                "details": _completion_details(a.completionpassgrade, state_value),
                "isoverallcomplete": met,
            }
        )
    return {"statuses": statuses, "warnings": []}


def _completion_details(passgrade_rule: bool, state_value: int) -> list[dict[str, Any]]:
    if not passgrade_rule:
        return [
            {
                "rulename": "completionusegrade",
                "rulevalue": {"status": state_value, "description": "Receive a grade"},
            }
        ]
    usegrade = {0: 0, 2: 2}.get(state_value, 1)
    return [
        {
            "rulename": "completionusegrade",
            "rulevalue": {"status": usegrade, "description": "Receive a grade"},
        },
        {
            "rulename": "completionpassgrade",
            "rulevalue": {"status": state_value, "description": "Receive a passing grade"},
        },
    ]


@handler("core_completion_get_course_completion_status")
def get_course_completion_status(call: Call, p: Params) -> Any:
    state = call.state
    c = _course(state, p["courseid"])
    _user(state, p["userid"])
    if not state.is_tracked(c.id, p["userid"]):
        if p["userid"] == state.token_user_id:
            raise moodle_error("notenroled", "You are not enrolled in this course")
        raise moodle_error("usernotenroled", "User is not enrolled in this course")
    if not c.criteria_cmids:
        raise moodle_error("nocriteriaset", "No completion criteria set for this course")
    done_at = state.course_completions.get((c.id, p["userid"]))
    completions = []
    for cmid in c.criteria_cmids:
        a = state.activities[cmid]
        url = f"{call.site.url}/mod/{a.modname}/view.php?id={a.cmid}"
        requirement = (
            "Achieving grade, Achieving passing grade" if a.completionpassgrade else "Achieving grade"
        )
        completions.append(
            {
                "type": 4,
                "title": "Activity completion",
                "status": "Yes" if done_at else "No",
                "complete": done_at is not None,
                "timecompleted": done_at,
                "details": {
                    "type": "Activity completion",
                    "criteria": f'<a href="{url}">{a.name}</a>',
                    "requirement": requirement,
                    "status": "",
                },
            }
        )
    return {
        "completionstatus": {"completed": done_at is not None, "aggregation": 1, "completions": completions},
        "warnings": [],
    }

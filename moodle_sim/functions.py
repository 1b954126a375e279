"""Handlers for site info, users, courses and manual enrolment (one per wsfunction).

Each handler gets the validated params and a ``Call`` (state, site, row counter for the cost model) and
returns what Moodle would ``json_encode``. Grades and completion are in ``gradebook.py``, messages in
``messages.py``, competencies and plans in ``competency.py`` / ``plans.py``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from moodle_sim import views
from moodle_sim.registry import Call, Params, handler
from moodle_sim.registry import get_course as _course
from moodle_sim.registry import get_user as _user
from moodle_sim.state import IOM_URL_FIELD, ROLE_SHORTNAMES, Enrolment, SimState
from moodle_sim.wserrors import WsError, invalid_parameter, missing_record, moodle_error

# --- site and users ---------------------------------------------------------------------------------


# long: Moodle's site_info payload, field by field
@handler("core_webservice_get_site_info")
def get_site_info(call: Call, _p: Params) -> Any:
    from moodle_sim.params import enabled_functions

    admin = _user(call.state, call.state.token_user_id)
    return {
        "sitename": "Moodle Lab",
        "username": admin.username,
        "firstname": admin.firstname,
        "lastname": admin.lastname,
        "fullname": admin.fullname,
        "lang": "en",
        "userid": admin.id,
        "siteurl": call.site.url,
        "userpictureurl": call.site.user_picture("f1"),
        "functions": [{"name": n, "version": v} for n, v in enabled_functions(call.state).items()],
        "downloadfiles": 1,
        "uploadfiles": 1,
        "release": "5.1+ (Build: 20251017)",
        "version": "2025100600.02",
        "mobilecssurl": "",
        "advancedfeatures": [
            {"name": n, "value": v}
            for n, v in (
                ("usecomments", 1),
                ("usetags", 1),
                ("enablenotes", 1),
                ("messaging", 1),
                ("enableblogs", 1),
                ("enablecompletion", 1),
                ("enablebadges", 1),
                ("messagingallusers", 0),
                ("enablecustomreports", 1),
                ("enableglobalsearch", 0),
                ("mnet_dispatcher_mode", 0),
                ("enablecompetencies", 1),
            )
        ],
        "usercanmanageownfiles": True,
        "userquota": 0,
        "usermaxuploadfilesize": -1,
        "userhomepage": 1,
        "userprivateaccesskey": "REDACTED",
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": True,
        "theme": "boost",
        "limitconcurrentlogins": 0,
        "policyagreed": 0,
    }


@handler("core_user_get_users_by_field")
def get_users_by_field(call: Call, p: Params) -> Any:
    fieldname = p["field"]
    if fieldname not in ("id", "idnumber", "username", "email"):
        raise invalid_parameter()
    wanted = {str(v) for v in p["values"]}
    call.rows = len(wanted)
    # Exact, case-sensitive match (PostgreSQL); missing values are skipped; ordered by id.
    found = [u for u in call.state.users.values() if str(getattr(u, fieldname)) in wanted]
    return [views.user(call.site, u) for u in sorted(found, key=lambda u: u.id)]


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@handler("core_user_update_users")
def update_users(call: Call, p: Params) -> Any:
    state, warnings = call.state, []
    call.rows = len(p["users"])
    for row in p["users"]:  # per row, no transaction: a bad row only produces a warning
        u = state.users.get(row["id"])
        problem = _update_problem(state.users.values(), row, u)
        if problem is not None or u is None:
            code, message = problem or ("invaliduserid", "Invalid user ID")
            warnings.append({"item": "user", "itemid": row["id"], "warningcode": code, "message": message})
            continue
        for key in ("username", "firstname", "lastname", "email", "idnumber", "city", "country"):
            if key in row:
                setattr(u, key, row[key])
        if "suspended" in row:
            u.suspended = row["suspended"]
        for cf in row.get("customfields", []):
            if cf["type"] == IOM_URL_FIELD[0]:  # unknown shortnames are silently ignored
                u.customfields[cf["type"]] = cf["value"]
    return {"warnings": warnings}


def _update_problem(users: Collection[Any], row: dict[str, Any], u: Any) -> tuple[str, str] | None:
    """Why Moodle refuses one row of core_user_update_users (its warningcode, message), or None."""
    if u is None:
        return ("invaliduserid", "Invalid user ID")
    if "email" in row and not _EMAIL.fullmatch(row["email"]):
        return ("useremailinvalid", "error/useremailinvalid")
    if "email" in row and any(o.email == row["email"] and o.id != u.id for o in users):
        return ("useremailduplicate", "Duplicate address")
    if "username" in row and any(o.username == row["username"] and o.id != u.id for o in users):
        return ("dmlwriteexception", "Error writing to database")
    return None


# --- courses ----------------------------------------------------------------------------------------


@handler("core_course_get_courses_by_field")
def get_courses_by_field(call: Call, p: Params) -> Any:
    fieldname, value = p["field"], p["value"]
    courses = sorted(call.state.courses.values(), key=lambda c: c.id)
    if fieldname in ("id", "ids"):
        ids = {v.strip() for v in str(value).split(",")}
        found = [c for c in courses if str(c.id) in ids]
    elif fieldname in ("shortname", "idnumber"):
        found = [c for c in courses if getattr(c, fieldname) == value]
    elif fieldname == "":
        found = courses
    else:
        raise invalid_parameter()
    return {"courses": [views.course(call.site, call.state, c) for c in found], "warnings": []}


@handler("core_course_get_course_module")
def get_course_module(call: Call, p: Params) -> Any:
    a = call.state.activities.get(p["cmid"])
    if a is None:
        raise missing_record()
    return {"cm": views.course_module(a, call.state.courses[a.course_id]), "warnings": []}


@handler("core_course_get_course_module_by_instance")
def get_course_module_by_instance(call: Call, p: Params) -> Any:
    for a in call.state.activities.values():
        if a.modname == p["module"] and a.instance == p["instance"]:
            return {"cm": views.course_module(a, call.state.courses[a.course_id]), "warnings": []}
    raise missing_record()


# --- enrolment --------------------------------------------------------------------------------------


@handler("core_enrol_get_enrolled_users")
def get_enrolled_users(call: Call, p: Params) -> Any:
    state = call.state
    _course(state, p["courseid"])
    options = {o["name"]: o["value"] for o in p["options"]}
    only_active = options.get("onlyactive") == "1"
    rows = [e for e in state.course_enrolments(p["courseid"]) if not (only_active and e.suspended)]
    sortby = options.get("sortby", "id")
    if sortby in ("firstname", "lastname"):
        rows.sort(key=lambda e: (getattr(state.users[e.user_id], sortby), e.user_id))
    if options.get("sortdirection", "ASC").upper() == "DESC":
        rows.reverse()
    start, limit = _int_option(options, "limitfrom"), _int_option(options, "limitnumber")
    rows = rows[start : start + limit] if limit else rows[start:]
    call.rows = len(rows)
    out = [views.enrolled_user(call.site, state, state.users[e.user_id], p["courseid"]) for e in rows]
    if "userfields" in options:
        keep = {f.strip() for f in options["userfields"].split(",")} | {"id", "fullname"}
        out = [{k: v for k, v in u.items() if k in keep} for u in out]
    return out


def _int_option(options: dict[str, str], name: str) -> int:
    value = options.get(name, "0")
    if not value.isdigit():
        raise invalid_parameter()
    return int(value)


# long: Moodle's course payload per enrolment, field by field
@handler("core_enrol_get_users_courses")
def get_users_courses(call: Call, p: Params) -> Any:
    state = call.state
    if p["userid"] not in state.users:
        return []  # real 5.1: an unknown user has no courses, no error
    out = []
    for c in state.user_courses(p["userid"]):
        item: dict[str, Any] = {
            "id": c.id,
            "shortname": c.shortname,
            "fullname": c.fullname,
            "displayname": c.fullname,
        }
        if p["returnusercount"]:
            item["enrolledusercount"] = sum(1 for e in state.course_enrolments(c.id) if not e.suspended)
        tracked = state.is_tracked(c.id, p["userid"])
        tracked_cms = [a for a in state.course_activities(c.id) if a.completion]
        done = sum(1 for a in tracked_cms if state.activity_state(a, p["userid"])[1])
        e = state.enrolments[(c.id, p["userid"])]
        item |= {
            "idnumber": c.idnumber,
            "visible": 1,
            "summary": c.summary,
            "summaryformat": 1,
            "format": "topics",
            "courseimage": views.course_image(call.site, c),
            "showgrades": True,
            "lang": "",
            "enablecompletion": True,
            "completionhascriteria": bool(c.criteria_cmids),
            "completionusertracked": tracked,
            "category": c.categoryid,
            "progress": (done * 100 / len(tracked_cms)) if tracked_cms and tracked else None,
            "completed": (c.id, p["userid"]) in state.course_completions,
            "startdate": c.startdate,
            "enddate": c.enddate,
            "marker": 0,
            "lastaccess": e.lastaccess or None,
            "isfavourite": False,
            "hidden": False,
            "overviewfiles": [],
            "showactivitydates": c.showactivitydates,
            "showcompletionconditions": True,
            "timemodified": c.timemodified,
        }
        out.append(item)
    return out


def _manual_course(state: SimState, course_id: int, missing: WsError) -> Any:
    c = state.courses.get(course_id)
    if c is None:
        raise missing
    if not c.manual_enrol:
        raise moodle_error(
            "wsnoinstance",
            "Manual enrolment plugin instance doesn't exist or is disabled for the course "
            f"(id = {course_id})",
        )
    return c


@handler("enrol_manual_enrol_users")
def enrol_users(call: Call, p: Params) -> Any:
    state = call.state
    call.rows = len(p["enrolments"])
    # One delegated transaction: rows are staged and land together only if every row is fine.
    staged: dict[tuple[int, int], Enrolment] = {}
    for row in p["enrolments"]:
        # Moodle's order: course context (missing → invalidparameter), assignable role, manual instance, user.
        if row["courseid"] not in state.courses:
            raise invalid_parameter()
        if row["roleid"] not in ROLE_SHORTNAMES:
            raise moodle_error(
                "wsusercannotassign",
                f"You don't have the permission to assign this role ({row['roleid']}) to this user "
                f"({row['userid']}) in this course ({row['courseid']}).",
            )
        _manual_course(state, row["courseid"], invalid_parameter())
        _user(state, row["userid"])
        key = (row["courseid"], row["userid"])
        old = staged.get(key) or state.enrolments.get(key)
        # Re-enrol UPDATES the row: omitted dates become 0/0, omitted suspend reactivates,
        # a new role is added.
        roles = (set(old.roles) if old else set()) | {row["roleid"]}
        staged[key] = Enrolment(
            row["userid"],
            row["courseid"],
            roles,
            row.get("timestart", 0),
            row.get("timeend", 0),
            bool(row.get("suspend", 0)),
            old.lastaccess if old else 0,
        )
    for key, enrolment in staged.items():
        state.enrolments[key] = enrolment
    return None


@handler("enrol_manual_unenrol_users")
def unenrol_users(call: Call, p: Params) -> Any:
    state = call.state
    call.rows = len(p["enrolments"])
    for row in p["enrolments"]:  # all rows are checked before anything is removed
        _manual_course(state, row["courseid"], missing_record())
        _user(state, row["userid"])
    for row in p["enrolments"]:
        state.enrolments.pop((row["courseid"], row["userid"]), None)  # not enrolled: silent no-op
    return None

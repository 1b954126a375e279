"""Moodle 5.1 payload shapes built from the simulated records (key order as recorded)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moodle_sim.state import IOM_URL_FIELD, ROLE_SHORTNAMES, Activity, Course, SimState, User

Json = dict[str, Any]

_PASS_ICON = (
    '<i class="icon fa fa-check text-success fa-fw inline"  title="Pass" role="img" aria-label="Pass"></i>'
)
_FAIL_ICON = (
    '<i class="icon fa fa-xmark text-danger fa-fw inline"  title="Fail" role="img" aria-label="Fail"></i>'
)
_FILTERS = ("displayh5p", "activitynames", "mathjaxloader", "emoticon", "urltolink", "mediaplugin")


@dataclass(frozen=True)
class Site:
    url: str  # e.g. http://127.0.0.1:8081, no trailing slash
    theme_rev: int = 1795374447

    def user_picture(self, size: str) -> str:
        return f"{self.url}/theme/image.php/boost/core/{self.theme_rev}/u/{size}"


def user(site: Site, u: User) -> Json:
    out: Json = {
        "id": u.id,
        "username": u.username,
        "firstname": u.firstname,
        "lastname": u.lastname,
        "fullname": u.fullname,
        "email": u.email,
        "department": "",
        "idnumber": u.idnumber,
        "firstaccess": u.firstaccess,
        "lastaccess": u.lastaccess,
        "auth": "manual",
        "suspended": u.suspended,
        "confirmed": True,
        "lang": "en",
        "theme": "",
        "timezone": "99",
        "mailformat": 1,
        "trackforums": 0,
    }
    _place(out, u)
    out["profileimageurlsmall"] = site.user_picture("f2")
    out["profileimageurl"] = site.user_picture("f1")
    fields = customfields(u)
    if fields:
        out["customfields"] = fields
    return out


def _place(out: Json, u: User) -> None:
    if u.city:
        out["city"] = u.city
    if u.country:
        out["country"] = u.country


def customfields(u: User) -> list[Json]:
    shortname, name = IOM_URL_FIELD
    value = u.customfields.get(shortname)
    if not value:
        return []  # users without a value simply lack the entry
    return [{"type": "text", "value": value, "displayvalue": value, "name": name, "shortname": shortname}]


def enrolled_user(site: Site, state: SimState, u: User, course_id: int) -> Json:
    e = state.enrolments[(course_id, u.id)]
    out: Json = {
        "id": u.id,
        "username": u.username,
        "firstname": u.firstname,
        "lastname": u.lastname,
        "fullname": u.fullname,
        "email": u.email,
        "department": "",
        "idnumber": u.idnumber,
        "firstaccess": u.firstaccess,
        "lastaccess": u.lastaccess,
        "lastcourseaccess": e.lastaccess,
    }
    _place(out, u)
    out["profileimageurlsmall"] = site.user_picture("f2")
    out["profileimageurl"] = site.user_picture("f1")
    fields = customfields(u)
    if fields:
        out["customfields"] = fields
    out["roles"] = [
        {"roleid": r, "name": "", "shortname": ROLE_SHORTNAMES.get(r, ""), "sortorder": 0}
        for r in sorted(e.roles)
    ]
    out["enrolledcourses"] = [
        {"id": c.id, "fullname": c.fullname, "shortname": c.shortname} for c in state.user_courses(u.id)
    ]
    return out


def course_image(site: Site, c: Course) -> str:
    return f"{site.url}/pluginfile.php/{c.context_id}/course/generated/course.svg"


# long: Moodle's course payload, field by field
def course(site: Site, state: SimState, c: Course) -> Json:
    contacts = [
        {"id": e.user_id, "fullname": state.users[e.user_id].fullname}
        for e in state.course_enrolments(c.id)
        if 3 in e.roles and e.user_id in state.users
    ]
    return {
        "id": c.id,
        "fullname": c.fullname,
        "displayname": c.fullname,
        "shortname": c.shortname,
        "courseimage": course_image(site, c),
        "categoryid": c.categoryid,
        "categoryname": c.categoryname,
        "sortorder": c.sortorder,
        "summary": c.summary,
        "summaryformat": 1,
        "summaryfiles": [],
        "overviewfiles": [],
        "showactivitydates": c.showactivitydates,
        "showcompletionconditions": True,
        "contacts": contacts,
        "enrollmentmethods": ["manual"] if c.manual_enrol else [],
        "idnumber": c.idnumber,
        "format": "topics",
        "showgrades": 1,
        "newsitems": c.newsitems,
        "startdate": c.startdate,
        "enddate": c.enddate,
        "maxbytes": 0,
        "showreports": 0,
        "visible": 1,
        "groupmode": 0,
        "groupmodeforce": 0,
        "defaultgroupingid": 0,
        "enablecompletion": 1,
        "completionnotify": 0,
        "lang": "",
        "theme": "",
        "marker": 0,
        "legacyfiles": 0,
        "calendartype": "",
        "timecreated": c.timecreated,
        "timemodified": c.timemodified,
        "requested": 0,
        "cacherev": c.cacherev,
        "filters": [{"filter": f, "localstate": 0, "inheritedstate": 1} for f in _FILTERS],
        "courseformatoptions": [
            {"name": "hiddensections", "value": 1},
            {"name": "coursedisplay", "value": 0},
            {"name": "indentation", "value": "1"},
        ],
    }


def course_module(a: Activity, c: Course) -> Json:
    return {
        "id": a.cmid,
        "course": a.course_id,
        "module": a.module,
        "name": a.name,
        "modname": a.modname,
        "instance": a.instance,
        "section": a.section,
        "sectionnum": 0,
        "groupmode": 0,
        "groupingid": 0,
        "completion": a.completion,
        "idnumber": a.idnumber,
        "added": a.added,
        "score": 0,
        "indent": 0,
        "visible": 1,
        "visibleoncoursepage": 1,
        "visibleold": 1,
        "completiongradeitemnumber": 0 if a.completion else None,
        "completionpassgrade": int(a.completionpassgrade),
        "completionview": 0,
        "completionexpected": 0,
        "showdescription": 0,
        "downloadcontent": 1,
        "availability": None,
        "grade": a.grademax,
        "gradepass": f"{a.gradepass:.2f}",
        "gradecat": c.grade_category_id,
        "advancedgrading": [{"area": "submissions", "method": None}],
    }


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# long: Moodle's grade item payload, field by field
def grade_items(state: SimState, c: Course, user_id: int) -> list[Json]:
    """Activity items then the course total, with natural aggregation ("exclude empty grades")."""
    activities = state.course_activities(c.id)
    grades = {a.cmid: state.grades.get((a.item_id, user_id)) for a in activities}
    graded = [a for a in activities if grades[a.cmid] is not None]
    present = [g for g in grades.values() if g is not None]
    graded_max = sum(a.grademax for a in graded)
    items: list[Json] = []
    for a in activities:
        g = grades[a.cmid]
        item: Json = {
            "id": a.item_id,
            "itemname": a.name,
            "itemtype": "mod",
            "itemmodule": a.modname,
            "iteminstance": a.instance,
            "itemnumber": 0,
            "idnumber": a.idnumber,
            "categoryid": c.grade_category_id,
            "outcomeid": None,
            "scaleid": None,
            "locked": False,
            "cmid": a.cmid,
        }
        if graded:
            weight = a.grademax / graded_max if g is not None else 0
            item["weightraw"] = weight
            item["weightformatted"] = f"{weight * 100:.2f} %"
            if g is None:
                item["status"] = "novalue"
        prefix = ""
        if g is not None and a.gradepass > 0:
            prefix = _PASS_ICON if g.raw >= a.gradepass else _FAIL_ICON
        items.append(
            item
            | _grade_fields(
                g.raw if g else None, g.graded_at if g else None, a.grademax, prefix, bool(graded)
            )
        )
    total_raw = sum(g.raw for g in present) if present else None
    total_at = max(g.graded_at for g in present) if present else None
    override = state.grades.get((c.total_item_id, user_id))
    if override is not None:
        total_raw, total_at = override.raw, override.graded_at
    total_max = graded_max if graded else sum(a.grademax for a in activities) or 100.0
    total: Json = {
        "id": c.total_item_id,
        "itemname": None,
        "itemtype": "course",
        "itemmodule": None,
        "iteminstance": c.grade_category_id,
        "itemnumber": None,
        "idnumber": None,
        "categoryid": None,
        "outcomeid": None,
        "scaleid": None,
        "locked": False,
    }
    fields = _grade_fields(total_raw, total_at, total_max, "", bool(graded) or override is not None)
    fields["gradeisoverridden"] = override is not None
    items.append(total | fields)
    return items


def _grade_fields(raw: float | None, at: int | None, grademax: float, prefix: str, any_grade: bool) -> Json:
    return {
        "graderaw": raw,
        "gradedatesubmitted": None,
        "gradedategraded": at,
        "gradehiddenbydate": False,
        "gradeneedsupdate": False,
        "gradeishidden": False,
        "gradeislocked": False,
        "gradeisoverridden": False,
        "gradeformatted": "-" if raw is None else f"{prefix}{raw:.2f}",
        "grademin": 0,
        "grademax": grademax,
        "rangeformatted": f"0&ndash;{_num(grademax)}",
        "percentageformatted": "-" if raw is None else f"{raw / grademax * 100:.2f} %",
        "feedback": "",
        "feedbackformat": 2 if any_grade else 0,
    }

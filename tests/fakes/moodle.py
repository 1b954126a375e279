"""A stateful Moodle 5.1 web-service fake at the HTTP level, for ``responses``.

ONE callback dispatches on ``wsfunction``. Answers are built from the RECORDED bodies
(tests/fixtures/moodle): success payloads start from a recorded object and only the entity's own fields are
changed; every error answer is a recorded error body served verbatim. It behaves like the recording
(NOTES.md): HTTP 200 errors, ``null`` success of enrol, all-or-nothing enrol per call, per-row warnings of
``core_user_update_users``, exact lookups, PHP ``max_input_vars`` silently cutting the request, ...

Seeding mirrors ``InMemoryLms`` (``add_user``, ``add_course``, ``add_grade_item``, ``set_grade``,
``complete``, ``suspend``) so the contract suite can drive either. ``queue(wsfunction, reply)`` serves
a one-off answer (a recorded case name, a ``(status, headers, body)`` triple, or an exception to raise).
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import responses

from lms_bridge.ports import LmsCourse, LmsUser
from tests.fakes.recorded import as_list, form_pairs, http_reply, recorded, response_of, unflatten

BASE = "https://lms.example.org/moodle"
TOKEN = "f00dfeedf00dfeedf00dfeedf00dfeed"
ENDPOINT = BASE + "/webservice/rest/server.php"
ASSIGNABLE_ROLES = frozenset({3, 4, 5})
STUDENT = 5
Reply = tuple[int, dict[str, str], str]


@dataclass
class _Enrol:
    roles: set[int]
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass
class _Item:
    id: int
    idnumber: str
    cmid: int | None  # None: the course total
    grade_max: float
    pass_grade: float | None


@dataclass
class _Course:
    course: LmsCourse
    manual_enrol: bool
    completion_tracked: bool
    items: dict[str, _Item] = field(default_factory=dict)  # "" = course total


def _error(name: str) -> Reply:
    return http_reply(name)


def _json(body: Any) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


class FakeMoodle:
    def __init__(self, *, max_input_vars: int = 1000, functions: frozenset[str] | None = None):
        self.max_input_vars = max_input_vars
        self.functions = functions  # None: every handled function is in the service
        self.users: dict[int, dict[str, Any]] = {}
        self.courses: dict[int, _Course] = {}
        self.enrolments: dict[tuple[int, int], _Enrol] = {}
        self.grades: dict[tuple[int, str, int], tuple[float | None, int]] = {}
        self.completions: dict[tuple[int, int], int] = {}
        self.profile_fields = {"iom_url"}
        self.custom: dict[int, dict[str, str]] = {}
        self.messages: list[tuple[int, str]] = []
        self.frameworks: dict[int, dict[str, Any]] = {}
        self.competencies: dict[int, dict[str, Any]] = {}
        self.plans: dict[int, dict[str, Any]] = {}
        self.plan_competencies: dict[int, list[int]] = {}
        self.course_competencies: dict[int, dict[str, Any]] = {}  # coursecompetency id -> record
        self.requests: list[list[tuple[str, str]]] = []  # every request's form fields, in order
        self.calls: Counter[str] = Counter()
        self._queued: dict[str, deque[Any]] = {}
        self._next = 2  # 2 = admin, the token's user
        self._lock = threading.RLock()  # MoodleLms may call from a thread pool

    # --- wiring ------------------------------------------------------------------------------------
    def install(self, rsps: responses.RequestsMock, url: str = ENDPOINT) -> FakeMoodle:
        rsps.add_callback(responses.POST, url, callback=self.callback)
        return self

    def queue(self, wsfunction: str, reply: str | Reply | Exception) -> None:
        self._queued.setdefault(wsfunction, deque()).append(reply)

    def callback(self, request: requests.PreparedRequest) -> Reply:
        with self._lock:
            return self._serve(request)

    def _serve(self, request: requests.PreparedRequest) -> Reply:
        pairs = form_pairs(request.body)  # type: ignore[arg-type]
        self.requests.append(pairs)
        pairs = pairs[: self.max_input_vars]  # PHP drops the rest silently
        params = unflatten(pairs)
        fn = params.pop("wsfunction", "")
        self.calls[fn] += 1
        if params.pop("wstoken", "") != TOKEN:
            return _error("core_webservice_get_site_info__error_bad_token")
        if params.pop("moodlewsrestformat", "") != "json":
            return http_reply("core_course_get_courses_by_field__xml_default_no_format_param")
        queued = self._queued.get(fn)
        if queued:
            reply = queued.popleft()
            if isinstance(reply, Exception):
                raise reply
            return http_reply(reply) if isinstance(reply, str) else reply
        handler: Callable[[dict[str, Any]], Reply] | None = getattr(self, f"ws_{fn}", None)
        if handler is None:
            return _error("nosuch_function__error_unknown_function")
        if self.functions is not None and fn not in self.functions:
            return _error("core_course_delete_courses__error_function_not_in_service")
        return handler(params)

    # --- seeding (same names as InMemoryLms) --------------------------------------------------------
    def _id(self) -> int:
        self._next += 1
        return self._next

    def add_user(self, username: str, email: str = "", idnumber: str = "", full_name: str = "") -> LmsUser:
        uid = self._id()
        first, _, last = (full_name or username).partition(" ")
        record = response_of("core_user_get_users_by_field__email_3values_1missing")[0]
        record.update(
            id=uid, username=username, email=email, idnumber=idnumber, firstname=first, lastname=last
        )
        record["fullname"] = full_name or username
        self.users[uid] = record
        return LmsUser(uid, username, email, idnumber, full_name or username)

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
        course = LmsCourse(self._id(), shortname, idnumber, full_name or shortname)
        c = _Course(course, manual_enrol, completion_tracked)
        c.items[""] = _Item(self._id(), "", None, grade_max, None)
        self.courses[course.id] = c
        return course

    def add_grade_item(
        self, course_id: int, idnumber: str, *, grade_max: float = 100.0, pass_grade: float | None = None
    ) -> None:
        self.courses[course_id].items[idnumber] = _Item(
            self._id(), idnumber, self._id(), grade_max, pass_grade
        )

    def set_grade(
        self, course_id: int, user_id: int, grade: float | None, *, item: str = "", graded_at: int = 0
    ) -> None:
        top = self.courses[course_id].items[item].grade_max
        self.grades[(course_id, item, user_id)] = (None if grade is None else min(grade, top), graded_at)

    def complete(self, course_id: int, user_id: int, at: int = 1) -> None:
        self.completions[(course_id, user_id)] = at

    def suspend(self, course_id: int, user_id: int) -> None:
        self.enrolments[(course_id, user_id)].suspended = True

    def route_link(self, user_id: int) -> str | None:
        return self.custom.get(user_id, {}).get("iom_url")

    # --- core ---------------------------------------------------------------------------------------
    def ws_core_webservice_get_site_info(self, _p: dict[str, Any]) -> Reply:
        body = response_of("core_webservice_get_site_info__ok")
        if self.functions is not None:
            body["functions"] = [{"name": f, "version": "2025100600.02"} for f in sorted(self.functions)]
        return _json(body)

    def ws_core_user_get_users_by_field(self, p: dict[str, Any]) -> Reply:
        fld = p.get("field")
        if fld not in {"id", "idnumber", "username", "email"} or "values" not in p:
            return _error("core_user_get_users_by_field__bad_field_error")
        wanted = set(as_list(p["values"]))
        found = [u for uid, u in sorted(self.users.items()) if str(u[fld]) in wanted]  # exact (PostgreSQL)
        out = []
        for u in found:
            u = dict(u)
            if self.custom.get(u["id"]):
                u["customfields"] = [
                    {"type": "text", "value": v, "displayvalue": v, "name": k, "shortname": k}
                    for k, v in self.custom[u["id"]].items()
                ]
            out.append(u)
        return _json(out)

    def ws_core_course_get_courses_by_field(self, p: dict[str, Any]) -> Reply:
        template = response_of("core_course_get_courses_by_field__idnumber_found")["courses"][0]
        fld, value = p.get("field", ""), p.get("value", "")
        out = []
        for c in self.courses.values():
            if fld and str(getattr(c.course, "id" if fld == "id" else fld)) == value:
                out.append(
                    {
                        **template,
                        "id": c.course.id,
                        "shortname": c.course.shortname,
                        "idnumber": c.course.idnumber,
                        "fullname": c.course.full_name,
                        "displayname": c.course.full_name,
                    }
                )
        return _json({"courses": out, "warnings": []})

    def ws_core_enrol_get_enrolled_users(self, p: dict[str, Any]) -> Reply:
        cid = int(p["courseid"])
        if cid not in self.courses:
            return _error("core_enrol_get_enrolled_users__course_missing_error")
        options = {o["name"]: o["value"] for o in as_list(p.get("options"))}
        unknown = set(options) - {
            "onlyactive",
            "userfields",
            "withcapability",
            "groupid",
            "limitfrom",
            "limitnumber",
            "sortby",
            "sortdirection",
        }
        if unknown or set(p) - {"courseid", "options"}:
            return _error("core_enrol_get_enrolled_users__error_unknown_extra_top_key")
        only_active = options.get("onlyactive") == "1"
        fields = options.get("userfields", "").split(",") if options.get("userfields") else None
        out = []
        for (c, uid), e in sorted(self.enrolments.items()):
            if c != cid or (only_active and e.suspended):
                continue
            u = self.users[uid]
            full = {
                **u,
                "roles": [
                    {"roleid": r, "name": "", "shortname": "", "sortorder": 0} for r in sorted(e.roles)
                ],
            }
            row = full if fields is None else {k: full[k] for k in ["id", *fields, "fullname"] if k in full}
            out.append(row)
        return _json(out)

    def ws_enrol_manual_enrol_users(self, p: dict[str, Any]) -> Reply:
        rows = as_list(p.get("enrolments"))
        if not rows:
            return _error("enrol_manual_enrol_users__error_empty_enrolments_missing")
        allowed = {"roleid", "userid", "courseid", "timestart", "timeend", "suspend"}
        for r in rows:  # one transaction: validate every row, then apply all
            if set(r) - allowed:
                return _error("enrol_manual_enrol_users__error_unknown_nested_key")
            if "roleid" not in r:
                return _error("enrol_manual_enrol_users__missing_required_key_roleid")
            course = self.courses.get(int(r["courseid"]))
            if course is None:
                return _error("enrol_manual_enrol_users__missing_course_99999")
            if not course.manual_enrol:
                return _error("enrol_manual_enrol_users__course_without_manual_instance_wsnoinstance")
            if int(r["roleid"]) not in ASSIGNABLE_ROLES:
                return _error("enrol_manual_enrol_users__roleid_999_wsusercannotassign")
            if int(r["userid"]) not in self.users:
                return _error("enrol_manual_enrol_users__missing_user_99999")
        for r in rows:
            e = self.enrolments.setdefault((int(r["courseid"]), int(r["userid"])), _Enrol(set()))
            e.roles.add(int(r["roleid"]))
            e.start, e.end = int(r.get("timestart", 0)), int(r.get("timeend", 0))
            e.suspended = r.get("suspend", "0") == "1"
        return 200, {"Content-Type": "application/json"}, "null"

    def ws_gradereport_user_get_grade_items(self, p: dict[str, Any]) -> Reply:
        cid, uid = int(p["courseid"]), int(p.get("userid", 0))
        course = self.courses.get(cid)
        if course is None:
            return _error("gradereport_user_get_grade_items__missing_course_error")
        if uid:
            users = [uid]
        else:  # every student-role enrolled user, by lastname
            users = [u for (c, u), e in self.enrolments.items() if c == cid and STUDENT in e.roles]
            users.sort(key=lambda u: (self.users[u]["lastname"], u))
        template = response_of("gradereport_user_get_grade_items__course4_with_gradepass_userid0")
        row_t = template["usergrades"][0]
        mod_t, total_t = row_t["gradeitems"]
        out = []
        for u in users:
            items = []
            for key, item in sorted(course.items.items(), key=lambda kv: kv[0] == ""):
                raw, at = self.grades.get((cid, key, u), (None, 0))
                base = total_t if item.cmid is None else mod_t
                items.append(
                    {
                        **base,
                        "id": item.id,
                        "idnumber": item.idnumber if item.cmid else None,
                        "cmid": item.cmid,
                        "graderaw": raw,
                        "gradedategraded": at or None,
                        "grademax": item.grade_max,
                        "gradeformatted": "-" if raw is None else f"{raw:.2f}",
                    }
                )
                if item.cmid is None:
                    items[-1].pop("cmid")
            user = self.users.get(u, {"fullname": "", "idnumber": ""})
            out.append(
                {
                    **row_t,
                    "courseid": cid,
                    "courseidnumber": course.course.idnumber,
                    "userid": u,
                    "userfullname": user["fullname"],
                    "useridnumber": user["idnumber"],
                    "gradeitems": items,
                }
            )
        return _json({"usergrades": out, "warnings": []})

    def ws_core_course_get_course_module(self, p: dict[str, Any]) -> Reply:
        cmid = int(p["cmid"])
        for c in self.courses.values():
            for item in c.items.values():
                if item.cmid == cmid:
                    body = response_of("core_course_get_course_module__cmid6_assign_with_gradepass")
                    body["cm"].update(
                        id=cmid,
                        course=c.course.id,
                        idnumber=item.idnumber,
                        grade=item.grade_max,
                        gradepass=f"{item.pass_grade or 0:.2f}",
                    )
                    return _json(body)
        return _error("enrol_manual_enrol_users__missing_user_99999")  # dml_missing_record_exception

    def ws_core_enrol_get_users_courses(self, p: dict[str, Any]) -> Reply:
        uid = int(p["userid"])  # an unknown user has no courses: [] (real 5.1), no error
        template = response_of("core_enrol_get_users_courses__user6")[0]
        out = []
        for cid, u in sorted(self.enrolments):
            if u != uid:
                continue
            c = self.courses[cid]
            out.append(
                {
                    **template,
                    "id": cid,
                    "shortname": c.course.shortname,
                    "idnumber": c.course.idnumber,
                    "fullname": c.course.full_name,
                    "enablecompletion": c.completion_tracked,
                    "completionhascriteria": c.completion_tracked,
                    "completed": c.completion_tracked and (cid, uid) in self.completions,
                }
            )
        return _json(out)

    def ws_core_user_update_users(self, p: dict[str, Any]) -> Reply:
        warnings = []
        for row in as_list(p.get("users")):
            uid = int(row["id"])
            if uid not in self.users:
                warnings.append(
                    response_of("core_user_update_users__batch_valid_and_unknown_id")["warnings"][0]
                )
                warnings[-1]["itemid"] = uid
                continue
            for cf in as_list(row.get("customfields")):
                if cf["type"] in self.profile_fields:  # unknown shortnames are silently ignored
                    self.custom.setdefault(uid, {})[cf["type"]] = cf["value"]
        return _json({"warnings": warnings})

    def ws_core_message_send_instant_messages(self, p: dict[str, Any]) -> Reply:
        out, bad = [], 0
        for m in as_list(p.get("messages")):
            to = int(m["touserid"])
            if to in self.users:
                self.messages.append((to, m["text"]))
                out.append(
                    {
                        **response_of("core_message_send_instant_messages__to_user3_ok")[0],
                        "text": m["text"],
                        "clientmsgid": m.get("clientmsgid"),
                    }
                )
            else:
                bad += 1
                out.append(response_of("core_message_send_instant_messages__bad_user_99999")[0])
        if bad and bad < len(out):  # the recorded bug: a mixed batch answers formatnotsupported
            return _error("core_message_send_instant_messages__batch_ok_and_bad")
        return _json(out)

    def ws_core_message_get_messages(self, p: dict[str, Any]) -> Reply:
        """The token user's messages to ``useridto``, newest first (fields lms-bridge reads)."""
        to = int(p["useridto"])
        if to not in self.users:
            return _error("enrol_manual_enrol_users__missing_user_99999")
        mine = [
            {"id": i, "useridto": u, "fullmessage": text}
            for i, (u, text) in enumerate(self.messages, 1)
            if u == to
        ]
        return _json({"messages": mine[::-1], "warnings": []})

    # --- competencies -------------------------------------------------------------------------------
    def ws_core_competency_list_competency_frameworks(self, _p: dict[str, Any]) -> Reply:
        return _json(list(self.frameworks.values()))

    def ws_core_competency_create_competency_framework(self, p: dict[str, Any]) -> Reply:
        f = p["competencyframework"]
        if any(x["idnumber"] == f["idnumber"] for x in self.frameworks.values()):
            return _error("core_competency_create_competency_framework__duplicate_idnumber_error")
        if len(json.loads(f.get("scaleconfiguration", "[]"))) < 2:
            return _error("core_competency_create_competency_framework__bad_scaleconfiguration_error")
        body = response_of("core_competency_create_competency_framework__ok")
        body.update(
            id=self._id(),
            shortname=f["shortname"],
            idnumber=f["idnumber"],
            description=f.get("description", ""),
            scaleid=int(f["scaleid"]),
            scaleconfiguration=f["scaleconfiguration"],
        )
        self.frameworks[body["id"]] = body
        return _json(body)

    def ws_core_competency_list_competencies(self, p: dict[str, Any]) -> Reply:
        filters = as_list(p.get("filters"))
        out = [
            c for c in self.competencies.values() if all(str(c[f["column"]]) == f["value"] for f in filters)
        ]
        return _json(out)

    def ws_core_competency_create_competency(self, p: dict[str, Any]) -> Reply:
        c = p["competency"]
        fid = int(c["competencyframeworkid"])
        if any(
            x["idnumber"] == c["idnumber"] and x["competencyframeworkid"] == fid
            for x in self.competencies.values()
        ):
            return _error("core_competency_create_competency__duplicate_idnumber_error")
        body = response_of("core_competency_create_competency__ok")
        body.update(
            id=self._id(),
            shortname=c["shortname"],
            idnumber=c["idnumber"],
            description=c.get("description", ""),
            competencyframeworkid=fid,
        )
        self.competencies[body["id"]] = body
        return _json(body)

    def ws_core_competency_list_user_plans(self, p: dict[str, Any]) -> Reply:
        uid = int(p["userid"])
        return _json([pl for pl in self.plans.values() if pl["userid"] == uid])

    def ws_core_competency_create_plan(self, p: dict[str, Any]) -> Reply:
        pl = p["plan"]
        uid = int(pl["userid"])
        if uid not in self.users:
            return _error("core_competency_create_plan__missing_user_error")
        body = response_of("core_competency_create_plan__status0_draft")
        body.update(
            id=self._id(),
            name=pl["name"],
            description=pl.get("description", ""),
            userid=uid,
            status=int(pl.get("status", 0)),
            duedate=int(pl.get("duedate", 0)),
        )
        self.plans[body["id"]] = body
        self.plan_competencies[body["id"]] = []
        return _json(body)

    def ws_core_competency_update_plan(self, p: dict[str, Any]) -> Reply:
        pl = p["plan"]
        plan = self.plans.get(int(pl["id"]))
        if plan is None:
            return _error("core_competency_create_plan__missing_user_error")
        for key in ("name", "description"):
            if key in pl:
                plan[key] = pl[key]
        if "duedate" in pl:
            plan["duedate"] = int(pl["duedate"])
        return _json(plan)

    def ws_core_competency_approve_plan(self, p: dict[str, Any]) -> Reply:
        plan = self.plans[int(p["id"])]
        if plan["status"] != 0:
            return _error("core_competency_approve_plan__already_active_error")
        plan["status"] = 1
        return _json(True)

    def ws_core_competency_list_plan_competencies(self, p: dict[str, Any]) -> Reply:
        template = response_of("core_competency_list_plan_competencies__draft")[0]
        pid = int(p["id"])
        return _json([{**template, "competency": self.competencies[c]} for c in self.plan_competencies[pid]])

    def ws_core_competency_add_competency_to_plan(self, p: dict[str, Any]) -> Reply:
        pid, cid = int(p["planid"]), int(p["competencyid"])
        if cid not in self.competencies:
            return _error("core_competency_add_competency_to_plan__missing_competency_error")
        if cid not in self.plan_competencies[pid]:
            self.plan_competencies[pid].append(cid)
        return _json(True)

    def ws_core_competency_add_competency_to_course(self, p: dict[str, Any]) -> Reply:
        course, cid = int(p["courseid"]), int(p["competencyid"])
        if any(
            x["courseid"] == course and x["competencyid"] == cid for x in self.course_competencies.values()
        ):
            return _json(False)
        record = response_of("core_competency_list_course_competencies__course4_before_ruleoutcome")[0]
        cc = {
            **record["coursecompetency"],
            "id": self._id(),
            "courseid": course,
            "competencyid": cid,
            "ruleoutcome": 0,
        }
        self.course_competencies[cc["id"]] = cc
        return _json(True)

    def ws_core_competency_list_course_competencies(self, p: dict[str, Any]) -> Reply:
        course = int(p["id"])
        out = [
            {"competency": self.competencies[cc["competencyid"]], "coursecompetency": cc}
            for cc in self.course_competencies.values()
            if cc["courseid"] == course
        ]
        return _json(out)

    def ws_core_competency_set_course_competency_ruleoutcome(self, p: dict[str, Any]) -> Reply:
        cc = self.course_competencies.get(int(p["coursecompetencyid"]))
        if cc is None:
            return _error("core_competency_set_course_competency_ruleoutcome__missing_coursecompetency")
        if int(p["ruleoutcome"]) not in (0, 1, 2, 3):
            return _error("core_competency_set_course_competency_ruleoutcome__ruleoutcome_9_invalid")
        cc["ruleoutcome"] = int(p["ruleoutcome"])
        return _json(True)


def recorded_request(name: str) -> list[tuple[str, str]]:
    """The form fields of a recorded case, token excluded (to compare with what we sent)."""
    return [(k, v) for k, v in recorded(name)["request"].items() if k != "wstoken"]

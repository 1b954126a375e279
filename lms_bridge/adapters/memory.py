"""``InMemoryLms``: the Lms port on plain dicts, faithful to Moodle 5.1's recorded behaviour.

For tests and the demo. What it copies from the recordings (tests/fixtures/moodle/NOTES.md):

* user lookups are exact matches (a differently-cased e-mail finds nothing), unknown values are skipped;
* ``enrol_manual_enrol_users`` is all-or-nothing per call and names only the first bad row by its
  errorcode (``invalidparameter`` for an unknown course, ``wsnoinstance`` without a manual enrolment
  instance, ``wsusercannotassign`` for a bad role, ``invalidrecordunknown`` for an unknown user).
  The port's ``enrol`` contract isolates bad rows: like the Moodle adapter, the fake splits a failed
  batch in halves until every bad row stands alone. ``ws_calls`` counts those wire calls;
* re-enrolment: same role + same dates is a no-op; omitted (0) dates **clear** stored dates;
  ``suspended=False`` **reactivates** a suspended user; another role is **added**;
* the grade report lists every active student-role enrolment (graded or not; teachers and suspended
  users left out, Moodle's default "show only active enrolments");
* gradepass is readable for a named grade item only, never for the course total (no WS returns it);
* course completion is never revoked by a later failing grade;
* ``core_user_update_users`` (the card link) is per row: an unknown user is a failure (``invaliduserid``,
  Moodle's warning), the other rows land. One port call counts as one wire call.

Helpers seed users, courses, grades and completions, inject failures and count calls.
Every method holds one lock, so jobs may call it from several threads.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from lms_bridge.errors import LmsError, LmsNotFound, LmsResponseError
from lms_bridge.ports import (
    Competency,
    CompletionRow,
    EnrolledUser,
    Enrolment,
    GradeRow,
    LearningPlan,
    LinkFailure,
    LmsCourse,
    LmsUser,
    MessageFailure,
    OutMessage,
    RowFailure,
    SiteInfo,
)

T = TypeVar("T")
STUDENT = 5
ASSIGNABLE_ROLES = frozenset({3, 4, 5})  # editingteacher, teacher, student
LOOKUP_FIELDS = ("id", "idnumber", "username", "email")
MISSING_RECORD = "Can't find data record in database."  # debug off hides the table (NOTES: error model)


@dataclass
class _Enrol:
    roles: set[int]
    start: int = 0
    end: int = 0
    suspended: bool = False


@dataclass
class _Course:
    course: LmsCourse
    manual_enrol: bool = True
    completion_tracked: bool = True
    grade_max: float = 100.0  # the course total's maximum
    items: dict[str, tuple[float, float | None]] = field(default_factory=dict)  # idnumber -> (max, pass)


@dataclass
class _Failure:
    method: str
    error: Exception
    after: int  # succeed this many calls first
    times: int  # then fail this many times (-1 = forever)


class InMemoryLms:
    """An in-memory Moodle. Seed it with ``add_user`` / ``add_course`` / ``set_grade`` / ``complete``."""

    def __init__(self, *, site_name: str = "СДО (тест)", functions: frozenset[str] = frozenset()):
        self.site_name = site_name
        self.functions = functions
        self.users: dict[int, LmsUser] = {}
        self.courses: dict[int, _Course] = {}
        self.enrolments: dict[tuple[int, int], _Enrol] = {}  # (course_id, user_id)
        self.grades: dict[tuple[int, str, int], GradeRow] = {}  # (course_id, item idnumber, user_id)
        self.completions: dict[tuple[int, int], CompletionRow] = {}  # (course_id, user_id)
        self.route_links: dict[int, str] = {}
        self.link_log: list[int] = []  # user ids of every card link sent, in order (tests: what went again)
        self.messages: list[tuple[int, str]] = []
        self.no_messages: set[int] = set()  # users who cannot be messaged (messaging disabled)
        self.calls: Counter[str] = Counter()  # port method -> calls
        self.ws_calls: Counter[str] = Counter()  # Moodle wsfunction -> calls it would take
        self._failures: list[_Failure] = []
        # learning plans (added with the Moodle adapter): framework idnumber -> id, competencies, plans, links
        self.frameworks: dict[str, int] = {}
        self.competencies: dict[int, Competency] = {}
        self.plans: dict[int, LearningPlan] = {}
        self.course_competencies: dict[tuple[int, int], int] = {}  # (course, competency) -> ruleoutcome
        self._next_id = 2  # 1 is guest, 2 the admin (the token's user)
        self._lock = threading.RLock()

    # --- seeding --------------------------------------------------------------------------------
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def add_user(self, username: str, email: str = "", idnumber: str = "", full_name: str = "") -> LmsUser:
        with self._lock:
            user = LmsUser(self._new_id(), username, email, idnumber, full_name or username)
            self.users[user.id] = user
            return user

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
        with self._lock:
            course = LmsCourse(self._new_id(), shortname, idnumber, full_name or shortname)
            self.courses[course.id] = _Course(course, manual_enrol, completion_tracked, grade_max)
            return course

    def add_grade_item(
        self, course_id: int, idnumber: str, *, grade_max: float = 100.0, pass_grade: float | None = None
    ) -> None:
        with self._lock:
            self.courses[course_id].items[idnumber] = (grade_max, pass_grade)

    def set_grade(
        self, course_id: int, user_id: int, grade: float | None, *, item: str = "", graded_at: int = 0
    ) -> None:
        """Grade a user (like core_grades_update_grades: stored even when not enrolled, clamped to max)."""
        with self._lock:
            c = self.courses[course_id]
            top = c.items[item][0] if item else c.grade_max
            value = None if grade is None else min(grade, top)
            self.grades[(course_id, item, user_id)] = GradeRow(user_id, value, top, graded_at)

    def complete(self, course_id: int, user_id: int, at: int = 1) -> None:
        """Mark the course completed for the user (Moodle's cron would; never revoked later)."""
        with self._lock:
            self.completions[(course_id, user_id)] = CompletionRow(user_id, True, at)

    def suspend(self, course_id: int, user_id: int) -> None:
        with self._lock:
            self.enrolments[(course_id, user_id)].suspended = True

    def delete_user(self, user_id: int) -> None:
        """The user left the LMS (Moodle deletes the account)."""
        with self._lock:
            del self.users[user_id]

    def block_messages(self, user_id: int) -> None:
        """The user cannot be messaged (Moodle: «usercantbemessaged»)."""
        with self._lock:
            self.no_messages.add(user_id)

    def messages_to(self, user_id: int) -> list[str]:
        """The texts this user received, oldest first."""
        with self._lock:
            return [text for uid, text in self.messages if uid == user_id]

    def route_link(self, user_id: int) -> str | None:
        """The card link the user's profile shows (what ``set_route_links`` stored)."""
        with self._lock:
            return self.route_links.get(user_id)

    def fail(self, method: str, error: Exception | None = None, *, after: int = 0, times: int = 1) -> None:
        """Make port ``method`` raise ``error`` after ``after`` good calls, ``times`` times (-1: always)."""
        err = error or LmsError("сбой СДО (тест)", errorcode="testfailure")
        with self._lock:
            self._failures.append(_Failure(method, err, after, times))

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    # --- bookkeeping ----------------------------------------------------------------------------
    def _call(self, method: str, fn: Callable[[], T]) -> T:
        with self._lock:
            self.calls[method] += 1
            for f in self._failures:
                if f.method != method or f.times == 0:
                    continue
                if f.after > 0:
                    f.after -= 1
                    continue
                if f.times > 0:
                    f.times -= 1
                raise f.error
            return fn()

    def _course(self, course_id: int) -> _Course:
        c = self.courses.get(course_id)
        if c is None:
            raise LmsNotFound(MISSING_RECORD, errorcode="invalidrecordunknown")
        return c

    # --- the port ---------------------------------------------------------------------------------
    def get_site_info(self) -> SiteInfo:
        def run() -> SiteInfo:
            self.ws_calls["core_webservice_get_site_info"] += 1
            return SiteInfo(self.site_name, "5.1+ (Build: 20251017)", "2025100600.02", 2, self.functions)

        return self._call("get_site_info", run)

    def find_users(self, field: str, values: Sequence[str]) -> dict[str, list[LmsUser]]:
        def run() -> dict[str, list[LmsUser]]:
            self.ws_calls["core_user_get_users_by_field"] += 1
            if field not in LOOKUP_FIELDS:
                raise LmsResponseError("Invalid parameter value detected", errorcode="invalidparameter")
            out: dict[str, list[LmsUser]] = {v: [] for v in values}
            for user in sorted(self.users.values(), key=lambda u: u.id):
                key = str(user.id) if field == "id" else getattr(user, field)
                if key in out:  # exact, case-sensitive match (PostgreSQL)
                    out[key].append(user)
            return out

        return self._call("find_users", run)

    def find_course(self, ref: str) -> LmsCourse | None:
        def run() -> LmsCourse | None:
            self.ws_calls["core_course_get_courses_by_field"] += 1
            for attr in ("idnumber", "shortname"):
                for c in self.courses.values():
                    if ref and getattr(c.course, attr) == ref:
                        return c.course
            return None

        return self._call("find_course", run)

    def list_enrolled(self, course_id: int) -> list[EnrolledUser]:
        def run() -> list[EnrolledUser]:
            self.ws_calls["core_enrol_get_enrolled_users"] += 1
            self._course(course_id)
            return [
                EnrolledUser(uid, frozenset(e.roles), e.start, e.end, e.suspended)
                for (cid, uid), e in sorted(self.enrolments.items())
                if cid == course_id
            ]

        return self._call("list_enrolled", run)

    def enrol(self, rows: Sequence[Enrolment]) -> list[RowFailure]:
        return self._call("enrol", lambda: self._enrol_isolating(list(rows)))

    def _enrol_isolating(self, rows: list[Enrolment]) -> list[RowFailure]:
        if not rows:
            return []
        try:
            self._enrol_call(rows)
            return []
        except LmsResponseError as e:
            if len(rows) == 1:
                return [RowFailure(rows[0], e.errorcode or "", str(e))]
        half = len(rows) // 2
        return self._enrol_isolating(rows[:half]) + self._enrol_isolating(rows[half:])

    def _enrol_call(self, rows: list[Enrolment]) -> None:
        """One ``enrol_manual_enrol_users`` call: check every row, then apply all (one transaction)."""
        self.ws_calls["enrol_manual_enrol_users"] += 1
        for r in rows:
            c = self.courses.get(r.course_id)
            if c is None:
                raise LmsResponseError("Invalid parameter value detected", errorcode="invalidparameter")
            if not c.manual_enrol:
                raise LmsResponseError(
                    "Manual enrolment plugin instance doesn't exist or is disabled for the course "
                    f"(id = {r.course_id})",
                    errorcode="wsnoinstance",
                )
            if r.role_id not in ASSIGNABLE_ROLES:
                raise LmsResponseError(
                    f"You don't have the permission to assign this role ({r.role_id}) to this user "
                    f"({r.user_id}) in this course ({r.course_id}).",
                    errorcode="wsusercannotassign",
                )
            if r.user_id not in self.users:
                raise LmsResponseError(MISSING_RECORD, errorcode="invalidrecordunknown")
        for r in rows:
            e = self.enrolments.setdefault((r.course_id, r.user_id), _Enrol(set()))
            e.roles.add(r.role_id)  # another role is added, never replaces
            e.start, e.end = r.start, r.end  # omitted dates (0) clear stored ones
            e.suspended = r.suspended  # omitting suspend reactivates

    def list_grades(self, course_id: int, item_idnumber: str = "") -> list[GradeRow]:
        def run() -> list[GradeRow]:
            self.ws_calls["gradereport_user_get_grade_items"] += 1
            c = self._course(course_id)
            if item_idnumber and item_idnumber not in c.items:
                raise LmsNotFound(f"нет элемента оценивания «{item_idnumber}»", errorcode="itemnotfound")
            top = c.items[item_idnumber][0] if item_idnumber else c.grade_max
            out = []
            for (cid, uid), e in sorted(self.enrolments.items()):
                if cid != course_id or STUDENT not in e.roles or e.suspended:
                    continue  # the report shows active enrolments only (Moodle's default)
                row = self.grades.get((course_id, item_idnumber, uid))
                out.append(row if row is not None else GradeRow(uid, None, top))
            return out

        return self._call("list_grades", run)

    def find_pass_grade(self, course_id: int, item_idnumber: str = "") -> float | None:
        def run() -> float | None:
            self.ws_calls["core_course_get_course_module"] += 1
            c = self._course(course_id)
            if not item_idnumber:
                return None  # no WS function returns the course total's gradepass
            if item_idnumber not in c.items:
                raise LmsNotFound(f"нет элемента оценивания «{item_idnumber}»", errorcode="itemnotfound")
            gradepass = c.items[item_idnumber][1]
            return gradepass if gradepass else None

        return self._call("find_pass_grade", run)

    def list_completions(self, user_id: int) -> dict[int, CompletionRow]:
        def run() -> dict[int, CompletionRow]:
            self.ws_calls["core_enrol_get_users_courses"] += 1
            out = {}  # an unknown user has no courses: Moodle answers [] (checked on a real 5.1)
            for cid, uid in sorted(self.enrolments):
                if uid != user_id:
                    continue
                tracked = self.courses[cid].completion_tracked
                done = self.completions.get((cid, uid))
                out[cid] = CompletionRow(
                    uid, bool(done and tracked), done.completed_at if done and tracked else 0, tracked
                )
            return out

        return self._call("list_completions", run)

    def set_route_links(self, links: Sequence[tuple[int, str]]) -> list[LinkFailure]:
        def run() -> list[LinkFailure]:
            if not links:
                return []
            self.ws_calls["core_user_update_users"] += 1
            failures = []
            self.link_log.extend(uid for uid, _ in links)
            for uid, url in links:  # row by row, no transaction: a bad row is a warning, the rest lands
                if uid not in self.users:
                    failures.append(LinkFailure(uid, url, "invaliduserid", "Invalid user ID"))
                else:
                    self.route_links[uid] = url
            return failures

        return self._call("set_route_links", run)

    def send_message(self, user_id: int, text: str) -> None:
        def run() -> None:
            self.ws_calls["core_message_send_instant_messages"] += 1
            if user_id not in self.users:
                raise LmsResponseError("Message was not sent", errorcode="errormessage")
            self.messages.append((user_id, text))

        self._call("send_message", run)

    def send_messages(self, messages: Sequence[OutMessage]) -> list[MessageFailure]:
        def run() -> list[MessageFailure]:
            self.ws_calls["core_message_send_instant_messages"] += 1
            failures = []
            for m in messages:
                if m.look_first and (m.user_id, m.text) in self.messages:
                    continue
                if m.user_id not in self.users:
                    reason = f"You cannot send a message to a user ID ({m.user_id}) that doesn't exist."
                    failures.append(MessageFailure(m, True, reason))
                elif m.user_id in self.no_messages:
                    failures.append(MessageFailure(m, False, "This user can't be messaged"))
                else:
                    self.messages.append((m.user_id, m.text))
            return failures

        return self._call("send_messages", run)

    # --- learning plans (like core_competency_*: idempotent, list before create) -------------------------
    def ensure_framework(
        self,
        idnumber: str,
        name: str,  # noqa: ARG002 (the port's signature; no port method reads a framework's name back)
        competencies: Mapping[str, str],
    ) -> dict[str, Competency]:
        def run() -> dict[str, Competency]:
            self.ws_calls["core_competency_list_competency_frameworks"] += 1
            if idnumber not in self.frameworks:
                self.ws_calls["core_competency_create_competency_framework"] += 1
                self.frameworks[idnumber] = self._new_id()
            fid = self.frameworks[idnumber]
            self.ws_calls["core_competency_list_competencies"] += 1
            mine = {c.idnumber: c for c in self.competencies.values() if c.framework_id == fid}
            out = {}
            for code, title in competencies.items():
                if code not in mine:
                    self.ws_calls["core_competency_create_competency"] += 1
                    mine[code] = Competency(self._new_id(), code, title or code, fid)
                    self.competencies[mine[code].id] = mine[code]
                out[code] = mine[code]
            return out

        return self._call("ensure_framework", run)

    def ensure_plan(
        self, user_id: int, name: str, description: str, competency_ids: Sequence[int]
    ) -> LearningPlan:
        def run() -> LearningPlan:
            self.ws_calls["core_competency_list_user_plans"] += 1
            if user_id not in self.users:
                raise LmsNotFound(MISSING_RECORD, errorcode="invalidrecordunknown")
            plan = next((pl for pl in self.plans.values() if pl.user_id == user_id and pl.name == name), None)
            if plan is None:
                plan = LearningPlan(self._new_id(), user_id, name, description, 0, frozenset())
            missing = [c for c in competency_ids if c not in self.competencies]
            if missing:
                raise LmsNotFound(MISSING_RECORD, errorcode="invalidrecordunknown")
            status = 1 if plan.status == 0 else plan.status  # a draft is approved
            plan = LearningPlan(
                plan.id, user_id, name, description, status, plan.competency_ids | frozenset(competency_ids)
            )
            self.plans[plan.id] = plan
            return plan

        return self._call("ensure_plan", run)

    def link_course_competencies(self, course_id: int, competency_ids: Sequence[int]) -> int:
        def run() -> int:
            self.ws_calls["core_competency_list_course_competencies"] += 1
            self._course(course_id)
            changed = 0
            for cid in dict.fromkeys(competency_ids):
                if cid not in self.competencies:
                    raise LmsNotFound(MISSING_RECORD, errorcode="invalidrecordunknown")
                if self.course_competencies.get((course_id, cid)) != 3:
                    self.course_competencies[(course_id, cid)] = 3  # outcome: complete the competency
                    changed += 1
            return changed

        return self._call("link_course_competencies", run)

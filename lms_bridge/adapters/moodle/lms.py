"""``MoodleLms``: the Lms port over Moodle's REST web services (as recorded: tests/fixtures/moodle/NOTES.md).

Each method: call, validate with a payload model, map to the port's dataclasses. Decisions worth knowing:

* ``find_users`` is an exact match. We store e-mails lower-case; Moodle on PostgreSQL compares e-mails
  case-sensitively (``email_uppercase_no_match``), so a user whose Moodle e-mail has capitals is not found
  by their lower-case address. Empty values are never sent (they would match every user without one).
* ``enrol`` sizes calls by PHP ``max_input_vars``; one call is ONE transaction in Moodle, so a failed call
  is split in halves until each bad row stands alone (good rows land, bad rows return Moodle's errorcode).
* ``set_route_links`` sizes ``core_user_update_users`` calls the same way (and at most
  ``max_values_per_call`` users each). That call is per row, not one transaction: a bad row is only a
  ``warnings[]`` entry (``invaliduserid``, ...) and is returned as a failure while the good rows land.
* ``list_enrolled`` cannot read enrolment dates: ``core_enrol_get_enrolled_users`` has no timestart/timeend
  (``course3_with_dates``); ``start``/``end`` are 0. "Suspended" = not in the ``onlyactive`` list (that also
  covers an enrolment whose dates have ended).
* ``find_pass_grade``: only a named activity item has a readable pass mark
  (``core_course_get_course_module``); the course total's is not readable over WS, so it is ``None``.
  Results are cached per (course, item) for the life of this object: pass marks rarely change and jobs ask
  for every route; build a new ``MoodleLms`` (a new job run) to see a change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from lms_bridge.adapters.moodle import payloads as p
from lms_bridge.adapters.moodle.params import FIXED_FIELDS, chunk_by_fields, flatten
from lms_bridge.adapters.moodle.transport import MoodleClient
from lms_bridge.errors import LmsAuthError, LmsError, LmsNotFound, LmsResponseError, LmsUnavailable
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
R = TypeVar("R")

# Every web-service function MoodleLms calls: the Moodle service of the token must include them all
# (`lms-bridge lms check` compares this with core_webservice_get_site_info).
REQUIRED_FUNCTIONS: tuple[str, ...] = (
    "core_webservice_get_site_info",
    "core_user_get_users_by_field",
    "core_course_get_courses_by_field",
    "core_enrol_get_enrolled_users",
    "enrol_manual_enrol_users",
    "gradereport_user_get_grade_items",
    "core_course_get_course_module",
    "core_enrol_get_users_courses",
    "core_user_update_users",
    "core_message_send_instant_messages",
    "core_message_get_messages",
    "core_competency_list_competency_frameworks",
    "core_competency_create_competency_framework",
    "core_competency_list_competencies",
    "core_competency_create_competency",
    "core_competency_list_user_plans",
    "core_competency_create_plan",
    "core_competency_update_plan",
    "core_competency_list_plan_competencies",
    "core_competency_add_competency_to_plan",
    "core_competency_approve_plan",
    "core_competency_add_competency_to_course",
    "core_competency_list_course_competencies",
    "core_competency_set_course_competency_ruleoutcome",
)
LOOKUP_FIELDS = frozenset({"id", "email", "username", "idnumber"})
RULE_COMPLETE = 3  # core_competency ruleoutcome: mark the competency complete on course completion
PLAN_DRAFT, PLAN_ACTIVE = 0, 1
GONE = "doesn't exist"  # touserdoesntexist: «You cannot send a message to a user ID (5) that doesn't exist.»
MESSAGE_LOOKBACK = 50  # the newest messages to a user looked through before one is sent
SYSTEM_CONTEXT = 1
# Row-level enrol failures worth isolating; anything else (invalidtoken, accessexception) fails the whole job.
ROW_AUTH_CODES = frozenset({"wsusercannotassign"})


class MoodleLms:
    def __init__(
        self,
        client: MoodleClient,
        *,
        profile_field: str = "iom_url",
        parallel: int = 4,
        competency_scale_id: int = 2,
        max_values_per_call: int = 200,
    ):
        self.client = client
        self.profile_field = profile_field
        self.parallel = max(1, parallel)
        self.competency_scale_id = competency_scale_id
        self.max_values_per_call = max_values_per_call
        self._pass_grades: dict[tuple[int, str], float | None] = {}
        self._site: SiteInfo | None = None

    def __repr__(self) -> str:
        return f"MoodleLms({self.client!r})"

    # --- site, users, courses -----------------------------------------------------------------------
    def get_site_info(self) -> SiteInfo:
        fn = "core_webservice_get_site_info"
        info = p.parse(p.SiteInfo, self.client.call(fn), fn)
        self._site = SiteInfo(
            site_name=info.sitename,
            release=info.release,
            version=info.version,
            user_id=info.userid,
            functions=frozenset(f.name for f in info.functions),
        )
        return self._site

    def find_users(self, field: str, values: Sequence[str]) -> dict[str, list[LmsUser]]:
        if field not in LOOKUP_FIELDS:
            raise LmsResponseError(
                f"поиск пользователей по полю {field!r} невозможен", errorcode="invalidparameter"
            )
        out: dict[str, list[LmsUser]] = {v: [] for v in values}
        wanted = list(dict.fromkeys(v for v in values if v))
        per_call = self.client.max_input_vars - FIXED_FIELDS - 1  # the "field" parameter
        chunks = chunk_by_fields([1] * len(wanted), per_call, self.max_values_per_call)
        batches = [[wanted[i] for i in chunk] for chunk in chunks]
        for users in self._map(lambda batch: self._users_by_field(field, batch), batches):
            for user in users:
                self._file_user(out, field, user)
        return out

    def _users_by_field(self, field: str, values: list[str]) -> list[p.User]:
        fn = "core_user_get_users_by_field"
        return p.parse(list[p.User], self.client.call(fn, field=field, values=values), fn)

    @staticmethod
    def _file_user(out: dict[str, list[LmsUser]], field: str, user: p.User) -> None:
        key = str(getattr(user, field))
        if key not in out and field == "email":  # MySQL collations match e-mails case-insensitively
            key = next((v for v in out if v.casefold() == key.casefold()), key)
        if key in out:
            out[key].append(LmsUser(user.id, user.username, user.email, user.idnumber, user.fullname))

    def find_course(self, ref: str) -> LmsCourse | None:
        if not ref:
            return None
        fn = "core_course_get_courses_by_field"
        for field in ("idnumber", "shortname"):
            found = p.parse(p.Courses, self.client.call(fn, field=field, value=ref), fn).courses
            if found:
                c = found[0]
                return LmsCourse(c.id, c.shortname, c.idnumber, c.fullname)
        return None

    # --- enrolments ---------------------------------------------------------------------------------
    def list_enrolled(self, course_id: int) -> list[EnrolledUser]:
        fn = "core_enrol_get_enrolled_users"
        every = self.client.call(
            fn, courseid=course_id, options=[{"name": "userfields", "value": "id,roles"}]
        )
        active_opts = [{"name": "onlyactive", "value": True}, {"name": "userfields", "value": "id"}]
        active = self.client.call(fn, courseid=course_id, options=active_opts)
        active_ids = {u.id for u in p.parse(list[p.EnrolledUser], active, fn)}
        return [
            EnrolledUser(u.id, frozenset(r.roleid for r in u.roles), suspended=u.id not in active_ids)
            for u in p.parse(list[p.EnrolledUser], every, fn)
        ]

    def enrol(self, rows: Sequence[Enrolment]) -> list[RowFailure]:
        if not rows:
            return []
        budget = self.client.max_input_vars - FIXED_FIELDS
        costs = [len(flatten({"r": _enrol_row(r)})) for r in rows]
        batches = [[rows[i] for i in chunk] for chunk in chunk_by_fields(costs, budget)]
        failures: list[RowFailure] = []
        for found in self._map(lambda batch: self._enrol_isolating(batch, known_bad=False), batches):
            failures.extend(found)
        return failures

    def _enrol_isolating(self, rows: list[Enrolment], *, known_bad: bool) -> list[RowFailure]:
        """Land the good rows of an all-or-nothing call. ``known_bad``: this slice is known to fail (its
        sibling half succeeded), so it is split without being sent whole: 1 bad row in n costs ~log2(n)
        extra calls."""
        if not known_bad or len(rows) == 1:
            try:
                self.client.call("enrol_manual_enrol_users", enrolments=[_enrol_row(r) for r in rows])
                return []
            except LmsError as e:
                if not _row_level(e):
                    raise
                if len(rows) == 1:
                    return [RowFailure(rows[0], e.errorcode or "", str(e))]
        half = len(rows) // 2
        left = self._enrol_isolating(rows[:half], known_bad=False)
        right = self._enrol_isolating(rows[half:], known_bad=not left)
        return left + right

    # --- results --------------------------------------------------------------------------------------
    def list_grades(self, course_id: int, item_idnumber: str = "") -> list[GradeRow]:
        fn = "gradereport_user_get_grade_items"
        report = p.parse(p.GradeReport, self.client.call(fn, courseid=course_id, userid=0), fn)
        out = []
        for row in report.usergrades:
            item = _final_item(row.gradeitems, item_idnumber, course_id)
            out.append(GradeRow(row.userid, item.graderaw, item.grademax, item.gradedategraded or 0))
        return out

    def find_pass_grade(self, course_id: int, item_idnumber: str = "") -> float | None:
        key = (course_id, item_idnumber)
        if key not in self._pass_grades:
            self._pass_grades[key] = self._read_pass_grade(course_id, item_idnumber)
        return self._pass_grades[key]

    def _read_pass_grade(self, course_id: int, item_idnumber: str) -> float | None:
        if not item_idnumber:
            return None  # the course total's gradepass is not readable over web services (NOTES)
        fn = "gradereport_user_get_grade_items"
        user_id = (self._site or self.get_site_info()).user_id  # one cheap row: the token's own user
        report = p.parse(p.GradeReport, self.client.call(fn, courseid=course_id, userid=user_id), fn)
        items = report.usergrades[0].gradeitems if report.usergrades else []
        item = _final_item(items, item_idnumber, course_id)
        if item.cmid is None:
            return None  # a manual grade item: no course module, no readable pass mark
        fn = "core_course_get_course_module"
        cm = p.parse(p.CourseModule, self.client.call(fn, cmid=item.cmid), fn).cm
        value = float(cm.gradepass or 0)
        return value if value > 0 else None

    def list_completions(self, user_id: int) -> dict[int, CompletionRow]:
        fn = "core_enrol_get_users_courses"
        courses = p.parse(list[p.UserCourse], self.client.call(fn, userid=user_id), fn)
        out = {}
        for c in courses:
            tracked = c.enablecompletion is not False and c.completionhascriteria is not False
            out[c.id] = CompletionRow(user_id, bool(c.completed) and tracked, 0, tracked)
        return out

    # --- telling the user ---------------------------------------------------------------------------
    def set_route_links(self, links: Sequence[tuple[int, str]]) -> list[LinkFailure]:
        if not links:
            return []
        budget = self.client.max_input_vars - FIXED_FIELDS
        costs = [len(flatten({"users": [self._link_row(uid, url)]})) for uid, url in links]
        chunks = chunk_by_fields(costs, budget, self.max_values_per_call)
        failures: list[LinkFailure] = []
        for found in self._map(lambda chunk: self._update_links([links[i] for i in chunk]), chunks):
            failures.extend(found)
        return failures

    def _link_row(self, user_id: int, url: str) -> dict[str, Any]:
        return {"id": user_id, "customfields": [{"type": self.profile_field, "value": url}]}

    def _update_links(self, links: list[tuple[int, str]]) -> list[LinkFailure]:
        """One ``core_user_update_users`` call. Moodle applies it row by row (no transaction): a bad row
        is a ``warnings[]`` entry naming the user by ``itemid``, and the other rows land."""
        fn = "core_user_update_users"
        users = [self._link_row(uid, url) for uid, url in links]
        warnings = p.parse(p.Warnings, self.client.call(fn, users=users), fn).warnings
        sent = {uid for uid, _ in links}
        by_user: dict[int, p.WsWarning] = {}
        for w in warnings:
            # a warning we cannot pin to a row: count none of them as landed (they are re-sent next run)
            if w.itemid is None or w.itemid not in sent:
                return [LinkFailure(uid, url, w.warningcode, w.message) for uid, url in links]
            by_user.setdefault(w.itemid, w)
        return [
            LinkFailure(uid, url, by_user[uid].warningcode, by_user[uid].message)
            for uid, url in links
            if uid in by_user
        ]

    def send_message(self, user_id: int, text: str) -> None:
        """Looks first: the same text sent to this user by the token's user (an earlier attempt whose answer
        was lost, or a run killed before it recorded the message) is not sent again."""
        if self._message_sent(user_id, text):
            return
        fn = "core_message_send_instant_messages"
        message = {"touserid": user_id, "text": text, "textformat": 2}  # 2 = plain text

        def send() -> bool:
            for result in p.parse(list[p.MessageResult], self.client.call_once(fn, messages=[message]), fn):
                if result.msgid == -1:
                    raise LmsResponseError(
                        f"Moodle {fn}: {result.errormessage}", errorcode="errormessage", wsfunction=fn
                    )
            return True

        self._write_once(send, lambda: self._message_sent(user_id, text) or None)

    def send_messages(self, messages: Sequence[OutMessage]) -> list[MessageFailure]:
        """``core_message_send_instant_messages`` with as many messages per call as ``max_input_vars`` allows.
        Moodle sends each message of a call on its own, so a lost answer (read timeout, 5xx) and Moodle 5.1's
        error for a batch mixing good and refused messages (``formatnotsupported``, raised after the good ones
        were sent) are both resolved the same way: each message of the call is looked up and only the missing
        ones are sent again, one per call (a refused one then comes back as its own ``msgid`` -1)."""
        todo = [m for m in messages if not (m.look_first and self._message_sent(m.user_id, m.text))]
        if not todo:
            return []
        budget = self.client.max_input_vars - FIXED_FIELDS
        costs = [len(flatten({"messages": [_message_row(m)]})) for m in todo]
        chunks = chunk_by_fields(costs, budget, self.max_values_per_call)
        failures: list[MessageFailure] = []
        for found in self._map(lambda chunk: self._send_batch([todo[i] for i in chunk]), chunks):
            failures.extend(found)
        return failures

    def _send_batch(self, batch: list[OutMessage], attempt: int = 1) -> list[MessageFailure]:
        fn = "core_message_send_instant_messages"
        try:
            body = self.client.call_once(fn, messages=[_message_row(m) for m in batch])
        except LmsUnavailable:  # the call may have run: what is in Moodle now is not sent again
            if attempt >= max(1, self.client.retry.attempts):
                raise
            rest = [m for m in batch if not self._message_sent(m.user_id, m.text)]
            return self._send_batch(rest, attempt + 1) if rest else []
        except LmsResponseError:
            if len(batch) == 1:
                raise
            rest = [m for m in batch if not self._message_sent(m.user_id, m.text)]
            return [f for m in rest for f in self._send_batch([m], attempt)]
        results = p.parse(list[p.MessageResult], body, fn)
        return [
            MessageFailure(m, GONE in (r.errormessage or ""), r.errormessage or "")
            for m, r in zip(batch, results, strict=True)
            if r.msgid == -1
        ]

    def _message_sent(self, user_id: int, text: str) -> bool:
        fn = "core_message_get_messages"
        me = (self._site or self.get_site_info()).user_id
        try:
            body = self.client.call(
                fn, useridto=user_id, useridfrom=me, type="conversations", read=2, limitnum=MESSAGE_LOOKBACK
            )
        except LmsNotFound:  # no such user: the send itself says so (msgid -1)
            return False
        return any(m.fullmessage == text for m in p.parse(p.Messages, body, fn).messages)

    # --- learning plans -------------------------------------------------------------------------------
    def ensure_framework(
        self, idnumber: str, name: str, competencies: Mapping[str, str]
    ) -> dict[str, Competency]:
        framework = self._find_framework(idnumber) or self._create_framework(idnumber, name)
        existing = self._competencies(framework.id)
        out = {}
        for code, title in competencies.items():
            found = existing.get(code) or self._create_competency(framework.id, code, title)
            out[code] = Competency(found.id, found.idnumber, found.shortname, found.competencyframeworkid)
        return out

    def _find_framework(self, idnumber: str) -> p.Framework | None:
        fn = "core_competency_list_competency_frameworks"
        body = self.client.call(fn, context={"contextid": SYSTEM_CONTEXT})
        return next((f for f in p.parse(list[p.Framework], body, fn) if f.idnumber == idnumber), None)

    def _create_framework(self, idnumber: str, name: str) -> p.Framework:
        fn = "core_competency_create_competency_framework"
        params = {"competencyframework": self._framework_row(idnumber, name)}
        return self._create_once(fn, params, p.Framework, lambda: self._find_framework(idnumber))

    def _framework_row(self, idnumber: str, name: str) -> dict[str, Any]:
        # The scale's default item is what course completion rates (NOTES): make it the proficient one.
        config = [{"scaleid": str(self.competency_scale_id)},
                  {"id": 1, "scaledefault": 0, "proficient": 0},
                  {"id": 2, "scaledefault": 1, "proficient": 1}]  # fmt: skip
        return {"shortname": name, "idnumber": idnumber, "scaleid": self.competency_scale_id,
                "scaleconfiguration": json.dumps(config, separators=(",", ":")),
                "contextid": SYSTEM_CONTEXT, "visible": True}  # fmt: skip

    def _competencies(self, framework_id: int) -> dict[str, p.Competency]:
        fn = "core_competency_list_competencies"
        filters = [{"column": "competencyframeworkid", "value": framework_id}]
        return {c.idnumber: c for c in p.parse(list[p.Competency], self.client.call(fn, filters=filters), fn)}

    def _create_competency(self, framework_id: int, code: str, title: str) -> p.Competency:
        fn = "core_competency_create_competency"
        competency = {"shortname": title or code, "idnumber": code, "competencyframeworkid": framework_id}
        find = lambda: self._competencies(framework_id).get(code)  # noqa: E731
        return self._create_once(fn, {"competency": competency}, p.Competency, find)

    def ensure_plan(
        self, user_id: int, name: str, description: str, competency_ids: Sequence[int]
    ) -> LearningPlan:
        plan = self._find_plan(user_id, name)
        if plan is None:
            new = {"name": name, "description": description, "userid": user_id, "status": PLAN_DRAFT}
            find = lambda: self._find_plan(user_id, name)  # noqa: E731
            # no duedate: it would auto-complete
            plan = self._create_once("core_competency_create_plan", {"plan": new}, p.Plan, find)
        elif plan.description != description:
            fn = "core_competency_update_plan"
            plan = p.parse(p.Plan, self.client.call(fn, plan={"id": plan.id, "description": description}), fn)
        have = self._plan_competencies(plan.id)
        for cid in dict.fromkeys(competency_ids):
            if cid not in have:
                self.client.call("core_competency_add_competency_to_plan", planid=plan.id, competencyid=cid)
                have.add(cid)
        status = plan.status
        if status == PLAN_DRAFT:  # approving an active plan is a codingerror: approve once, look if unsure
            plan_id = plan.id

            def approved() -> bool | None:
                plans = self._list_plans(user_id)
                return True if any(pl.id == plan_id and pl.status != PLAN_DRAFT for pl in plans) else None

            self._create_once("core_competency_approve_plan", {"id": plan_id}, bool, approved)
            status = PLAN_ACTIVE
        return LearningPlan(plan.id, user_id, plan.name, plan.description, status, frozenset(have))

    def _list_plans(self, user_id: int) -> list[p.Plan]:
        fn = "core_competency_list_user_plans"
        return p.parse(list[p.Plan], self.client.call(fn, userid=user_id), fn)

    def _find_plan(self, user_id: int, name: str) -> p.Plan | None:
        """The plan carrying the route number in its name («ИОМ <number>»)."""
        return next((pl for pl in self._list_plans(user_id) if pl.name == name), None)

    def _plan_competencies(self, plan_id: int) -> set[int]:
        fn = "core_competency_list_plan_competencies"
        return {
            e.competency.id for e in p.parse(list[p.PlanCompetency], self.client.call(fn, id=plan_id), fn)
        }

    def link_course_competencies(self, course_id: int, competency_ids: Sequence[int]) -> int:
        wanted = list(dict.fromkeys(competency_ids))
        links = self._course_links(course_id)
        added = 0
        for cid in wanted:
            if cid not in links:  # add_competency_to_course answers false for an existing link
                self.client.call(
                    "core_competency_add_competency_to_course", courseid=course_id, competencyid=cid
                )
                added += 1
        if added:
            links = self._course_links(course_id)
        changed = 0
        for cid in wanted:
            link = links[cid]
            if link.ruleoutcome != RULE_COMPLETE:
                fn = "core_competency_set_course_competency_ruleoutcome"
                self.client.call(fn, coursecompetencyid=link.id, ruleoutcome=RULE_COMPLETE)
                changed += 1
        return max(added, changed)

    def _course_links(self, course_id: int) -> dict[int, p.CourseCompetencyLink]:
        fn = "core_competency_list_course_competencies"
        found = p.parse(list[p.CourseCompetency], self.client.call(fn, id=course_id), fn)
        return {c.coursecompetency.competencyid: c.coursecompetency for c in found}

    # --- helpers --------------------------------------------------------------------------------------
    def _create_once(
        self, fn: str, params: dict[str, Any], model: type[T], find: Callable[[], T | None]
    ) -> T:
        return self._write_once(lambda: p.parse(model, self.client.call_once(fn, **params), fn), find)

    def _write_once(self, write: Callable[[], T], find: Callable[[], T | None]) -> T:
        """A write that must not happen twice (a create, a message, approving a plan). ``write`` sends it
        without blind retries (``call_once``); when its answer is lost (read timeout, 5xx: it may have run in
        Moodle), ``find`` looks for its result in Moodle first and only what is not there is sent again, up
        to the client's retry attempts. So a timed-out call followed by a retry leaves exactly one object."""
        attempts = max(1, self.client.retry.attempts)
        for attempt in range(1, attempts + 1):
            try:
                return write()
            except LmsUnavailable:
                if attempt == attempts:
                    raise
                found = find()
                if found is not None:
                    return found
        raise AssertionError("unreachable")  # pragma: no cover

    def _map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        todo = list(items)
        if self.parallel == 1 or len(todo) < 2:
            return [fn(item) for item in todo]
        with ThreadPoolExecutor(max_workers=min(self.parallel, len(todo))) as pool:
            return list(pool.map(fn, todo))


def _enrol_row(r: Enrolment) -> dict[str, Any]:
    """Order as recorded. Omitted timestart/timeend clear dates and an omitted suspend reactivates
    (NOTES «Re-enrol semantics») — which is what a row without them means to us too."""
    return {
        "roleid": r.role_id,
        "userid": r.user_id,
        "courseid": r.course_id,
        "timestart": r.start or None,
        "timeend": r.end or None,
        "suspend": True if r.suspended else None,
    }


def _message_row(m: OutMessage) -> dict[str, Any]:
    return {"touserid": m.user_id, "text": m.text, "textformat": 2}  # 2 = plain text


def _row_level(error: LmsError) -> bool:
    """Errors one bad row causes (and that splitting can isolate) vs. errors that doom every call."""
    if isinstance(error, LmsAuthError):
        return error.errorcode in ROW_AUTH_CODES
    return isinstance(error, LmsNotFound | LmsResponseError) and error.errorcode != "toomanyfields"


def _final_item(items: Sequence[p.GradeItem], item_idnumber: str, course_id: int) -> p.GradeItem:
    for item in items:
        if (item.idnumber == item_idnumber) if item_idnumber else item.itemtype == "course":
            return item
    what = f"«{item_idnumber}»" if item_idnumber else "итог курса"
    raise LmsNotFound(f"в курсе {course_id} нет элемента оценивания {what}", errorcode="itemnotfound")

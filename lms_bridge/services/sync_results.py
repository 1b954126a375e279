"""Results: bring final attestation results from the LMS into the routes (000 §2.6).

Cost: only courses that still have pending formal items are read. A grade-decided course costs ONE
``list_grades`` call for all its users plus ONE ``find_pass_grade`` (skipped when the course map gives
``pass_grade``; the course total's gradepass is not readable over Moodle's web services, so a course
decided by its total needs ``pass_grade`` in the course map). A completion-decided course costs one
``list_completions`` call PER pending user (Moodle has no per-course completion list).

Rules:
* pending = formal, not done, application confirmed (an unconfirmed item cannot be in the course yet);
* grade >= pass grade → the activity is marked done with the grade, the grading date and source "lms"
  and the pass mark (SYSTEM actor, ``mark_activity``); below → it stays pending, and the grade and the
  pass mark are recorded on the item (``record_failed_attestation``: the card shows «не выполнено:
  итоговая аттестация не пройдена (оценка N при проходном M)») and in the ``result`` transmission;
  a later pass replaces it; ungraded → nothing changes;
* a recorded pass is NEVER undone: when the LMS later shows no grade or a failing one, a disagreement
  is recorded for a person to decide (only for courses read anyway);
* when every formal activity of a route is done, its curator is told (LMS message when their account
  is linked, and an audit entry). The route is not completed automatically: it waits for the
  curator's final diagnostics and conclusions (003 §4.5.3).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from course_map.models import CourseEntry, DecidedBy
from lms_bridge.domain.people import SYSTEM
from lms_bridge.domain.route import Activity, Route
from lms_bridge.domain.vocabulary import ActivityCategory
from lms_bridge.domain.workflow import mark_activity, record_failed_attestation
from lms_bridge.ports import (
    CompletionRow,
    Disagreement,
    FormalItem,
    GradeRow,
    Lms,
    LmsLink,
    SyncStore,
    Transmission,
)
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.ports import TransmissionState as State
from lms_bridge.services.sync_common import (
    ACTIVE,
    DEFAULT_OPTIONS,
    CommitBatches,
    JobReport,
    Progress,
    SyncOptions,
    from_unix,
    parallel_map,
    shell_route,
    tick,
)
from lms_bridge.services.sync_notify import notify_curators

Key = tuple[str, str, str, str]


@dataclass
class _Course:
    ref: str
    entry: CourseEntry | None
    pending: list[tuple[FormalItem, int]]
    passed: list[tuple[FormalItem, int]]  # done from the LMS earlier: checked for disagreements
    course_id: int | None = None
    pass_grade: float | None = None
    grades: dict[int, GradeRow] = field(default_factory=dict)
    completions: dict[int, CompletionRow | None] = field(default_factory=dict)  # None: not enrolled
    error: tuple[str, str] | None = None  # course-level (errorcode, message)

    @property
    def by_completion(self) -> bool:
        return self.entry is not None and self.entry.decided_by is DecidedBy.COMPLETION


def sync_results(
    lms: Lms,
    store: SyncStore,
    *,
    now: datetime,
    progress: Progress | None = None,
    options: SyncOptions = DEFAULT_OPTIONS,
    planned_links: Mapping[str, LmsLink] | None = None,
) -> JobReport:
    """``planned_links``: in a dry run of ``sync all``, the links attach would have recorded."""
    report = JobReport("results", options.dry_run)
    items = store.list_formal_items(ACTIVE)
    before = store.list_transmissions(Kind.RESULT, states=(State.PENDING, State.FAILED))
    links = {**store.list_links(), **(planned_links or {})}
    cmap = {e.lms_course: e for e in store.list_course_map()}
    course_ids = store.lms_course_ids()
    user_ids = {email: link.lms_user_id for email, link in links.items()}

    courses = _courses(items, user_ids, cmap, report)
    to_read = [c for c in courses.values() if c.pending]
    report.counts["courses_read"] = len(to_read)

    def read(c: _Course) -> _Course:
        c.course_id = course_ids.get(c.ref)
        return _read_course(lms, c)

    marked: set[tuple[str, str]] = set()
    with CommitBatches(store, options.batch * 10) as batches:
        for done, (c, got, err) in enumerate(parallel_map(read, to_read, options.parallel), start=1):
            if err is not None:
                c.error = (err.errorcode or "lmserror", str(err))
            _apply(store, got or c, before, report, now=now, options=options, batches=batches, marked=marked)
            tick(progress, done, len(to_read))
    notify_curators(lms, store, items, marked, links, report, options=options)
    return report


def _courses(
    items: list[FormalItem], user_ids: dict[str, int | None], cmap: dict[str, CourseEntry], report: JobReport
) -> dict[str, _Course]:
    """The items to look at, by LMS course: pending ones of enrolled teachers with an LMS account, and
    the ones passed from the LMS earlier (checked for disagreements)."""
    courses: dict[str, _Course] = {}
    for i in items:
        if not i.done and not i.application_confirmed:
            report.counts["no_application"] += 1  # not enrolled through the bridge yet (000 §2.1)
            continue
        uid = user_ids.get(i.teacher_email)
        if uid is None:
            if not i.done:
                report.counts["no_lms_user"] += 1
            continue
        c = courses.setdefault(i.lms_course, _Course(i.lms_course, cmap.get(i.lms_course), [], []))
        if not i.done:
            c.pending.append((i, uid))
        elif i.result_source == "lms":
            c.passed.append((i, uid))
    return courses


def _read_course(lms: Lms, c: _Course) -> _Course:
    """Worker thread: LMS reads only."""
    if c.course_id is None:
        course = lms.find_course(c.ref)
        if course is None:
            c.error = ("nocourse", f"курс «{c.ref}» не найден в СДО")
            return c
        c.course_id = course.id
    if c.by_completion:
        for _, uid in c.pending:
            c.completions[uid] = lms.list_completions(uid).get(c.course_id)
        return c
    item = c.entry.final_item if c.entry else ""
    if c.entry is not None and c.entry.pass_grade is not None:
        c.pass_grade = c.entry.pass_grade
    else:
        c.pass_grade = lms.find_pass_grade(c.course_id, item)
    if c.pass_grade is None:
        what = f"элемента «{item}»" if item else "итога курса"
        c.error = ("nopassgrade", f"проходной балл {what} не задан: укажите pass_grade в карте курсов")
        return c
    c.grades = {g.user_id: g for g in lms.list_grades(c.course_id, item)}
    return c


Marks = dict[str, list[tuple[FormalItem, float | None, int]]]  # route number -> (item, grade, when)
Fails = dict[str, list[tuple[FormalItem, float]]]  # route number -> (item, new failing grade)


def _apply(
    store: SyncStore,
    c: _Course,
    before: dict[Key, Transmission],
    report: JobReport,
    *,
    now: datetime,
    options: SyncOptions,
    batches: CommitBatches,
    marked: set[tuple[str, str]],
) -> None:
    """Main thread: decide every pending item of the course; writes join the open commit batch."""
    if c.error is not None:
        code, message = c.error
        report.problem(c.ref, code, message)
        return
    marks, fails, rows = _decide(c, before, report)
    disagreements = _disagreements(c, now)
    if options.dry_run:
        for number, ms in marks.items():
            report.planned += [f"{number}: «{c.ref}» выполнено, оценка {g}" for _, g, _ in ms]
        report.counts["disagreements"] += len(disagreements)
        return
    batches.begin()
    keys = [(number, item.key) for number, ms in marks.items() for item, _, _ in ms]
    failed = [(number, item.key) for number, fs in fails.items() for item, _ in fs]
    store.save_item_marks(_marked_routes(c, marks, fails, now, options), keys + failed, SYSTEM)
    store.save_transmissions(rows)
    for d in disagreements:
        if store.add_disagreement(d):
            report.counts["disagreements"] += 1
    marked.update(keys)
    batches.added(len(rows) + len(keys) + len(failed) + len(disagreements))


def _decide(
    c: _Course, before: dict[Key, Transmission], report: JobReport
) -> tuple[Marks, Fails, list[Transmission]]:
    """The passes to mark, the new failing grades to record on the items and the transmissions to record
    for the course's pending items, counted or reported (a waiting or below-pass item is recorded only
    when its grade or state changed)."""
    marks: Marks = defaultdict(list)
    fails: Fails = defaultdict(list)
    rows: list[Transmission] = []
    nocriteria = False
    for item, uid in c.pending:
        prev = before.get((item.route_number, item.key, item.lms_course, Kind.RESULT))
        verdict, grade, at = _verdict(c, uid)
        if verdict == "pass":
            marks[item.route_number].append((item, grade, at))
            report.counts["passed"] += 1
            rows.append(_tx(item, uid, c, State.DONE, grade, "зачтено", prev))
        elif verdict == "nocriteriaset":
            nocriteria = True
        elif verdict == "notenroled":
            why = f"{item.teacher_email} не зачислен на курс {c.ref}"
            report.problem(item.route_number, "notenroled", why, failed=False)
        else:
            report.counts["below_pass" if verdict == "below" else "waiting"] += 1
            if verdict == "below" and grade is not None and grade != item.grade:
                fails[item.route_number].append((item, grade))
            if prev is None or prev.grade != grade or prev.state != State.PENDING:
                detail = "ниже проходного" if verdict == "below" else ""
                rows.append(_tx(item, uid, c, State.PENDING, grade, detail, prev))
    if nocriteria:
        report.problem(c.ref, "nocriteriaset", f"у курса {c.ref} не заданы условия завершения")
    return marks, fails, rows


def _marked_routes(
    c: _Course, marks: Marks, fails: Fails, now: datetime, options: SyncOptions
) -> list[Route]:
    """The domain rules run on shell routes holding this course's items of each route, built from what
    the rules read; ``save_item_marks`` writes back only the columns a mark changes."""
    updated = []
    for number in {**marks, **fails}:
        items = [i for i, _, _ in marks.get(number, [])] + [i for i, _ in fails.get(number, [])]
        route = shell_route(number, items[0].status, [_shell_activity(item) for item in items])
        for item, grade, at in marks.get(number, []):
            on = from_unix(at, options.tz) if at else now.date()
            result = f"итоговая аттестация в СДО: {grade:g}" if grade is not None else "курс завершён в СДО"
            route = mark_activity(
                route, item.key, SYSTEM, on, grade=grade, pass_grade=c.pass_grade, result=result
            )
        for item, grade in fails.get(number, []):
            assert c.pass_grade is not None  # "below" is only decided against a pass grade
            route = record_failed_attestation(route, item.key, grade, c.pass_grade)
        updated.append(route)
    return updated


def _shell_activity(item: FormalItem) -> Activity:
    return Activity(
        key=item.key,
        category=ActivityCategory.KNOWLEDGE,
        title=f"курс {item.lms_course}",
        lms_course=item.lms_course,
        done=item.done,
        grade=item.grade,
        result_source=item.result_source,
    )


def _verdict(c: _Course, uid: int) -> tuple[str, float | None, int]:
    """(pass | below | waiting | notenroled | nocriteriaset, grade, when) for one pending user."""
    if c.by_completion:
        row = c.completions.get(uid)
        if row is None:
            return "notenroled", None, 0
        if not row.tracked:
            return "nocriteriaset", None, 0
        return ("pass", None, row.completed_at) if row.completed else ("waiting", None, 0)
    g = c.grades.get(uid)
    if g is None:
        return "notenroled", None, 0
    if g.grade is None:
        return "waiting", None, 0
    assert c.pass_grade is not None
    return ("pass" if g.grade >= c.pass_grade else "below"), g.grade, g.graded_at


def _disagreements(c: _Course, now: datetime) -> list[Disagreement]:
    if c.by_completion:  # Moodle never revokes completion
        return []
    out = []
    for item, uid in c.passed:
        g = c.grades.get(uid)
        lms_grade = g.grade if g else None
        if lms_grade is None or (c.pass_grade is not None and lms_grade < c.pass_grade):
            out.append(
                Disagreement(
                    item.route_number, item.key, item.lms_course, item.grade, lms_grade, c.pass_grade, now
                )
            )
    return out


def _tx(
    item: FormalItem,
    uid: int,
    c: _Course,
    state: State,
    grade: float | None,
    detail: str,
    prev: Transmission | None,
) -> Transmission:
    return Transmission(
        route_number=item.route_number,
        item_key=item.key,
        lms_course=item.lms_course,
        kind=Kind.RESULT,
        state=state,
        lms_user_id=uid,
        lms_course_id=c.course_id,
        attempts=(prev.attempts if prev else 0) + 1,
        grade=grade,
        detail=detail,
    )

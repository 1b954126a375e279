"""Enrol: put teachers into the LMS courses of their routes once the application is confirmed.

Which items (000 §2.1): formal activities, not done, of approved or in-progress routes whose
enrolment application is confirmed by the head of school AND by a ЦНППМ specialist, and whose teacher
meets the catalogue's prerequisites (000 §2.1 a, ``course_map.prerequisites``): checked again here, since
the registry may have changed since the confirmation; an item that fails it is reported with the reason
in Russian and recorded failed (``prerequisites``), to be tried again on the next run.

Guarantees:
* an enrolment already in place is NEVER re-sent: Moodle's re-enrol without dates clears the dates
  and without ``suspend`` reactivates a suspended user. ``list_enrolled`` is read once per course and
  such items are recorded as done untouched;
* one transmission row per route item × course (kind ``enrol``): a second run sends nothing, a killed
  run resumes (rows committed per course; anything enrolled but not yet recorded is found enrolled);
* bad rows are isolated by the port and reported with Moodle's errorcode;
* an approved route whose first enrolment lands is started (transition "start" by SYSTEM) in the same
  commit as its transmission.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from course_map.prerequisites import check
from lms_bridge.domain.people import SYSTEM
from lms_bridge.domain.vocabulary import RouteStatus
from lms_bridge.domain.workflow import transition
from lms_bridge.errors import LmsAuthError, LmsError
from lms_bridge.ports import Enrolment, FormalItem, Lms, LmsLink, SyncStore, Transmission
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.ports import TransmissionState as State
from lms_bridge.services.sync_common import (
    DEFAULT_OPTIONS,
    CommitBatches,
    JobReport,
    Progress,
    SyncOptions,
    chunked,
    day_end,
    day_start,
    parallel_map,
    shell_route,
    tick,
)

ENROL_STATUSES = (RouteStatus.APPROVED, RouteStatus.IN_PROGRESS)


@dataclass
class _CourseWork:
    ref: str
    items: list[tuple[FormalItem, int]]  # (item, LMS user id)
    course_id: int | None = None
    already: set[int] = field(default_factory=set)  # user ids enrolled before this run touched them
    sent: list[Enrolment] = field(default_factory=list)
    failed: dict[int, tuple[str, str]] = field(default_factory=dict)  # user id -> (errorcode, message)


def sync_enrol(
    lms: Lms,
    store: SyncStore,
    *,
    now: datetime,
    progress: Progress | None = None,
    options: SyncOptions = DEFAULT_OPTIONS,
    planned_links: Mapping[str, LmsLink] | None = None,
) -> JobReport:
    """``planned_links``: in a dry run of ``sync all``, the links attach would have recorded."""
    report = JobReport("enrol", options.dry_run)
    items = [i for i in store.list_formal_items(ENROL_STATUSES) if not i.done and i.application_confirmed]
    before = store.list_transmissions(Kind.ENROL)
    links = {**store.list_links(), **(planned_links or {})}
    todo = [i for i in items if getattr(_tx(before, i), "state", "") != State.DONE]
    report.counts["enrolled_before"] = len(items) - len(todo)
    todo = _meeting_prerequisites(store, todo, before, report, options)
    by_course = _by_course(store, todo, links, before, report, options)

    def work(ref: str) -> _CourseWork:
        return _enrol_course(lms, _CourseWork(ref, by_course[ref]), options)

    total = len(by_course)
    started: set[str] = set()  # routes this run started (or, in a dry run, would start)
    batches = CommitBatches(store, options.batch * 10)
    with batches:
        for done, (ref, cw, err) in enumerate(
            parallel_map(work, sorted(by_course), options.parallel), start=1
        ):
            if err is not None:
                cw = _CourseWork(ref, by_course[ref])
                cw.failed = {uid: (err.errorcode or "lmserror", str(err)) for _, uid in cw.items}
            assert cw is not None
            _record_course(
                store, cw, before, report, now=now, options=options, started=started, batches=batches
            )
            tick(progress, done, total)
    if options.dry_run:
        report.counts["started"] = len(started)
    return report


def _by_course(
    store: SyncStore,
    todo: list[FormalItem],
    links: Mapping[str, LmsLink],
    before: dict[tuple[str, str, str, str], Transmission],
    report: JobReport,
    options: SyncOptions,
) -> dict[str, list[tuple[FormalItem, int]]]:
    """LMS course → (item, LMS user id) to enrol; a teacher without exactly one account is reported and
    recorded failed (``nouser``), to be tried again on the next run."""
    by_course: dict[str, list[tuple[FormalItem, int]]] = {}
    no_user: list[Transmission] = []
    for i in todo:
        link = links.get(i.teacher_email)
        if link is None or link.lms_user_id is None:
            why = (
                "нет связи с учётной записью СДО (запустите sync attach)"
                if link is None
                else ("нет учётной записи в СДО" if link.matches == 0 else "несколько учётных записей в СДО")
            )
            report.problem(i.route_number, "nouser", f"{i.teacher_email}: {why}")
            no_user.append(_record(before, i, State.FAILED, None, None, "nouser", why))
            continue
        by_course.setdefault(i.lms_course, []).append((i, link.lms_user_id))
    if no_user and not options.dry_run:
        with store.transaction():
            store.save_transmissions(no_user)
    return by_course


def _meeting_prerequisites(
    store: SyncStore,
    todo: list[FormalItem],
    before: dict[tuple[str, str, str, str], Transmission],
    report: JobReport,
    options: SyncOptions,
) -> list[FormalItem]:
    """The items whose teacher meets the course's prerequisites; the others reported and recorded failed."""
    needs = {e.lms_course: e.prerequisites for e in store.list_course_map() if e.prerequisites}
    if not needs:
        return todo
    keep: list[FormalItem] = []
    unmet: list[Transmission] = []
    done: dict[str, set[str]] = {}
    for i in todo:
        need = needs.get(i.lms_course)
        teacher = store.find_teacher(i.teacher_email) if need else None
        if need is None or teacher is None:
            keep.append(i)
            continue
        if i.teacher_email not in done:
            routes = store.list_teacher_routes(i.teacher_email)
            done[i.teacher_email] = {
                a.lms_course for r in routes for a in r.activities if a.done and a.lms_course
            }
        found = check(need, teacher, done[i.teacher_email])
        if found.met:
            keep.append(i)
            continue
        report.problem(i.route_number, "prerequisites", f"{i.teacher_email} → {i.lms_course}: {found.label}")
        unmet.append(_record(before, i, State.FAILED, None, None, "prerequisites", found.label))
    if unmet and not options.dry_run:
        with store.transaction():
            store.save_transmissions(unmet)
    return keep


def _enrol_course(lms: Lms, cw: _CourseWork, options: SyncOptions) -> _CourseWork:
    """Worker thread: LMS calls only."""
    course = lms.find_course(cw.ref)
    if course is None:
        cw.failed = {uid: ("nocourse", f"курс «{cw.ref}» не найден в СДО") for _, uid in cw.items}
        return cw
    cw.course_id = course.id
    cw.already = {e.user_id for e in lms.list_enrolled(course.id)}
    rows: dict[int, Enrolment] = {}
    for item, uid in cw.items:
        if uid in cw.already or uid in rows:
            continue
        rows[uid] = Enrolment(
            user_id=uid,
            course_id=course.id,
            role_id=options.role_id,
            start=day_start(item.start, options.tz) if item.start else 0,
            end=day_end(item.end, options.tz) if item.end else 0,
        )
    cw.sent = list(rows.values())
    if options.dry_run:
        return cw
    for chunk in chunked(cw.sent, options.batch):
        try:
            for f in lms.enrol(chunk):
                cw.failed[f.row.user_id] = (f.errorcode, f.message)
        except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
            raise
        except LmsError as e:  # the whole call failed (transport, outage): every row of it
            for row in chunk:
                cw.failed[row.user_id] = (e.errorcode or "lmserror", str(e))
    return cw


def _record_course(
    store: SyncStore,
    cw: _CourseWork,
    before: dict[tuple[str, str, str, str], Transmission],
    report: JobReport,
    *,
    now: datetime,
    options: SyncOptions,
    started: set[str],
    batches: CommitBatches,
) -> None:
    """Main thread: one commit per course: transmissions + routes started by their first enrolment."""
    rows: list[Transmission] = []
    to_start: dict[str, FormalItem] = {}
    for item, uid in cw.items:
        if uid in cw.failed:
            code, message = cw.failed[uid]
            report.problem(item.route_number, code, f"{item.teacher_email} → {cw.ref}: {message}")
            rows.append(_record(before, item, State.FAILED, uid, cw.course_id, code, message))
            continue
        if uid in cw.already:
            report.counts["already_enrolled"] += 1
            detail = "уже был зачислен: зачисление не отправлялось"
        else:
            report.counts["enrolled"] += 1
            detail = "зачислен"
            if options.dry_run:
                report.planned.append(
                    f"зачислить {item.teacher_email} (id {uid}) на курс {cw.ref} ({item.route_number})"
                )
        rows.append(_record(before, item, State.DONE, uid, cw.course_id, detail=detail))
        if item.status is RouteStatus.APPROVED and item.route_number not in started:
            to_start[item.route_number] = item
    started.update(to_start)
    if options.dry_run:
        return
    batches.begin()
    store.save_transmissions(rows)
    moved = [
        transition(shell_route(i.route_number, i.status, start=i.route_start), "start", SYSTEM, now.date())
        for i in to_start.values()
    ]
    store.save_statuses(moved, SYSTEM, "start", "первое зачисление в СДО")
    report.counts["started"] += len(moved)
    batches.added(len(rows) + len(moved))


def _tx(before: dict[tuple[str, str, str, str], Transmission], i: FormalItem) -> Transmission | None:
    return before.get((i.route_number, i.key, i.lms_course, Kind.ENROL))


def _record(
    before: dict[tuple[str, str, str, str], Transmission],
    i: FormalItem,
    state: State,
    uid: int | None,
    course_id: int | None,
    code: str = "",
    message: str = "",
    detail: str = "",
) -> Transmission:
    prev = _tx(before, i)
    return Transmission(
        route_number=i.route_number,
        item_key=i.key,
        lms_course=i.lms_course,
        kind=Kind.ENROL,
        state=state,
        lms_user_id=uid,
        lms_course_id=course_id,
        attempts=(prev.attempts if prev else 0) + 1,
        error_code=code,
        error_message=message,
        detail=detail,
    )

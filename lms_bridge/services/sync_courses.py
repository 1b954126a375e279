"""Course competencies, the last step of attach: each ДПП course that an active route takes is linked in
the LMS to the competencies of the deficits it addresses (the course map's deficit codes), with the
outcome "complete the competency" on course completion. Completing the course then rates those
competencies in the teacher's learning plan (NOTES «Competency outcome on course completion»).

* The competencies are the ones the plans use: one framework mirrors the deficit codes.
* One ``link_course_competencies`` call per course carries all its competencies; the LMS side looks up
  the links there before adding, so a repeated call adds nothing.
* Each course is recorded as a transmission (kind ``competency``, the course map ref as ``lms_course``,
  the linked codes as ``detail``), ``options.batch`` records per commit as the calls answer: a second run
  sends nothing unless the course's codes changed; a killed run sends again only what was not recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from course_map.models import CourseEntry
from lms_bridge.errors import LmsAuthError, LmsError, LmsNotFound
from lms_bridge.ports import Lms, SyncStore, Transmission
from lms_bridge.ports import TransmissionKind as Kind
from lms_bridge.ports import TransmissionState as State
from lms_bridge.services.sync_common import ACTIVE, JobReport, SyncOptions, parallel_map

FRAMEWORK_IDNUMBER = "lms-bridge-deficits"
FRAMEWORK_NAME = "Дефициты профессиональных компетенций (ИОМ)"
KIND = Kind.COMPETENCY


@dataclass(frozen=True)
class _Course:
    ref: str
    codes: tuple[str, ...]

    @property
    def detail(self) -> str:
        return ",".join(self.codes)


def link_courses(lms: Lms, store: SyncStore, report: JobReport, *, options: SyncOptions) -> None:
    """Link the competencies of every ДПП course that active routes take (only with ``options.plans``)."""
    if not options.plans:
        return
    todo = _courses_to_link(store, report)
    if options.dry_run:
        report.planned += [f"компетенции курса {c.ref}: {', '.join(c.codes)}" for c in todo]
        return
    if not todo:
        return
    codes = sorted({code for c in todo for code in c.codes})
    try:
        found = lms.ensure_framework(FRAMEWORK_IDNUMBER, FRAMEWORK_NAME, {c: c for c in codes})
    except LmsAuthError:  # a bad token or missing permission fails every call: stop the run
        raise
    except LmsError as e:  # the courses are linked on the next run
        report.problem("framework", e.errorcode or "lmserror", f"рамка компетенций в СДО: {e}")
        return
    known = store.lms_course_ids()

    def push(course: _Course) -> int:
        course_id = known.get(course.ref) or _find_course(lms, course.ref)
        lms.link_course_competencies(course_id, [found[code].id for code in course.codes])
        return course_id

    before = store.list_transmissions(KIND)
    rows: list[Transmission] = []
    for course, course_id, err in parallel_map(push, todo, options.parallel):
        tx = before.get(("", "", course.ref, KIND))
        rows.append(_outcome(course, course_id, err, (tx.attempts if tx else 0) + 1, report))
        if len(rows) >= options.batch:
            _save(store, rows)
            rows = []
    _save(store, rows)


def _outcome(
    course: _Course, course_id: int | None, err: LmsError | None, attempts: int, report: JobReport
) -> Transmission:
    """The transmission recording one course's linking, counted or reported."""
    if err is None:
        report.counts["course_competencies"] += 1
        return Transmission(
            "", "", course.ref, KIND, State.DONE, None, course_id, attempts, detail=course.detail
        )
    code = err.errorcode or "lmserror"
    report.problem(course.ref, code, f"компетенции курса: {err}")
    return Transmission(
        "", "", course.ref, KIND, State.FAILED, None, None, attempts, code, str(err), detail=course.detail
    )


def _courses_to_link(store: SyncStore, report: JobReport) -> list[_Course]:
    refs = {item.lms_course for item in store.list_formal_items(ACTIVE) if item.lms_course}
    courses = [
        _course(e) for e in store.list_course_map() if e.formal and e.lms_course in refs and e.deficit_codes
    ]
    sent = store.list_transmissions(KIND)
    todo = []
    for course in courses:
        tx = sent.get(("", "", course.ref, KIND))
        if tx is not None and tx.state == State.DONE and tx.detail == course.detail:
            report.counts["course_competencies_before"] += 1
        else:
            todo.append(course)
    return todo


def _course(entry: CourseEntry) -> _Course:
    return _Course(entry.lms_course, tuple(sorted(set(entry.deficit_codes))))


def _find_course(lms: Lms, ref: str) -> int:
    course = lms.find_course(ref)
    if course is None:
        raise LmsNotFound(f"курс «{ref}» не найден в СДО", errorcode="nocourse")
    return course.id


def _save(store: SyncStore, rows: Sequence[Transmission]) -> None:
    if rows:
        with store.transaction():
            store.save_transmissions(rows)

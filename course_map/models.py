"""One row of the course map, as a course administrator writes it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from lms_bridge.domain.vocabulary import ActivityLevel, Block


class EntryKind(StrEnum):
    COURSE = "course"  # a ДПП in the LMS: formal, enrolled and graded there
    EVENT = "event"  # a non-formal event (seminar, webinar, contest...)


class DecidedBy(StrEnum):
    GRADE = "grade"  # the final attestation grade against the pass grade
    COMPLETION = "completion"  # Moodle course completion


@dataclass(frozen=True)
class CourseEntry:
    lms_course: str  # the LMS course's idnumber (or shortname); a key for events too
    title: str
    kind: EntryKind = EntryKind.COURSE
    deficit_codes: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    hours: int = 0
    format: str = ""
    level: ActivityLevel = ActivityLevel.REGIONAL
    final_item: str = ""  # idnumber of the grade item of the final attestation; "" = course total
    decided_by: DecidedBy = DecidedBy.GRADE
    pass_grade: float | None = None  # overrides the LMS's gradepass when given
    organiser: str = ""
    start: date | None = None  # planned dates, when the provider's schedule fixes them
    end: date | None = None
    weeks: int | None = None  # or a duration: drafting places the course in the route period
    sites: tuple[str, ...] = ()  # the LMS sites where the course lives (issue 12); none named: every site

    @property
    def formal(self) -> bool:
        return self.kind is EntryKind.COURSE

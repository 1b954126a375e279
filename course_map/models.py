"""One row of the region's catalogue of activities («бесшовная матрица», 004; 003 §5.7), as a course
administrator writes it, and the register of internship sites (стажировочные площадки, 003 App. 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from lms_bridge.domain.vocabulary import ActivityLevel, Block


class EntryKind(StrEnum):
    COURSE = "course"  # a ДПП in the LMS: formal, enrolled and graded there
    EVENT = "event"  # a non-formal event (seminar, webinar, contest...)
    INTERNSHIP = "internship"  # an internship at a regional internship site (003 App. 4 §2.3.2): non-formal


class Source(StrEnum):
    """Where an activity comes from (003 §5.7): the «Перечень мероприятий» may hold activities of the
    regional centre's plan, the Federal registry of ДПП, the Academy of the Ministry (the federal
    operator), and municipal and school events."""

    FEDERAL_REGISTRY = "federal_registry"
    ACADEMY = "academy"
    REGIONAL = "regional"
    MUNICIPAL = "municipal"
    SCHOOL = "school"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS = {
    Source.FEDERAL_REGISTRY: "Федеральный реестр ДПП",
    Source.ACADEMY: "Академия Минпросвещения России",
    Source.REGIONAL: "региональный план",
    Source.MUNICIPAL: "муниципальный уровень",
    Source.SCHOOL: "уровень образовательной организации",
}

# an old course map has no «Источник»: the level says it (a federal activity is taken as the registry's)
SOURCE_BY_LEVEL = {
    ActivityLevel.FEDERAL: Source.FEDERAL_REGISTRY,
    ActivityLevel.REGIONAL: Source.REGIONAL,
    ActivityLevel.MUNICIPAL: Source.MUNICIPAL,
    ActivityLevel.SCHOOL: Source.SCHOOL,
}


class Education(StrEnum):
    """The level of education a ДПП may require (273-ФЗ art. 76 p. 3: ДПП are open to those with
    secondary vocational or higher education). Ordered: higher satisfies secondary vocational."""

    VOCATIONAL = "vocational"
    HIGHER = "higher"

    @property
    def label(self) -> str:
        return "среднее профессиональное" if self is Education.VOCATIONAL else "высшее"

    @property
    def rank(self) -> int:
        return 0 if self is Education.VOCATIONAL else 1


@dataclass(frozen=True)
class Prerequisites:
    """What a listener needs before enrolment (000 §2.1 a): a level of education, one of the positions
    (a word of the position, e.g. «учитель» fits «учитель математики»), catalogue activities completed
    earlier (their ``lms_course`` keys). Empty: open to everyone."""

    education: Education | None = None
    positions: tuple[str, ...] = ()
    courses: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.education or self.positions or self.courses)

    @property
    def label(self) -> str:
        parts = []
        if self.education:
            parts.append(f"образование не ниже: {self.education.label}")
        if self.positions:
            parts.append(f"должность: {', '.join(self.positions)}")
        if self.courses:
            parts.append(f"пройдены: {', '.join(self.courses)}")
        return "; ".join(parts)


NO_PREREQUISITES = Prerequisites()


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
    source: Source | None = None  # None: taken from ``level`` (an old course map); see ``origin``
    capacity: int | None = None  # places; None: not limited
    prerequisites: Prerequisites = NO_PREREQUISITES
    internship_site: str = ""  # an internship's site (``InternshipSite.code``)
    annotation: str = ""  # a line about the activity (001 §4.4: the resource map is annotated)

    @property
    def formal(self) -> bool:
        return self.kind is EntryKind.COURSE

    @property
    def origin(self) -> Source:
        return self.source or SOURCE_BY_LEVEL[self.level]


@dataclass(frozen=True)
class InternshipSite:
    """A regional internship site (003 App. 4): a school with the status, its topics, the deficits its
    internships address, the places it offers for a period, and its tutors (§4.2.3). Its internships
    are catalogue activities of kind ``internship`` that name the site's ``code``."""

    code: str
    school: str
    topics: tuple[str, ...]
    deficit_codes: tuple[str, ...] = ()
    places: int = 0
    period_start: date | None = None
    period_end: date | None = None
    tutors: tuple[str, ...] = ()
    municipality: str = ""

"""Filling the simulated site: the recorded lab, the project's examples/, or N synthetic teachers.

Every course gets the same shape as the lab's course 4: an «Итоговая аттестация» assignment (grade item,
gradepass 60, completion "receive a grade" + "receive a passing grade") that is the course's only completion
criterion, plus the course total.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lms_bridge.errors import ConfigError
from lms_bridge.sim.state import (
    EDITING_TEACHER,
    STUDENT,
    Activity,
    Competency,
    Course,
    CourseCompetency,
    Enrolment,
    Framework,
    Plan,
    SimState,
    User,
)

FINAL_ITEM_NAME = "Итоговая аттестация"
PASS_GRADE = 60.0
SCALE_CONFIG = (
    '[{"scaleid":"2"},{"id":1,"scaledefault":1,"proficient":0},{"id":2,"scaledefault":0,"proficient":1}]'
)


def seed_staff(state: SimState) -> None:
    """The admin (the token's user, id 2) and a few staff accounts (ids 3–5), as on the lab site."""
    state.add_user(User(2, "admin", "Admin", "User", "admin@example.com"))
    state.add_user(
        User(3, "teacher1", "Иван", "Петров", "ivan.petrov@example.com", "TEACHER1", "Москва", "RU")
    )
    state.add_user(User(4, "teacher2", "Мария", "Сидорова", "maria.sidorova@example.com", "TEACHER2"))
    state.add_user(User(5, "teacher3", "Алексей", "Кузнецов", "aleksey.kuznetsov@example.com", "TEACHER3"))


def add_final_course(
    state: SimState,
    shortname: str,
    fullname: str,
    idnumber: str,
    *,
    at: int = 0,
    gradepass: float = PASS_GRADE,
    item_idnumber: str = "",
) -> Course:
    """A course with a manual enrol instance and the final attestation assignment (gradepass 60)."""
    state.reserve_ids("course", 1)  # id 1 is the site course
    course_id = state.new_id("course")
    course = state.add_course(
        Course(
            course_id,
            shortname,
            fullname,
            idnumber,
            sortorder=30000 - course_id,
            summary=f"Курс {fullname}",
            timecreated=at,
            timemodified=at,
            cacherev=at,
            startdate=at,
            context_id=10 + course_id,
        )
    )
    cmid = state.new_id("cm")
    item = state.new_id("grade_item")
    state.add_activity(
        Activity(
            cmid,
            course_id,
            FINAL_ITEM_NAME,
            item,
            instance=state.new_id("assign"),
            gradepass=gradepass,
            idnumber=item_idnumber,
            completionpassgrade=True,
            added=at,
        )
    )
    return course


# --- the recorded lab (ids as in /work/shared/moodle/NOTES.md) ---------------------------------------


def seed_lab(state: SimState) -> None:
    """The lab site when the recordings started: courses 2–6, users 2–9, user 6 graded in courses 2 and 3."""
    seed_staff(state)
    state.add_user(
        User(
            6,
            "student1",
            "Ольга",
            "Смирнова",
            "olga.smirnova@example.com",
            "STUDENT1",
            country="RU",
            firstaccess=1795374648,
            lastaccess=1795374648,
            context_id=15,
        )
    )
    state.add_user(User(7, "ws.student2", "Пётр", "Иванов", "petr.ivanov@example.com", "STUDENT2", "Казань"))
    state.add_user(
        User(8, "student3", "Анна", "Козлова", "anna.kozlova@example.com", "STUDENT3", context_id=30)
    )
    state.add_user(User(9, "student4", "Дмитрий", "Орлов", "dmitry.orlov@example.com", "STUDENT4"))
    t = 1795374532
    c2 = Course(
        2,
        "ДПП-МЕТ-01",
        "Методология проектирования образовательных программ",
        "DPP-MET-01",
        summary="Курс Методология проектирования образовательных программ",
        sortorder=20004,
        startdate=1795288129,
        timecreated=1795374529,
        timemodified=1795374529,
        cacherev=1795374628,
        context_id=16,
        total_item_id=1,
        grade_category_id=1,
    )
    c3 = Course(
        3,
        "ДПП-ЦИФ-02",
        "Цифровые технологии в обучении",
        "DPP-DIG-02",
        summary="Курс Цифровые технологии в обучении",
        sortorder=20003,
        startdate=1795288132,
        timecreated=t,
        timemodified=t,
        cacherev=1795374540,
        context_id=18,
        total_item_id=3,
        grade_category_id=2,
    )
    c4 = Course(
        4,
        "ДПП-КАЧ-03",
        "Управление качеством образования",
        "DPP-QUA-03",
        summary="Курс Управление качеством образования",
        sortorder=20002,
        startdate=1795288132,
        timecreated=t,
        timemodified=t,
        cacherev=1795374540,
        context_id=20,
        total_item_id=5,
        grade_category_id=3,
    )
    c5 = Course(
        5,
        "ДПП-WS-04",
        "Тестовый курс WS",
        "DPP-WS-04",
        sortorder=20002,
        startdate=1795305600,
        enddate=1826841600,
        newsitems=5,
        showactivitydates=True,
        timecreated=1795374606,
        timemodified=1795374606,
        cacherev=1795374608,
        context_id=25,
        total_item_id=8,
        grade_category_id=4,
    )
    c6 = Course(
        6,
        "ДПП-NOMAN-05",
        "Курс без ручной записи",
        "DPP-NOMAN-05",
        sortorder=20001,
        timecreated=1795374610,
        timemodified=1795374610,
        cacherev=1795374610,
        context_id=27,
        manual_enrol=False,
        total_item_id=9,
        grade_category_id=5,
    )
    for c in (c2, c3, c4, c5, c6):
        state.add_course(c)
    state.add_activity(Activity(2, 2, FINAL_ITEM_NAME, 2, instance=1, added=1795374529))
    state.add_activity(
        Activity(8, 2, "Demo LTI 1.3 Tool (LTI 1.3)", 7, instance=1, modname="lti", module=15, completion=0),
        criterion=False,
    )
    state.add_activity(Activity(4, 3, FINAL_ITEM_NAME, 4, instance=2, gradepass=60.0, added=t))
    state.add_activity(
        Activity(
            6, 4, FINAL_ITEM_NAME, 6, instance=3, section=9, gradepass=60.0, completionpassgrade=True, added=t
        )
    )
    for course_id, teacher in ((2, 3), (3, 4), (4, 5)):
        state.enrolments[(course_id, teacher)] = Enrolment(teacher, course_id, {EDITING_TEACHER})
    state.enrolments[(2, 6)] = Enrolment(6, 2, {STUDENT}, lastaccess=1795374649)
    state.enrolments[(3, 6)] = Enrolment(6, 3, {STUDENT})
    clock = state.clock
    state.clock = lambda: 1795374553
    state.set_grade(state.activities[2], 6, 87.0)
    state.set_grade(state.activities[4], 6, 75.0)
    state.clock = clock
    state.frameworks[1] = Framework(1, "Компетенции ДПП", "FW-DPP", "", 2, SCALE_CONFIG, True, 1, 1795374585)
    state.competencies[1] = Competency(1, "Проектирование программ", "COMP-MET-01", "", 1, 1795374585)
    state.plans[1] = Plan(1, "План развития Смирновой", "", 6, 0, 1795374585, 1795374585)
    state.course_competencies[1] = CourseCompetency(1, 2, 1, 0, 1795374585, 1795374585)
    for kind in ("framework", "competency", "plan", "coursecompetency"):
        state.reserve_ids(kind, 1)
    state.reserve_ids("usercompetency", 2)  # the lab had rated two user competencies before the recordings
    state.reserve_ids("grade_item", 9)
    state.reserve_ids("cm", 8)
    state.reserve_ids("assign", 3)


# --- the project's examples/ ------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    last_name: str
    first_name: str


def add_person(state: SimState, person: Person) -> User:
    """One Moodle account per person: same email, username = lower-cased email, idnumber = email."""
    email = person.email.strip()
    return state.add_user(
        User(
            state.new_id("user"),
            email.lower(),
            person.first_name or "-",
            person.last_name or "-",
            email,
            email.lower(),
        )
    )


def seed_examples(state: SimState, examples: Path) -> dict[str, int]:
    """Teachers (diagnostics.csv), staff (curators.csv), a course per ``kind=course`` row (course_map.csv).

    Read with the project's own loaders, so the simulator sees exactly what the bridge imports.
    """
    from course_map.loading import load_course_map
    from course_map.models import EntryKind
    from lms_bridge.importers.curators import read_curators
    from lms_bridge.importers.diagnostics import read_diagnostics

    diagnostics, course_map = examples / "diagnostics.csv", examples / "course_map.csv"
    for required in (diagnostics, course_map):
        if not required.is_file():
            raise ConfigError(f"нет файла {required}")
    seed_staff(state)
    parsed = read_diagnostics(diagnostics.read_bytes(), diagnostics.name, today=date.today())
    known = {u.email.lower() for u in state.users.values()}
    teachers = 0
    for teacher, _ in parsed.rows:
        if teacher.email.lower() not in known:
            known.add(teacher.email.lower())
            add_person(state, Person(teacher.email, teacher.last_name, teacher.first_name))
            teachers += 1
    staff = 0
    curators = examples / "curators.csv"
    for curator in read_curators(curators.read_bytes(), curators.name) if curators.is_file() else []:
        if curator.email.lower() not in known:
            known.add(curator.email.lower())
            last, _, rest = curator.full_name.partition(" ")
            add_person(state, Person(curator.email, last, rest.split(" ")[0] if rest else ""))
            staff += 1
    courses = 0
    for entry in load_course_map(course_map.read_bytes(), course_map.name):
        if entry.kind is EntryKind.COURSE and find_course(state, entry.lms_course) is None:
            add_final_course(
                state,
                entry.lms_course,
                entry.title,
                entry.lms_course,
                gradepass=entry.pass_grade or PASS_GRADE,
                item_idnumber=entry.final_item,  # "" = the bridge reads the course total
            )
            courses += 1
    return {"teachers": teachers, "staff": staff, "courses": courses}


def find_course(state: SimState, idnumber: str) -> Course | None:
    return next((c for c in state.courses.values() if c.idnumber == idnumber), None)


# --- synthetic load -----------------------------------------------------------------------------------

_LAST = (
    "Иванова",
    "Петрова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Соколова",
    "Лебедева",
    "Козлова",
    "Новикова",
    "Морозова",
    "Волкова",
    "Соловьёва",
    "Васильева",
    "Зайцева",
    "Павлова",
    "Семёнова",
)
_FIRST = ("Анна", "Мария", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Светлана", "Юлия", "Екатерина")


def synthetic_teachers(count: int, random_seed: int = 0) -> list[Person]:
    """``count`` distinct teachers, the same for the same seed (benchmarks can rebuild the list)."""
    rng = random.Random(random_seed)
    return [
        Person(f"teacher{n:05d}@school{n % 997:03d}.example.ru", rng.choice(_LAST), rng.choice(_FIRST))
        for n in range(1, count + 1)
    ]


def synthetic_course_count(teachers: int) -> int:
    return max(1, teachers // 50)  # 30 000 teachers → 600 courses


def seed_synthetic(state: SimState, teachers: int, random_seed: int = 0) -> dict[str, int]:
    seed_staff(state)
    for person in synthetic_teachers(teachers, random_seed):
        add_person(state, person)
    courses = synthetic_course_count(teachers)
    for i in range(1, courses + 1):
        add_final_course(state, f"ДПП-СИН-{i:04d}", f"Синтетический курс {i}", f"DPP-SYN-{i:04d}")
    return {"teachers": teachers, "staff": 3, "courses": courses}
